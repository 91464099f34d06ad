# make_moderation_reference.R
#
# Reference values for loyaltysurvey's latent moderation in CB-SEM (issue 15): double-mean-centred
# product indicators (semTools::indProd), the structural model with the latent interaction (lavaan
# sem(), ML, listwise), simple slopes at -1 SD, the mean and +1 SD of the moderator
# (semTools::probe2WayMC) and the Johnson-Neyman interval.
#
# Run from the repository root:
#
#     Rscript tests/reference/make_moderation_reference.R
#
# Data: the mobi data of seminr (../shared/data/mobi.csv, 250 rows, no missing answers), read as
# tests/test_moderation_reference.py reads it.
#
# Product indicators: indProd(mobi, IMAG1..IMAG5, CUEX1..CUEX3, match = FALSE, meanC = TRUE,
#   residualC = FALSE, doubleMC = TRUE): every first-order indicator mean-centred, all 15 pairwise
#   products (IMAG_i outer, CUEX_j inner, named "IMAGi.CUEXj"), each product mean-centred again
#   (double-mean-centring, Lin et al., 2010). semTools' defaults except match = FALSE (all pairs,
#   Marsh, Wen & Hau, 2004). residualC = TRUE (orthogonalising, Little et al., 2006) is written too,
#   as "products_residual".
# Model (lavaan's name for the product factor is IMAGxCUEX: lavaan reserves ':' in regressions for
#   observed products; loyaltysurvey calls it IMAG:CUEX):
#     IMAG =~ IMAG1..5;  CUEX =~ CUEX1..3;  CUSA =~ CUSA1..3
#     IMAGxCUEX =~ all 15 products
#     CUSA ~ IMAG + CUEX + IMAGxCUEX
#     residual covariances between every two products that share a first-order indicator
#     (Marsh et al., 2004; the all-pairs example of Schoemann & Jorgensen, 2021);
#   exogenous factors (IMAG, CUEX, IMAGxCUEX) covary freely (lavaan's default), no mean structure
#   (the products are centred; Lin et al., 2010). lavaan's default optimiser settings: nlminb stops
#   2.3e-6 above the minimum of chisq in the flat directions of the 45 product residual
#   covariances (which then differ from the minimum by up to 4e-4 relative); rel.tol = 1e-14 makes
#   nlminb report false convergence, and BFGS stops as short. The tests take this into account.
# Simple slopes: probe2WayMC(fit, nameX = c("IMAG", "CUEX", "IMAGxCUEX"), nameY = "CUSA",
#   modVar = "CUEX", valProbe = c(-1, 0, 1) * sd), sd = sqrt of CUEX's model-implied latent
#   variance (lavInspect(fit, "cov.lv")); the moderator's mean is 0 (centred indicators).
#   Both orders (CUEX moderating IMAG, IMAG moderating CUEX) are written.
# Johnson-Neyman interval (Johnson & Neyman, 1936; Preacher, Curran & Bauer, 2006): the moderator
#   values w where (b1 + b3 w)^2 = z^2 (v11 + 2 w v13 + w^2 v33), z = qnorm(0.975), from lavaan's
#   vcov(fit) (semTools 0.5.6 has no Johnson-Neyman function); the two real roots, sorted.
suppressMessages({library(lavaan); library(semTools); library(jsonlite)})
source(file.path("tests", "reference", "json_writer.R"))

mobi <- read.csv(file.path("..", "shared", "data", "mobi.csv"))
imag <- paste0("IMAG", 1:5); cuex <- paste0("CUEX", 1:3); cusa <- paste0("CUSA", 1:3)

dmc <- indProd(mobi, imag, cuex, match = FALSE, meanC = TRUE, residualC = FALSE, doubleMC = TRUE)
rc <- indProd(mobi, imag, cuex, match = FALSE, meanC = TRUE, residualC = TRUE, doubleMC = TRUE)
prods <- as.vector(t(outer(imag, cuex, paste, sep = ".")))
stopifnot(identical(prods, setdiff(names(dmc), names(mobi))))

shared <- c()
for (a in seq_along(prods)) for (b in seq_along(prods)) if (a < b) {
  pa <- strsplit(prods[a], ".", fixed = TRUE)[[1]]; pb <- strsplit(prods[b], ".", fixed = TRUE)[[1]]
  if (pa[1] == pb[1] || pa[2] == pb[2]) shared <- c(shared, paste(prods[a], "~~", prods[b]))
}
model <- paste(c(
  paste("IMAG =~", paste(imag, collapse = " + ")),
  paste("CUEX =~", paste(cuex, collapse = " + ")),
  paste("CUSA =~", paste(cusa, collapse = " + ")),
  paste("IMAGxCUEX =~", paste(prods, collapse = " + ")),
  "CUSA ~ IMAG + CUEX + IMAGxCUEX",
  shared), collapse = "\n")
fit <- sem(model, data = dmc)
stopifnot(lavInspect(fit, "converged"))
pe <- parameterEstimates(fit, standardized = TRUE)
fm <- fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "npar"))
lvcov <- lavInspect(fit, "cov.lv")
V <- vcov(fit)

probe <- function(mod, focal) {
  sd <- sqrt(lvcov[mod, mod])
  nameX <- c("IMAG", "CUEX", "IMAGxCUEX")
  pr <- probe2WayMC(fit, nameX = nameX, nameY = "CUSA", modVar = mod, valProbe = c(-1, 0, 1) * sd)
  s <- pr$SimpleSlope
  b1 <- coef(fit)[paste0("CUSA~", focal)]; b3 <- coef(fit)["CUSA~IMAGxCUEX"]
  v11 <- V[paste0("CUSA~", focal), paste0("CUSA~", focal)]
  v13 <- V[paste0("CUSA~", focal), "CUSA~IMAGxCUEX"]; v33 <- V["CUSA~IMAGxCUEX", "CUSA~IMAGxCUEX"]
  z <- qnorm(0.975)
  qa <- b3^2 - z^2 * v33; qb <- 2 * (b1 * b3 - z^2 * v13); qc <- b1^2 - z^2 * v11
  disc <- qb^2 - 4 * qa * qc
  roots <- if (disc >= 0) sort(c((-qb - sqrt(disc)) / (2 * qa), (-qb + sqrt(disc)) / (2 * qa))) else c(NA, NA)
  list(moderator = mod, focal = focal, sd = unname(sd), at = I(c(-1, 0, 1)), value = I(unname(s[[1]])),
       est = I(unname(s$est)), se = I(unname(s$se)), z = I(unname(s$z)), pvalue = I(unname(s$pvalue)),
       jn = I(unname(roots)), jn_a = unname(qa))
}

# Latent x observed: the single item CUSCO moderating IMAG -> CUSA. Products IMAGi.CUSCO (indProd
# with var2 = "CUSCO"); they share only CUSCO, the one "indicator" of an observed side, so no
# residual covariances; CUSCO is a fixed.x covariate as lavaan makes it. Probed at -1/0/+1 SD of
# CUSCO (N in the denominator: lavInspect(fit, "sampstat")).
dobs <- indProd(mobi, imag, "CUSCO", match = FALSE, meanC = TRUE, residualC = FALSE, doubleMC = TRUE)
model_obs <- paste(c(
  paste("IMAG =~", paste(imag, collapse = " + ")),
  paste("CUSA =~", paste(cusa, collapse = " + ")),
  paste("IMAGxCUSCO =~", paste(paste0(imag, ".CUSCO"), collapse = " + ")),
  "CUSA ~ IMAG + CUSCO + IMAGxCUSCO"), collapse = "\n")
fit_obs <- sem(model_obs, data = dobs)
stopifnot(lavInspect(fit_obs, "converged"))
pe_obs <- parameterEstimates(fit_obs, standardized = TRUE)
sd_obs <- sqrt(lavInspect(fit_obs, "sampstat")$cov["CUSCO", "CUSCO"])
pr_obs <- probe2WayMC(fit_obs, nameX = c("IMAG", "CUSCO", "IMAGxCUSCO"), nameY = "CUSA", modVar = "CUSCO",
                      valProbe = c(-1, 0, 1) * sd_obs)$SimpleSlope

# Moderated mediation (first stage; Hayes, 2015): IMAG -> CUSA -> CUSL with CUEX moderating
# IMAG -> CUSA. The model above plus CUSL =~ CUSL1..3 and CUSL ~ b*CUSA + IMAG; the conditional
# indirect effects (a1 + a3 w) b at w = -1/0/+1 SD of CUEX (the SD from a first fit, then held
# fixed, as probe2WayMC holds its values) and the index of moderated mediation a3 b, as lavaan ':='
# parameters with delta-method standard errors.
cusl <- paste0("CUSL", 1:3)
model_mm0 <- sub("CUSA ~ IMAG + CUEX + IMAGxCUEX", paste(
  "CUSA ~ a1*IMAG + CUEX + a3*IMAGxCUEX", paste("CUSL =~", paste(cusl, collapse = " + ")),
  "CUSL ~ b*CUSA + IMAG", sep = "\n"), model, fixed = TRUE)
fit_mm0 <- sem(model_mm0, data = dmc)
sd_mm <- sqrt(lavInspect(fit_mm0, "cov.lv")["CUEX", "CUEX"])
model_mm <- paste(model_mm0, "index := a3*b",
                  sprintf("ind_minus := (a1 - a3*%.17g)*b", sd_mm), "ind_mean := a1*b",
                  sprintf("ind_plus := (a1 + a3*%.17g)*b", sd_mm), sep = "\n")
fit_mm <- sem(model_mm, data = dmc)
stopifnot(lavInspect(fit_mm, "converged"))
pe_mm <- parameterEstimates(fit_mm)
def_mm <- pe_mm[pe_mm$op == ":=", ]

head_rows <- function(d) lapply(prods, function(p) I(unname(d[[p]][1:10])))
names_list <- function(x, n) { names(x) <- n; x }
out <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                  semTools = as.character(packageVersion("semTools"))),
  products = names_list(head_rows(dmc), prods),
  products_residual = names_list(head_rows(rc), prods),
  products_var = names_list(lapply(prods, function(p) var(dmc[[p]])), prods),
  residual_covariances = I(shared),
  fit = as.list(fm),
  estimates = lapply(seq_len(nrow(pe)), function(i) list(
    lhs = sub("IMAGxCUEX", "IMAG:CUEX", pe$lhs[i]), op = pe$op[i], rhs = sub("IMAGxCUEX", "IMAG:CUEX", pe$rhs[i]),
    est = pe$est[i], se = pe$se[i], std_all = pe$std.all[i])),
  cov_lv = list(IMAG = lvcov["IMAG", "IMAG"], CUEX = lvcov["CUEX", "CUEX"],
                interaction = lvcov["IMAGxCUEX", "IMAGxCUEX"]),
  probe = list(CUEX = probe("CUEX", "IMAG"), IMAG = probe("IMAG", "CUEX")),
  observed = list(
    fit = as.list(fitMeasures(fit_obs, c("chisq", "df", "cfi", "rmsea", "srmr", "npar"))),
    estimates = lapply(seq_len(nrow(pe_obs)), function(i) list(
      lhs = sub("IMAGxCUSCO", "IMAG:CUSCO", pe_obs$lhs[i]), op = pe_obs$op[i],
      rhs = sub("IMAGxCUSCO", "IMAG:CUSCO", pe_obs$rhs[i]), est = pe_obs$est[i], se = pe_obs$se[i],
      std_all = pe_obs$std.all[i])),
    sd = sd_obs, est = I(unname(pr_obs$est)), se = I(unname(pr_obs$se)), pvalue = I(unname(pr_obs$pvalue))),
  moderated_mediation = list(
    fit = as.list(fitMeasures(fit_mm, c("chisq", "df", "npar"))), sd = sd_mm,
    paths = lapply(which(pe_mm$op == "~"), function(i) list(lhs = pe_mm$lhs[i],
      rhs = sub("IMAGxCUEX", "IMAG:CUEX", pe_mm$rhs[i]), est = pe_mm$est[i], se = pe_mm$se[i])),
    index = list(est = def_mm$est[def_mm$lhs == "index"], se = def_mm$se[def_mm$lhs == "index"]),
    conditional = list(est = I(def_mm$est[match(c("ind_minus", "ind_mean", "ind_plus"), def_mm$lhs)]),
                       se = I(def_mm$se[match(c("ind_minus", "ind_mean", "ind_plus"), def_mm$lhs)])))
)
txt <- to_json(out)
stopifnot(isTRUE(all.equal(jsonlite::fromJSON(txt)$fit$chisq, unname(fm["chisq"]), tolerance = 1e-15)))
writeLines(txt, file.path("tests", "reference", "moderation_reference.json"))
cat("written: tests/reference/moderation_reference.json\n")
print(pe[pe$op == "~", ]); print(fm); print(out$probe$CUEX[c("est", "se", "jn")])

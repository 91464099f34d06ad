# make_efa_reference.R
#
# Reference values for loyaltysurvey's exploratory factor analysis and parallel analysis
# (results.json key "efa"). Run from the repository root:
#
#     Rscript tests/reference/make_efa_reference.R
#
# Writes tests/reference/efa_reference.json (doubles with 17 significant digits, written
# and round-trip checked with json_writer.R). The fa() fits are deterministic; the
# simulated eigenvalues of fa.parallel() use set.seed(20261130) with mclapply run
# serially (options(mc.cores = 1)), so the file is reproducible with the same R version.
#
# Data sets (all public):
#   bfi   tests/reference/data/bfi.csv (psych's bfi), the 25 items A1..O5 as they are (no
#         reversal), complete cases only (2436 rows); for parallel analysis also all 2800 rows
#         with their missing answers (bfi_full: pairwise correlations, simulated n = 2800).
#   hs    lavaan's HolzingerSwineford1939 x1..x9 (src/loyaltysurvey/datasets), 301 rows.
#   crm   tests/reference/data/crm_example_clean.csv (the bundled example as ingest cleans
#         it; KCF3, KM2, LOY4 reversed as 6 - x), its 25 items with their missing answers:
#         psych then uses pairwise correlations and n.obs = nrow (300).
#
# Quantities (psych 2.2.9, GPArotation 2022.10.2):
#   fits      psych::fa(items, nfactors, fm, rotate) with psych's other defaults
#             (cor(use = "pairwise"), SMC = TRUE): pattern loadings (columns as psych orders
#             and signs them), Phi (oblique rotations), communality (h2 = diag of the
#             unrotated L L'), uniquenesses (u2), Vaccounted rows (SS loadings, Proportion
#             Var, Cumulative Var, Proportion Explained, Cumulative Proportion), e.values
#             (eigenvalues of R), values (eigenvalues of R with h2 on the diagonal),
#             objective, STATISTIC (chi-square), dof, PVAL, RMSEA (point), TLI, n.obs.
#   parallel  psych::fa.parallel(items, fa = "both", n.iter = 100, plot = FALSE) with its other
#             defaults (fm = "minres", SMC = FALSE, quant = .95): fa.values (eigenvalues of R
#             with the communalities of a one-factor minres fit on the diagonal), pc.values
#             (eigenvalues of R), pc.sim and fa.sim (means over the simulated normal data
#             sets), the per-eigenvalue standard deviations and 95th percentiles of the
#             simulated values (from $values), nfact and ncomp. Also the same with the default
#             n.iter = 20 (for nfact and ncomp as a user running psych's defaults sees them).
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
})
source(file.path("tests", "reference", "json_writer.R"))
options(mc.cores = 1)

bfi_all <- read.csv(file.path("tests", "reference", "data", "bfi.csv"))
bfi <- na.omit(bfi_all[, 1:25])
rownames(bfi) <- NULL
hs <- read.csv(file.path("src", "loyaltysurvey", "datasets", "HolzingerSwineford1939.csv"))
hs <- hs[, paste0("x", 1:9)]
crm <- read.csv(file.path("tests", "reference", "data", "crm_example_clean.csv"))
for (i in c("KCF3", "KM2", "LOY4")) crm[[i]] <- 6 - crm[[i]]
crm <- crm[, grep("^(KCF|CRMO|KM|TECH|SAT|LOY)[0-9]$", names(crm), value = TRUE)]

matrix_json <- function(m) {
  m <- unclass(m)
  out <- lapply(seq_len(nrow(m)), function(i) I(as.numeric(m[i, ])))
  names(out) <- rownames(m)
  out
}

one_fit <- function(items, nfactors, fm, rotate) {
  f <- fa(items, nfactors = nfactors, fm = fm, rotate = rotate, warnings = FALSE)
  out <- list(
    nfactors = as.integer(nfactors), fm = fm, rotate = rotate,
    items = I(colnames(items)), factors = I(colnames(f$loadings)),
    loadings = matrix_json(f$loadings),
    communality = I(as.numeric(f$communality)),
    uniquenesses = I(as.numeric(f$uniquenesses)),
    vaccounted = lapply(setNames(nm = rownames(f$Vaccounted)),
                        function(r) I(as.numeric(f$Vaccounted[r, ]))),
    e_values = I(as.numeric(f$e.values)), values = I(as.numeric(f$values)),
    objective = f$objective, chisq = f$STATISTIC, dof = f$dof, pvalue = f$PVAL,
    rmsea = as.numeric(f$RMSEA[1]), tli = f$TLI, n_obs = as.integer(f$n.obs)
  )
  out$phi <- if (is.null(f$Phi)) NULL else matrix_json(f$Phi)
  out
}

one_parallel <- function(items, n_iter, seed) {
  set.seed(seed)
  p <- fa.parallel(items, fa = "both", n.iter = n_iter, plot = FALSE)
  nv <- ncol(items)
  v <- p$values  # columns: resampled C, F, then simulated CSim, Fsim
  sim_pc <- v[, (2 * nv + 1):(3 * nv), drop = FALSE]
  sim_fa <- v[, (3 * nv + 1):(4 * nv), drop = FALSE]
  list(n_iter = as.integer(n_iter), seed = as.integer(seed), n_obs = nrow(items),
       pc_values = I(as.numeric(p$pc.values)), fa_values = I(as.numeric(p$fa.values)),
       pc_sim = I(as.numeric(p$pc.sim)), fa_sim = I(as.numeric(p$fa.sim)),
       pc_sim_sd = I(as.numeric(apply(sim_pc, 2, sd))),
       fa_sim_sd = I(as.numeric(apply(sim_fa, 2, sd))),
       pc_sim_q95 = I(as.numeric(apply(sim_pc, 2, quantile, 0.95))),
       fa_sim_q95 = I(as.numeric(apply(sim_fa, 2, quantile, 0.95))),
       nfact = as.integer(p$nfact), ncomp = as.integer(p$ncomp))
}

fits <- list(
  bfi_minres_oblimin = one_fit(bfi, 5, "minres", "oblimin"),
  bfi_ml_varimax = one_fit(bfi, 5, "ml", "varimax"),
  bfi_ml_oblimin = one_fit(bfi, 5, "ml", "oblimin"),
  bfi_minres_none = one_fit(bfi, 5, "minres", "none"),
  hs_minres_oblimin = one_fit(hs, 3, "minres", "oblimin"),
  hs_ml_varimax = one_fit(hs, 3, "ml", "varimax"),
  hs_minres_one = one_fit(hs, 1, "minres", "oblimin"),
  crm_minres_oblimin = one_fit(crm, 6, "minres", "oblimin")
)
parallel <- list(
  bfi = one_parallel(bfi, 100, 20261130),
  bfi_default = one_parallel(bfi, 20, 20261130),
  bfi_full = one_parallel(bfi_all[, 1:25], 20, 20261130),
  hs = one_parallel(hs, 100, 20261130),
  crm = one_parallel(crm, 100, 20261130)
)
versions <- list(R = R.version.string, psych = as.character(packageVersion("psych")),
                 GPArotation = as.character(packageVersion("GPArotation")))
write_json_checked(list(versions = versions, fits = fits, parallel = parallel),
                   file.path("tests", "reference", "efa_reference.json"))
cat("wrote tests/reference/efa_reference.json\n")

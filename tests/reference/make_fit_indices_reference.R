# make_fit_indices_reference.R
#
# lavaan reference values for the fit indices theses print from LISREL's output:
# chi-square/df, IFI, NNFI, PNFI, PGFI, RMR and ECVI (loyaltysurvey's fit keys
# chisq_df, ifi, nnfi, pnfi, pgfi, rmr, ecvi), with the quantities lavaan builds
# them from, so that each definition can be read off the JSON.
#
# Run from the repository root:
#
#     Rscript tests/reference/make_fit_indices_reference.R
#
# Reads   src/loyaltysurvey/datasets/HolzingerSwineford1939.csv and
#         tests/reference/data/PoliticalDemocracy.csv (both written by
#         make_sem_reference.R from lavaan's own data sets)
# Writes  tests/reference/fit_indices_reference.json (doubles with 17 significant digits)
# Needs   lavaan (0.6.14), jsonlite (only to check the round trip). A few seconds.
#
# Models (lavaan defaults unless stated):
#   hs_cfa            cfa(HS3, HolzingerSwineford1939)                          ML, listwise
#   hs_cfa_mlr        the same with estimator = "MLR"
#   poldem_sem        sem(POLDEM, PoliticalDemocracy): Bollen's model with equal
#                     loadings a1/b1/c1, six residual covariances, ind := a*b
#   poldem_fiml       sem(POLDEM, poldem_holes, missing = "ml")                 FIML
#   poldem_fiml_mlr   the same with estimator = "MLR"
# poldem_holes is PoliticalDemocracy with values deleted by a fixed rule on the
# 1-based row number i (recorded in the JSON under "holes" and repeated by the
# Python test): y1 when i %% 9 == 2, y6 when i %% 7 == 3, x2 when i %% 11 == 5,
# y8 when i %% 13 == 0.
#
# Recorded per model:
#   fit          fitMeasures(fit, c(<the names below>)): chisq, df, npar, ntotal,
#                baseline.chisq, baseline.df, tli, nnfi, nfi, ifi, pnfi, gfi, pgfi,
#                rmr, rmr_nomean, ecvi
#   nel          length(unlist(lav_object_inspect_wls_obs(fit))): the sample moments
#                lavaan's GFI/AGFI/PGFI count (p(p+1)/2, plus p with a mean structure)
#   meanstructure  lavInspect(fit, "meanstructure")
#   definitions  each index recomputed in R from lavaan's 0.6.14 definitions
#                (lav_fit_ifi, lav_fit_pnfi, lav_fit_pgfi, lav_fit_ecvi; rmr from
#                lav_residuals_summary) and the largest relative difference to
#                lavaan's own value, as a check of the formulas written in
#                src/loyaltysurvey/sem/fit.py:
#                  chisq_df = chisq / df
#                  ifi  = (baseline.chisq - chisq) / (baseline.chisq - df)
#                  nnfi = tli
#                  pnfi = (df / baseline.df) * (baseline.chisq - chisq) / baseline.chisq
#                  pgfi = (df / nel) * gfi
#                  ecvi = chisq / ntotal + 2 * npar / ntotal   (npar = fitMeasures npar:
#                         free parameters less equality constraints, 28 for poldem)
#                  rmr  = sqrt(mean(c(vech(S - Sigma), ybar - mu)^2)), the means only
#                         with a mean structure; S, ybar the EM (h1) moments under FIML
# Under MLR lavaan computes all of these from the unscaled ML statistics (its
# *.scaled / *.robust variants are not used here). The output is deterministic.

suppressPackageStartupMessages(library(lavaan))
if (!requireNamespace("jsonlite", quietly = TRUE)) stop("jsonlite is needed to verify the JSON round trip")
ref_dir <- file.path("tests", "reference")
if (!dir.exists(ref_dir)) stop("Run this script from the repository root (tests/reference/ not found).")
source(file.path(ref_dir, "json_writer.R"))

hs_csv <- file.path("src", "loyaltysurvey", "datasets", "HolzingerSwineford1939.csv")
pd_csv <- file.path(ref_dir, "data", "PoliticalDemocracy.csv")
hs <- read.csv(hs_csv)
pd <- read.csv(pd_csv)

HS3 <- "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"
POLDEM <- paste(
  "ind60 =~ x1 + x2 + x3",
  "dem60 =~ y1 + a1*y2 + b1*y3 + c1*y4",
  "dem65 =~ y5 + a1*y6 + b1*y7 + c1*y8",
  "dem60 ~ a*ind60",
  "dem65 ~ ind60 + b*dem60",
  "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8",
  "ind := a*b", sep = "\n")

holes <- list(y1 = c(9, 2), y6 = c(7, 3), x2 = c(11, 5), y8 = c(13, 0))
pd_holes <- pd
i <- seq_len(nrow(pd))
for (v in names(holes)) pd_holes[[v]][i %% holes[[v]][1] == holes[[v]][2]] <- NA

KEYS <- c("chisq", "df", "npar", "ntotal", "baseline.chisq", "baseline.df", "tli", "nnfi", "nfi",
          "ifi", "pnfi", "gfi", "pgfi", "rmr", "rmr_nomean", "ecvi")

run <- function(fit, call, csv, model) {
  fm <- fitMeasures(fit, KEYS)
  f <- as.list(setNames(as.numeric(fm), names(fm)))
  nel <- length(unlist(lavaan:::lav_object_inspect_wls_obs(fit)))
  ms <- lavInspect(fit, "meanstructure")
  S <- if (identical(lavInspect(fit, "options")$missing, "ml")) lavInspect(fit, "h1") else lavInspect(fit, "sampstat")
  imp <- fitted(fit)
  res <- (S$cov - imp$cov)[lower.tri(S$cov, diag = TRUE)]
  if (ms) res <- c(res, S$mean - imp$mean)
  mine <- list(
    chisq_df = f$chisq / f$df,
    ifi = (f$baseline.chisq - f$chisq) / (f$baseline.chisq - f$df),
    nnfi = f$tli,
    pnfi = (f$df / f$baseline.df) * (f$baseline.chisq - f$chisq) / f$baseline.chisq,
    pgfi = (f$df / nel) * f$gfi,
    ecvi = f$chisq / f$ntotal + 2 * f$npar / f$ntotal,
    rmr = sqrt(mean(res^2)))
  lav <- list(ifi = f$ifi, nnfi = f$nnfi, pnfi = f$pnfi, pgfi = f$pgfi, ecvi = f$ecvi, rmr = f$rmr)
  worst <- max(vapply(names(lav), function(k) abs(mine[[k]] / lav[[k]] - 1), 0))
  if (worst > 1e-10) stop(call, ": a definition differs from lavaan's value by ", worst)
  list(call = call, csv = csv, model_syntax = model,
       estimator_requested = if (grepl("MLR", call)) "MLR" else "ML",
       missing = lavInspect(fit, "options")$missing, meanstructure = ms,
       nobs = lavInspect(fit, "nobs"), converged = lavInspect(fit, "converged"),
       fit = f, nel = nel, definitions = mine, definitions_max_rel_diff = worst)
}

models <- list()
models$hs_cfa <- run(cfa(HS3, data = hs), "cfa(HS3, data = HolzingerSwineford1939)", hs_csv, HS3)
models$hs_cfa_mlr <- run(cfa(HS3, data = hs, estimator = "MLR"),
                         "cfa(HS3, data = HolzingerSwineford1939, estimator = \"MLR\")", hs_csv, HS3)
models$poldem_sem <- run(sem(POLDEM, data = pd), "sem(POLDEM, data = PoliticalDemocracy)", pd_csv, POLDEM)
models$poldem_fiml <- run(sem(POLDEM, data = pd_holes, missing = "ml"),
                          "sem(POLDEM, data = poldem_holes, missing = \"ml\")", pd_csv, POLDEM)
models$poldem_fiml_mlr <- run(sem(POLDEM, data = pd_holes, missing = "ml", estimator = "MLR"),
                              "sem(POLDEM, data = poldem_holes, missing = \"ml\", estimator = \"MLR\")",
                              pd_csv, POLDEM)

result <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan"))),
  holes = list(rule = "value deleted when (1-based row) %% modulus == remainder",
               variables = lapply(holes, function(h) list(modulus = h[[1]], remainder = h[[2]])),
               missing_cells = sum(is.na(pd_holes)), complete_rows = sum(complete.cases(pd_holes))),
  models = models)
out_file <- file.path(ref_dir, "fit_indices_reference.json")
write_json_checked(result, out_file)
cat("wrote", out_file, "\n")

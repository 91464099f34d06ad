# make_sem_reference.R
#
# Generates R/lavaan reference values for loyaltysurvey's covariance-based
# CFA/SEM code (ML and MLR estimation, listwise deletion and FIML, fit
# measures, parameter estimates with standardized solutions, model-implied and
# sample moments, composite reliability, AVE, HTMT, latent correlations).
#
# Run from the repository root (/work/main):
#
#     Rscript tests/reference/make_sem_reference.R
#
# Writes
#   src/loyaltysurvey/datasets/HolzingerSwineford1939.csv  lavaan's data set (301 rows)
#   tests/reference/data/PoliticalDemocracy.csv      lavaan's data set (75 rows)
#   tests/reference/data/bfi.csv                     psych's bfi (2800 rows); written
#                                                    exactly as make_reliability_reference.R
#                                                    writes it (same call, same bytes)
#   tests/reference/sem_reference.json               reference values (doubles written
#                                                    with 17 significant digits)
#
# Optional input
#   tests/reference/data/crm_example_clean.csv       if present, the "bundled_example"
#                                                    model is fitted too (see section 4);
#                                                    if absent it is skipped silently.
#
# Every model is fitted on the data READ BACK from the CSV file the Python tests
# read (the script checks that the numeric columns are identical to the package
# data sets), so R and Python start from bit-identical inputs.
#
# Models (lavaan defaults unless stated: estimator ML, expected information,
# meanstructure only where lavaan switches it on by itself, i.e. missing = "ml"):
#   hs_cfa            cfa(HS3, data = HolzingerSwineford1939)
#   hs_cfa_mlr        cfa(HS3, data = HolzingerSwineford1939, estimator = "MLR")
#   poldem_sem        sem(POLDEM, data = PoliticalDemocracy)   (Bollen's model with
#                     equality labels a1/b1/c1 and the defined indirect effect ind)
#   bfi_cfa_listwise  cfa(BFI5, data = bfi_rev, missing = "listwise")
#   bfi_cfa_fiml      cfa(BFI5, data = bfi_rev, missing = "ml")
#   bfi_cfa_mlr       cfa(BFI5, data = bfi_rev, estimator = "MLR", missing = "listwise")
#   bfi_cfa_fiml_mlr  cfa(BFI5, data = bfi_rev, estimator = "MLR", missing = "ml")
#   bundled_example   sem(CRM, data = crm_rev, missing = "listwise")   (optional)
# where bfi_rev is bfi[, A1..O5] with A1, C4, C5, E1, E2, O2, O5 replaced by
# 7 - x, and crm_rev the bundled example with KCF3, KM2, LOY4 replaced by 6 - x.
#
# What is recorded per model (key in the JSON: lavaan call that produces it):
#   call, model_syntax, measurement_syntax, data  description of the input
#   options          estimator_requested (the estimator argument of the call) and
#                    lavInspect(fit, "options")[estimator, missing, se, test,
#                    information, h1.information, observed.information,
#                    meanstructure, likelihood]. lavaan 0.6.14 stores MLR as
#                    estimator "ML" + se "robust.huber.white" + test
#                    "yuan.bentler.mplus", and uses OBSERVED information for MLR
#                    and for missing = "ml", expected information otherwise.
#   nobs             lavInspect(fit, "nobs")        (rows actually used)
#   npar             lavInspect(fit, "npar")        (free parameters, counting each
#                    member of an equality constraint separately; fit$npar, the
#                    count fitMeasures uses for AIC/BIC, subtracts the equality
#                    constraints: poldem_sem has npar 31 but fit$npar 28)
#   converged        lavInspect(fit, "converged")
#   iterations       lavInspect(fit, "iterations")
#   fit              fitMeasures(fit): EVERY measure lavaan returns, names exactly
#                    as lavaan gives them, NA -> null. Under missing = "ml" lavaan
#                    also reports cfi.robust/rmsea.robust etc. for plain ML.
#                    gfi/agfi/srmr include the means whenever the model has a mean
#                    structure (FIML adds one): listwise bfi with meanstructure =
#                    TRUE would give gfi 0.980 instead of 0.862.
#   estimates        parameterEstimates(fit, standardized = TRUE), one object per
#                    row: lhs, op, rhs, label ("" when unlabelled), est, se, z,
#                    pvalue, ci.lower, ci.upper (95 %), std.lv, std.all, std.nox
#                    (NA -> null; fixed parameters have se 0 and z/pvalue null).
#                    For MLR the se/z/pvalue/ci are lavaan's robust.huber.white ones.
#   implied_cov      fitted(fit)$cov        {"names": [...], "matrix": [[row], ...]}
#   implied_mean     fitted(fit)$mean       (only when the model has a mean structure)
#   sample_cov       lavInspect(fit, "sampstat")$cov: the sample covariance lavaan
#                    used (divisor N). Under missing = "ml" lavaan returns here the
#                    EM (saturated, h1) estimate, not a complete-case covariance.
#   sample_mean      lavInspect(fit, "sampstat")$mean (when present)
#   h1_cov, h1_mean  FIML models only: the EM-estimated saturated covariance/mean,
#                    from lavInspect(fit, "h1"); h1_accessors records which other
#                    accessors exist and whether they give the identical matrix
#                    (lavInspect(fit, "sampstat.h1"), fit@SampleStats@missing.h1[[1]]
#                    $sigma/$mu, fit@h1$implied$cov[[1]]/$mean[[1]]).
#   reliability      (CFA models, the three factors of poldem_sem, bundled_example)
#     compRelSEM                semTools::compRelSEM(fit) (defaults: obs.var = TRUE,
#                               tau.eq = FALSE, i.e. omega with the observed total
#                               variance of the sum score in the denominator)
#     compRelSEM_model_implied  semTools::compRelSEM(fit, obs.var = FALSE)
#                               (model-implied total variance)
#     AVE                       semTools::AVE(fit)                 (obs.var = TRUE)
#     AVE_model_implied         semTools::AVE(fit, obs.var = FALSE)
#     htmt                      semTools::htmt(measurement_syntax, data = <data>,
#                               missing = <missing>)  -- NOTE: semTools 0.5.6's
#                               default is htmt2 = TRUE (geometric-mean HTMT2)
#     htmt_classic              the same call with htmt2 = FALSE (arithmetic-mean
#                               HTMT of Henseler et al., 2015)
#                               In both, absolute = TRUE (default). <data> is the
#                               data frame given to lavaan, except for the listwise
#                               bfi fits and bundled_example, where it is the complete
#                               cases of the reversed items (the same rows lavaan used); under missing = "ml"
#                               the full data with NA and missing = "ml" (semTools
#                               then uses lavCor's EM correlations).
#     cor_lv                    lavInspect(fit, "cor.lv") (model-implied latent
#                               correlations, for the Fornell-Larcker criterion)
#   For poldem_sem the reliability block is computed on the SEM fit itself; its
#   structural part (3 paths among 3 factors) is saturated, so the measurement
#   part is equivalent to the measurement-only CFA with the same constraints and
#   residual covariances (checked: identical compRelSEM/AVE to the printed digits).
#
# The script is deterministic (no random numbers); running it again with the
# same package versions gives byte-identical output.

suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(psych)
})
if (!requireNamespace("jsonlite", quietly = TRUE)) {
  stop("jsonlite is needed to verify the JSON round trip")
}

ref_dir <- file.path("tests", "reference")
if (!dir.exists(ref_dir)) {
  stop("Run this script from the repository root (tests/reference/ not found).")
}
data_dir <- file.path(ref_dir, "data")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)
out_file <- file.path(ref_dir, "sem_reference.json")
bundled_csv <- file.path("tests", "reference", "data", "crm_example_clean.csv")

# ---------------------------------------------------------------------------
# 0. Data export. Each data set is written with write.csv(row.names = FALSE,
#    na = "") and read back; models are fitted on the read-back data.
# ---------------------------------------------------------------------------
export_and_read <- function(df, csv) {
  write.csv(df, csv, row.names = FALSE, na = "")
  back <- read.csv(csv, na.strings = "", stringsAsFactors = FALSE)
  num_cols <- names(df)[vapply(df, is.numeric, TRUE)]
  for (nm in num_cols) {
    if (!identical(as.numeric(df[[nm]]), as.numeric(back[[nm]]))) {
      stop("column ", nm, " of ", csv, " does not round-trip through CSV")
    }
  }
  back
}

data("HolzingerSwineford1939", package = "lavaan", envir = environment())
data("PoliticalDemocracy", package = "lavaan", envir = environment())
data("bfi", package = "psych", envir = environment())

hs_csv <- file.path("src", "loyaltysurvey", "datasets", "HolzingerSwineford1939.csv")
pd_csv <- file.path(data_dir, "PoliticalDemocracy.csv")
bfi_csv <- file.path(data_dir, "bfi.csv")  # same call as make_reliability_reference.R
hs_data <- export_and_read(HolzingerSwineford1939, hs_csv)
pd_data <- export_and_read(PoliticalDemocracy, pd_csv)
bfi_data <- export_and_read(bfi, bfi_csv)

# ---------------------------------------------------------------------------
# Helpers that turn lavaan output into plain R lists for the JSON writer
# ---------------------------------------------------------------------------
num <- function(v) as.numeric(unclass(v))

# Named numeric vector -> named list (JSON object), NA kept (written as null).
named_num <- function(v) {
  nm <- names(v)
  v <- num(v)
  out <- lapply(v, function(e) e)
  names(out) <- nm
  out
}

# Matrix -> {"names": [...], "matrix": [[row1], [row2], ...]}.
mat_json <- function(m) {
  m <- unclass(as.matrix(m))
  nm <- rownames(m)
  if (is.null(nm)) nm <- colnames(m)
  if (!is.null(colnames(m)) && !identical(colnames(m), nm)) {
    stop("matrix with different row and column names")
  }
  storage.mode(m) <- "double"
  list(names = I(as.character(nm)),
       matrix = lapply(seq_len(nrow(m)), function(i) I(unname(m[i, ]))))
}

# Named vector of means -> {"names": [...], "values": [...]}.
vec_json <- function(v) {
  list(names = I(as.character(names(v))), values = I(num(v)))
}

# parameterEstimates(fit, standardized = TRUE) -> list of row objects.
estimates_json <- function(fit) {
  pe <- as.data.frame(parameterEstimates(fit, standardized = TRUE))
  if (is.null(pe$label)) pe$label <- ""   # lavaan omits the column if no labels
  num_cols <- c("est", "se", "z", "pvalue", "ci.lower", "ci.upper",
                "std.lv", "std.all", "std.nox")
  lapply(seq_len(nrow(pe)), function(i) {
    row <- list(lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], label = pe$label[i])
    for (cn in num_cols) {
      row[[cn]] <- if (is.null(pe[[cn]])) NA_real_ else as.numeric(pe[[cn]][i])
    }
    row
  })
}

# Fit one model and collect everything listed in the header.
#   reliability: NULL, or list(syntax = measurement syntax, data = data frame
#                for htmt, missing = missing setting for htmt)
#   estimator:   the estimator requested in the call ("ML" or "MLR"); lavaan
#                stores MLR as estimator "ML" with robust se/test options.
run_model <- function(fit, call, model_syntax, data_info, reliability = NULL,
                      description = "", estimator = "ML") {
  opts <- lavInspect(fit, "options")
  ss <- lavInspect(fit, "sampstat")
  fd <- fitted(fit)
  out <- list(
    description = description,
    call = call,
    model_syntax = model_syntax,
    data = data_info,
    options = list(
      estimator_requested = estimator,
      estimator = opts$estimator,
      missing = opts$missing,
      se = opts$se,
      test = I(as.character(opts$test)),
      information = I(as.character(opts$information)),
      h1.information = I(as.character(opts$h1.information)),
      observed.information = I(as.character(opts$observed.information)),
      meanstructure = isTRUE(opts$meanstructure),
      likelihood = opts$likelihood
    ),
    nobs = as.integer(lavInspect(fit, "nobs")),
    npar = as.integer(lavInspect(fit, "npar")),
    converged = isTRUE(lavInspect(fit, "converged")),
    iterations = as.integer(lavInspect(fit, "iterations")),
    # fitMeasures(fit): all measures, lavaan's names and order.
    fit = named_num(fitMeasures(fit)),
    estimates = estimates_json(fit),
    # lavInspect(fit, "r2"): R-squared of every endogenous variable.
    r2 = named_num(lavInspect(fit, "r2")),
    implied_cov = mat_json(fd$cov)
  )
  if (!is.null(fd$mean)) out$implied_mean <- vec_json(fd$mean)
  out$sample_cov <- mat_json(ss$cov)
  if (!is.null(ss$mean)) out$sample_mean <- vec_json(ss$mean)

  # FIML: EM-estimated saturated (h1) moments, and which accessors work.
  if (identical(opts$missing, "ml")) {
    h1 <- lavInspect(fit, "h1")
    out$h1_cov <- mat_json(h1$cov)
    out$h1_mean <- vec_json(h1$mean)
    same_as_h1 <- function(cv, mu) {
      isTRUE(all(unname(unclass(as.matrix(cv))) == unname(unclass(h1$cov)))) &&
        isTRUE(all(num(mu) == num(h1$mean)))
    }
    acc <- list()
    s1 <- try(lavInspect(fit, "sampstat.h1"), silent = TRUE)
    acc[["lavInspect(fit, \"sampstat.h1\")"]] <-
      if (inherits(s1, "try-error")) "error" else
        if (same_as_h1(s1$cov, s1$mean)) "identical to h1_cov/h1_mean" else "differs"
    acc[["lavInspect(fit, \"sampstat\")"]] <-
      if (same_as_h1(ss$cov, ss$mean)) "identical to h1_cov/h1_mean" else "differs"
    mh <- try(fit@SampleStats@missing.h1[[1]], silent = TRUE)
    acc[["fit@SampleStats@missing.h1[[1]]$sigma/$mu"]] <-
      if (inherits(mh, "try-error") || is.null(mh$sigma)) "unavailable" else
        if (same_as_h1(mh$sigma, mh$mu)) "identical to h1_cov/h1_mean" else "differs"
    ih <- try(fit@h1$implied, silent = TRUE)
    acc[["fit@h1$implied$cov[[1]]/$mean[[1]]"]] <-
      if (inherits(ih, "try-error") || is.null(ih$cov)) "unavailable" else
        if (same_as_h1(ih$cov[[1]], ih$mean[[1]])) "identical to h1_cov/h1_mean" else "differs"
    out$h1_accessors <- acc
  }

  if (!is.null(reliability)) {
    rel_args <- list(model = reliability$syntax, data = reliability$data,
                     missing = reliability$missing)
    out$measurement_syntax <- reliability$syntax
    out$reliability <- list(
      htmt_data = reliability$data_description,
      compRelSEM = named_num(semTools::compRelSEM(fit)),
      compRelSEM_model_implied = named_num(semTools::compRelSEM(fit, obs.var = FALSE)),
      AVE = named_num(semTools::AVE(fit)),
      AVE_model_implied = named_num(semTools::AVE(fit, obs.var = FALSE)),
      htmt = mat_json(do.call(semTools::htmt, rel_args)),                  # htmt2 = TRUE (default)
      htmt_classic = mat_json(do.call(semTools::htmt, c(rel_args, list(htmt2 = FALSE)))),
      cor_lv = mat_json(lavInspect(fit, "cor.lv"))
    )
  }
  out
}

models <- list()

# ---------------------------------------------------------------------------
# 1. Holzinger & Swineford (1939): the three-factor CFA (ML and MLR)
# ---------------------------------------------------------------------------
hs_model <- "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"
hs_info <- list(csv = hs_csv, rows_in_csv = nrow(hs_data),
                variables = I(paste0("x", 1:9)), reverse = I(character(0)))
hs_rel <- list(syntax = hs_model, data = hs_data, missing = "listwise",
               data_description = "full HolzingerSwineford1939.csv (no missing values), missing = \"listwise\"")

fit <- cfa(hs_model, data = hs_data)
models$hs_cfa <- run_model(
  fit, "cfa(model, data = HolzingerSwineford1939)", hs_model, hs_info, hs_rel,
  "Holzinger-Swineford three-factor CFA, ML, lavaan defaults (marker-variable identification)")

fit <- cfa(hs_model, data = hs_data, estimator = "MLR")
models$hs_cfa_mlr <- run_model(
  fit, "cfa(model, data = HolzingerSwineford1939, estimator = \"MLR\")", hs_model, hs_info, hs_rel,
  "Holzinger-Swineford three-factor CFA, MLR (Huber-White SEs, Yuan-Bentler scaled test)",
  estimator = "MLR")

# ---------------------------------------------------------------------------
# 2. Political democracy (Bollen 1989): the classic SEM with equal loadings
#    across the two waves (a1, b1, c1), correlated residuals, and the defined
#    indirect effect ind := a*b
# ---------------------------------------------------------------------------
pd_measurement <- paste(
  "ind60 =~ x1 + x2 + x3",
  "dem60 =~ y1 + a1*y2 + b1*y3 + c1*y4",
  "dem65 =~ y5 + a1*y6 + b1*y7 + c1*y8",
  sep = "\n")
pd_model <- paste(
  pd_measurement,
  "dem60 ~ a*ind60",
  "dem65 ~ ind60 + b*dem60",
  "y1 ~~ y5",
  "y2 ~~ y4 + y6",
  "y3 ~~ y7",
  "y4 ~~ y8",
  "y6 ~~ y8",
  "ind := a*b",
  sep = "\n")
pd_info <- list(csv = pd_csv, rows_in_csv = nrow(pd_data),
                variables = I(c(paste0("x", 1:3), paste0("y", 1:8))),
                reverse = I(character(0)))
fit <- sem(pd_model, data = pd_data)
models$poldem_sem <- run_model(
  fit, "sem(model, data = PoliticalDemocracy)", pd_model, pd_info,
  list(syntax = pd_measurement, data = pd_data, missing = "listwise",
       data_description = "full PoliticalDemocracy.csv (no missing values), missing = \"listwise\"; syntax = the three =~ lines"),
  "Bollen's political democracy SEM with equality labels, ML")

# ---------------------------------------------------------------------------
# 3. bfi: five-factor CFA on the 25 items, reverse-keyed items reversed first
#    as 7 - x. Listwise ML, FIML, MLR listwise, MLR + FIML.
# ---------------------------------------------------------------------------
bfi_items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5),
               paste0("N", 1:5), paste0("O", 1:5))
bfi_reverse <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi_rev <- bfi_data[, bfi_items]
for (it in bfi_reverse) bfi_rev[[it]] <- 7 - bfi_rev[[it]]
bfi_cc <- bfi_rev[complete.cases(bfi_rev), , drop = FALSE]
bfi_model <- paste(
  "A =~ A1 + A2 + A3 + A4 + A5",
  "C =~ C1 + C2 + C3 + C4 + C5",
  "E =~ E1 + E2 + E3 + E4 + E5",
  "N =~ N1 + N2 + N3 + N4 + N5",
  "O =~ O1 + O2 + O3 + O4 + O5",
  sep = "\n")
bfi_info <- list(csv = bfi_csv, rows_in_csv = nrow(bfi_data),
                 complete_cases = nrow(bfi_cc),
                 variables = I(bfi_items), reverse = I(bfi_reverse),
                 reverse_formula = "7 - x")
bfi_rel_lw <- list(syntax = bfi_model, data = bfi_cc, missing = "listwise",
                   data_description = "complete cases of the 25 reversed items, missing = \"listwise\"")
bfi_rel_ml <- list(syntax = bfi_model, data = bfi_rev, missing = "ml",
                   data_description = "all 2800 rows of the 25 reversed items with NA, missing = \"ml\" (EM correlations)")

fit <- cfa(bfi_model, data = bfi_rev, missing = "listwise")
models$bfi_cfa_listwise <- run_model(
  fit, "cfa(model, data = bfi_rev, missing = \"listwise\")", bfi_model, bfi_info, bfi_rel_lw,
  "bfi five-factor CFA, ML, listwise deletion")

fit <- cfa(bfi_model, data = bfi_rev, missing = "ml")
models$bfi_cfa_fiml <- run_model(
  fit, "cfa(model, data = bfi_rev, missing = \"ml\")", bfi_model, bfi_info, bfi_rel_ml,
  "bfi five-factor CFA, ML with FIML (casewise likelihood; mean structure added by lavaan)")

fit <- cfa(bfi_model, data = bfi_rev, estimator = "MLR", missing = "listwise")
models$bfi_cfa_mlr <- run_model(
  fit, "cfa(model, data = bfi_rev, estimator = \"MLR\", missing = \"listwise\")",
  bfi_model, bfi_info, bfi_rel_lw,
  "bfi five-factor CFA, MLR, listwise deletion", estimator = "MLR")

fit <- cfa(bfi_model, data = bfi_rev, estimator = "MLR", missing = "ml")
models$bfi_cfa_fiml_mlr <- run_model(
  fit, "cfa(model, data = bfi_rev, estimator = \"MLR\", missing = \"ml\")",
  bfi_model, bfi_info, bfi_rel_ml,
  "bfi five-factor CFA, MLR with FIML (Yuan-Bentler scaled test, Huber-White SEs)",
  estimator = "MLR")

# ---------------------------------------------------------------------------
# 4. Bundled CRM-loyalty example (optional: only if the cleaned export exists).
#    Items KCF3, KM2, LOY4 reversed as 6 - x (5-point scale). Six factors; the
#    four CRM dimensions -> SAT -> LOY; indirect effects through SAT defined as
#    products of the labelled paths. sem(), ML, listwise deletion.
# ---------------------------------------------------------------------------
if (file.exists(bundled_csv)) {
  crm <- read.csv(bundled_csv, na.strings = c("", "NA"), stringsAsFactors = FALSE,
                  check.names = FALSE)
  crm_factors <- list(KCF = paste0("KCF", 1:5), CRMO = paste0("CRMO", 1:4),
                      KM = paste0("KM", 1:4), TECH = paste0("TECH", 1:4),
                      SAT = paste0("SAT", 1:4), LOY = paste0("LOY", 1:4))
  crm_items <- unlist(crm_factors, use.names = FALSE)
  crm_reverse <- c("KCF3", "KM2", "LOY4")
  miss <- setdiff(crm_items, names(crm))
  if (length(miss) > 0) stop(bundled_csv, " lacks columns: ", paste(miss, collapse = ", "))
  crm_rev <- as.data.frame(lapply(crm[, crm_items], as.numeric))
  names(crm_rev) <- crm_items
  for (it in crm_reverse) crm_rev[[it]] <- 6 - crm_rev[[it]]
  crm_cc <- crm_rev[complete.cases(crm_rev), , drop = FALSE]
  crm_measurement <- paste(
    vapply(names(crm_factors), function(f)
      paste(f, "=~", paste(crm_factors[[f]], collapse = " + ")), ""),
    collapse = "\n")
  crm_model <- paste(
    crm_measurement,
    "SAT ~ h1*KCF + h2*CRMO + h3*KM + h4*TECH",
    "LOY ~ h5*SAT",
    "ind_KCF := h1*h5",
    "ind_CRMO := h2*h5",
    "ind_KM := h3*h5",
    "ind_TECH := h4*h5",
    sep = "\n")
  fit <- sem(crm_model, data = crm_rev, missing = "listwise")
  models$bundled_example <- run_model(
    fit, "sem(model, data = crm_rev, missing = \"listwise\")", crm_model,
    list(csv = bundled_csv, rows_in_csv = nrow(crm), complete_cases = nrow(crm_cc),
         variables = I(crm_items), reverse = I(crm_reverse), reverse_formula = "6 - x"),
    list(syntax = crm_measurement, data = crm_cc, missing = "listwise",
         data_description = "complete cases of the 25 reversed items, missing = \"listwise\""),
    "Bundled CRM-loyalty example: six-factor SEM (CRM dimensions -> SAT -> LOY), ML, listwise")
}

result <- list(
  versions = list(
    R = R.version.string,
    lavaan = as.character(packageVersion("lavaan")),
    semTools = as.character(packageVersion("semTools")),
    psych = as.character(packageVersion("psych"))
  ),
  models = models
)

# ---------------------------------------------------------------------------
# 5. Write JSON with full precision
# ---------------------------------------------------------------------------
source(file.path("tests", "reference", "json_writer.R"))
write_json_checked(result, out_file)

cat("wrote", out_file, "with models:", paste(names(models), collapse = ", "), "\n")
if (!file.exists(bundled_csv)) cat("(", bundled_csv, "not found: bundled_example skipped)\n")

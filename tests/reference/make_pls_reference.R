# make_pls_reference.R
#
# Generates PLS-SEM reference values with R's seminr package for loyaltysurvey.
#
# Run from the repository root (/work/main):
#
#     Rscript tests/reference/make_pls_reference.R
#
# Reads   ../shared/data/mobi.csv and ../shared/data/corp_rep.csv
# Writes  tests/reference/pls_reference.json (doubles with 17 significant digits)
#
# Needs   seminr (2.3.2), jsonlite. See pls_reference_NOTES.md for how seminr was
#         installed on a machine without CRAN (it is not part of this project).
#
# Models (all estimated with estimate_pls() defaults unless stated:
# inner_weights = path_weighting, missing = mean_replacement, maxIt = 300,
# stopCriterion = 7):
#   mobi        ECSI model on mobi, every construct composite() mode A.
#   corp_rep    Hair et al. workbook simple model, missing_value = "-99".
#   mobi_plsc   mobi with every construct reflective(): seminr applies PLSc
#               automatically (model_consistent() runs PLSc() whenever the
#               measurement model has a type "C" = reflective construct).
#   mobi_modeB  mobi with Image = composite(..., weights = mode_B).
# mobi and corp_rep are also bootstrapped (set.seed(123); nboot = 2000,
# cores = 1), and bootstrap_model() is timed for nboot = 1000.
#
# How seminr 2.3.2 computes things (read from its source, R/*.R):
#   * Items are standardized with scale(x, TRUE, TRUE), i.e. divided by the
#     n - 1 standard deviation (sdData = sd()). Construct scores are items %*%
#     weights with the weights rescaled so each score has n - 1 variance 1.
#   * Loadings = cov(standardized items, scores) = correlations; path
#     coefficients = OLS on the scores; R^2 = 1 - 1/diag(inverse correlation
#     matrix); AdjR^2 = 1 - (1 - R^2)(n - 1)/(n - k - 1).
#   * Convergence: sum(|w_new - w_old|) < 10^-stopCriterion; `iterations` is
#     the 0-based loop counter at which it stopped.
#   * alpha uses the item CORRELATION matrix (standardized alpha); rhoC and
#     AVE use the (PLSc-corrected, for reflective constructs) loadings, also
#     for mode B composites; rhoA = Dijkstra-Henseler from the outer weights;
#     single-item constructs get alpha = rhoC = AVE = rhoA = 1.
#   * HTMT: classic (arithmetic-mean) HTMT on ABSOLUTE item correlations; the
#     monotrait mean of a single-item construct is taken as 1.
#     summary()$validity$htmt is the transpose (lower triangle filled).
#   * fSquare: each path is dropped and the WHOLE PLS model re-estimated
#     (weights re-iterated) to get R^2 excluded.
#   * vif_antecedents: from the correlation matrix of construct scores; NA
#     for an outcome with a single antecedent.
#   * it_criteria: AIC = 2(k+1) + n log(SSE/n), BIC = n log(SSE/n) + (k+1) log n,
#     SSE = (1 - R^2) var(score)(n - 1).
#   * PLSc: path coefficients and R^2 from the score correlation matrix
#     divided by sqrt(rhoA_i rhoA_j); loadings of reflective constructs =
#     w sqrt(rhoA) / (w'w). Outer weights and construct scores are NOT changed.
#   * bootstrap_model(seed = NULL) draws seed <- sample.int(100000, 1) from
#     the session RNG, then resample i uses set.seed(seed + i) and
#     sample.int(n, replace = TRUE) on the raw data (missing codes already NA;
#     mean replacement is redone inside each resample). Results therefore do
#     not depend on `cores`. Resamples that raise an error OR a warning are
#     dropped. Bootstrap SD uses sd() (n - 1); CIs are quantile() type 7
#     percentiles.

suppressPackageStartupMessages({
  library(seminr)
})
if (!requireNamespace("jsonlite", quietly = TRUE)) {
  stop("jsonlite is needed to verify the JSON round trip")
}

ref_dir <- file.path("tests", "reference")
if (!dir.exists(ref_dir)) {
  stop("Run this script from the repository root (tests/reference/ not found).")
}
data_dir <- file.path("..", "shared", "data")
out_file <- file.path(ref_dir, "pls_reference.json")

corp_rep <- read.csv(file.path(data_dir, "corp_rep.csv"))

NBOOT <- 2000
NBOOT_TIMING <- 1000
BOOT_SEED <- 123

# ---------------------------------------------------------------------------
# 1. Model specifications
# ---------------------------------------------------------------------------
# mobi, mobi_sm and mobi_mm (the ECSI model, mode A)
source(file.path("tests", "reference", "mobi_model.R"))

mobi_mm_reflective <- constructs(
  reflective("Image",        multi_items("IMAG", 1:5)),
  reflective("Expectation",  multi_items("CUEX", 1:3)),
  reflective("Quality",      multi_items("PERQ", 1:7)),
  reflective("Value",        multi_items("PERV", 1:2)),
  reflective("Satisfaction", multi_items("CUSA", 1:3)),
  reflective("Complaints",   single_item("CUSCO")),
  reflective("Loyalty",      multi_items("CUSL", 1:3))
)

mobi_mm_modeB <- constructs(
  composite("Image",        multi_items("IMAG", 1:5), weights = mode_B),
  composite("Expectation",  multi_items("CUEX", 1:3), weights = mode_A),
  composite("Quality",      multi_items("PERQ", 1:7), weights = mode_A),
  composite("Value",        multi_items("PERV", 1:2), weights = mode_A),
  composite("Satisfaction", multi_items("CUSA", 1:3), weights = mode_A),
  composite("Complaints",   single_item("CUSCO"),     weights = mode_A),
  composite("Loyalty",      multi_items("CUSL", 1:3), weights = mode_A)
)

corp_mm <- constructs(
  composite("COMP", multi_items("comp_", 1:3), weights = mode_A),
  composite("LIKE", multi_items("like_", 1:3), weights = mode_A),
  composite("CUSA", single_item("cusa"),       weights = mode_A),
  composite("CUSL", multi_items("cusl_", 1:3), weights = mode_A)
)
corp_sm <- relationships(
  paths(from = c("COMP", "LIKE"), to = c("CUSA", "CUSL")),
  paths(from = "CUSA", to = "CUSL")
)

quiet <- function(expr) suppressMessages(expr)

fits <- list(
  mobi = quiet(estimate_pls(data = mobi, measurement_model = mobi_mm,
                            structural_model = mobi_sm)),
  corp_rep = quiet(estimate_pls(data = corp_rep, measurement_model = corp_mm,
                                structural_model = corp_sm,
                                missing = mean_replacement,
                                missing_value = "-99")),
  mobi_plsc = quiet(estimate_pls(data = mobi, measurement_model = mobi_mm_reflective,
                                 structural_model = mobi_sm)),
  mobi_modeB = quiet(estimate_pls(data = mobi, measurement_model = mobi_mm_modeB,
                                  structural_model = mobi_sm))
)

settings_of <- list(
  mobi = list(data = "mobi.csv", missing_value = NA_character_,
              measurement = "all composite(weights = mode_A)", plsc = FALSE),
  corp_rep = list(data = "corp_rep.csv", missing_value = "-99",
                  measurement = "all composite(weights = mode_A)", plsc = FALSE),
  mobi_plsc = list(data = "mobi.csv", missing_value = NA_character_,
                   measurement = "all reflective() (seminr applies PLSc)", plsc = TRUE),
  mobi_modeB = list(data = "mobi.csv", missing_value = NA_character_,
                    measurement = "Image composite(weights = mode_B), others mode_A",
                    plsc = FALSE)
)

# ---------------------------------------------------------------------------
# 2. Converters
# ---------------------------------------------------------------------------
num <- function(v) as.numeric(unlist(v))

# Matrix -> {"rows": [...], "cols": [...], "matrix": [[row1], [row2], ...]}
# (NA -> null).
mat_json <- function(m) {
  m <- unclass(as.matrix(m))
  attr(m, "comment") <- NULL
  rn <- rownames(m)
  if (is.null(rn)) rn <- as.character(seq_len(nrow(m)))
  cn <- colnames(m)
  if (is.null(cn)) cn <- as.character(seq_len(ncol(m)))
  storage.mode(m) <- "double"
  list(rows = I(as.character(rn)), cols = I(as.character(cn)),
       matrix = lapply(seq_len(nrow(m)), function(i) I(unname(m[i, ]))))
}

# Named numeric vector -> JSON object {name: value} (NA -> null).
named_num <- function(v) {
  nm <- names(v)
  out <- lapply(num(v), function(e) e)
  names(out) <- nm
  out
}

# vif_antecedents / vif_items: list (per construct) of named vectors.
named_list_of_vectors <- function(x) {
  x <- unclass(x)
  out <- lapply(names(x), function(n) named_num(x[[n]]))
  names(out) <- names(x)
  out
}

pls_record <- function(name, model) {
  s <- summary(model)
  paths <- s$paths
  endo <- colnames(paths)
  n_rows <- nrow(model$data)
  list(
    settings = settings_of[[name]],
    n = as.integer(n_rows),
    n_missing_replaced = named_num(colSums(is.na(model$rawdata[, model$mmVariables, drop = FALSE]))),
    iterations = as.integer(model$iterations),
    summary_iterations = as.integer(s$iterations),
    weight_diff = model$weightDiff,
    item_means = named_num(model$meanData),
    item_sds = named_num(model$sdData),
    path_coef = mat_json(model$path_coef),
    outer_loadings = mat_json(model$outer_loadings),
    outer_weights = mat_json(model$outer_weights),
    r_squared = named_num(paths["R^2", endo]),
    adj_r_squared = named_num(paths["AdjR^2", endo]),
    rSquared_matrix = mat_json(model$rSquared),
    construct_scores_first5 = mat_json(model$construct_scores[1:5, , drop = FALSE]),
    reliability = mat_json(s$reliability),
    htmt = mat_json(s$validity$htmt),
    fl_criteria = mat_json(s$validity$fl_criteria),
    cross_loadings = mat_json(s$validity$cross_loadings),
    vif_items = named_list_of_vectors(s$validity$vif_items),
    fSquare = mat_json(s$fSquare),
    vif_antecedents = named_list_of_vectors(s$vif_antecedents),
    it_criteria = if (!is.null(s$it_criteria)) mat_json(s$it_criteria) else NULL,
    total_effects = mat_json(s$total_effects),
    total_indirect_effects = mat_json(s$total_indirect_effects)
  )
}

# ---------------------------------------------------------------------------
# 3. Bootstrap
# ---------------------------------------------------------------------------
boot_record <- function(model, from, through, to) {
  set.seed(BOOT_SEED)
  expected_seed <- sample.int(100000, size = 1)
  set.seed(BOOT_SEED)
  t_boot <- system.time(
    boot <- quiet(bootstrap_model(model, nboot = NBOOT, cores = 1))
  )[["elapsed"]]
  if (is.null(boot)) stop("bootstrap_model() failed")
  if (!identical(as.integer(boot$seed), as.integer(expected_seed))) {
    stop("bootstrap seed is not sample.int(100000, 1) after set.seed(", BOOT_SEED, ")")
  }
  sb <- summary(boot)
  sig <- specific_effect_significance(boot, from = from, through = through,
                                      to = to, alpha = 0.05)

  # Resample 1 reproduced in this session: indices and the re-estimated paths
  # must equal the first slice of boot$boot_paths.
  set.seed(boot$seed + 1)
  idx1 <- sample.int(nrow(model$rawdata), replace = TRUE)
  m1 <- quiet(estimate_pls(data = model$rawdata[idx1, ],
                           measurement_model = model$measurement_model,
                           structural_model = model$smMatrix,
                           inner_weights = model$inner_weights))
  if (max(abs(m1$path_coef - boot$boot_paths[, , 1])) > 1e-12) {
    stop("resample 1 could not be reproduced")
  }

  set.seed(BOOT_SEED)
  t_1000 <- system.time(
    quiet(bootstrap_model(model, nboot = NBOOT_TIMING, cores = 1))
  )[["elapsed"]]

  list(
    call = sprintf("set.seed(%d); bootstrap_model(model, nboot = %d, cores = 1)",
                   BOOT_SEED, NBOOT),
    nboot_requested = as.integer(NBOOT),
    nboot_used = as.integer(boot$boots),
    internal_seed = as.integer(boot$seed),
    bootstrapped_paths = mat_json(sb$bootstrapped_paths),
    bootstrapped_loadings = mat_json(sb$bootstrapped_loadings),
    bootstrapped_weights = mat_json(sb$bootstrapped_weights),
    bootstrapped_HTMT = mat_json(sb$bootstrapped_HTMT),
    bootstrapped_total_paths = mat_json(sb$bootstrapped_total_paths),
    specific_effect = list(
      from = from, through = through, to = to, alpha = 0.05,
      values = named_num(sig)
    ),
    resample_1 = list(
      indices = I(as.integer(idx1)),
      path_coef = mat_json(boot$boot_paths[, , 1]),
      outer_weights = mat_json(boot$boot_weights[, , 1])
    ),
    seconds_2000 = as.numeric(t_boot),
    seconds_1000 = as.numeric(t_1000),
    timing_note = paste("elapsed seconds of system.time(bootstrap_model(...,",
                        "cores = 1)); includes starting one PSOCK worker;",
                        "machine has", parallel::detectCores(), "cores")
  )
}

models <- list()
for (nm in names(fits)) models[[nm]] <- pls_record(nm, fits[[nm]])

cat("bootstrapping corp_rep ...\n")
models$corp_rep$bootstrap <- boot_record(fits$corp_rep, "COMP", "CUSA", "CUSL")
cat("bootstrapping mobi ...\n")
models$mobi$bootstrap <- boot_record(fits$mobi, "Image", "Satisfaction", "Loyalty")

# ---------------------------------------------------------------------------
# 4. Published mobi path coefficients (../shared/data/README.md, 3 decimals)
# ---------------------------------------------------------------------------
published <- rbind(
  c("Image", "Expectation", 0.505), c("Image", "Satisfaction", 0.179),
  c("Image", "Loyalty", 0.196), c("Expectation", "Quality", 0.557),
  c("Expectation", "Value", 0.050), c("Expectation", "Satisfaction", 0.063),
  c("Quality", "Value", 0.558), c("Quality", "Satisfaction", 0.512),
  c("Value", "Satisfaction", 0.195), c("Satisfaction", "Complaints", 0.528),
  c("Satisfaction", "Loyalty", 0.485), c("Complaints", "Loyalty", 0.067)
)
cmp <- lapply(seq_len(nrow(published)), function(i) {
  est <- fits$mobi$path_coef[published[i, 1], published[i, 2]]
  list(from = published[i, 1], to = published[i, 2],
       published = as.numeric(published[i, 3]), seminr = est,
       seminr_rounded_3 = round(est, 3),
       matches_3dp = isTRUE(round(est, 3) == as.numeric(published[i, 3])))
})
models$mobi$published_paths_check <- cmp
cat("\nmobi path coefficients vs published (README):\n")
for (r in cmp) {
  cat(sprintf("  %-12s -> %-12s published %.3f  seminr %.17g  %s\n", r$from, r$to,
              r$published, r$seminr, if (r$matches_3dp) "OK" else "DIFFERS"))
}
if (!all(vapply(cmp, function(r) r$matches_3dp, TRUE))) {
  warning("some mobi path coefficients differ from the published values at 3 decimals")
}

result <- list(
  versions = list(
    R = R.version.string,
    seminr = as.character(packageVersion("seminr")),
    seminr_imports = gsub("\\s+", " ", packageDescription("seminr")$Imports),
    lavaan = as.character(packageVersion("lavaan")),
    jsonlite = as.character(packageVersion("jsonlite")),
    platform = R.version$platform,
    rng_kind = I(RNGkind())
  ),
  models = models
)

# ---------------------------------------------------------------------------
# 5. Write JSON with full precision (shared writer: json_writer.R)
# ---------------------------------------------------------------------------
source(file.path("tests", "reference", "json_writer.R"))
write_json_checked(result, out_file)

cat("\ncorp_rep path coefficients:\n")
print(fits$corp_rep$path_coef, digits = 17)
cat(sprintf("\nbootstrap seconds (nboot = %d): corp_rep %.2f, mobi %.2f\n", NBOOT_TIMING,
            models$corp_rep$bootstrap$seconds_1000, models$mobi$bootstrap$seconds_1000))
cat("wrote", out_file, "with models:", paste(names(models), collapse = ", "),
    "(round trip verified)\n")

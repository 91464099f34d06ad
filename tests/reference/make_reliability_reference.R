# make_reliability_reference.R
#
# Generates R reference values for loyaltysurvey's reliability code
# (Cronbach's alpha, Feldt interval, item statistics, McDonald's omega,
# item descriptives).
#
# Run from the repository root (/work/main):
#
#     Rscript tests/reference/make_reliability_reference.R
#
# Writes
#   tests/reference/data/bfi.csv               psych's bfi data set (2800 rows)
#   tests/reference/reliability_reference.json reference values (doubles
#                                              with 17 significant digits)
#
# Optional input
#   tests/reference/reliability_datasets.json  extra data sets to process, format
#     {"name": {"csv": "path relative to repo root",
#               "scales": {"SCALE": {"items": [...], "reverse": [...],
#                                    "min": 1, "max": 5}}}}
#
# Conventions (apply to every scale):
#   * Reverse-keyed items are reversed BEFORE anything is computed, as
#     min + max - x (bfi: 1 + 6 - x = 7 - x). psych::alpha() is then called on
#     the already-reversed items with no `keys` and no `check.keys`, so psych
#     sees a scale whose items all point the same way.
#   * Missing values stay missing. psych::alpha() defaults to use = "pairwise",
#     i.e. the item covariance matrix is cov(x, use = "pairwise").
#   * nrow       = number of rows in the data set (all respondents, including
#                  those who skipped every item of the scale).
#     n_used     = rows with at least one non-missing answer on the scale's items.
#     n_complete = rows with every item of the scale answered.
#
# How psych (2.2.x) computes the quantities (read from print(psych::alpha) and
# print(psych::alpha.ci)):
#   * C <- cov(x, use = "pairwise"); raw alpha = (1 - tr(C)/sum(C)) * k/(k-1);
#     std alpha uses R = cov2cor(C): (1 - k/sum(R)) * k/(k-1).
#   * alpha if item deleted (alpha.drop) = the same formulas applied to
#     C[-i, -i] / R[-i, -i], i.e. sub-matrices of the SAME pairwise matrix
#     (no re-estimation on the rows that answered the remaining items).
#   * r.drop (item.stats$r.drop) is computed from C as well, not from observed
#     scores: r.drop_i = (sum(C[, i]) - C[i, i]) / sqrt(C[i, i] * sum(C[-i, -i])),
#     the correlation of item i with the sum of the other items implied by the
#     pairwise covariance matrix.
#   * Feldt interval: alpha() ends with
#         feldt <- alpha.ci(alpha.total[1], nsub, nvar)
#     where nsub <- dim(x)[1] (ALL rows passed in, even rows with no answer)
#     and nvar = number of items. alpha.ci() is
#         CI.low  <- 1 - (1 - alpha) * qf(1 - p/2, df1 = n - 1, df2 = (n - 1) * (k - 1))
#         CI.high <- 1 - (1 - alpha) * qf(p/2,     df1 = n - 1, df2 = (n - 1) * (k - 1))
#     with p = 0.05. We record psych's interval (n = nrow) and the same formula
#     with n = n_used.

suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(semTools)
})
has_jsonlite <- requireNamespace("jsonlite", quietly = TRUE)

ref_dir <- file.path("tests", "reference")
if (!dir.exists(ref_dir)) {
  stop("Run this script from the repository root (tests/reference/ not found).")
}
data_dir <- file.path(ref_dir, "data")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)

# ---------------------------------------------------------------------------
# a. Export psych's bfi data set
# ---------------------------------------------------------------------------
data("bfi", package = "psych", envir = environment())
bfi_csv <- file.path(data_dir, "bfi.csv")
write.csv(bfi, bfi_csv, row.names = FALSE, na = "")

# psych's standard scoring keys for bfi (see ?bfi / bfi.keys); items on 1..6.
bfi_spec <- list(
  csv = bfi_csv,
  scales = list(
    A = list(items = paste0("A", 1:5), reverse = c("A1"),       min = 1, max = 6),
    C = list(items = paste0("C", 1:5), reverse = c("C4", "C5"), min = 1, max = 6),
    E = list(items = paste0("E", 1:5), reverse = c("E1", "E2"), min = 1, max = 6),
    N = list(items = paste0("N", 1:5), reverse = character(0),  min = 1, max = 6),
    O = list(items = paste0("O", 1:5), reverse = c("O2", "O5"), min = 1, max = 6)
  )
)
datasets <- list(bfi = list(data = bfi, spec = bfi_spec))

# Extra data sets (optional)
extra_file <- file.path(ref_dir, "reliability_datasets.json")
if (file.exists(extra_file)) {
  if (!has_jsonlite) stop("reliability_datasets.json exists but jsonlite is not installed")
  extra <- jsonlite::fromJSON(extra_file, simplifyVector = FALSE)
  for (nm in names(extra)) {
    spec <- extra[[nm]]
    spec$scales <- lapply(spec$scales, function(s) {
      list(items = unlist(s$items), reverse = as.character(unlist(s$reverse)),
           min = as.numeric(s$min), max = as.numeric(s$max))
    })
    dat <- read.csv(spec$csv, check.names = FALSE, stringsAsFactors = FALSE,
                    na.strings = c("", "NA"))
    datasets[[nm]] <- list(data = dat, spec = spec)
  }
}

# ---------------------------------------------------------------------------
# Per-scale computations
# ---------------------------------------------------------------------------
num <- function(v) as.numeric(unlist(v))  # strip data.frame/list wrappers

scale_reference <- function(dat, sc) {
  items <- sc$items
  missing_cols <- setdiff(items, names(dat))
  if (length(missing_cols) > 0) {
    stop("items not in data: ", paste(missing_cols, collapse = ", "))
  }
  x <- as.data.frame(lapply(dat[, items, drop = FALSE], as.numeric))
  names(x) <- items

  # b. Reverse first: min + max - x (bfi: 7 - x).
  for (it in sc$reverse) x[[it]] <- sc$min + sc$max - x[[it]]

  k <- length(items)
  nrow_all <- nrow(x)
  n_used <- sum(rowSums(!is.na(x)) > 0)
  n_complete <- sum(complete.cases(x))

  # c. psych::alpha on the reversed items (pairwise covariances by default).
  a <- psych::alpha(x, warnings = FALSE)
  raw_alpha <- num(a$total$raw_alpha)
  std_alpha <- num(a$total$std.alpha)

  # Feldt interval as psych reports it (n = nrow(x), all rows).
  feldt_psych <- c(num(a$feldt$lower.ci), num(a$feldt$upper.ci))
  # Same formula (psych::alpha.ci) with n = n_used.
  ci_used <- psych::alpha.ci(raw_alpha, n.obs = n_used, n.var = k)
  feldt_n_used <- c(num(ci_used$lower.ci), num(ci_used$upper.ci))

  # d. One-factor omega from a lavaan CFA on the pairwise covariance matrix.
  # lavaan rescales sample.cov by (N-1)/N for ML; omega is invariant to that.
  C <- cov(x, use = "pairwise")
  model <- paste("F =~", paste(items, collapse = " + "))
  fit <- lavaan::cfa(model, sample.cov = C, sample.nobs = n_used,
                     std.lv = TRUE, estimator = "ML")
  pe <- lavaan::parameterEstimates(fit)
  lambda <- pe$est[pe$op == "=~"]
  theta <- pe$est[pe$op == "~~" & pe$lhs == pe$rhs & pe$lhs %in% items]
  omega <- sum(lambda)^2 / (sum(lambda)^2 + sum(theta))
  # semTools: composite reliability with model-implied total variance.
  omega_semtools <- num(semTools::compRelSEM(fit, obs.var = FALSE))
  # psych::omega, one factor (minres on the pairwise correlation matrix);
  # for information only.
  om <- suppressWarnings(suppressMessages(
    psych::omega(x, nfactors = 1, plot = FALSE)))
  omega_psych <- num(om$omega.tot)

  # e. Item descriptives (reversed items as reversed).
  d2 <- psych::describe(x, type = 2)
  d3 <- psych::describe(x, type = 3)

  item_out <- list()
  for (i in seq_along(items)) {
    it <- items[i]
    item_out[[it]] <- list(
      r_drop = num(a$item.stats[it, "r.drop"]),
      alpha_if_deleted = num(a$alpha.drop[it, "raw_alpha"]),
      std_alpha_if_deleted = num(a$alpha.drop[it, "std.alpha"]),
      n = as.integer(sum(!is.na(x[[it]]))),
      mean = num(d2[it, "mean"]),
      sd = num(d2[it, "sd"]),
      skew_type2 = num(d2[it, "skew"]),
      kurtosis_type2 = num(d2[it, "kurtosis"]),
      skew_type3 = num(d3[it, "skew"]),
      kurtosis_type3 = num(d3[it, "kurtosis"])
    )
  }

  list(
    items = I(items),
    reverse = I(as.character(sc$reverse)),
    nrow = as.integer(nrow_all),
    n_used = as.integer(n_used),
    n_complete = as.integer(n_complete),
    raw_alpha = raw_alpha,
    std_alpha = std_alpha,
    feldt_psych = I(feldt_psych),
    feldt_n_used = I(feldt_n_used),
    omega = omega,
    omega_semtools = omega_semtools,
    omega_psych = omega_psych,
    item = item_out
  )
}

out_datasets <- list()
for (nm in names(datasets)) {
  ds <- datasets[[nm]]
  out_datasets[[nm]] <- lapply(ds$spec$scales, function(sc) scale_reference(ds$data, sc))
}

result <- list(
  versions = list(
    R = R.version.string,
    psych = as.character(packageVersion("psych")),
    lavaan = as.character(packageVersion("lavaan")),
    semTools = as.character(packageVersion("semTools"))
  ),
  datasets = out_datasets
)

# ---------------------------------------------------------------------------
# f. Write JSON with full precision
# ---------------------------------------------------------------------------
out_file <- file.path(ref_dir, "reliability_reference.json")

# The shared writer: doubles with 17 significant digits, and a check that jsonlite
# reads every number back bit-identical (jsonlite itself prints only 15 digits).
source(file.path("tests", "reference", "json_writer.R"))
write_json_checked(result, out_file)

cat("wrote", out_file, "and", bfi_csv, "\n")

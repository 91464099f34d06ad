# make_bootstrap_reference.R
#
# Bootstrap reference values from lavaan (se = "bootstrap") for loyaltysurvey's
# CB-SEM bootstrap, including an estimate of the Monte Carlo error of the
# percentile bounds so that tests can use a justified tolerance.
#
# Run from the repository root (/work/main):
#
#     Rscript tests/reference/make_bootstrap_reference.R
#
# Reads
#   tests/reference/data/PoliticalDemocracy.csv  lavaan's PoliticalDemocracy (75 rows)
#   tests/reference/data/crm_example_clean.csv   bundled questionnaire example
#                                                (optional; skipped if absent)
# Writes
#   tests/reference/bootstrap_reference.json     doubles with 17 significant digits
#
# Runtime: about 6 bootstrap runs of 1000-2000 resamples, several minutes.
#
# What is computed, per model
#   set.seed(seed); fit <- sem(model, data, se = "bootstrap", bootstrap = B)
#   (lavaan's default parallel = "no", so the draws come from R's global RNG
#   and set.seed() makes them reproducible.)
#   * estimates: every row of
#       parameterEstimates(fit, boot.ci.type = "perc", standardized = TRUE)
#     as lhs, op, rhs, label, est, se (= bootstrap SD, denominator B - 1 as in
#     lavaan's cov(COEF) * (B - 1) / B * N scaled back), ci_lower, ci_upper
#     (percentile, boot:::norm.inter interpolation), std_all (point estimate
#     standardisation), plus bc_lower / bc_upper from
#       parameterEstimates(fit, boot.ci.type = "bca.simple").
#     Each row also has mc_se_ci_lower / mc_se_ci_upper: a distribution-free
#     estimate of the Monte Carlo standard error of the percentile bound,
#       (q(p + d) - q(p - d)) / 2,  d = sqrt(p (1 - p) / B_ok),  p = .025 / .975,
#     from the bootstrap draws of that parameter (q = empirical quantile,
#     type 7). It is the binomial (order statistic) approximation to the SD of
#     a sample quantile; 0 for fixed parameters.
#   * draws: nrow(lavInspect(fit, "boot")) (all rows, failed draws included
#     as NA rows), error_idx = length(attr(boot, "error.idx")) (failed / not
#     converged draws, dropped by lavaan), nonadmissible =
#     length(attr(boot, "nonadmissible")) (converged but inadmissible draws,
#     e.g. negative variances; lavaan KEEPS them and only warns), and
#     successful = nrow(boot) - error_idx = the number of draws lavaan uses.
#   * seconds: elapsed seconds of the sem() call (system.time()[["elapsed"]]).
#
# PoliticalDemocracy extras
#   * seconds_1000: elapsed seconds of sem(..., bootstrap = 1000) (seeded with
#     set.seed(20260101) only for reproducibility; timing is all it is for).
#   * replicates: the 2000-resample bootstrap with seeds 20260101 (the main
#     fit), 20260103 and 20260104; for the ':=' row and the '~' rows the
#     percentile bounds (and bca.simple bounds, se) of each seed.
#   * replicate_summary: per row, min / max / range / sd over the seeds.

suppressPackageStartupMessages(library(lavaan))
has_jsonlite <- requireNamespace("jsonlite", quietly = TRUE)

ref_dir <- file.path("tests", "reference")
if (!dir.exists(ref_dir)) {
  stop("Run this script from the repository root (tests/reference/ not found).")
}
data_dir <- file.path(ref_dir, "data")

B <- 2000L
SEEDS <- list(poldem = 20260101L, crm = 20260102L,
              poldem_replicates = c(20260103L, 20260104L))

# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------
poldem_model <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a1*y2 + b1*y3 + c1*y4
  dem65 =~ y5 + a1*y6 + b1*y7 + c1*y8
  dem60 ~ a*ind60
  dem65 ~ ind60 + b*dem60
  y1 ~~ y5; y2 ~~ y4 + y6; y3 ~~ y7; y4 ~~ y8; y6 ~~ y8
  ind := a*b
'

crm_model <- '
  KCF =~ KCF1 + KCF2 + KCF3 + KCF4 + KCF5
  CRMO =~ CRMO1 + CRMO2 + CRMO3 + CRMO4
  KM =~ KM1 + KM2 + KM3 + KM4
  TECH =~ TECH1 + TECH2 + TECH3 + TECH4
  SAT =~ SAT1 + SAT2 + SAT3 + SAT4
  LOY =~ LOY1 + LOY2 + LOY3 + LOY4
  SAT ~ h1*KCF + h2*CRMO + h3*KM + h4*TECH
  LOY ~ h5*SAT
  ind_KCF := h1*h5
  ind_CRMO := h2*h5
  ind_KM := h3*h5
  ind_TECH := h4*h5
'

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
num <- function(v) as.numeric(unlist(v))

# Bootstrap draws of every row of `pe` (a parameterEstimates() data frame of
# a single-group fit): free rows from the BOOT column of their free index,
# fixed rows constant, ':=' rows via the model's def.function; only the draws
# lavaan uses (failed draws removed).
row_draws <- function(fit, pe) {
  BOOT <- lavInspect(fit, "boot")
  err <- attr(BOOT, "error.idx")
  if (length(err) > 0L) BOOT <- BOOT[-err, , drop = FALSE]
  pt <- parTable(fit)
  stopifnot(ncol(BOOT) == max(pt$free))
  key <- function(d) paste(d$lhs, d$op, d$rhs, sep = "\r")
  m <- match(key(pe), key(pt))
  stopifnot(!anyNA(m))
  def.rows <- which(pt$op == ":=")
  D <- NULL
  if (length(def.rows) > 0L) {
    D <- apply(BOOT, 1, fit@Model@def.function)
    D <- if (is.matrix(D)) t(D) else as.matrix(D)
  }
  out <- matrix(NA_real_, nrow(BOOT), nrow(pe))
  for (j in seq_len(nrow(pe))) {
    i <- m[j]
    if (pt$op[i] == ":=") out[, j] <- D[, match(i, def.rows)]
    else if (pt$free[i] > 0L) out[, j] <- BOOT[, pt$free[i]]
    else out[, j] <- pe$est[j]
  }
  out
}

mc_se_quantile <- function(t, p) {
  n <- length(t)
  if (n < 2L || diff(range(t)) == 0) return(0)
  d <- sqrt(p * (1 - p) / n)
  (quantile(t, min(1, p + d), names = FALSE, type = 7) -
     quantile(t, max(0, p - d), names = FALSE, type = 7)) / 2
}

# boot:::norm.inter's percentile (as lavaan uses) for a self-check
norm_inter_perc <- function(t, alpha) {
  t <- t[is.finite(t)]
  R <- length(t)
  rk <- (R + 1) * alpha
  k <- trunc(rk)
  if (k == rk) return(sort(t, partial = k)[k])
  tstar <- sort(t, partial = sort(union(c(1, R), c(k, k + 1))))
  if (k == 0) return(tstar[1]); if (k == R) return(tstar[R])
  temp <- qnorm(c(alpha, k / (R + 1), (k + 1) / (R + 1)))
  tstar[k] + (temp[1] - temp[2]) / (temp[3] - temp[2]) * (tstar[k + 1] - tstar[k])
}

run_boot <- function(model, data, seed, R = B, ...) {
  set.seed(seed)
  st <- system.time(fit <- sem(model, data = data, se = "bootstrap",
                                bootstrap = R, ...))
  perc <- parameterEstimates(fit, boot.ci.type = "perc", standardized = TRUE)
  bc <- parameterEstimates(fit, boot.ci.type = "bca.simple")
  stopifnot(nrow(perc) == nrow(bc), all(perc$lhs == bc$lhs),
            all(perc$op == bc$op), all(perc$rhs == bc$rhs))
  boot <- lavInspect(fit, "boot")
  n_err <- length(attr(boot, "error.idx"))
  n_nonadm <- length(attr(boot, "nonadmissible"))
  draws <- row_draws(fit, perc)
  # self-check: recomputed percentile bounds equal lavaan's
  for (j in seq_len(nrow(perc))) {
    if (perc$se[j] > 0) {
      lo <- norm_inter_perc(draws[, j], 0.025)
      hi <- norm_inter_perc(draws[, j], 0.975)
      if (abs(lo - perc$ci.lower[j]) > 1e-10 || abs(hi - perc$ci.upper[j]) > 1e-10) {
        stop("draw/row mapping check failed at row ", j)
      }
    }
  }
  rows <- lapply(seq_len(nrow(perc)), function(j) list(
    lhs = perc$lhs[j], op = perc$op[j], rhs = perc$rhs[j], label = perc$label[j],
    est = perc$est[j], se = perc$se[j],
    ci_lower = perc$ci.lower[j], ci_upper = perc$ci.upper[j],
    bc_lower = bc$ci.lower[j], bc_upper = bc$ci.upper[j],
    std_all = perc$std.all[j],
    mc_se_ci_lower = mc_se_quantile(draws[, j], 0.025),
    mc_se_ci_upper = mc_se_quantile(draws[, j], 0.975)
  ))
  list(fit = fit, seconds = num(st[["elapsed"]]),
       seconds_user = num(st[["user.self"]] + st[["user.child"]]),
       nrow_boot = as.integer(nrow(boot)), error_idx = as.integer(n_err),
       nonadmissible = as.integer(n_nonadm),
       successful = as.integer(nrow(boot) - n_err),
       nobs = as.integer(lavInspect(fit, "nobs")), rows = rows)
}

model_entry <- function(r, seed, R = B) list(
  B = as.integer(R), seed = as.integer(seed), nobs = r$nobs,
  successful = r$successful, nrow_boot = r$nrow_boot,
  error_idx = r$error_idx, nonadmissible = r$nonadmissible,
  seconds = r$seconds, seconds_user = r$seconds_user,
  estimates = r$rows
)

rep_rows <- function(r) {
  keep <- Filter(function(x) x$op %in% c("~", ":="), r$rows)
  lapply(keep, function(x) list(lhs = x$lhs, op = x$op, rhs = x$rhs,
                                ci_lower = x$ci_lower, ci_upper = x$ci_upper,
                                bc_lower = x$bc_lower, bc_upper = x$bc_upper,
                                se = x$se))
}

# ---------------------------------------------------------------------------
# 1. PoliticalDemocracy
# ---------------------------------------------------------------------------
poldem <- read.csv(file.path(data_dir, "PoliticalDemocracy.csv"))

cat("poldem, B = 2000, seed", SEEDS$poldem, "...\n")
pd <- run_boot(poldem_model, poldem, SEEDS$poldem)
cat("  ", pd$seconds, "s; successful", pd$successful, "\n")

cat("poldem, B = 1000 (timing) ...\n")
set.seed(SEEDS$poldem)
st1000 <- system.time(fit1000 <- sem(poldem_model, data = poldem,
                                     se = "bootstrap", bootstrap = 1000))
seconds_1000 <- num(st1000[["elapsed"]])
cat("  ", seconds_1000, "s\n")

reps <- list(list(seed = SEEDS$poldem, successful = pd$successful,
                  seconds = pd$seconds, rows = rep_rows(pd)))
for (s in SEEDS$poldem_replicates) {
  cat("poldem replicate, B = 2000, seed", s, "...\n")
  r <- run_boot(poldem_model, poldem, s)
  cat("  ", r$seconds, "s; successful", r$successful, "\n")
  reps[[length(reps) + 1L]] <- list(seed = as.integer(s), successful = r$successful,
                                    seconds = r$seconds, rows = rep_rows(r))
}

spread <- function(v) list(min = min(v), max = max(v), range = max(v) - min(v),
                           sd = sd(v))
rep_summary <- lapply(seq_along(reps[[1]]$rows), function(k) {
  x0 <- reps[[1]]$rows[[k]]
  get <- function(f) vapply(reps, function(rp) {
    rr <- rp$rows[[k]]
    stopifnot(rr$lhs == x0$lhs, rr$op == x0$op, rr$rhs == x0$rhs)
    rr[[f]]
  }, 0)
  list(lhs = x0$lhs, op = x0$op, rhs = x0$rhs,
       ci_lower = spread(get("ci_lower")), ci_upper = spread(get("ci_upper")),
       bc_lower = spread(get("bc_lower")), bc_upper = spread(get("bc_upper")),
       se = spread(get("se")))
})

poldem_entry <- model_entry(pd, SEEDS$poldem)
poldem_entry$seconds_1000 <- seconds_1000
poldem_entry$replicates <- reps
poldem_entry$replicate_summary <- rep_summary
models <- list(poldem_boot = poldem_entry)

# ---------------------------------------------------------------------------
# 2. Bundled questionnaire example (if present)
# ---------------------------------------------------------------------------
crm_csv <- file.path(data_dir, "crm_example_clean.csv")
if (file.exists(crm_csv)) {
  crm_data <- read.csv(crm_csv, stringsAsFactors = FALSE)
  for (it in c("KCF3", "KM2", "LOY4")) crm_data[[it]] <- 6 - crm_data[[it]]
  cat("crm, B = 2000, seed", SEEDS$crm, "...\n")
  cr <- run_boot(crm_model, crm_data, SEEDS$crm, missing = "listwise")
  cat("  ", cr$seconds, "s; successful", cr$successful, "; nobs", cr$nobs, "\n")
  crm_entry <- model_entry(cr, SEEDS$crm)
  crm_entry$reversed <- I(c("KCF3", "KM2", "LOY4"))
  crm_entry$reverse_rule <- "6 - x"
  crm_entry$missing <- "listwise"
  models$crm_boot <- crm_entry
}

result <- list(
  versions = list(
    R = R.version.string,
    lavaan = as.character(packageVersion("lavaan"))
  ),
  notes = list(
    script = "tests/reference/make_bootstrap_reference.R",
    se = "bootstrap SD of the successful draws (lavaan parameterEstimates)",
    ci = "ci_lower/ci_upper: boot.ci.type = 'perc' (95%); bc_lower/bc_upper: boot.ci.type = 'bca.simple'",
    successful = "nrow(lavInspect(fit, 'boot')) - length(attr(., 'error.idx')); nonadmissible draws are kept by lavaan",
    mc_se = "mc_se_ci_*: (q(p+d) - q(p-d))/2 with d = sqrt(p(1-p)/successful), p = 0.025/0.975, from the draws of that row",
    seconds = "elapsed seconds of the sem() call (system.time), parallel = 'no'"
  ),
  models = models
)

# ---------------------------------------------------------------------------
# 3. Write JSON with full precision
# ---------------------------------------------------------------------------
out_file <- file.path(ref_dir, "bootstrap_reference.json")

# The shared writer: doubles with 17 significant digits, and a check that jsonlite
# reads every leaf back identical (jsonlite itself prints only 15 digits).
source(file.path("tests", "reference", "json_writer.R"))
write_json_checked(result, out_file)

cat("wrote", out_file, "\n")

# make_fiml_bootstrap_reference.R
#
# Reference values from lavaan for loyaltysurvey's bootstrap of FIML fits
# (lavaan's missing = "ml" with se = "bootstrap").
#
# Run from the repository root:
#
#     Rscript tests/reference/make_fiml_bootstrap_reference.R
#
# Reads
#   src/loyaltysurvey/datasets/HolzingerSwineford1939.csv  lavaan's HolzingerSwineford1939
# Writes
#   tests/reference/data/HolzingerSwineford1939_missing.csv  id and x1..x9 with missing
#       answers injected by the fixed rule below (empty cells = missing)
#   tests/reference/fiml_bootstrap_reference.json            doubles with 17 significant digits
#
# Runtime: about 15 minutes on an idle 2-core machine (two lavaan bootstraps of 2,000 FIML
# refits, about 0.2 s each); the committed JSON took 48 minutes on a busy one.
#
# Missing answers (deterministic; `id` is the data set's pupil id, `ageyr` its age):
#   x2 missing when x1 < 4 and id %% 3 == 0     (depends on an observed item: MAR)
#   x5 missing when ageyr >= 14 and id %% 4 == 1
#   x9 missing when x7 > 5 and id %% 2 == 0      (MAR on x7)
#   x3 and x6 missing when id %% 13 == 0         (two answers missing at once)
#   x8 missing when id %% 17 == 5
# That leaves 202 complete and 99 incomplete rows (33%) in 14 missing-data patterns;
# x1, x4 and x7 are always observed, so no row is empty.
#
# Model: the three-factor CFA with textual -> visual -> speed mediation,
#   visual ~ a*textual; speed ~ b*visual + c*textual; ind := a*b; total := c + a*b
#
# What is computed
#   * full: sem(model, data, missing = "ml"): parameterEstimates(fit, standardized = TRUE)
#     rows (lhs, op, rhs, label, est, se, std_all), logl, converged, iterations.
#   * resamples: R_FIXED = 20 index sets, drawn with set.seed(SEED_IDX) as
#     sample.int(nrow(data), replace = TRUE) each (1-based, stored as `idx`), and for each
#     sem(model, data[idx, ], missing = "ml", se = "none") from lavaan's default starts:
#     `est` (every row of parameterEstimates, := rows included, in the order of `rows`),
#     `logl`, `converged`. This is what one bootstrap draw of lavaan computes (lavaan starts
#     it at the full-sample estimates; the optimum is the same).
#   * boot (per seed in SEEDS): set.seed(seed); sem(model, data, missing = "ml",
#     se = "bootstrap", bootstrap = B): per row se (bootstrap SD), ci_lower / ci_upper
#     (boot.ci.type = "perc"), bc_lower / bc_upper (boot.ci.type = "bca.simple"),
#     mc_se_ci_lower / mc_se_ci_upper (Monte Carlo SE of the percentile bound, as in
#     make_bootstrap_reference.R), and the counts successful / error_idx / nonadmissible,
#     plus the elapsed seconds.

suppressPackageStartupMessages(library(lavaan))

ref_dir <- file.path("tests", "reference")
if (!dir.exists(ref_dir)) {
  stop("Run this script from the repository root (tests/reference/ not found).")
}
data_dir <- file.path(ref_dir, "data")

B <- 2000L
R_FIXED <- 20L
SEED_IDX <- 20260201L
SEEDS <- c(20260202L, 20260203L)

model <- '
  visual =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed =~ x7 + x8 + x9
  visual ~ a*textual
  speed ~ b*visual + c*textual
  ind := a*b
  total := c + a*b
'

# ---------------------------------------------------------------------------
# Data with missing answers
# ---------------------------------------------------------------------------
hs <- read.csv(file.path("src", "loyaltysurvey", "datasets", "HolzingerSwineford1939.csv"))
x <- hs[, c("id", paste0("x", 1:9))]
id <- hs$id
x$x2[hs$x1 < 4 & id %% 3 == 0] <- NA
x$x5[hs$ageyr >= 14 & id %% 4 == 1] <- NA
x$x9[hs$x7 > 5 & id %% 2 == 0] <- NA
x$x3[id %% 13 == 0] <- NA
x$x6[id %% 13 == 0] <- NA
x$x8[id %% 17 == 5] <- NA
csv <- file.path(data_dir, "HolzingerSwineford1939_missing.csv")
write.csv(x, csv, row.names = FALSE, na = "")
data <- read.csv(csv)
stopifnot(identical(dim(data), dim(x)), all(is.na(data) == is.na(x)),
          max(abs(as.matrix(data) - as.matrix(x)), na.rm = TRUE) == 0)
N <- nrow(data)
pattern <- apply(is.na(data[, -1]), 1, function(r) paste(as.integer(r), collapse = ""))

num <- function(v) as.numeric(unlist(v))

# ---------------------------------------------------------------------------
# Full-sample FIML fit
# ---------------------------------------------------------------------------
full <- sem(model, data = data, missing = "ml")
pe <- parameterEstimates(full, standardized = TRUE)
rows <- lapply(seq_len(nrow(pe)), function(j) list(
  lhs = pe$lhs[j], op = pe$op[j], rhs = pe$rhs[j], label = pe$label[j],
  est = pe$est[j], se = pe$se[j], std_all = pe$std.all[j]))
key <- paste(pe$lhs, pe$op, pe$rhs)

# ---------------------------------------------------------------------------
# Fixed resamples
# ---------------------------------------------------------------------------
set.seed(SEED_IDX)
resamples <- lapply(seq_len(R_FIXED), function(r) {
  idx <- sample.int(N, replace = TRUE)
  fit <- sem(model, data = data[idx, ], missing = "ml", se = "none")
  p <- parameterEstimates(fit, se = FALSE)
  stopifnot(identical(paste(p$lhs, p$op, p$rhs), key))
  list(idx = I(as.integer(idx)), est = I(p$est), logl = num(fitMeasures(fit, "logl")),
       converged = lavInspect(fit, "converged"))
})

# ---------------------------------------------------------------------------
# lavaan's own bootstrap
# ---------------------------------------------------------------------------
mc_se_quantile <- function(t, p) {
  n <- length(t)
  if (n < 2L || diff(range(t)) == 0) return(0)
  d <- sqrt(p * (1 - p) / n)
  (quantile(t, min(1, p + d), names = FALSE, type = 7) -
     quantile(t, max(0, p - d), names = FALSE, type = 7)) / 2
}

# Draws of every parameterEstimates row (free rows from lavInspect(fit, "boot"), := rows
# through the model's def.function, fixed rows constant), failed draws removed.
row_draws <- function(fit, pe) {
  BOOT <- lavInspect(fit, "boot")
  err <- attr(BOOT, "error.idx")
  if (length(err) > 0L) BOOT <- BOOT[-err, , drop = FALSE]
  pt <- parTable(fit)
  m <- match(paste(pe$lhs, pe$op, pe$rhs), paste(pt$lhs, pt$op, pt$rhs))
  def.rows <- which(pt$op == ":=")
  D <- t(apply(BOOT, 1, fit@Model@def.function))
  out <- matrix(NA_real_, nrow(BOOT), nrow(pe))
  for (j in seq_len(nrow(pe))) {
    i <- m[j]
    if (pt$op[i] == ":=") out[, j] <- D[, match(i, def.rows)]
    else if (pt$free[i] > 0L) out[, j] <- BOOT[, pt$free[i]]
    else out[, j] <- pe$est[j]
  }
  out
}

boot <- lapply(SEEDS, function(seed) {
  cat("lavaan bootstrap, B =", B, "seed", seed, "...\n")
  set.seed(seed)
  st <- system.time(fit <- sem(model, data = data, missing = "ml", se = "bootstrap", bootstrap = B))
  perc <- parameterEstimates(fit, boot.ci.type = "perc")
  bc <- parameterEstimates(fit, boot.ci.type = "bca.simple")
  stopifnot(identical(paste(perc$lhs, perc$op, perc$rhs), key))
  BOOT <- lavInspect(fit, "boot")
  draws <- row_draws(fit, perc)
  cat("  ", st[["elapsed"]], "s\n")
  list(seed = as.integer(seed), B = B, seconds = num(st[["elapsed"]]),
       successful = as.integer(nrow(BOOT) - length(attr(BOOT, "error.idx"))),
       error_idx = as.integer(length(attr(BOOT, "error.idx"))),
       nonadmissible = as.integer(length(attr(BOOT, "nonadmissible"))),
       rows = lapply(seq_len(nrow(perc)), function(j) list(
         lhs = perc$lhs[j], op = perc$op[j], rhs = perc$rhs[j], se = perc$se[j],
         ci_lower = perc$ci.lower[j], ci_upper = perc$ci.upper[j],
         bc_lower = bc$ci.lower[j], bc_upper = bc$ci.upper[j],
         mc_se_ci_lower = mc_se_quantile(draws[, j], 0.025),
         mc_se_ci_upper = mc_se_quantile(draws[, j], 0.975))))
})

result <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan"))),
  notes = list(
    script = "tests/reference/make_fiml_bootstrap_reference.R",
    data = "tests/reference/data/HolzingerSwineford1939_missing.csv (id, x1..x9; empty cells missing)",
    idx = "1-based row numbers of the data, drawn with replacement (sample.int(N, replace = TRUE))",
    est = "parameterEstimates(fit)$est in the order of `rows` (lhs op rhs), := rows included",
    se = "bootstrap SD of the successful draws (lavaan parameterEstimates)",
    ci = "ci_*: boot.ci.type = 'perc' (95%); bc_*: boot.ci.type = 'bca.simple'",
    mc_se = "mc_se_ci_*: (q(p+d) - q(p-d))/2 with d = sqrt(p(1-p)/successful), p = 0.025/0.975"
  ),
  model_syntax = model,
  nobs = as.integer(N),
  incomplete = as.integer(sum(!complete.cases(data))),
  patterns = as.integer(length(unique(pattern))),
  full = list(logl = num(fitMeasures(full, "logl")), converged = lavInspect(full, "converged"),
              iterations = as.integer(lavInspect(full, "iterations")), rows = rows),
  seed_idx = SEED_IDX,
  resamples = resamples,
  boot = boot
)

out_file <- file.path(ref_dir, "fiml_bootstrap_reference.json")
source(file.path("tests", "reference", "json_writer.R"))
write_json_checked(result, out_file)
cat("wrote", out_file, "\n")

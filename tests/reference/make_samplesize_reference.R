# make_samplesize_reference.R
#
# Reference values for loyaltysurvey's sample-size and power figures
# (`loyaltysurvey samplesize`, loyaltysurvey.planning). Run from the repository root:
#
#     Rscript tests/reference/make_samplesize_reference.R
#
# Writes tests/reference/samplesize_reference.json (doubles with 17 significant digits,
# written and round-trip checked with json_writer.R). Deterministic (no random numbers);
# a second run gives a byte-identical file. Needs semTools (0.5.6), pwr (1.3.0) and
# jsonlite (only for the round-trip check). A few seconds.
#
# Quantities and the R function each comes from:
#   rmsea_power        semTools::findRMSEApower(rmsea0, rmseaA, df, n, alpha): MacCallum, Browne &
#                      Sugawara (1996) power of the RMSEA test, ncp = (n - 1) df rmsea^2; the
#                      critical value is qchisq(alpha, df, ncp0, lower.tail = FALSE) when
#                      rmsea0 < rmseaA (close fit, or exact fit with rmsea0 = 0), and
#                      qchisq(1 - alpha, df, ncp0, lower.tail = FALSE) otherwise (not-close fit).
#                      The critical value is recorded too (`crit`).
#   rmsea_samplesize   semTools::findRMSEAsamplesize(rmsea0, rmseaA, df, power, alpha): the first n
#                      of 5:500 (then 505:1000, 1005:1500, ...) whose power exceeds `power`.
#   f2_power           pwr::pwr.f2.test(u, v, f2, sig.level): power of the F test of R^2 (or of a
#                      set of u predictors), lambda = f2 (u + v + 1).
#   f2_v               pwr::pwr.f2.test(u, f2 = f2, sig.level, power): the denominator df v that
#                      gives `power`, found by uniroot with its default tolerance
#                      (.Machine$double.eps^0.25, about 1.2e-4) -> `v_pwr`; the same equation
#                      solved by uniroot with tol = 1e-12 -> `v_tight`.
#   f2_min             pwr::pwr.f2.test(u, v, sig.level, power): the smallest f2 that gives `power`
#                      (uniroot over (1e-7, 1e7) with its default tolerance -> `f2_pwr`; to 1e-14 -> `f2_tight`).
#   krejcie_morgan     Krejcie & Morgan (1970): s = X^2 N P (1 - P) / (d^2 (N - 1) + X^2 P (1 - P)),
#                      X^2 = qchisq(0.95, 1), P = 0.5, d = 0.05 (`s`, unrounded).
#   cochran            Cochran (1977): n0 = z^2 p q / e^2 with z = qnorm(1 - (1 - conf) / 2),
#                      and with the finite-population correction n = n0 / (1 + (n0 - 1) / N).

source("tests/reference/json_writer.R")
suppressPackageStartupMessages({
  library(semTools)
  library(pwr)
})

rmsea_pairs <- list(c(0.05, 0.08), c(0.05, 0.01), c(0, 0.05), c(0.05, 0.10), c(0.08, 0.05))
dfs <- c(2L, 8L, 24L, 50L, 100L, 264L)
ns <- c(50L, 100L, 200L, 500L)
alphas <- c(0.05, 0.01)

crit_value <- function(rmsea0, rmseaA, df, n, alpha) {
  ncp0 <- (n - 1) * df * rmsea0^2
  if (rmsea0 < rmseaA) qchisq(alpha, df, ncp = ncp0, lower.tail = FALSE)
  else qchisq(1 - alpha, df, ncp = ncp0, lower.tail = FALSE)
}

power_rows <- list()
for (pr in rmsea_pairs) for (df in dfs) for (n in ns) for (alpha in alphas) {
  power_rows[[length(power_rows) + 1]] <- list(
    rmsea0 = pr[1], rmseaA = pr[2], df = df, n = n, alpha = alpha,
    crit = crit_value(pr[1], pr[2], df, n, alpha),
    power = findRMSEApower(pr[1], pr[2], df, n, alpha))
}

size_rows <- list()
for (pr in rmsea_pairs[1:4]) for (df in dfs) for (power in c(0.8, 0.9)) for (alpha in alphas) {
  n <- findRMSEAsamplesize(pr[1], pr[2], df, power = power, alpha = alpha)
  size_rows[[length(size_rows) + 1]] <- list(
    rmsea0 = pr[1], rmseaA = pr[2], df = df, power = power, alpha = alpha,
    n = if (is.character(n)) n else as.integer(n))
}

f2_power_rows <- list()
for (u in c(1L, 2L, 4L, 10L)) for (v in c(20L, 50L, 100L, 300L)) for (f2 in c(0.02, 0.15, 0.35)) {
  f2_power_rows[[length(f2_power_rows) + 1]] <- list(
    u = u, v = v, f2 = f2, sig.level = 0.05, power = pwr.f2.test(u = u, v = v, f2 = f2, sig.level = 0.05)$power)
}

f2_v_rows <- list()
for (u in c(1L, 2L, 3L, 4L, 5L, 8L, 10L)) for (f2 in c(0.02, 0.15, 0.35)) for (power in c(0.8, 0.9)) {
  sig <- 0.05
  body <- function(v) {
    lambda <- f2 * (u + v + 1)
    pf(qf(sig, u, v, lower.tail = FALSE), u, v, lambda, lower.tail = FALSE) - power
  }
  f2_v_rows[[length(f2_v_rows) + 1]] <- list(
    u = u, f2 = f2, sig.level = sig, power = power,
    v_pwr = pwr.f2.test(u = u, f2 = f2, sig.level = sig, power = power)$v,
    v_tight = uniroot(body, c(1 + 1e-10, 1e+09), tol = 1e-12)$root)
}

f2_min_rows <- list()
for (u in c(1L, 4L, 8L)) for (v in c(30L, 100L, 250L)) for (power in c(0.8, 0.9)) {
  sig <- 0.05
  body <- function(f2) {
    lambda <- f2 * (u + v + 1)
    pf(qf(sig, u, v, lower.tail = FALSE), u, v, lambda, lower.tail = FALSE) - power
  }
  f2_min_rows[[length(f2_min_rows) + 1]] <- list(
    u = u, v = v, sig.level = sig, power = power,
    f2_pwr = pwr.f2.test(u = u, v = v, sig.level = sig, power = power)$f2,
    f2_tight = uniroot(body, c(1e-07, 1e+07), tol = 1e-14)$root)
}

populations <- c(10L, 50L, 100L, 500L, 1000L, 10000L, 100000L, 1000000L)
km_rows <- lapply(populations, function(N) {
  X2 <- qchisq(0.95, 1); P <- 0.5; d <- 0.05
  list(N = N, chi2 = X2, s = X2 * N * P * (1 - P) / (d^2 * (N - 1) + X2 * P * (1 - P)))
})

cochran_rows <- list()
for (conf in c(0.90, 0.95, 0.99)) for (e in c(0.03, 0.05, 0.10)) for (N in list(NULL, 500L, 10000L)) {
  z <- qnorm(1 - (1 - conf) / 2)
  n0 <- z^2 * 0.25 / e^2
  cochran_rows[[length(cochran_rows) + 1]] <- list(
    confidence = conf, margin = e, population = N, z = z, n0 = n0,
    n = if (is.null(N)) n0 else n0 / (1 + (n0 - 1) / N))
}

out <- list(
  versions = list(R = R.version.string, semTools = as.character(packageVersion("semTools")),
                  pwr = as.character(packageVersion("pwr"))),
  rmsea_power = power_rows,
  rmsea_samplesize = size_rows,
  f2_power = f2_power_rows,
  f2_v = f2_v_rows,
  f2_min = f2_min_rows,
  krejcie_morgan = km_rows,
  cochran = cochran_rows)

write_json_checked(out, "tests/reference/samplesize_reference.json")
cat("wrote tests/reference/samplesize_reference.json\n")

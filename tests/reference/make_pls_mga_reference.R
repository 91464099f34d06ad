# make_pls_mga_reference.R: seminr's PLS-MGA (estimate_pls_mga) and a permutation loop built on
# seminr's estimate_pls, for tests/test_pls_mga_reference.py.
#
# Run from the repository root:  Rscript tests/reference/make_pls_mga_reference.R
# Reads   ../shared/data/mobi.csv and ../shared/data/corp_rep.csv
# Writes  tests/reference/pls_mga_reference.json (doubles with 17 significant digits)
#
# Needs   seminr 2.3.2 (installed as pls_reference_NOTES.md says; for this file it was installed
#         into a private library, R_LIBS=/tmp/seminr_lib), jsonlite.
#
# Cases (both with mode A composites and seminr's defaults: path weighting, maxIt 300,
# stopCriterion 7):
#   mobi_parity   the ECSI model on mobi; group 1 = rows 1, 3, 5, ... (R's 1-based numbering,
#                 i.e. rows 0, 2, 4, ... counted from 0), group 2 = the other rows. mobi has no
#                 group column, so this documented split stands in for one.
#   corp_servicetype  Hair et al.'s simple corporate reputation model on corp_rep; group 1 =
#                 servicetype 1 (125 respondents), group 2 = servicetype 2 (219). The -99 codes
#                 are replaced by the POOLED item means before the split, as loyaltysurvey treats
#                 the pooled sample (seminr's estimate_pls_mga would replace them within each group).
#
# For each case:
#   * estimate_pls_mga(model, condition, nboot = NBOOT, cores = 1, seed = SEED): group betas,
#     difference, bootstrap means and the PLS-MGA p-value (one-sided, group 1 > group 2);
#   * each group's bootstrap_model() with the same nboot and seed (the ones estimate_pls_mga runs
#     inside), their path SDs (the bootstrap standard errors), and the PLS-MGA p recomputed from
#     them (checks that these are the resamples estimate_pls_mga used);
#   * the parametric (Keil et al., 2000) and Welch-Satterthwaite p-values from those SEs, with pt();
#   * MICOM's statistics of the observed groups from seminr's outer weights: c = cor(Z w1, Z w2) on
#     the pooled standardized data (Henseler, Ringle & Sarstedt, 2016), and the pooled model's
#     composite scores' mean difference and log variance ratio (group 1 vs group 2);
#   * NPERM random permutations of the group labels (set.seed(PERM_SEED); sample()), each group
#     re-estimated by seminr (rerun), giving permutation p-values of the path differences (share of
#     |perm| >= |observed|), of c (share of perm c <= observed c) and of the mean and log variance
#     differences (two-sided). seminr has no permutation test: this loop is the reference the batched
#     permutations are compared with, within Monte Carlo error.

suppressMessages(library(seminr))
library(jsonlite)

NBOOT <- 1000
SEED <- 123
NPERM <- 500
PERM_SEED <- 2024
data_dir <- file.path("..", "shared", "data")
out_file <- file.path("tests", "reference", "pls_mga_reference.json")

source(file.path("tests", "reference", "mobi_model.R"))   # mobi, mobi_mm, mobi_sm

corp_rep <- read.csv(file.path(data_dir, "corp_rep.csv"))
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
corp_items <- c(paste0("comp_", 1:3), paste0("like_", 1:3), "cusa", paste0("cusl_", 1:3))
corp <- corp_rep[, corp_items]
corp[corp == -99] <- NA
n_replaced <- sum(is.na(corp))
for (j in corp_items) corp[is.na(corp[, j]), j] <- mean(corp[, j], na.rm = TRUE)

quiet <- function(expr) suppressMessages(expr)

path_rows <- function(model) {
  sm <- model$smMatrix
  lapply(seq_len(nrow(sm)), function(k) unname(c(sm[k, "source"], sm[k, "target"])))
}

micom_stats <- function(X, w1, w2, wp, cond) {
  # X: pooled raw indicators; w*: outer weight matrices (items x constructs) of group 1, group 2, pooled
  Z <- scale(as.matrix(X[, rownames(wp)]))
  s1 <- Z %*% w1[rownames(wp), colnames(wp)]
  s2 <- Z %*% w2[rownames(wp), colnames(wp)]
  sp <- Z %*% wp
  sp <- scale(sp)
  c_val <- sapply(colnames(wp), function(k) cor(s1[, k], s2[, k]))
  mean_diff <- sapply(colnames(wp), function(k) mean(sp[cond, k]) - mean(sp[!cond, k]))
  log_var <- sapply(colnames(wp), function(k) log(var(sp[cond, k]) / var(sp[!cond, k])))
  list(c = c_val, mean_diff = mean_diff, log_var = log_var)
}

run_case <- function(X, mm, sm, cond) {
  pooled <- quiet(estimate_pls(data = X, measurement_model = mm, structural_model = sm))
  mga <- quiet(estimate_pls_mga(pooled, cond, nboot = NBOOT, cores = 1, seed = SEED))
  g1 <- quiet(rerun(pooled, data = X[cond, ]))
  g2 <- quiet(rerun(pooled, data = X[!cond, ]))
  b1 <- quiet(bootstrap_model(g1, nboot = NBOOT, cores = 1, seed = SEED))
  b2 <- quiet(bootstrap_model(g2, nboot = NBOOT, cores = 1, seed = SEED))
  n1 <- sum(cond); n2 <- sum(!cond)
  rows <- path_rows(pooled)
  paths <- lapply(seq_along(rows), function(k) {
    s <- rows[[k]][1]; t <- rows[[k]][2]
    d1 <- b1$boot_paths[s, t, ]; d2 <- b2$boot_paths[s, t, ]
    J <- min(length(d1), length(d2)); d1 <- d1[1:J]; d2 <- d2[1:J]
    grid <- expand.grid(d1, d2)
    p_again <- 1 - sum((2 * mean(d1) - grid[, 1] - 2 * mean(d2) + grid[, 2]) > 0) / J^2
    se1 <- sd(d1); se2 <- sd(d2)
    diff <- g1$path_coef[s, t] - g2$path_coef[s, t]
    df_p <- n1 + n2 - 2
    t_p <- diff / (sqrt((n1 - 1)^2 / df_p * se1^2 + (n2 - 1)^2 / df_p * se2^2) * sqrt(1 / n1 + 1 / n2))
    t_w <- diff / sqrt(se1^2 + se2^2)
    df_w <- (se1^2 + se2^2)^2 / (se1^4 / (n1 - 1) + se2^4 / (n2 - 1))
    list(from = s, to = t, group1_beta = mga[k, "group1_beta"], group2_beta = mga[k, "group2_beta"],
         diff = mga[k, "diff"], group1_beta_mean = mga[k, "group1_beta_mean"],
         group2_beta_mean = mga[k, "group2_beta_mean"], pls_mga_p = mga[k, "pls_mga_p"],
         pls_mga_p_from_group_boots = p_again, se1 = se1, se2 = se2,
         t_parametric = t_p, p_parametric = 2 * pt(-abs(t_p), df_p),
         t_welch = t_w, df_welch = df_w, p_welch = 2 * pt(-abs(t_w), df_w))
  })
  obs <- micom_stats(X, g1$outer_weights, g2$outer_weights, pooled$outer_weights, cond)
  diffs_obs <- sapply(rows, function(r) g1$path_coef[r[1], r[2]] - g2$path_coef[r[1], r[2]])
  set.seed(PERM_SEED)
  perm_diffs <- matrix(NA_real_, NPERM, length(rows))
  perm_c <- perm_m <- perm_v <- matrix(NA_real_, NPERM, ncol(pooled$outer_weights))
  for (r in seq_len(NPERM)) {
    pc <- sample(cond)
    p1 <- quiet(rerun(pooled, data = X[pc, ]))
    p2 <- quiet(rerun(pooled, data = X[!pc, ]))
    perm_diffs[r, ] <- sapply(rows, function(x) p1$path_coef[x[1], x[2]] - p2$path_coef[x[1], x[2]])
    st <- micom_stats(X, p1$outer_weights, p2$outer_weights, pooled$outer_weights, pc)
    perm_c[r, ] <- st$c; perm_m[r, ] <- st$mean_diff; perm_v[r, ] <- st$log_var
  }
  for (k in seq_along(paths)) {
    paths[[k]]$diff_observed <- diffs_obs[k]
    paths[[k]]$p_permutation <- mean(abs(perm_diffs[, k]) >= abs(diffs_obs[k]))
  }
  constructs <- colnames(pooled$outer_weights)
  micom <- setNames(lapply(seq_along(constructs), function(k) list(
    c = unname(obs$c[k]), c_p = mean(perm_c[, k] <= obs$c[k]), c_q05 = unname(quantile(perm_c[, k], 0.05)),
    mean_diff = unname(obs$mean_diff[k]), mean_p = mean(abs(perm_m[, k]) >= abs(obs$mean_diff[k])),
    var_ratio_log = unname(obs$log_var[k]), var_p = mean(abs(perm_v[, k]) >= abs(obs$log_var[k])))),
    constructs)
  list(n1 = n1, n2 = n2, nboot = NBOOT, seed = SEED, permutations = NPERM, perm_seed = PERM_SEED,
       boot_successful = c(dim(b1$boot_paths)[3], dim(b2$boot_paths)[3]), paths = paths, micom = micom)
}

started <- Sys.time()
result <- list(
  versions = list(R = R.version.string, seminr = as.character(packageVersion("seminr")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  cases = list(
    mobi_parity = run_case(mobi, mobi_mm, mobi_sm, seq_len(nrow(mobi)) %% 2 == 1),
    corp_servicetype = run_case(corp, corp_mm, corp_sm, corp_rep$servicetype == 1)
  ),
  corp_values_replaced = n_replaced
)
result$seconds <- as.numeric(difftime(Sys.time(), started, units = "secs"))

source(file.path("tests", "reference", "json_writer.R"))
write_json_checked(result, out_file)
cat("wrote", out_file, "in", round(result$seconds), "s\n")

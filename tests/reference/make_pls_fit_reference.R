# make_pls_fit_reference.R
#
# Reference values for the global fit of a PLS path model (loyaltysurvey.pls.global_fit):
# SRMR and NFI of the model-implied indicator correlation matrix, and Tenenhaus et al.'s GoF,
# computed by established code from seminr's own estimates. No installable package reports
# SmartPLS's SRMR/NFI for PLS (cSEM is not in Debian), so the implied matrix is handed to
# lavaan as a model whose every parameter is FIXED at seminr 2.3.2's estimates, and lavaan
# 0.6.14 computes the implied matrix, srmr and nfi of that model itself.
#
# Run from the repository root:
#
#     Rscript tests/reference/make_pls_fit_reference.R
#
# Reads   tests/reference/pls_reference.json (seminr's loadings, paths, construct
#         correlations and rhoA; written by make_pls_reference.R), ../shared/data/mobi.csv
#         and ../shared/data/corp_rep.csv
# Writes  tests/reference/pls_fit_reference.json (doubles with 17 significant digits)
# Needs   lavaan, jsonlite. Deterministic; a few seconds.
#
# The definition (SmartPLS's, after Henseler et al., 2014, and Dijkstra & Henseler, 2015),
# with lambda the outer loadings (PLSc's consistent loadings for reflective constructs):
#   * indicators a, b of different constructs i, j:  lambda_a Phi_ij lambda_b
#   * two indicators of a mode A / reflective construct: lambda_a lambda_b (common factor)
#   * two indicators of a mode B construct: their observed correlation (composite)
#   * unit diagonal: residual variance theta_a = 1 - lambda_a^2
#   Phi, the construct correlations:
#   * saturated model: the constructs' correlations (seminr's fl_criteria below the diagonal,
#     i.e. PLS score correlations; for PLSc divided by sqrt(rhoA_i rhoA_j), as seminr's PLSc)
#   * estimated model: exogenous constructs keep their correlations; each endogenous
#     construct is sum(beta * predecessors) + zeta with seminr's paths, and var(zeta) is set so
#     that the construct's implied variance is 1 (found by iterating lavaan's own implied
#     latent variances; equals 1 - R^2 when the predictors' correlations are reproduced).
# In lavaan: `C =~ l1*x1 + ...` (fixed loadings), `x ~~ theta*x`, mode B blocks get fixed
# residual covariances R_ab - lambda_a lambda_b, exogenous constructs `C ~~ 1*C` and fixed
# covariances, paths `E ~ b*C` and `E ~~ zeta*E`, all fixed, fitted with lavaan() (nothing
# added automatically) to the indicators' correlation matrix (sample.cov.rescale = FALSE, so
# lavaan's S is exactly R). With no free parameter lavaan computes no test statistic, so
# fitMeasures() refuses; the script calls the code fitMeasures itself uses instead:
#   srmr = lavaan:::lav_residuals_summary(fit, se = FALSE, unbiased = FALSE)[[1]]$srmr$cov
#          (Bentler's SRMR: residuals standardized by the observed SDs, here 1, over the
#          lower triangle with the diagonal)
#   nfi  = 1 - fit@optim$fx / lavaan:::lav_object_independence(fit)@optim$fx
#          (lavaan's ML objective, F_ML / 2, of the model and of the independence model
#          Sigma = diag(R) = I: SmartPLS's NFI = 1 - chi2 / chi2_null, the N factor cancels)
# The data: mobi as is; corp_rep with -99 as missing and each missing value replaced by the
# item's mean (seminr's mean_replacement), then cor().
#
# GoF: sqrt(mean communality x mean R^2), the mean communality over all indicators of
# blocks with more than one indicator that are mode A or reflective (Tenenhaus et al.,
# 2005), the mean R^2 over the endogenous constructs; from seminr's outer_loadings and
# r_squared.

suppressPackageStartupMessages(library(lavaan))
ref_dir <- file.path("tests", "reference")
if (!dir.exists(ref_dir)) stop("Run this script from the repository root (tests/reference/ not found).")
source(file.path(ref_dir, "json_writer.R"))
pls <- jsonlite::fromJSON(file.path(ref_dir, "pls_reference.json"), simplifyVector = FALSE)
data_dir <- file.path("..", "shared", "data")

mat <- function(e) {
  m <- do.call(rbind, lapply(e$matrix, function(r) vapply(r, function(v) if (is.null(v)) NA_real_ else v, 0)))
  dimnames(m) <- list(unlist(e$rows), unlist(e$cols))
  m
}
fx <- function(v) sprintf("%.17g", v)

run <- function(name, data, modes) {
  ref <- pls$models[[name]]
  L <- mat(ref$outer_loadings)
  B <- mat(ref$path_coef)                 # [from, to]
  FL <- mat(ref$fl_criteria)              # lower triangle: construct correlations
  cons <- colnames(L)
  items <- rownames(L)
  R <- cor(data[, items])
  C <- FL
  C[upper.tri(C)] <- t(FL)[upper.tri(FL)]
  diag(C) <- 1
  if (identical(ref$settings$plsc, TRUE)) {
    rel <- mat(ref$reliability)
    rhoA <- rel[cons, "rhoA"]
    C <- C / sqrt(outer(rhoA, rhoA))
    diag(C) <- 1
  }
  block <- lapply(cons, function(k) items[L[, k] != 0])
  names(block) <- cons
  lam <- vapply(items, function(i) sum(L[i, ]), 0)
  endo <- cons[colSums(B != 0) > 0]
  exo <- setdiff(cons, endo)

  syntax <- function(saturated, zeta) {
    lines <- character(0)
    for (k in cons) {
      lines <- c(lines, paste0(k, " =~ ", paste0(fx(lam[block[[k]]]), "*", block[[k]], collapse = " + ")))
      for (i in block[[k]]) lines <- c(lines, paste0(i, " ~~ ", fx(1 - lam[i]^2), "*", i))
      if (modes[[k]] == "B" && length(block[[k]]) > 1) {
        b <- block[[k]]
        for (a in seq_along(b)) for (c in seq_along(b)) if (a < c)
          lines <- c(lines, paste0(b[a], " ~~ ", fx(R[b[a], b[c]] - lam[b[a]] * lam[b[c]]), "*", b[c]))
      }
    }
    free_cons <- if (saturated) cons else exo
    for (k in free_cons) lines <- c(lines, paste0(k, " ~~ 1*", k))
    for (a in seq_along(free_cons)) for (c in seq_along(free_cons)) if (a < c)
      lines <- c(lines, paste0(free_cons[a], " ~~ ", fx(C[free_cons[a], free_cons[c]]), "*", free_cons[c]))
    if (!saturated) for (j in endo) {
      pr <- cons[B[, j] != 0]
      lines <- c(lines, paste0(j, " ~ ", paste0(fx(B[pr, j]), "*", pr, collapse = " + ")),
                 paste0(j, " ~~ ", fx(zeta[[j]]), "*", j))
    }
    paste(lines, collapse = "\n")
  }
  lav_srmr <- function(fit) lavaan:::lav_residuals_summary(fit, se = FALSE, unbiased = FALSE)[[1]]$srmr$cov
  lav_nfi <- function(fit) 1 - fit@optim$fx / lavaan:::lav_object_independence(fit)@optim$fx
  fit_fixed <- function(model) {
    lavaan(model, sample.cov = R, sample.nobs = nrow(data), sample.cov.rescale = FALSE,
           warn = FALSE)
  }
  # estimated model: iterate var(zeta) until lavaan's implied construct variances are 1
  zeta <- as.list(setNames(rep(0, length(endo)), endo))
  for (j in endo) zeta[[j]] <- 1 - ref$r_squared[[j]]
  for (it in 1:100) {
    fit <- fit_fixed(syntax(FALSE, zeta))
    v <- diag(lavInspect(fit, "cov.lv"))[endo]
    if (max(abs(v - 1)) < 1e-15) break
    for (j in endo) zeta[[j]] <- zeta[[j]] + (1 - v[[j]])
  }
  est <- fit
  sat <- fit_fixed(syntax(TRUE, NULL))
  comm <- unlist(lapply(cons, function(k)
    if (modes[[k]] %in% c("A", "R") && length(block[[k]]) > 1) lam[block[[k]]]^2 else NULL))
  r2 <- unlist(ref$r_squared)
  implied <- fitted(est)$cov[items, items]
  list(
    constructs = I(cons), modes = modes, n = nrow(data),
    estimated = list(srmr = lav_srmr(est), nfi = lav_nfi(est), npar = lavInspect(est, "npar"),
                     zeta = zeta, zeta_iterations = it,
                     max_abs_construct_variance_minus_1 = max(abs(diag(lavInspect(est, "cov.lv")) - 1)),
                     implied = list(names = I(items), matrix = lapply(seq_along(items), function(r) I(unname(implied[r, ]))))),
    saturated = list(srmr = lav_srmr(sat), nfi = lav_nfi(sat)),
    gof = list(gof = sqrt(mean(comm) * mean(r2)), mean_communality = mean(comm), mean_r2 = mean(r2),
               indicators = length(comm)))
}

mobi <- read.csv(file.path(data_dir, "mobi.csv"))
corp <- read.csv(file.path(data_dir, "corp_rep.csv"))
corp[corp == -99] <- NA
corp_items <- c("comp_1", "comp_2", "comp_3", "like_1", "like_2", "like_3", "cusa", "cusl_1", "cusl_2", "cusl_3")
for (i in corp_items) corp[[i]][is.na(corp[[i]])] <- mean(corp[[i]], na.rm = TRUE)

mobi_cons <- c("Image", "Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty")
all_modes <- function(cons, m) as.list(setNames(rep(m, length(cons)), cons))
models <- list(
  mobi = run("mobi", mobi, all_modes(mobi_cons, "A")),
  mobi_modeB = run("mobi_modeB", mobi, modifyList(all_modes(mobi_cons, "A"), list(Image = "B"))),
  mobi_plsc = run("mobi_plsc", mobi, all_modes(mobi_cons, "R")),
  corp_rep = run("corp_rep", corp, all_modes(c("COMP", "LIKE", "CUSA", "CUSL"), "A")))

result <- list(versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                               seminr_estimates = pls$versions$seminr),
               models = models)
out_file <- file.path(ref_dir, "pls_fit_reference.json")
write_json_checked(result, out_file)
cat("wrote", out_file, "\n")

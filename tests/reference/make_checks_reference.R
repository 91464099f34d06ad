# make_checks_reference.R
#
# Reference values for loyaltysurvey's measurement checks and construct-level tests
# (results.json keys "checks" and "construct_tests"). Run from the repository root:
#
#     Rscript tests/reference/make_checks_reference.R
#
# Writes tests/reference/checks_reference.json (doubles with 17 significant digits,
# written and round-trip checked with json_writer.R). Deterministic: no random numbers.
#
# Data sets (all public), items reverse-scored as min + max - x before anything else and
# construct scores taken as the mean of the answered items when at least half of the
# construct's items are answered (the chapter's construct scores):
#   bfi          tests/reference/data/bfi.csv (psych's bfi, 2800 rows, A1..O5; keys A1, C4, C5,
#                E1, E2, O2, O5 reversed as 7 - x; scale 1-6, midpoint 3.5). Has missing answers.
#   crm          tests/reference/data/crm_example_clean.csv (the bundled example as ingest cleans
#                it; KCF3, KM2, LOY4 reversed as 6 - x; scale 1-5, midpoint 3). Has missing answers.
#   hs           lavaan's HolzingerSwineford1939 x1..x9 (src/loyaltysurvey/datasets), visual,
#                textual, speed; midpoint 5 (the 0-10 scale of datasets.hs_questionnaire()).
#   hs40         its first 40 rows: n < 50 without ties, so wilcox.test takes its exact branch.
#   hs_holes     hs with cells (i, j) (1-based row i, column j) set to missing where
#                (7 i + 13 j) %% 17 == 0: missing by construction completely at random.
#
# Quantities and the R function each comes from (psych 2.2.9, lavaan 0.6.14, stats):
#   kmo          psych::KMO(items): MSA (overall) and MSAi (per item), on cor(use = "pairwise");
#                also per construct.
#   bartlett     psych::cortest.bartlett(items): n = nrow(items), R = cor(use = "pairwise");
#                chisq = -log det R (n - 1 - (2p + 5)/6), df = p(p - 1)/2; also per construct.
#   harman       psych::principal(items, nfactors = 1, rotate = "none"): first eigenvalue of the
#                pairwise correlation matrix over p (its "Proportion Var").
#   full_vif     Kock (2015): each construct score regressed with lm() on all the others
#                (complete cases of the construct scores), VIF = 1 / (1 - R^2).
#   mardia       psych::mardia(items, plot = FALSE) on the complete cases (na.omit), S with
#                divisor n - 1: b1p, b2p, skew = n b1p / 6, small.skew (with psych's small-sample
#                factor k), their chi-square p-values on p(p+1)(p+2)/6 df, kurtosis =
#                (b2p - p(p+2)) sqrt(n / (8p(p+2))) and its two-sided normal p-value.
#   missing      colSums(is.na(items)) and table(rowSums(is.na(items))).
#   mcar         Little's (1988) test computed here from its definition (no installable package
#                provides it): d2 = sum over missing-data patterns j of
#                n_j (ybar_j - mu_j)' Sigma_j^-1 (ybar_j - mu_j), df = sum_j p_j - p, with mu and
#                Sigma the ML (EM) estimates of the saturated normal model. `em` runs a base-R EM
#                (below) to a change below 1e-13; `d2_lavaan` uses lavaan's own EM estimates
#                (lavCor(missing = "ml", output = "fit"), then lavInspect(fit, "sampstat")) and is
#                recorded to show that both agree. Rows without any answer are left out.
#   one_sample   t.test(score, mu = midpoint) and wilcox.test(score, mu = midpoint) with R's
#                defaults (exact when n < 50 and there are neither ties nor zeros, otherwise the
#                normal approximation with tie and continuity correction; zeros dropped).
#   friedman     friedman.test(as.matrix(complete cases of the construct scores)); mean ranks =
#                colMeans of the within-row ranks.
suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
})
source(file.path("tests", "reference", "json_writer.R"))

reverse <- function(d, items, total) { for (i in items) d[[i]] <- total - d[[i]]; d }

scores_of <- function(d, blocks) {
  out <- lapply(blocks, function(items) {
    block <- as.matrix(d[, items, drop = FALSE])
    answered <- rowSums(!is.na(block))
    s <- rowMeans(block, na.rm = TRUE)
    s[answered < ceiling(length(items) / 2)] <- NA
    s
  })
  as.data.frame(out)
}

em_norm <- function(X, tol = 1e-13, maxit = 100000) {
  n <- nrow(X); p <- ncol(X)
  mu <- colMeans(X, na.rm = TRUE)
  sigma <- diag(apply(X, 2, var, na.rm = TRUE), p)
  key <- apply(!is.na(X), 1, function(r) paste(as.integer(r), collapse = ""))
  groups <- split(seq_len(n), key)
  for (it in seq_len(maxit)) {
    T1 <- numeric(p); T2 <- matrix(0, p, p)
    for (rows in groups) {
      Y <- X[rows, , drop = FALSE]
      o <- which(!is.na(Y[1, ])); m <- which(is.na(Y[1, ]))
      C <- matrix(0, p, p)
      if (length(m)) {
        B <- sigma[m, o, drop = FALSE] %*% solve(sigma[o, o, drop = FALSE])
        Y[, m] <- matrix(mu[m], length(rows), length(m), byrow = TRUE) +
          sweep(Y[, o, drop = FALSE], 2, mu[o]) %*% t(B)
        C[m, m] <- sigma[m, m, drop = FALSE] - B %*% sigma[o, m, drop = FALSE]
      }
      T1 <- T1 + colSums(Y)
      T2 <- T2 + crossprod(Y) + length(rows) * C
    }
    mu_new <- T1 / n
    sigma_new <- T2 / n - outer(mu_new, mu_new)
    change <- max(abs(mu_new - mu), abs(sigma_new - sigma))
    mu <- mu_new; sigma <- sigma_new
    if (change < tol) break
  }
  list(mu = mu, sigma = sigma, iterations = it)
}

little_d2 <- function(X, mu, sigma) {
  key <- apply(!is.na(X), 1, function(r) paste(as.integer(r), collapse = ""))
  d2 <- 0; df <- 0
  for (rows in split(seq_len(nrow(X)), key)) {
    o <- which(!is.na(X[rows[1], ]))
    diff <- colMeans(X[rows, o, drop = FALSE]) - mu[o]
    d2 <- d2 + length(rows) * drop(t(diff) %*% solve(sigma[o, o, drop = FALSE], diff))
    df <- df + length(o)
  }
  list(d2 = d2, df = df - ncol(X), patterns = length(unique(key)))
}

little <- function(items) {
  X <- as.matrix(items)
  X <- X[rowSums(!is.na(X)) > 0, , drop = FALSE]
  if (!anyNA(X)) return(list(chisq = NA_real_, df = 0L, pvalue = NA_real_, patterns = 1L))
  em <- em_norm(X)
  res <- little_d2(X, em$mu, em$sigma)
  fit <- lavCor(as.data.frame(X), missing = "ml", output = "fit")
  st <- lavInspect(fit, "sampstat")
  lv <- little_d2(X, as.numeric(st$mean), unclass(st$cov))
  list(chisq = res$d2, df = as.integer(res$df), pvalue = pchisq(res$d2, res$df, lower.tail = FALSE),
       patterns = as.integer(res$patterns), em_iterations = as.integer(em$iterations),
       d2_lavaan = lv$d2)
}

kmo_of <- function(items) {
  k <- KMO(items)
  list(overall = k$MSA, items = as.list(k$MSAi))
}

bartlett_of <- function(items) {
  b <- suppressMessages(cortest.bartlett(items))
  list(chisq = b$chisq, df = b$df, pvalue = b$p.value, n = nrow(items))
}

one_sample <- function(x, mid) {
  x <- x[!is.na(x)]
  tt <- t.test(x, mu = mid)
  ww <- wilcox.test(x, mu = mid)
  list(n = length(x), mean = mean(x), t = unname(tt$statistic), df = unname(tt$parameter),
       pvalue = tt$p.value, wilcoxon_v = unname(ww$statistic), wilcoxon_p = ww$p.value,
       wilcoxon_method = ww$method)
}

one_case <- function(d, blocks, mid) {
  items <- d[, unlist(blocks), drop = FALSE]
  sc <- scores_of(d, blocks)
  complete <- sc[complete.cases(sc), , drop = FALSE]
  vif <- lapply(names(blocks), function(cid) {
    r2 <- summary(lm(reformulate(setdiff(names(blocks), cid), cid), data = complete))$r.squared
    1 / (1 - r2)
  })
  names(vif) <- names(blocks)
  pc <- principal(items, nfactors = 1, rotate = "none")
  m <- mardia(items, plot = FALSE)
  fr <- friedman.test(as.matrix(complete))
  ranks <- t(apply(as.matrix(complete), 1, rank))
  n_missing <- rowSums(is.na(items))
  by_respondent <- table(n_missing)
  list(
    n = nrow(d),
    kmo = c(kmo_of(items), list(constructs = lapply(blocks, function(b) kmo_of(d[, b, drop = FALSE])))),
    bartlett = c(bartlett_of(items), list(constructs = lapply(blocks, function(b) bartlett_of(d[, b, drop = FALSE])))),
    harman = list(first_factor_share = pc$values[1] / ncol(items), eigenvalue = pc$values[1],
                  proportion_var = sum(pc$loadings[, 1]^2) / ncol(items)),
    full_vif = vif,
    mardia = list(n = m$n.obs, b1p = m$b1p, b2p = m$b2p, skew = m$skew, skew_p = m$p.skew,
                  small_skew = m$small.skew, small_skew_p = m$p.small, kurtosis = m$kurtosis,
                  kurtosis_p = m$p.kurt),
    missing = list(items = as.list(colSums(is.na(items))),
                   respondents = setNames(as.list(as.integer(by_respondent)), names(by_respondent))),
    mcar = little(items),
    one_sample = lapply(sc, one_sample, mid = mid),
    friedman = list(n = nrow(complete), chisq = unname(fr$statistic), df = unname(fr$parameter),
                    pvalue = fr$p.value, mean_ranks = as.list(colMeans(ranks)))
  )
}

bfi <- read.csv(file.path("tests", "reference", "data", "bfi.csv"))
bfi <- reverse(bfi, c("A1", "C4", "C5", "E1", "E2", "O2", "O5"), 7)
bfi_blocks <- lapply(setNames(nm = c("A", "C", "E", "N", "O")), function(s) paste0(s, 1:5))

crm <- read.csv(file.path("tests", "reference", "data", "crm_example_clean.csv"))
crm <- reverse(crm, c("KCF3", "KM2", "LOY4"), 6)
crm_blocks <- lapply(setNames(nm = c("KCF", "CRMO", "KM", "TECH", "SAT", "LOY")),
                     function(s) grep(paste0("^", s, "[0-9]$"), names(crm), value = TRUE))

hs <- read.csv(file.path("src", "loyaltysurvey", "datasets", "HolzingerSwineford1939.csv"))
hs_blocks <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
holes <- hs
for (j in 1:9) holes[[paste0("x", j)]][(7 * seq_len(nrow(hs)) + 13 * j) %% 17 == 0] <- NA

cases <- list(
  bfi = one_case(bfi, bfi_blocks, 3.5),
  crm = one_case(crm, crm_blocks, 3),
  hs = one_case(hs, hs_blocks, 5),
  hs40 = one_case(hs[1:40, ], hs_blocks, 5),
  hs_holes = one_case(holes, hs_blocks, 5)
)
versions <- list(R = R.version.string, psych = as.character(packageVersion("psych")),
                 lavaan = as.character(packageVersion("lavaan")))
write_json_checked(list(versions = versions, cases = cases),
                   file.path("tests", "reference", "checks_reference.json"))
cat("wrote tests/reference/checks_reference.json\n")

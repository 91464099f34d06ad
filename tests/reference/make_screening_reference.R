# make_screening_reference.R
#
# Reference values for loyaltysurvey's respondent screening (loyaltysurvey.ingest.screening),
# computed independently in R from the published definitions. Run from the repository root:
#
#     Rscript tests/reference/make_screening_reference.R
#
# Writes tests/reference/screening_reference.json (doubles with 17 significant digits, written
# and round-trip checked with json_writer.R). Deterministic: no random numbers.
#
# The careless package (Yentes & Wilhelm) is not installable here (CRAN unreachable, no Debian
# package r-cran-careless), so its two indices are computed as careless defines them:
#   longstring  careless::longstring(x): per row, the longest run of identical consecutive
#               answers, max(rle(row)$lengths) (Johnson, 2005); R's rle() never joins NAs, and
#               an NA run is never the longest in rows that have a run of 2 or more; rows whose
#               longest run is 1 are 1 in both. Rows without any answer do not occur here.
#   irv         careless::irv(x): apply(x, 1, sd, na.rm = TRUE), the standard deviation (divisor
#               n - 1) of each row's answered items (Dunn et al., 2018); NA with one answer.
# and the Mahalanobis distances as Tabachnick & Fidell (2013) use them:
#   d2          stats::mahalanobis(cc, colMeans(cc), cov(cc)) on the complete cases
#               cc = na.omit(items) (cov with divisor n - 1); NA for the other rows.
#   p           stats::pchisq(d2, df = ncol(items), lower.tail = FALSE).
# Flags with loyaltysurvey's default thresholds (row numbers, 1-based, as in the CSV):
#   longstring  longstring > ceiling(k / 2) - 1 (a run of half the items or more; Curran, 2016)
#   irv         irv <= 0 (no variation), among rows with at least two answers
#   outliers    p < .001
#
# Data sets (public):
#   crm   tests/reference/data/crm_example_clean.csv: the bundled example as ingest cleans it
#         (420 respondents, 25 items KCF1..LOY4 as answered, not reversed; missing answers).
#   bfi   tests/reference/data/bfi.csv: psych's bfi, 2800 rows, items A1..O5 (missing answers).
source(file.path("tests", "reference", "json_writer.R"))

screen_items <- function(x) {
  x <- as.matrix(x)
  k <- ncol(x)
  ls <- apply(x, 1, function(r) max(rle(r)$lengths))
  irv <- apply(x, 1, sd, na.rm = TRUE)
  complete <- stats::complete.cases(x)
  cc <- x[complete, , drop = FALSE]
  d2 <- rep(NA_real_, nrow(x))
  d2[complete] <- stats::mahalanobis(cc, colMeans(cc), stats::cov(cc))
  p <- stats::pchisq(d2, df = k, lower.tail = FALSE)
  answered <- rowSums(!is.na(x))
  list(
    k = k, n = nrow(x), n_complete = sum(complete),
    critical_d2 = stats::qchisq(0.001, df = k, lower.tail = FALSE),
    longstring = I(as.integer(ls)), irv = I(irv), d2 = I(d2), p = I(p),
    flagged = list(
      longstring = I(which(ls > ceiling(k / 2) - 1)),
      irv = I(which(answered >= 2 & !is.na(irv) & irv <= 0)),
      outliers = I(which(!is.na(p) & p < 0.001))))
}

crm <- read.csv(file.path("tests", "reference", "data", "crm_example_clean.csv"), stringsAsFactors = FALSE)
crm_items <- grep("^(KCF|CRMO|KM|TECH|SAT|LOY)[0-9]$", names(crm), value = TRUE)
bfi <- read.csv(file.path("tests", "reference", "data", "bfi.csv"))
bfi_items <- names(bfi)[1:25]

out <- list(
  versions = list(R = R.version.string),
  crm = c(list(items = I(crm_items), ids = I(crm$respondent_id)), screen_items(crm[, crm_items])),
  bfi = c(list(items = I(bfi_items)), screen_items(bfi[, bfi_items])))
write_json_checked(out, file.path("tests", "reference", "screening_reference.json"))
cat("wrote tests/reference/screening_reference.json\n")

# make_normality_reference.R
#
# Normality tests as theses report them, from R: Shapiro-Wilk (stats::shapiro.test) and
# Kolmogorov-Smirnov with the Lilliefors correction (nortest::lillie.test), on each item of
# the bundled example as loyaltysurvey ingest cleans it (reverse-worded items reversed,
# missing answers dropped per item) and on the construct scores (item means).
# Run from the repository root: Rscript tests/reference/make_normality_reference.R
suppressMessages(library(nortest))
d <- read.csv(file.path("tests", "reference", "data", "crm_example_clean.csv"))
items <- grep("^(KCF|CRMO|KM|TECH|SAT|LOY)[0-9]$", names(d), value = TRUE)
for (item in c("KCF3", "KM2", "LOY4")) d[[item]] <- 6 - d[[item]]
# Construct scores: the mean of the answered items when at least half are answered.
for (cid in c("KCF", "CRMO", "KM", "TECH", "SAT", "LOY")) {
  block <- d[, grep(paste0("^", cid, "[0-9]$"), names(d))]
  answered <- rowSums(!is.na(block))
  score <- rowMeans(block, na.rm = TRUE)
  score[answered < ceiling(ncol(block) / 2)] <- NA
  d[[paste0("score_", cid)]] <- score
}
items <- c(items, paste0("score_", c("KCF", "CRMO", "KM", "TECH", "SAT", "LOY")))
rows <- sapply(items, function(i) {
  x <- d[[i]][!is.na(d[[i]])]
  sw <- shapiro.test(x)
  ks <- lillie.test(x)
  sprintf('"%s": {"n": %d, "sw_w": %.17g, "sw_p": %.17g, "ks_d": %.17g, "ks_p": %.17g}', i, length(x),
          sw$statistic, sw$p.value, ks$statistic, ks$p.value)
})
# Nearly normal variables, so that large p-values (nortest's other branch) are covered too.
hs <- read.csv(file.path("src", "loyaltysurvey", "datasets", "HolzingerSwineford1939.csv"))
hs_rows <- sapply(paste0("x", 1:9), function(i) {
  x <- hs[[i]]
  sw <- shapiro.test(x)
  ks <- lillie.test(x)
  sprintf('"HS_%s": {"n": %d, "sw_w": %.17g, "sw_p": %.17g, "ks_d": %.17g, "ks_p": %.17g}', i, length(x),
          sw$statistic, sw$p.value, ks$statistic, ks$p.value)
})
rows <- c(rows, hs_rows)
writeLines(paste0('{"R": "', R.version.string, '", "nortest": "', packageVersion("nortest"), '", "items": {',
                  paste(rows, collapse = ", "), '}}'), file.path("tests", "reference", "normality_reference.json"))
cat("wrote tests/reference/normality_reference.json\n")

# make_pls_predict_reference.R
#
# PLSpredict reference values from seminr 2.3.2 (predict_pls with the direct-antecedent
# scheme, 10 folds, 10 repetitions) on the ECSI mobi model of make_pls_reference.R.
# Run from the repository root: Rscript tests/reference/make_pls_predict_reference.R
# Writes tests/reference/pls_predict_reference.json: out-of-sample RMSE and MAE per
# endogenous indicator for PLS and for seminr's linear-model benchmark.
suppressMessages(library(seminr))
source(file.path("tests", "reference", "mobi_model.R"))
model <- suppressMessages(estimate_pls(mobi, mobi_mm, mobi_sm))
out <- list()
for (seed in c(1, 2)) {
  set.seed(seed)
  pred <- predict_pls(model, technique = predict_DA, noFolds = 10, reps = 10)
  res <- pred$PLS_out_of_sample_residuals
  lmres <- pred$lm_out_of_sample_residuals
  items <- colnames(res)
  out[[length(out) + 1]] <- paste0('{"seed": ', seed, ', "items": {', paste(sapply(items, function(i) {
    sprintf('"%s": {"pls_rmse": %.17g, "pls_mae": %.17g, "lm_rmse": %.17g, "lm_mae": %.17g}', i,
            sqrt(mean(res[, i]^2)), mean(abs(res[, i])), sqrt(mean(lmres[, i]^2)), mean(abs(lmres[, i])))
  }), collapse = ", "), '}}')
}
writeLines(paste0('{"versions": {"seminr": "', packageVersion("seminr"), '", "R": "', R.version.string,
                  '"}, "runs": [', paste(out, collapse = ", "), ']}'),
           file.path("tests", "reference", "pls_predict_reference.json"))
cat("wrote tests/reference/pls_predict_reference.json\n")

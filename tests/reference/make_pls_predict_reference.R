# make_pls_predict_reference.R
#
# PLSpredict reference values from seminr 2.3.2 (predict_pls with the direct-antecedent
# scheme, 10 folds, 10 repetitions) on the ECSI mobi model of make_pls_reference.R.
# Run from the repository root: Rscript tests/reference/make_pls_predict_reference.R
# Writes tests/reference/pls_predict_reference.json: out-of-sample RMSE and MAE per
# endogenous indicator for PLS and for seminr's linear-model benchmark.
suppressMessages(library(seminr))
mobi <- read.csv(file.path("..", "shared", "data", "mobi.csv"))
mm <- constructs(
  composite("Image", multi_items("IMAG", 1:5)), composite("Expectation", multi_items("CUEX", 1:3)),
  composite("Quality", multi_items("PERQ", 1:7)), composite("Value", multi_items("PERV", 1:2)),
  composite("Satisfaction", multi_items("CUSA", 1:3)), composite("Complaints", single_item("CUSCO")),
  composite("Loyalty", multi_items("CUSL", 1:3)))
sm <- relationships(
  paths(from = "Image", to = c("Expectation", "Satisfaction", "Loyalty")),
  paths(from = "Expectation", to = c("Quality", "Value", "Satisfaction")),
  paths(from = "Quality", to = c("Value", "Satisfaction")),
  paths(from = "Value", to = "Satisfaction"),
  paths(from = "Satisfaction", to = c("Complaints", "Loyalty")),
  paths(from = "Complaints", to = "Loyalty"))
model <- suppressMessages(estimate_pls(mobi, mm, sm))
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

# make_pls_schemes_reference.R
#
# seminr 2.3.2 path coefficients and outer weights of the ECSI mobi model under the factorial
# inner weighting scheme (inner_weights = path_factorial); the path scheme is in pls_reference.json.
# Run from the repository root: Rscript tests/reference/make_pls_schemes_reference.R
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
model <- suppressMessages(estimate_pls(mobi, mm, sm, inner_weights = path_factorial))
pc <- model$path_coef
w <- model$outer_weights
paths <- c()
for (s in rownames(pc)) for (t in colnames(pc)) if (pc[s, t] != 0)
  paths <- c(paths, sprintf('{"from": "%s", "to": "%s", "est": %.17g}', s, t, pc[s, t]))
weights <- c()
for (i in rownames(w)) for (k in colnames(w)) if (w[i, k] != 0)
  weights <- c(weights, sprintf('{"item": "%s", "construct": "%s", "est": %.17g}', i, k, w[i, k]))
writeLines(paste0('{"seminr": "', packageVersion("seminr"), '", "scheme": "factorial", "paths": [',
                  paste(paths, collapse = ", "), '], "weights": [', paste(weights, collapse = ", "), ']}'),
           file.path("tests", "reference", "pls_schemes_reference.json"))
cat("wrote tests/reference/pls_schemes_reference.json\n")

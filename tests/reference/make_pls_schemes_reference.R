# make_pls_schemes_reference.R
#
# seminr 2.3.2 path coefficients and outer weights of the ECSI mobi model under the factorial
# inner weighting scheme (inner_weights = path_factorial); the path scheme is in pls_reference.json.
# Run from the repository root: Rscript tests/reference/make_pls_schemes_reference.R
suppressMessages(library(seminr))
source(file.path("tests", "reference", "mobi_model.R"))
model <- suppressMessages(estimate_pls(mobi, mobi_mm, mobi_sm, inner_weights = path_factorial))
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

# make_pls_observed_moderator_reference.R
#
# Reference values for loyaltysurvey's PLS-SEM moderation by an observed variable (an item or a
# demographic, issue 15): the observed moderator is a single-item composite, as seminr's
# single_item() makes it, and the interaction term is built by interaction_term() with each method.
#
# Run from the repository root (seminr 2.3.2 installed as tests/reference/pls_reference_NOTES.md
# explains; R_LIBS pointing at it when it is in a private library):
#
#     Rscript tests/reference/make_pls_observed_moderator_reference.R
#
# Data: seminr's mobi (../shared/data/mobi.csv, 250 rows), the column PERV1 (perceived value item 1,
# 1-10) playing the observed moderator, as a questionnaire's demographic would.
# Model: IMAG (IMAG1..5, mode A), CUSA (CUSA1..3, mode A), PERV1 = single_item("PERV1");
#   CUSA ~ IMAG + PERV1 + IMAG*PERV1, interaction_term(iv = "IMAG", moderator = "PERV1",
#   method = product_indicator | two_stage | orthogonal); path weighting scheme, seminr's defaults.
# Recorded per method: the path coefficients (summary(fit)$paths) and R² of CUSA, the outer
#   weights of IMAG.
suppressMessages({library(seminr); library(jsonlite)})
source(file.path("tests", "reference", "json_writer.R"))

mobi <- read.csv(file.path("..", "shared", "data", "mobi.csv"))
methods <- list(product_indicator = product_indicator, two_stage = two_stage, orthogonal = orthogonal)
out <- list(versions = list(R = R.version.string, seminr = as.character(packageVersion("seminr"))))
for (name in names(methods)) {
  mm <- constructs(
    composite("IMAG", multi_items("IMAG", 1:5)),
    composite("CUSA", multi_items("CUSA", 1:3)),
    composite("PERV1", single_item("PERV1")),
    interaction_term(iv = "IMAG", moderator = "PERV1", method = methods[[name]]))
  sm <- relationships(paths(from = c("IMAG", "PERV1", "IMAG*PERV1"), to = "CUSA"))
  fit <- suppressMessages(estimate_pls(mobi, mm, sm))
  paths <- fit$path_coef
  out[[name]] <- list(
    paths = list(IMAG = paths["IMAG", "CUSA"], PERV1 = paths["PERV1", "CUSA"],
                 interaction = paths["IMAG*PERV1", "CUSA"]),
    r2 = unname(summary(fit)$paths["R^2", "CUSA"]),
    weights_imag = as.list(fit$outer_weights[paste0("IMAG", 1:5), "IMAG"]))
}
# The same methods for two constructs (latent x latent): CUSA ~ IMAG + CUEX + IMAG*CUEX,
# CUEX = composite(CUEX1..3, mode A).
for (name in names(methods)) {
  mm <- constructs(
    composite("IMAG", multi_items("IMAG", 1:5)),
    composite("CUEX", multi_items("CUEX", 1:3)),
    composite("CUSA", multi_items("CUSA", 1:3)),
    interaction_term(iv = "IMAG", moderator = "CUEX", method = methods[[name]]))
  sm <- relationships(paths(from = c("IMAG", "CUEX", "IMAG*CUEX"), to = "CUSA"))
  fit <- suppressMessages(estimate_pls(mobi, mm, sm))
  paths <- fit$path_coef
  out$latent[[name]] <- list(
    paths = list(IMAG = paths["IMAG", "CUSA"], CUEX = paths["CUEX", "CUSA"],
                 interaction = paths["IMAG*CUEX", "CUSA"]),
    r2 = unname(summary(fit)$paths["R^2", "CUSA"]),
    sd_interaction_score = sd(fit$construct_scores[, "IMAG*CUEX"]))
}
write_json_checked(out, "tests/reference/pls_observed_moderator_reference.json")
cat("wrote tests/reference/pls_observed_moderator_reference.json\n")

# make_model_comparison_reference.R
#
# Reference values for loyaltysurvey's model comparison (analysis/comparison.py):
# fit measures of each model and lavaan's lavTestLRT() of the main model against
# each alternative, with lavTestLRT's default method (the plain chi-square
# difference under ML; the Satorra-Bentler 2001 scaled difference for the
# Yuan-Bentler (MLR) test, listwise and FIML).
#
# Run from the repository root:
#
#     Rscript tests/reference/make_model_comparison_reference.R
#
# Reads (written by the other reference scripts, not rewritten here)
#   src/loyaltysurvey/datasets/HolzingerSwineford1939.csv
#   tests/reference/data/HolzingerSwineford1939_missing.csv
#   tests/reference/data/PoliticalDemocracy.csv
#   tests/reference/data/crm_example_clean.csv   (bundled example, KCF3, KM2, LOY4 reversed as 6 - x)
# Writes
#   tests/reference/model_comparison_reference.json
#
# Cases (each: a main model and alternatives; lavTestLRT(main, alternative) per alternative)
#   hs_ml, hs_mlr          HolzingerSwineford1939 three-factor CFA vs "cross" (visual =~ x9)
#                          and "equal" (equal loadings of x2 and x3), ML / MLR, listwise
#   hs_fiml_ml, hs_fiml_mlr  the same on HolzingerSwineford1939_missing.csv, missing = "ml"
#   poldem_ml              Bollen's political democracy SEM with the equality labels vs
#                          "free" (no equality labels), ML
#   crm_ml, crm_mlr        the bundled example's model vs "partial" (plus LOY ~ the four
#                          CRM dimensions) and "direct_only" (the four dimensions -> LOY,
#                          no SAT -> LOY), ML / MLR, listwise
suppressMessages(library(lavaan))
source(file.path("tests", "reference", "json_writer.R"))

ref_dir <- file.path("tests", "reference")
hs <- read.csv(file.path("src", "loyaltysurvey", "datasets", "HolzingerSwineford1939.csv"))
hs_miss <- read.csv(file.path(ref_dir, "data", "HolzingerSwineford1939_missing.csv"), na.strings = "")
pd <- read.csv(file.path(ref_dir, "data", "PoliticalDemocracy.csv"))
crm <- read.csv(file.path(ref_dir, "data", "crm_example_clean.csv"), na.strings = "")
crm_reverse <- c("KCF3", "KM2", "LOY4")
for (it in crm_reverse) crm[[it]] <- 6 - crm[[it]]

hs_main <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
hs_alt <- list(cross = paste(hs_main, "visual =~ x9", sep = "\n"),
               equal = "visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9")
pd_meas <- "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + a*y2 + b*y3 + c*y4\ndem65 =~ y5 + a*y6 + b*y7 + c*y8"
pd_struct <- "dem60 ~ ind60\ndem65 ~ ind60 + dem60\ny1 ~~ y5\ny2 ~~ y4 + y6\ny3 ~~ y7\ny4 ~~ y8\ny6 ~~ y8"
pd_main <- paste(pd_meas, pd_struct, sep = "\n")
pd_alt <- list(free = paste("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem65 =~ y5 + y6 + y7 + y8",
                            pd_struct, sep = "\n"))
crm_meas <- paste("KCF =~ KCF1 + KCF2 + KCF3 + KCF4 + KCF5", "CRMO =~ CRMO1 + CRMO2 + CRMO3 + CRMO4",
                  "KM =~ KM1 + KM2 + KM3 + KM4", "TECH =~ TECH1 + TECH2 + TECH3 + TECH4",
                  "SAT =~ SAT1 + SAT2 + SAT3 + SAT4", "LOY =~ LOY1 + LOY2 + LOY3 + LOY4", sep = "\n")
crm_main <- paste(crm_meas, "SAT ~ h1*KCF + h2*CRMO + h3*KM + h4*TECH", "LOY ~ h5*SAT",
                  "ind_KCF := h1*h5", "ind_CRMO := h2*h5", "ind_KM := h3*h5", "ind_TECH := h4*h5", sep = "\n")
crm_alt <- list(
  partial = paste(crm_meas, "SAT ~ KCF + CRMO + KM + TECH", "LOY ~ SAT + KCF + CRMO + KM + TECH", sep = "\n"),
  direct_only = paste(crm_meas, "SAT ~ KCF + CRMO + KM + TECH", "LOY ~ KCF + CRMO + KM + TECH", sep = "\n"))

measures <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl", "npar", "ntotal")
robust_measures <- c("chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust")

fit_one <- function(model, data, estimator, missing) {
  sem(model, data = data, estimator = estimator, missing = missing)
}

model_json <- function(fit, syntax, estimator) {
  keys <- if (estimator == "MLR") c(measures, robust_measures) else measures
  fm <- fitMeasures(fit, keys)
  list(syntax = syntax, converged = lavInspect(fit, "converged"),
       fit = as.list(setNames(as.numeric(fm), gsub(".", "_", names(fm), fixed = TRUE))))
}

lrt_json <- function(main_fit, alt_fit, alt_name) {
  tab <- suppressWarnings(lavTestLRT(main_fit, alt_fit, model.names = c("model", alt_name)))
  out <- list(order = I(rownames(tab)), Df = I(as.numeric(tab$Df)), AIC = I(as.numeric(tab$AIC)),
              BIC = I(as.numeric(tab$BIC)), Chisq = I(as.numeric(tab$Chisq)),
              chisq_diff = as.numeric(tab[["Chisq diff"]][2]), df_diff = as.numeric(tab[["Df diff"]][2]),
              pvalue = as.numeric(tab[["Pr(>Chisq)"]][2]),
              method = attr(tab, "heading"))
  if ("RMSEA" %in% names(tab)) out$rmsea_diff <- as.numeric(tab$RMSEA[2])
  out
}

run_case <- function(main, alts, data, estimator, missing, data_note) {
  main_fit <- fit_one(main, data, estimator, missing)
  models <- list(model = model_json(main_fit, main, estimator))
  tests <- list()
  for (nm in names(alts)) {
    alt_fit <- fit_one(alts[[nm]], data, estimator, missing)
    models[[nm]] <- model_json(alt_fit, alts[[nm]], estimator)
    tests[[nm]] <- lrt_json(main_fit, alt_fit, nm)
  }
  list(estimator = estimator, missing = missing, data = data_note,
       call = sprintf("sem(model, data, estimator = \"%s\", missing = \"%s\"); lavTestLRT(main, alternative)",
                      estimator, missing),
       models = models, tests = tests)
}

cases <- list(
  hs_ml = run_case(hs_main, hs_alt, hs, "ML", "listwise", "src/loyaltysurvey/datasets/HolzingerSwineford1939.csv"),
  hs_mlr = run_case(hs_main, hs_alt, hs, "MLR", "listwise", "src/loyaltysurvey/datasets/HolzingerSwineford1939.csv"),
  hs_fiml_ml = run_case(hs_main, hs_alt, hs_miss, "ML", "ml", "tests/reference/data/HolzingerSwineford1939_missing.csv"),
  hs_fiml_mlr = run_case(hs_main, hs_alt, hs_miss, "MLR", "ml", "tests/reference/data/HolzingerSwineford1939_missing.csv"),
  poldem_ml = run_case(pd_main, pd_alt, pd, "ML", "listwise", "tests/reference/data/PoliticalDemocracy.csv"),
  crm_ml = run_case(crm_main, crm_alt, crm, "ML", "listwise",
                    "tests/reference/data/crm_example_clean.csv, KCF3 KM2 LOY4 reversed as 6 - x"),
  crm_mlr = run_case(crm_main, crm_alt, crm, "MLR", "listwise",
                     "tests/reference/data/crm_example_clean.csv, KCF3 KM2 LOY4 reversed as 6 - x"))

result <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan"))),
  script = "tests/reference/make_model_comparison_reference.R",
  cases = cases)
writeLines(to_json(result), file.path(ref_dir, "model_comparison_reference.json"))
cat("wrote", file.path(ref_dir, "model_comparison_reference.json"), "\n")

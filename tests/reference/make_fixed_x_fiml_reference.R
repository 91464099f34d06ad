# make_fixed_x_fiml_reference.R
#
# Reference values for loyaltysurvey's FIML with an observed exogenous covariate (lavaan's fixed.x:
# the covariate's variance and mean are fixed at the sample's; src/loyaltysurvey/sem/sem_fit.py
# _fixed_x, src/loyaltysurvey/sem/multigroup.py _group_table), with one group and by school.
#
# Run from the repository root:
#
#     Rscript tests/reference/make_fixed_x_fiml_reference.R
#
# Data: src/loyaltysurvey/datasets/HolzingerSwineford1939.csv (lavaan's data set), the covariate
# ageyr (complete, mean about 13), x1..x6 blanked in a fixed pattern (rows numbered from 1: every
# 6th x2, every 9th x4, rows 10..29 x6).
# Model: visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; visual ~ ageyr; textual ~ ageyr + visual.
# Fits: sem(model, missing = "ml") (and estimator = "MLR"), sem(model, missing = "ml",
# group = "school"), and sem(model) listwise, alone and with group = "school". Recorded: fitMeasures (chisq,
# df, cfi, tli, rmsea, srmr, logl, baseline.chisq) and parameterEstimates (the blanked data in every fit;
# listwise drops its incomplete rows) (lhs, op, rhs, group, est, se).
suppressMessages({library(lavaan); library(jsonlite)})
source(file.path("tests", "reference", "json_writer.R"))
hs <- read.csv("src/loyaltysurvey/datasets/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
rows <- seq_len(nrow(hs))
hs$x2[rows %% 6 == 0] <- NA
hs$x4[rows %% 9 == 0] <- NA
hs$x6[rows >= 10 & rows <= 29] <- NA
model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr\ntextual ~ ageyr + visual"
keys <- c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "logl", "baseline.chisq")
record <- function(fit) {
  pe <- parameterEstimates(fit)
  list(fit = as.list(fitMeasures(fit, keys)),
       estimates = list(lhs = I(pe$lhs), op = I(pe$op), rhs = I(pe$rhs),
                        group = I(if (is.null(pe$group)) rep(1L, nrow(pe)) else as.integer(pe$group)),
                        est = I(pe$est), se = I(pe$se)))
}
ref <- list(versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan"))),
            model = model,
            fiml = record(sem(model, data = hs, missing = "ml")),
            fiml_mlr = record(sem(model, data = hs, missing = "ml", estimator = "MLR")),
            fiml_groups = record(sem(model, data = hs, missing = "ml", group = "school")),
            listwise = record(sem(model, data = hs)),
            listwise_groups = record(sem(model, data = hs, group = "school")))
write_json_checked(ref, "tests/reference/fixed_x_fiml_reference.json")
cat("wrote tests/reference/fixed_x_fiml_reference.json\n")

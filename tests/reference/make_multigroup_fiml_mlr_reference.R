# make_multigroup_fiml_mlr_reference.R
#
# Reference values for loyaltysurvey's multigroup CFA with FIML and MLR together
# (src/loyaltysurvey/sem/multigroup.py: robust standard errors, the Yuan-Bentler scaled test and
# the robust fit measures under missing data, summed over groups).
#
# Run from the repository root:
#
#     Rscript tests/reference/make_multigroup_fiml_mlr_reference.R
#
# Reads tests/reference/data/bfi.csv (psych's bfi, written by make_sem_reference.R), as the
# Python tests do. Writes tests/reference/multigroup_fiml_mlr_reference.json (17 significant digits).
#
# Fits: cfa(AC, bfi rows with a gender (A1, C4, C5 reversed as 7 - x), group = "gender",
# estimator = "MLR", missing = "ml") with group.equal configural = none, metric = "loadings",
# scalar = c("loadings", "intercepts"), strict = c("loadings", "intercepts", "residuals");
# the same on HolzingerSwineford1939 by school with x1..x9 blanked in a fixed pattern (every
# 7th row x1, every 5th row x5, every 11th row x9, rows 1..20 x3). Recorded per fit:
# fitMeasures(fit), parameterEstimates(fit) (group, lhs, op, rhs, est, se), nobs per group;
# lavTestLRT between consecutive levels (method "satorra.bentler.2001", lavaan's default under MLR).
suppressMessages({library(lavaan); library(jsonlite)})
source("tests/reference/json_writer.R")

bfi <- read.csv("tests/reference/data/bfi.csv", na.strings = "", stringsAsFactors = FALSE)
hs <- read.csv("src/loyaltysurvey/datasets/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
AC <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
ac_items <- c(paste0("A", 1:5), paste0("C", 1:5))
bfi_ac <- bfi[!is.na(bfi$gender), c(ac_items, "gender")]
for (v in c("A1", "C4", "C5")) bfi_ac[[v]] <- 7 - bfi_ac[[v]]
rows <- seq_len(nrow(hs))
hs$x1[rows %% 7 == 0] <- NA
hs$x5[rows %% 5 == 0] <- NA
hs$x9[rows %% 11 == 0] <- NA
hs$x3[rows <= 20] <- NA

LEVELS <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
               strict = c("loadings", "intercepts", "residuals"))

record <- function(fit) {
  pe <- parameterEstimates(fit)
  fm <- fitMeasures(fit)
  list(nobs = as.list(setNames(as.numeric(lavInspect(fit, "nobs")), lavInspect(fit, "group.label"))),
       npar = as.numeric(fit@Fit@npar),
       fit = as.list(setNames(as.numeric(fm), names(fm))),
       estimates = list(group = I(as.integer(pe$group)), lhs = I(pe$lhs), op = I(pe$op), rhs = I(pe$rhs),
                        est = I(pe$est), se = I(pe$se)))
}

lrt <- function(a, b) {
  t <- lavTestLRT(a, b)
  list(chisq_diff = t[["Chisq diff"]][2], df_diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2])
}

sequence <- function(model, data, group) {
  fits <- lapply(LEVELS, function(eq) cfa(model, data = data, group = group, group.equal = eq,
                                           estimator = "MLR", missing = "ml"))
  out <- list(levels = lapply(fits, record), lrt = list())
  for (i in 2:length(fits)) out$lrt[[names(fits)[i]]] <- lrt(fits[[i - 1]], fits[[i]])
  out
}

ref <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan"))),
  models = list(AC = AC, HS3 = HS3),
  bfi_fiml_mlr = sequence(AC, bfi_ac, "gender"),
  hs_fiml_mlr = sequence(HS3, hs, "school")
)
write_json_checked(ref, "tests/reference/multigroup_fiml_mlr_reference.json")
cat("wrote tests/reference/multigroup_fiml_mlr_reference.json\n")

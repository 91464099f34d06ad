# make_invariance_reference.R
#
# Reference values for loyaltysurvey's multigroup CFA/SEM and measurement invariance
# (src/loyaltysurvey/sem/multigroup.py, src/loyaltysurvey/analysis/invariance.py).
#
# Run from the repository root:
#
#     Rscript tests/reference/make_invariance_reference.R
#
# Reads the data the Python tests read (bit-identical inputs):
#   src/loyaltysurvey/datasets/HolzingerSwineford1939.csv   lavaan's data set (301 rows)
#   tests/reference/data/bfi.csv                            psych's bfi (written by
#                                                           make_sem_reference.R)
# Writes tests/reference/invariance_reference.json (doubles with 17 significant digits).
#
# Fits (lavaan defaults: estimator ML, likelihood "normal", expected information,
# meanstructure switched on by the groups):
#   hs_ml   cfa(HS3, HolzingerSwineford1939, group = "school") with group.equal
#           configural = none, metric = "loadings", scalar = c("loadings", "intercepts"),
#           strict = c("loadings", "intercepts", "residuals"); plus scalar_partial with
#           group.partial = c("x3~1", "x7~1") and metric_partial with
#           group.partial = "visual=~x2"
#   hs_mlr  the same four levels with estimator = "MLR" (Yuan-Bentler, observed information)
#   bfi_ml  cfa(AC, bfi complete cases on A1..A5, C1..C5, gender), group = "gender"
#           (1 = male, 2 = female), A1, C4, C5 reversed as 7 - x; the four levels
#   bfi_fiml the bfi sequence with missing = "ml" (FIML) on every row with a gender (rows with no
#           answer to the ten items are dropped by lavaan itself)
#   hs_sem  sem(HS3 + "speed ~ visual + textual", group = "school") with group.equal =
#           "loadings" (free) and c("loadings", "regressions") (constrained), and
#           c("loadings") plus the single path speed ~ visual labelled equal
# Recorded per fit: fitMeasures(fit) (every measure), parameterEstimates(fit) rows
# (group, lhs, op, rhs, est, se), lavInspect(fit, "nobs") per group, npar; per sequence
# lavTestLRT between consecutive levels; for hs_sem also the MLR lavTestLRT of the one-path model
# (lrt_visual_mlr, Satorra-Bentler 2001), also lavTestWald of each path's equality
# (the free model with the paths labelled c(b1, b2) and c(c1, c2)), and (Chisq diff, Df diff, Pr(>Chisq)); under MLR
# lavTestLRT's default method "satorra.bentler.2001".
suppressMessages({library(lavaan); library(jsonlite)})
source("tests/reference/json_writer.R")

hs <- read.csv("src/loyaltysurvey/datasets/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
bfi <- read.csv("tests/reference/data/bfi.csv", na.strings = "", stringsAsFactors = FALSE)

HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
AC <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
ac_items <- c(paste0("A", 1:5), paste0("C", 1:5))
bfi_ac <- bfi[complete.cases(bfi[, c(ac_items, "gender")]), c(ac_items, "gender")]
for (v in c("A1", "C4", "C5")) bfi_ac[[v]] <- 7 - bfi_ac[[v]]
bfi_ac_missing <- bfi[!is.na(bfi$gender), c(ac_items, "gender")]
for (v in c("A1", "C4", "C5")) bfi_ac_missing[[v]] <- 7 - bfi_ac_missing[[v]]

LEVELS <- list(configural = "", metric = "loadings",
               scalar = c("loadings", "intercepts"),
               strict = c("loadings", "intercepts", "residuals"))

record <- function(fit) {
  pe <- parameterEstimates(fit)
  fm <- fitMeasures(fit)
  list(
    nobs = as.list(setNames(as.numeric(lavInspect(fit, "nobs")), lavInspect(fit, "group.label"))),
    npar = as.numeric(fit@Fit@npar),
    fit = as.list(setNames(as.numeric(fm), names(fm))),
    estimates = list(group = I(as.integer(pe$group)), lhs = I(pe$lhs), op = I(pe$op), rhs = I(pe$rhs),
                     est = I(pe$est), se = I(pe$se))
  )
}

lrt <- function(a, b) {
  t <- lavTestLRT(a, b)
  list(chisq_diff = t[["Chisq diff"]][2], df_diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2])
}

sequence <- function(model, data, group, estimator = "ML", partial = list(), missing = "listwise") {
  fits <- lapply(LEVELS, function(eq) cfa(model, data = data, group = group, group.equal = eq,
                                           estimator = estimator, missing = missing))
  out <- list(levels = lapply(fits, record), lrt = list())
  for (i in 2:length(fits)) out$lrt[[names(fits)[i]]] <- lrt(fits[[i - 1]], fits[[i]])
  for (name in names(partial)) {
    spec <- partial[[name]]
    f <- cfa(model, data = data, group = group, group.equal = spec$equal, group.partial = spec$partial,
             estimator = estimator)
    out$partial[[name]] <- c(record(f), list(group_equal = I(spec$equal), group_partial = I(spec$partial),
                                             lrt_vs_previous = lrt(fits[[spec$previous]], f)))
  }
  out
}

ref <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                  semTools = as.character(packageVersion("semTools"))),
  models = list(HS3 = HS3, AC = AC),
  hs_ml = sequence(HS3, hs, "school", partial = list(
    scalar_partial = list(equal = c("loadings", "intercepts"), partial = c("x3~1", "x7~1"), previous = "metric"),
    metric_partial = list(equal = "loadings", partial = "visual=~x2", previous = "configural"))),
  hs_mlr = sequence(HS3, hs, "school", estimator = "MLR"),
  bfi_ml = sequence(AC, bfi_ac, "gender"),
  bfi_fiml = sequence(AC, bfi_ac_missing, "gender", missing = "ml")
)

SEM3 <- paste(HS3, "speed ~ visual + textual", sep = "\n")
free <- sem(SEM3, data = hs, group = "school", group.equal = "loadings")
eq_all <- sem(SEM3, data = hs, group = "school", group.equal = c("loadings", "regressions"))
eq_one <- sem(paste(HS3, "speed ~ c(b1, b1)*visual + textual", sep = "\n"), data = hs, group = "school",
              group.equal = "loadings")
labelled <- sem(paste(HS3, "speed ~ c(b1, b2)*visual + c(c1, c2)*textual", sep = "\n"), data = hs,
                group = "school", group.equal = "loadings")
wald <- function(con) { w <- lavTestWald(labelled, constraints = con)
  list(chisq = unname(w$stat), df = unname(w$df), pvalue = unname(w$p.value)) }
ref$hs_sem <- list(model = SEM3, free = record(free), regressions_equal = record(eq_all),
                   wald_visual = wald("b1 == b2"), wald_textual = wald("c1 == c2"),
                   visual_equal = record(eq_one), lrt_regressions = lrt(free, eq_all),
                   lrt_visual = lrt(free, eq_one))
free_mlr <- sem(SEM3, data = hs, group = "school", group.equal = "loadings", estimator = "MLR")
eq_one_mlr <- sem(paste(HS3, "speed ~ c(b1, b1)*visual + textual", sep = "\n"), data = hs, group = "school",
                  group.equal = "loadings", estimator = "MLR")
ref$hs_sem$lrt_visual_mlr <- lrt(free_mlr, eq_one_mlr)
write_json_checked(ref, "tests/reference/invariance_reference.json")
cat("wrote tests/reference/invariance_reference.json\n")

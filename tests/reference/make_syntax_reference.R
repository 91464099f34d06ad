# make_syntax_reference.R: what lavaan does with the syntax cases of tests/test_syntax_reference.py.
#
# Run from the repository root:  Rscript tests/reference/make_syntax_reference.R
# Writes tests/reference/syntax_reference.json. Needs R with lavaan and jsonlite
# (Debian: apt-get install r-base-core r-cran-lavaan r-cran-jsonlite).
#
# Data: lavaan's HolzingerSwineford1939 (also src/loyaltysurvey/datasets/).
# Cases (lavaan 0.6 defaults, cfa(), ML, listwise):
#   equal_labels   a == b between two loadings (reparameterised: one parameter)
#   fixed_label    a == 0.5 (the loading held at 0.5)
#   free_first     NA*x1 frees the first loading; visual ~~ 1*visual sets the scale
#   duplicate      the same loading written twice: lavaan refuses it (its error text is recorded)
#   self_regress   y ~ y: lavaan refuses it (its error text is recorded)
source(file.path("tests", "reference", "json_writer.R"))
suppressPackageStartupMessages(library(lavaan))
data("HolzingerSwineford1939", package = "lavaan", envir = environment())

cases <- list(
  equal_labels = "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\na == b",
  fixed_label = "visual =~ x1 + a*x2 + x3\ntextual =~ x4 + x5 + x6\na == 0.5",
  free_first = "visual =~ NA*x1 + x2 + x3\nvisual ~~ 1*visual\ntextual =~ x4 + x5 + x6",
  duplicate = "visual =~ x1 + x2 + x3\nvisual =~ x2\ntextual =~ x4 + x5 + x6",
  self_regress = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nx1 ~ x1"
)

fit_case <- function(syntax) {
  fit <- tryCatch(cfa(syntax, data = HolzingerSwineford1939), error = function(e) e)
  if (inherits(fit, "error")) return(list(model_syntax = syntax, error = conditionMessage(fit)))
  pe <- parameterEstimates(fit)
  fm <- fitMeasures(fit, c("chisq", "df", "npar", "cfi", "rmsea"))
  list(model_syntax = syntax,
       fit = as.list(unclass(fm)),
       estimates = lapply(seq_len(nrow(pe)), function(i)
         list(lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], est = pe$est[i], se = pe$se[i])))
}

out <- list(versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan"))),
            cases = lapply(cases, fit_case))
write_json_checked(out, file.path("tests", "reference", "syntax_reference.json"))
cat("wrote tests/reference/syntax_reference.json\n")

# make_cb_bootstrap_reference.R
#
# Bootstrap reference values from lavaan for loyaltysurvey's CB-SEM bootstrap.
# Run from the repository root:  Rscript tests/reference/make_cb_bootstrap_reference.R
# Writes tests/reference/cb_bootstrap_reference.json (doubles with 17 significant digits).
#
# For each model: sem(..., se = "bootstrap", bootstrap = 2000) with set.seed(seed), then
# parameterEstimates(fit, boot.ci.type = "perc") for est, se (bootstrap SD), ci.lower, ci.upper,
# and parameterEstimates(fit, boot.ci.type = "bca.simple") for the bias-corrected bounds.
# The number of successful draws is nrow(lavInspect(fit, "boot")). The PoliticalDemocracy model
# is bootstrapped with two seeds so that tests can see the Monte Carlo spread of the bounds.

suppressMessages(library(lavaan))

num <- function(x) {
  if (length(x) == 0 || is.null(x) || is.na(x)) return("null")
  if (is.infinite(x)) return("null")
  sprintf("%.17g", x)
}
str_json <- function(x) paste0('"', gsub('"', '\\\\"', x), '"')

rows_json <- function(perc, bc) {
  out <- character(0)
  for (i in seq_len(nrow(perc))) {
    out <- c(out, paste0("{", paste(
      paste0('"lhs": ', str_json(perc$lhs[i])), paste0('"op": ', str_json(perc$op[i])),
      paste0('"rhs": ', str_json(perc$rhs[i])), paste0('"label": ', str_json(perc$label[i])),
      paste0('"est": ', num(perc$est[i])), paste0('"se": ', num(perc$se[i])),
      paste0('"ci_lower": ', num(perc$ci.lower[i])), paste0('"ci_upper": ', num(perc$ci.upper[i])),
      paste0('"bc_lower": ', num(bc$ci.lower[i])), paste0('"bc_upper": ', num(bc$ci.upper[i])),
      sep = ", "), "}"))
  }
  paste0("[", paste(out, collapse = ",\n  "), "]")
}

run <- function(model, data, seed, B = 2000) {
  set.seed(seed)
  elapsed <- system.time(fit <- sem(model, data = data, se = "bootstrap", bootstrap = B))[["elapsed"]]
  perc <- parameterEstimates(fit, boot.ci.type = "perc")
  bc <- parameterEstimates(fit, boot.ci.type = "bca.simple")
  boot <- lavInspect(fit, "boot")
  paste0("{", paste(
    paste0('"seed": ', seed), paste0('"B": ', B), paste0('"successful": ', nrow(boot)),
    paste0('"seconds": ', num(elapsed)), paste0('"rows": ', rows_json(perc, bc)), sep = ", "), "}")
}

poldem_model <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a1*y2 + b1*y3 + c1*y4
  dem65 =~ y5 + a1*y6 + b1*y7 + c1*y8
  dem60 ~ a*ind60
  dem65 ~ ind60 + b*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  ind := a*b
'
poldem <- read.csv(file.path("tests", "reference", "data", "PoliticalDemocracy.csv"))

crm_model <- '
  KCF =~ KCF1 + KCF2 + KCF3 + KCF4 + KCF5
  CRMO =~ CRMO1 + CRMO2 + CRMO3 + CRMO4
  KM =~ KM1 + KM2 + KM3 + KM4
  TECH =~ TECH1 + TECH2 + TECH3 + TECH4
  SAT =~ SAT1 + SAT2 + SAT3 + SAT4
  LOY =~ LOY1 + LOY2 + LOY3 + LOY4
  SAT ~ h1*KCF + h2*CRMO + h3*KM + h4*TECH
  LOY ~ h5*SAT
  ind_KCF := h1*h5
  ind_CRMO := h2*h5
  ind_KM := h3*h5
  ind_TECH := h4*h5
'
crm <- read.csv(file.path("tests", "reference", "data", "crm_example_clean.csv"))
for (item in c("KCF3", "KM2", "LOY4")) crm[[item]] <- 6 - crm[[item]]
crm <- crm[complete.cases(crm[, grep("^(KCF|CRMO|KM|TECH|SAT|LOY)[0-9]$", names(crm))]), ]

versions <- paste0('{"R": ', str_json(R.version.string), ', "lavaan": ', str_json(as.character(packageVersion("lavaan"))), '}')
json <- paste0('{"versions": ', versions, ',\n "models": {\n',
               '"poldem": [', run(poldem_model, poldem, 20260101), ',\n', run(poldem_model, poldem, 20260103), '],\n',
               '"crm": [', run(crm_model, crm, 20260102), ']\n}}\n')
writeLines(json, file.path("tests", "reference", "cb_bootstrap_reference.json"))
cat("wrote tests/reference/cb_bootstrap_reference.json\n")

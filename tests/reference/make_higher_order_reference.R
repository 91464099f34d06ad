# make_higher_order_reference.R
#
# Reference values for higher-order (second-order) constructs in CB-SEM:
# lavaan estimates with std.all, fit measures, and semTools reliability of the
# higher-order factor.
#
# Run from the repository root:
#
#     Rscript tests/reference/make_higher_order_reference.R
#
# Reads   src/loyaltysurvey/datasets/HolzingerSwineford1939.csv (lavaan's data set)
#         tests/reference/data/crm_example_clean.csv (the bundled example, clean)
# Writes  tests/reference/higher_order_reference.json (doubles with 17 digits)
#
# Models (lavaan defaults: ML, expected information, listwise):
#   hs_second_order   cfa: visual, textual, speed as in lavaan's example, and
#                     g =~ visual + textual + speed
#   hs_two_dims       sem: g =~ visual + textual; speed ~ g  (a second-order factor
#                     of two dimensions, identified by its path)
#   crm_cfa           cfa: the six first-order constructs of the bundled example and
#                     CRM =~ KCF + CRMO + KM + TECH (Sin, Tse & Yim, 2005)
#   crm_sem           sem: the same with SAT ~ h1*CRM, LOY ~ h2*SAT, ind := h1*h2
#   crm_third_order   cfa: S1 =~ KCF + CRMO, S2 =~ KM + TECH, S3 =~ SAT + LOY,
#                     T =~ S1 + S2 + S3 (a third-order factor; lavaan warns of a negative
#                     latent variance, a Heywood case the Python fit must reach as well)
# crm data: KCF3, KM2, LOY4 reversed as 6 - x.
#
# Per model: fitMeasures (chisq, df, pvalue, cfi, tli, rmsea, srmr, aic, bic),
# parameterEstimates (lhs, op, rhs, est, se, z, pvalue) with standardizedSolution's
# est.std (std_all). For the CFAs: compRelSEM(fit) for the first-order factors and
# compRelSEM(fit, higher = HOC) for the higher-order factor (semTools 0.5-6), and
# reliabilityL2(fit, HOC) (omegaL1, omegaL2, partialOmegaL1; deprecated in semTools
# but the source of these three). semTools' higher-order code reads every non-zero
# BETA column entry of the factor as a dimension, so it is only applied to the CFAs
# (no structural path from the higher-order factor).
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})
source("tests/reference/json_writer.R")

hs <- read.csv("src/loyaltysurvey/datasets/HolzingerSwineford1939.csv")
crm <- read.csv("tests/reference/data/crm_example_clean.csv")
items <- grep("^(KCF|CRMO|KM|TECH|SAT|LOY)[0-9]$", names(crm), value = TRUE)
crm <- as.data.frame(lapply(crm[, items], as.numeric))
for (it in c("KCF3", "KM2", "LOY4")) crm[[it]] <- 6 - crm[[it]]

HS <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
CRM <- paste0("KCF =~ KCF1 + KCF2 + KCF3 + KCF4 + KCF5\nCRMO =~ CRMO1 + CRMO2 + CRMO3 + CRMO4\n",
              "KM =~ KM1 + KM2 + KM3 + KM4\nTECH =~ TECH1 + TECH2 + TECH3 + TECH4\n",
              "SAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4\n",
              "CRM =~ KCF + CRMO + KM + TECH\n")
models <- list(
  hs_second_order = list(fun = cfa, syntax = paste0(HS, "g =~ visual + textual + speed\n"), data = hs, hoc = "g"),
  hs_two_dims = list(fun = sem, syntax = paste0(HS, "g =~ visual + textual\nspeed ~ g\n"), data = hs, hoc = NULL),
  crm_cfa = list(fun = cfa, syntax = CRM, data = crm, hoc = "CRM"),
  crm_sem = list(fun = sem, syntax = paste0(CRM, "SAT ~ h1*CRM\nLOY ~ h2*SAT\nind := h1*h2\n"), data = crm, hoc = NULL),
  crm_third_order = list(fun = cfa, syntax = paste0(sub("CRM =~ KCF \\+ CRMO \\+ KM \\+ TECH\n", "", CRM),
                                                    "S1 =~ KCF + CRMO\nS2 =~ KM + TECH\nS3 =~ SAT + LOY\n",
                                                    "T =~ S1 + S2 + S3\n"), data = crm, hoc = NULL))

out <- list(versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                            semTools = as.character(packageVersion("semTools"))), models = list())
for (name in names(models)) {
  m <- models[[name]]
  fit <- m$fun(m$syntax, data = m$data, missing = "listwise")
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  rows <- lapply(seq_len(nrow(pe)), function(i) list(
    lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], est = pe$est[i], se = pe$se[i],
    z = pe$z[i], pvalue = pe$pvalue[i], std_all = ss$est.std[i]))
  fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"))
  entry <- list(syntax = m$syntax, nobs = lavInspect(fit, "nobs"), converged = lavInspect(fit, "converged"),
                fit = as.list(setNames(as.numeric(fm), names(fm))), estimates = rows)
  if (!is.null(m$hoc)) {
    rel <- compRelSEM(fit, higher = m$hoc)
    l2 <- suppressWarnings(reliabilityL2(fit, m$hoc))
    entry$cr <- as.list(setNames(as.numeric(rel), names(rel)))
    entry$reliability_l2 <- list(omega_l1 = unname(l2["omegaL1"]), omega_l2 = unname(l2["omegaL2"]),
                                 partial_omega_l1 = unname(l2["partialOmegaL1"]))
    entry$hoc <- m$hoc
  }
  out$models[[name]] <- entry
}
path <- "tests/reference/higher_order_reference.json"
writeLines(to_json(out), path)
same(out, fromJSON(path, simplifyVector = FALSE))
cat("wrote", path, "\n")

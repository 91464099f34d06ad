"""The instrument library: bilingual constructs from the literature, composed into questionnaires.

* :mod:`~loyaltysurvey.library.catalog`: the modules (one YAML file each in ``modules/``) and
  their constructs, sources and recorded reliabilities.
* :func:`compose`: a complete questionnaire YAML from module names (``loyaltysurvey new
  --from-library``), with a default structural model and hypotheses.
* :func:`simulate_responses`: answers drawn from the population model a questionnaire's
  structural model implies, to try a composed questionnaire end to end.
"""

from __future__ import annotations

from ..lazy import lazy_exports

_LAZY = {
    "MODULE_NAMES": ".catalog", "STAGES": ".catalog", "LibraryModule": ".catalog", "LibraryConstruct": ".catalog",
    "library_modules": ".catalog", "library_module": ".catalog", "resolve_names": ".catalog",
    "compose": ".compose", "compose_questionnaire": ".compose", "default_paths": ".compose",
    "PopulationModel": ".simulate", "population_model": ".simulate", "simulate_responses": ".simulate",
}

__all__ = list(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)

"""The instrument library: bilingual constructs ready to compose into a questionnaire.

Each module is one YAML file in ``library/modules/`` (installed with the package). A module
has an ``id`` (the name ``new --from-library`` takes), a bilingual ``name`` and
``description``, its ``references`` (APA) and ``constructs`` written exactly as a
questionnaire's constructs are (see :mod:`loyaltysurvey.questionnaire.loader`), plus two keys
the composer reads and removes:

``stage``
    the construct's place in the default structural model: ``1`` antecedents (CRM
    dimensions, relational benefits, service quality, complaint handling, customer effort),
    ``2`` the customer's evaluations (perceived value, satisfaction, trust), ``3`` commitment,
    ``4`` attitudinal loyalty, ``5`` behavioural outcomes (behavioural loyalty, likelihood to
    recommend), or ``barrier`` (switching costs, which act on the final outcome).
``reliability``
    the reliability the literature reports for the scale: a mapping ``{alpha: [lo, hi],
    cr: [lo, hi], where: "page or table of the source"}`` (either range may be a single
    number), ``"not recorded"`` when no value has been checked against the source, or
    ``"single item"`` for one-item measures (no internal consistency exists). No value is
    recorded unless it was read in the cited source.

The item wordings are the package's own paraphrases; the sources are cited, never copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from ..errors import LoyaltySurveyError
from ..text import LocalizedText

__all__ = ["MODULE_NAMES", "STAGES", "LibraryConstruct", "LibraryModule", "library_modules", "library_module",
           "resolve_names"]

_HERE = Path(__file__).resolve().parent / "modules"

#: The modules in the order a composed questionnaire lists them (antecedents first, outcomes last).
MODULE_NAMES = ("crm", "relational_benefits", "service_quality", "complaint_handling", "ces", "value",
                "satisfaction", "trust", "commitment", "switching_costs", "loyalty", "nps")

#: Stage number -> what it holds, in the default structural model (``barrier`` acts on the last stage).
STAGES = {1: "antecedents", 2: "evaluations", 3: "commitment", 4: "attitudinal loyalty",
          5: "behavioural outcomes", "barrier": "switching costs"}

_MODULE_KEYS = {"id", "name", "description", "constructs", "references"}
_RELIABILITY_WORDS = ("not recorded", "single item")


@dataclass(frozen=True)
class LibraryConstruct:
    """One library construct: its questionnaire entry (``spec``), stage and recorded reliability.

    >>> c = library_module("satisfaction").constructs[0]
    >>> c.id, c.stage, c.n_items, c.reliability
    ('SAT', 2, 4, 'not recorded')
    """

    id: str
    name: LocalizedText
    stage: int | str
    reliability: str | Mapping[str, Any]
    spec: Mapping[str, Any] = field(repr=False)

    @property
    def n_items(self) -> int:
        return len(self.spec["items"])

    @property
    def single_item(self) -> bool:
        return self.n_items == 1

    def reliability_text(self, lang: str = "en") -> str:
        """The recorded reliability as one line of text in ``lang`` (en or fa).

        >>> library_module("nps").constructs[0].reliability_text("en")
        'single item (no internal consistency)'
        """
        rel = self.reliability
        if rel == "single item":
            return "تک‌گویه (بدون همسانی درونی)" if lang == "fa" else "single item (no internal consistency)"
        if rel == "not recorded":
            return "ثبت نشده" if lang == "fa" else "not recorded"
        parts = []
        for key, label in (("alpha", "alpha"), ("cr", "CR")):
            value = rel.get(key)
            if value is not None:
                values = value if isinstance(value, list) else [value]
                parts.append(f"{label} " + "–".join(f"{v:.2f}" for v in values))
        where = rel.get("where")
        return ", ".join(parts) + (f" ({where})" if where else "")


@dataclass(frozen=True)
class LibraryModule:
    """One library module (one YAML file): its constructs and references.

    >>> m = library_module("crm")
    >>> [c.id for c in m.constructs], m.n_items, m.references[0][:24]
    (['KCF', 'CRMO', 'KM', 'TECH'], 17, 'Sin, L. Y. M., Tse, A. C')
    """

    id: str
    name: LocalizedText
    description: LocalizedText
    constructs: tuple[LibraryConstruct, ...]
    references: tuple[str, ...]
    path: Path = field(repr=False, compare=False)

    @property
    def n_items(self) -> int:
        return sum(c.n_items for c in self.constructs)

    @property
    def citation(self) -> str:
        """The authors and years of the references, short (``Sin, Tse & Yim (2005)``).

        >>> library_module("trust").citation
        'Morgan & Hunt (1994)'
        """
        return "; ".join(_short_citation(r) for r in self.references)


def _short_citation(reference: str) -> str:
    """``Surname, I., Surname, I., & Surname, I. (2005). Title...`` -> ``Surname, Surname & Surname (2005)``;
    four or more authors as ``Surname et al. (1996)``.

    >>> _short_citation("Dixon, M., Freeman, K., & Toman, N. (2010). Stop trying. HBR.")
    'Dixon, Freeman & Toman (2010)'
    >>> _short_citation("Reichheld, F. F. (2003). The one number you need to grow. HBR.")
    'Reichheld (2003)'
    >>> _short_citation("Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant, B. E. (1996). ACSI.")
    'Fornell et al. (1996)'
    """
    head, _, rest = reference.partition(" (")
    year = rest.split(")", 1)[0]
    names = [part.strip() for part in head.replace("&", "").split(",")]
    surnames = [n for n in names if n and not all(len(p.rstrip(".")) <= 1 for p in n.replace("-", " ").split())
                and n not in ("Jr.",)]
    if len(surnames) > 3:
        who = f"{surnames[0]} et al."
    elif len(surnames) > 2:
        who = ", ".join(surnames[:-1]) + " & " + surnames[-1]
    else:
        who = " & ".join(surnames)
    return f"{who} ({year})"


def _fail(path: Path, message: str) -> LoyaltySurveyError:
    return LoyaltySurveyError(f"library module {path.name}: {message}", source=str(path))


def _check_reliability(value: Any, path: Path, cid: str) -> str | Mapping[str, Any]:
    if value in _RELIABILITY_WORDS:
        return value
    if not isinstance(value, Mapping) or not set(value) <= {"alpha", "cr", "where"} or not (
            "alpha" in value or "cr" in value):
        raise _fail(path, f"{cid}: reliability must be 'not recorded', 'single item' or "
                          "{alpha: [lo, hi], cr: [lo, hi], where: ...}")
    for key in ("alpha", "cr"):
        values = value.get(key)
        values = values if isinstance(values, list) else [] if values is None else [values]
        if not all(isinstance(v, (int, float)) and 0 < v <= 1 for v in values):
            raise _fail(path, f"{cid}: reliability {key} must be numbers between 0 and 1")
    return dict(value)


def _read_module(path: Path) -> LibraryModule:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, Mapping) or set(data) - _MODULE_KEYS or not {"id", "constructs"} <= set(data):
        raise _fail(path, f"a module is a mapping with the keys {', '.join(sorted(_MODULE_KEYS))}")
    constructs = []
    for raw in data["constructs"]:
        raw = dict(raw)
        stage = raw.pop("stage", None)
        if stage not in STAGES:
            raise _fail(path, f"{raw.get('id')}: stage must be one of {', '.join(map(str, STAGES))}")
        reliability = _check_reliability(raw.pop("reliability", None), path, raw.get("id"))
        if len(raw.get("items") or []) == 1 and reliability != "single item":
            raise _fail(path, f"{raw.get('id')}: a one-item construct's reliability is 'single item'")
        constructs.append(LibraryConstruct(raw["id"], LocalizedText.of(raw.get("name") or raw["id"]), stage,
                                           reliability, raw))
    return LibraryModule(str(data["id"]), LocalizedText.of(data.get("name") or data["id"]),
                         LocalizedText.of(data.get("description") or ""), tuple(constructs),
                         tuple(str(r) for r in data.get("references") or ()), path)


@lru_cache(maxsize=None)
def library_modules() -> tuple[LibraryModule, ...]:
    """Every library module, in :data:`MODULE_NAMES` order.

    >>> [m.id for m in library_modules()][:3]
    ['crm', 'relational_benefits', 'service_quality']
    """
    modules = tuple(_read_module(_HERE / f"{name}.yaml") for name in MODULE_NAMES)
    for name, module in zip(MODULE_NAMES, modules):
        if module.id != name:
            raise _fail(module.path, f"its id is '{module.id}', not '{name}'")
    return modules


def library_module(name: str) -> LibraryModule:
    """The module called ``name``; :class:`~loyaltysurvey.errors.LoyaltySurveyError` naming the
    available ones if there is none.

    >>> library_module("nps").constructs[0].spec["items"][0]["scale"]
    {'min': 0, 'max': 10}
    >>> library_module("brand")
    Traceback (most recent call last):
    ...
    loyaltysurvey.errors.LoyaltySurveyError: unknown library module 'brand'; available: crm, relational_benefits, service_quality, complaint_handling, ces, value, satisfaction, trust, commitment, switching_costs, loyalty, nps
    """
    for module in library_modules():
        if module.id == name:
            return module
    raise LoyaltySurveyError(f"unknown library module '{name}'; available: {', '.join(MODULE_NAMES)}")


def resolve_names(names: str | Iterable[str]) -> tuple[LibraryModule, ...]:
    """The modules named (a comma-separated text or a list), in :data:`MODULE_NAMES` order, once each.

    >>> [m.id for m in resolve_names("loyalty, crm,satisfaction,crm")]
    ['crm', 'satisfaction', 'loyalty']
    """
    if isinstance(names, str):
        names = names.split(",")
    wanted = [n.strip() for n in names if n and n.strip()]
    if not wanted:
        raise LoyaltySurveyError(f"name at least one library module; available: {', '.join(MODULE_NAMES)}")
    chosen = {library_module(n).id for n in wanted}
    return tuple(m for m in library_modules() if m.id in chosen)

"""Composing library modules into one questionnaire YAML (``loyaltysurvey new --from-library``).

The composed questionnaire holds the modules' constructs (antecedents first), the bundled
questionnaire's 5-point agreement scale and demographics (gender, age group, education,
customer tenure), a default structural model and its hypotheses, and the references of every
module used. The text is checked with the questionnaire loader before it is returned, so a
composed file always validates.

The default structural model follows the stages of :data:`~loyaltysurvey.library.catalog.STAGES`:
each construct is regressed on every construct of the nearest earlier stage present
(antecedents -> the customer's evaluations, that is perceived value, satisfaction and trust side
by side -> commitment -> attitudinal loyalty -> behavioural outcomes), and switching costs act on
the last stage. With ``crm, satisfaction,
loyalty`` this is the bundled questionnaire's model (CRM dimensions -> satisfaction -> loyalty)
with loyalty split into its attitudinal and behavioural parts. Each path is a direct hypothesis
(H1, H2, ... labelled ``h1, h2, ...`` in the model); each chain of two paths that ends in a
loyalty outcome (stages 4 and 5) is an indirect (mediation) hypothesis, defined in the model as
the product of its two labelled paths.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..errors import LoyaltySurveyError
from ..questionnaire import Questionnaire
from ..questionnaire.loader import questionnaire_from_yaml
from .catalog import STAGES, LibraryConstruct, LibraryModule, resolve_names

__all__ = ["SCALE", "DEMOGRAPHICS", "Path_", "default_paths", "compose", "compose_questionnaire"]

#: The default 5-point agreement scale, as the bundled questionnaire's.
SCALE = {"min": 1, "max": 5, "labels": {
    "fa": ["کاملاً مخالفم", "مخالفم", "نظری ندارم", "موافقم", "کاملاً موافقم"],
    "en": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]}}

#: Gender, age group, education and customer tenure, coded as in the bundled questionnaire.
DEMOGRAPHICS = (
    ("gender", {"fa": "جنسیت", "en": "Gender"},
     [{"fa": "مرد", "en": "Male"}, {"fa": "زن", "en": "Female"}]),
    ("age_group", {"fa": "سن", "en": "Age group"},
     [{"fa": "کمتر از ۲۵ سال", "en": "Under 25"}, {"fa": "۲۵ تا ۳۴ سال", "en": "25–34"},
      {"fa": "۳۵ تا ۴۴ سال", "en": "35–44"}, {"fa": "۴۵ تا ۵۴ سال", "en": "45–54"},
      {"fa": "۵۵ سال و بیشتر", "en": "55 and over"}]),
    ("education", {"fa": "تحصیلات", "en": "Education"},
     [{"fa": "دیپلم و پایین‌تر", "en": "Diploma or less"}, {"fa": "کاردانی", "en": "Associate degree"},
      {"fa": "کارشناسی", "en": "Bachelor's"}, {"fa": "کارشناسی ارشد", "en": "Master's"},
      {"fa": "دکتری", "en": "Doctorate"}]),
    ("tenure", {"fa": "سابقهٔ مشتری بودن", "en": "Years as a customer"},
     [{"fa": "کمتر از ۱ سال", "en": "Less than 1 year"}, {"fa": "۱ تا کمتر از ۳ سال", "en": "1 to under 3 years"},
      {"fa": "۳ تا ۵ سال", "en": "3 to 5 years"}, {"fa": "بیش از ۵ سال", "en": "More than 5 years"}]),
)

_OUTCOME_STAGES = (4, 5)


@dataclass(frozen=True)
class Path_:
    """One structural path ``source -> target`` with its label (``h1``, ...)."""

    source: str
    target: str
    label: str


def default_paths(constructs: Iterable[LibraryConstruct]) -> tuple[Path_, ...]:
    """The default structural model's paths (see the module's description), target by target.

    >>> from loyaltysurvey.library.catalog import resolve_names
    >>> cs = [c for m in resolve_names("crm,satisfaction,loyalty") for c in m.constructs]
    >>> [(p.source, p.target, p.label) for p in default_paths(cs)][3:]
    [('TECH', 'SAT', 'h4'), ('SAT', 'ATL', 'h5'), ('ATL', 'BEL', 'h6')]
    """
    constructs = list(constructs)
    by_stage: dict[int, list[str]] = {}
    barriers = []
    for c in constructs:
        if c.stage == "barrier":
            barriers.append(c.id)
        else:
            by_stage.setdefault(int(c.stage), []).append(c.id)
    stages = sorted(by_stage)
    pairs: list[tuple[str, str]] = []
    for previous, stage in zip(stages, stages[1:]):
        for target in by_stage[stage]:
            pairs.extend((source, target) for source in by_stage[previous])
    if stages and stages[-1] >= 2:
        for target in by_stage[stages[-1]]:
            pairs.extend((source, target) for source in barriers)
    order = {c.id: k for k, c in enumerate(constructs)}
    pairs.sort(key=lambda p: (order[p[1]], order[p[0]]))
    return tuple(Path_(s, t, f"h{k}") for k, (s, t) in enumerate(pairs, 1))


def _indirect(paths: tuple[Path_, ...], stage: Mapping[str, Any]) -> list[tuple[Path_, Path_]]:
    """Chains of two paths ``x -> m -> y`` that end in a loyalty outcome (stages 4 and 5)."""
    out = []
    for second in paths:
        if stage[second.target] not in _OUTCOME_STAGES:
            continue
        out.extend((first, second) for first in paths if first.target == second.source)
    return out


def _mid(name: str) -> str:
    """A construct's English name inside a sentence: the first letter lower-cased unless an acronym.

    >>> _mid("Customer satisfaction"), _mid("CRM organisation"), _mid("Net Promoter Score (NPS)")
    ('customer satisfaction', 'CRM organisation', 'the likelihood to recommend (NPS)')
    """
    if name.startswith("Net Promoter Score"):
        return "the likelihood to recommend (NPS)"
    if name.startswith("Customer Effort Score"):
        return "the ease of dealing with the company (CES)"
    return name if len(name) > 1 and name[1].isupper() else name[:1].lower() + name[1:]


def _verb(name: str, singular: str, plural: str) -> str:
    """The verb agreeing with a construct's English name (``Switching costs have``, ``Trust has``).

    >>> _verb("Switching costs", "has", "have"), _verb("Responsiveness", "has", "have")
    ('have', 'has')
    """
    last = name.split(" (")[0].split()[-1].lower()
    return plural if last in ("costs", "benefits", "tangibles") else singular


def _fa(name: str) -> str:
    """A construct's Persian name inside a sentence (NPS and CES by what they measure)."""
    if name.startswith("شاخص خالص مروجان"):
        return "احتمال توصیه به دیگران (NPS)"
    if name.startswith("شاخص تلاش مشتری"):
        return "آسانی تعامل با شرکت (CES)"
    return name


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def _text_lines(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, Mapping):
        return [f"{indent}{key}:"] + [f"{indent}  {lang}: {_q(text)}" for lang, text in value.items()]
    return [f"{indent}{key}: {_q(value)}"]


def _scale_lines(scale: Mapping[str, Any], indent: str) -> list[str]:
    lines = [f"{indent}scale:", f"{indent}  min: {int(scale['min'])}", f"{indent}  max: {int(scale['max'])}"]
    if scale.get("labels"):
        lines.append(f"{indent}  labels:")
        lines.extend(f"{indent}    {lang}: [{', '.join(_q(t) for t in labels)}]"
                     for lang, labels in scale["labels"].items())
    return lines


def _construct_lines(c: LibraryConstruct, module: LibraryModule) -> list[str]:
    spec = c.spec
    lines = [f"  # {c.name.get('en')}: {module.citation}. Reported reliability: {c.reliability_text('en')}.",
             f"  - id: {spec['id']}", f"    name: {{fa: {_q(c.name.get('fa'))}, en: {_q(c.name.get('en'))}}}"]
    if spec.get("description"):
        lines += _text_lines("description", spec["description"], "    ")
    if spec.get("scale"):
        lines += _scale_lines(spec["scale"], "    ")
    lines.append("    items:")
    for item in spec["items"]:
        lines.append(f"      - id: {item['id']}")
        if item.get("reverse"):
            lines.append("        reverse: true")
        if item.get("scale"):
            lines += _scale_lines(item["scale"], "        ")
        lines += _text_lines("text", item["text"], "        ")
    return lines


def compose(names: str | Iterable[str], *, lang: str = "fa", title: str | None = None,
            qid: str | None = None) -> str:
    """The questionnaire YAML text of :func:`compose_questionnaire` (see there).

    >>> text = compose("nps", lang="en")
    >>> text.splitlines()[0]
    '# A questionnaire composed from the loyaltysurvey instrument library'
    """
    return compose_questionnaire(names, lang=lang, title=title, qid=qid)[0]


def compose_questionnaire(names: str | Iterable[str], *, lang: str = "fa", title: str | None = None,
                          qid: str | None = None) -> tuple[str, Questionnaire]:
    """A complete questionnaire YAML made of the library modules ``names``.

    ``names`` is a comma-separated text or a list (order and repeats do not matter); ``lang``
    the questionnaire's default report language (``fa`` or ``en``; every text stays bilingual);
    ``title`` a title in place of the default bilingual one; ``qid`` the questionnaire id
    (``library-`` and the module names when not given or not a name of letters, digits, ``_``,
    ``.`` and ``-``). The text is validated by the questionnaire
    loader; the text and the questionnaire it makes are returned.

    >>> text, q = compose_questionnaire("crm,satisfaction,loyalty", lang="en")
    >>> [c.id for c in q], len(q.items), [h.id for h in q.hypotheses][-1]
    (['KCF', 'CRMO', 'KM', 'TECH', 'SAT', 'ATL', 'BEL'], 29, 'H11')
    >>> q.hypotheses[0].text.get("en")
    'Key customer focus has a positive effect on customer satisfaction.'
    """
    if lang not in ("fa", "en"):
        raise LoyaltySurveyError(f"--lang must be fa or en, not '{lang}'")
    modules = resolve_names(names)
    pairs = [(m, c) for m in modules for c in m.constructs]
    constructs = [c for _, c in pairs]
    stage = {c.id: c.stage for c in constructs}
    name = {c.id: c.name for c in constructs}
    paths = default_paths(constructs)
    chains = _indirect(paths, stage)
    default_id = "library-" + "-".join(m.id.replace("_", "-") for m in modules)
    qid = qid if qid and re.fullmatch(r"[^\W_][\w.-]*", qid) else default_id

    n_items = sum(c.n_items for c in constructs)
    reverse = [i["id"] for c in constructs for i in c.spec["items"] if i.get("reverse")]
    out = [
        "# A questionnaire composed from the loyaltysurvey instrument library",
        f"# (loyaltysurvey new --from-library {','.join(m.id for m in modules)}).",
        "#",
        "# Edit it freely: add, remove or reword items, change the model and the hypotheses; then",
        "# check it with 'loyaltysurvey validate'. Item wordings are the package's own paraphrases of",
        "# the cited scales, not the published items; check them against your population and pretest.",
        "#",
        f"# Modules: {', '.join(f'{m.id} ({m.citation})' for m in modules)}.",
        f"# Items: {n_items}" + (f"; reverse-worded: {', '.join(reverse)}." if reverse else "."),
        "# Reported reliabilities are noted above each construct; 'not recorded' means no published",
        "# value was checked against the source for this library.",
        "",
        f"id: {_q(qid)}",
    ]
    if title:
        out.append(f"title: {_q(title)}")
    else:
        out += _text_lines("title", {
            "fa": "پرسشنامهٔ مشتریان: " + "، ".join(m.name.get("fa") for m in modules),
            "en": "Customer questionnaire: " + ", ".join(m.name.get("en") for m in modules)}, "")
    out += [f"language: {lang}"] + _scale_lines(SCALE, "") + [
        "missing_codes: [-99]", "respondent_id: respondent_id", "", "constructs:"]
    for k, (module, c) in enumerate(pairs):
        if k:
            out.append("")
        out += _construct_lines(c, module)

    out += ["", "demographics:"]
    for did, dname, values in DEMOGRAPHICS:
        out += [f"  - id: {did}", f"    name: {{fa: {_q(dname['fa'])}, en: {_q(dname['en'])}}}", "    values:"]
        out += [f"      {code}: {{fa: {_q(v['fa'])}, en: {_q(v['en'])}}}" for code, v in enumerate(values, 1)]

    hypotheses: list[dict[str, Any]] = []
    if paths:
        out += ["", "# The default structural model: each construct depends on every construct of the",
                "# nearest earlier stage (" + " -> ".join(STAGES[s] for s in sorted(
                    {s for s in stage.values() if s != "barrier"})) + ")"
                + ("; switching costs act on the final outcome" if "barrier" in stage.values() else "") + ".",
                "# Labels h1, h2, ... name the paths; ind_ lines define the indirect effects tested.",
                "model: |"]
        targets = list(dict.fromkeys(p.target for p in paths))
        for target in targets:
            out.append(f"  {target} ~ " + " + ".join(f"{p.label}*{p.source}" for p in paths if p.target == target))
        for first, second in chains:
            out.append(f"  ind_{first.source}_{first.target}_{second.target} := {first.label}*{second.label}")
        for p in paths:
            hypotheses.append({"from": p.source, "to": p.target, "text": {
                "fa": f"{_fa(name[p.source].get('fa'))} بر {_fa(name[p.target].get('fa'))} تأثیر مثبت دارد.",
                "en": f"{_mid(name[p.source].get('en'))[:1].upper()}{_mid(name[p.source].get('en'))[1:]} "
                      f"{_verb(name[p.source].get('en'), 'has', 'have')} a positive effect on "
                      f"{_mid(name[p.target].get('en'))}."}})
        for first, second in chains:
            x, m, y = first.source, first.target, second.target
            mediator_en = _mid(name[m].get("en"))
            hypotheses.append({"from": x, "through": [m], "to": y, "text": {
                "fa": f"{_fa(name[m].get('fa'))} در تأثیر {_fa(name[x].get('fa'))} بر {_fa(name[y].get('fa'))} "
                      "نقش میانجی دارد.",
                "en": f"{mediator_en[:1].upper()}{mediator_en[1:]} "
                      f"{_verb(name[m].get('en'), 'mediates', 'mediate')} the effect of "
                      f"{_mid(name[x].get('en'))} on {_mid(name[y].get('en'))}."}})
        out += ["", "hypotheses:"]
        for k, h in enumerate(hypotheses, 1):
            out += [f"  - id: H{k}", f"    from: {h['from']}"]
            if h.get("through"):
                out.append(f"    through: [{', '.join(h['through'])}]")
            out.append(f"    to: {h['to']}")
            out += _text_lines("text", h["text"], "    ")
    else:
        out += ["", "# No structural model: the modules chosen hold constructs of one stage only. Add a",
                "# 'model:' in lavaan syntax (for example 'SAT ~ KCF + CRMO') and 'hypotheses:' if needed."]

    references = list(dict.fromkeys(r for m in modules for r in m.references))
    out += ["", "references:"] + [f"  - {_q(r)}" for r in references]
    text = "\n".join(out) + "\n"
    q = questionnaire_from_yaml(text, source="<composed questionnaire>")  # a composed file always loads
    return text, q

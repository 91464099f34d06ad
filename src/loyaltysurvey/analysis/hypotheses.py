"""The hypotheses table: each hypothesis with its estimate, test and decision.

Hypotheses come from the questionnaire's ``hypotheses:`` list; without one,
every labelled regression path and every ``:=`` parameter of the model is a
hypothesis named by its label; and when the model labels nothing and defines
nothing, every structural path is a hypothesis, H1, H2, ... in the model's order
(:func:`path_hypotheses`; an interaction path ``Y ~ A:B`` is the moderation of
``A -> Y`` by ``B``). A direct hypothesis reads its ``~`` row; an
indirect one the specific indirect effect through the listed mediators; a
moderation hypothesis (``moderator:``) the interaction row ``to ~ from:moderator``
(or ``moderator:from``), as kind ``moderation``.

The decision is made here, never in a report: ``supported`` when the effect's
confidence interval (the bootstrap percentile interval when resampled, else the
Wald interval) excludes 0, at the settings' level (95 %, i.e. alpha = .05);
``not_supported`` when it includes 0; ``not_tested`` when there is no interval
(no standard error could be computed, or PLS-SEM ran without resamples).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..questionnaire import Questionnaire
from ..sem.decision import DECISIONS, decide
from ..sem.effects import Effect
from ..sem.sem_fit import SEMFit
from ..text import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HypothesisTest", "decide", "path_hypotheses", "test_hypotheses", "test_pls_hypotheses", "DECISIONS"]

@dataclass(frozen=True)
class HypothesisTest:
    """One hypothesis: its id and wording, the effect that tests it, and the decision.

    ``decision`` is ``supported``, ``not_supported`` or ``not_tested`` (see the module's
    description); ``alpha`` the significance level the decision was made at.
    """

    id: str
    text: LocalizedText
    effect: Effect
    decision: str
    alpha: float

    @property
    def supported(self) -> bool:
        """Whether the decision is ``supported``.

        False both for ``not_supported`` and ``not_tested``.
        """
        return self.decision == "supported"

    def to_json(self) -> dict[str, Any]:
        """The hypothesis as plain JSON types: wording, the effect's numbers and the decision.

        The keys are ``id, text, kind, from, to, through, est, std_all, se, z, pvalue,
        ci_lower, ci_upper, decision, alpha`` (an entry of results.json's ``hypotheses``), with
        ``moderator`` for a moderation and ``definition`` (the ``:=`` right-hand side) for a
        defined parameter: its ``from``, ``through`` and ``to`` are the chain of paths it
        multiplies when it is such a product; for a sum of the effects of one construct on another
        (``total := c + a*b``) ``from`` and ``to`` are those constructs and ``effect`` is ``total`` or
        ``total_indirect``; for any other definition ``from`` is the definition and ``to`` its name.
        A PLS-SEM test (:func:`test_pls_hypotheses`) has ``t`` instead of ``z`` and ``engine: pls``.
        """
        e = self.effect
        out = {"id": self.id, "text": self.text.to_json() if self.text else "", "kind": e.kind,
               "from": e.source, "to": e.target, "through": list(e.through), "est": e.est,
               "std_all": e.std_all, "se": e.se, "z": e.z, "pvalue": e.pvalue, "ci_lower": e.ci_lower,
               "ci_upper": e.ci_upper, "decision": self.decision, "alpha": self.alpha}
        if e.kind == "moderation":
            out["moderator"] = e.extra.get("moderator")
        if e.kind == "defined":
            out["definition"] = e.extra.get("definition", "")
            if e.extra.get("sum"):  # c + a*b: "total", or a sum of indirect chains: "total_indirect"
                out["effect"] = e.extra["sum"]
        if e.extra.get("engine") == "pls":  # a bootstrap t test (seminr, SmartPLS), not a z test
            out = {("t" if k == "z" else k): v for k, v in out.items()}
            out["engine"] = "pls"
        return out


def path_hypotheses(q: Questionnaire) -> list[tuple[str, str, str, str | None]]:
    """The hypotheses a model states by its paths alone: when the questionnaire has no ``hypotheses:``
    list and its model neither labels a path nor defines a parameter, each structural path is one,
    ``(id, source, target, moderator)`` with ids H1, H2, ... in the model's order (an interaction
    path ``Y ~ A:B`` is ``A`` moderated by ``B``); else none. A path fixed to a value
    (``Y ~ 0*A``) is not estimated, so it is no hypothesis.

    >>> from loyaltysurvey.questionnaire import QuestionnaireBuilder
    >>> q = (QuestionnaireBuilder("x").construct("A", "A", ["a1", "a2"]).construct("B", "B", ["b1", "b2"])
    ...      .construct("Y", "Y", ["y1", "y2"]).model("Y ~ A + B + A:B").build())
    >>> path_hypotheses(q)
    [('H1', 'A', 'Y', None), ('H2', 'B', 'Y', None), ('H3', 'A', 'Y', 'B')]
    >>> fixed = (QuestionnaireBuilder("x").construct("A", "A", ["a1", "a2"]).construct("B", "B", ["b1", "b2"])
    ...          .construct("Y", "Y", ["y1", "y2"]).model("Y ~ 0*A + B").build())
    >>> path_hypotheses(fixed)
    [('H1', 'B', 'Y', None)]
    """
    from ..sem.syntax import interaction_parts
    statements = q.model_statements
    if q.hypotheses or any(s.op == ":=" or (s.op == "~" and s.label) for s in statements):
        return []
    out = []
    for s in statements:
        if s.op != "~" or s.fixed is not None:
            continue
        parts = interaction_parts(s.rhs)
        source, moderator = parts if parts else (s.rhs, None)
        out.append((f"H{len(out) + 1}", source, s.lhs, moderator))
    return out


def _direct(row: Any, source: str, target: str) -> Effect:
    return Effect("direct", source, target, (), float(row.est), float(row.std_all), float(row.se), float(row.z),
                  float(row.pvalue), float(row.ci_lower), float(row.ci_upper))


def _test(hid: str, text: LocalizedText, effect: Effect, alpha: float) -> HypothesisTest:
    return HypothesisTest(hid, text, effect, decide(effect.ci_lower, effect.ci_upper), alpha)


def test_hypotheses(q: Questionnaire, sem: SEMFit, effects: list[Effect], alpha: float = 0.05
                    ) -> list[HypothesisTest]:
    """Test the questionnaire's hypotheses against the fitted structural model.

    A direct hypothesis reads the ``target ~ source`` row of ``sem.params``; an indirect one
    the specific indirect effect of ``effects`` (from
    :func:`~loyaltysurvey.sem.effects.compute_effects`) through exactly its mediators. A
    hypothesis whose path or chain is not in the model is left out. Without a ``hypotheses:``
    list every labelled ``~`` path and every ``:=`` parameter is a hypothesis named by its
    label, and when there are none of those either, every structural path is one
    (:func:`path_hypotheses`). The decision is by the effect's interval (bootstrap percentile or Wald), as the
    module's description says; the numbers themselves are those of the fit.

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.questionnaire import QuestionnaireBuilder
    >>> from loyaltysurvey.sem import SEM
    >>> from loyaltysurvey.sem.effects import compute_effects
    >>> q = (QuestionnaireBuilder("hs").construct("visual", "Visual", ["x1", "x2", "x3"])
    ...      .construct("textual", "Textual", ["x4", "x5", "x6"]).construct("speed", "Speed", ["x7", "x8", "x9"])
    ...      .model("textual ~ visual\\nspeed ~ textual + visual")
    ...      .hypothesis("H1", "visual", "speed").hypothesis("H2", "visual", "speed", through=["textual"]).build())
    >>> fit = SEM(q.full_syntax).fit(holzinger_swineford())
    >>> [(h.id, h.effect.kind, h.decision, round(float(h.effect.est), 3))
    ...  for h in test_hypotheses(q, fit, compute_effects(fit))]
    [('H1', 'direct', 'supported', 0.297), ('H2', 'indirect', 'not_supported', 0.027)]
    """
    est = sem.params
    out = []
    if q.hypotheses:
        for h in q.hypotheses:
            if h.moderator:
                terms = (f"{h.source}:{h.moderator}", f"{h.moderator}:{h.source}")
                rows = est[(est.op == "~") & (est.lhs == h.target) & est.rhs.isin(terms)]
                if not rows.empty:
                    effect = replace(_direct(rows.iloc[0], h.source, h.target), kind="moderation",
                                     extra={"moderator": h.moderator, "term": rows.iloc[0].rhs})
                    out.append(_test(h.id, h.text, effect, alpha))
                continue
            if h.through:
                match = [e for e in effects if e.kind == "indirect" and e.source == h.source
                         and e.target == h.target and e.through == h.through]
                if match:
                    out.append(_test(h.id, h.text, match[0], alpha))
                continue
            rows = est[(est.op == "~") & (est.lhs == h.target) & (est.rhs == h.source)]
            if not rows.empty:
                out.append(_test(h.id, h.text, _direct(rows.iloc[0], h.source, h.target), alpha))
        return out
    implied = path_hypotheses(q)
    if implied:
        for hid, source, target, moderator in implied:
            term = f"{source}:{moderator}" if moderator else source
            rows = est[(est.op == "~") & (est.lhs == target) & (est.rhs == term)]
            if rows.empty:
                continue
            effect = replace(_direct(rows.iloc[0], source, target), kind="direct")
            if moderator:
                effect = replace(effect, kind="moderation", extra={"moderator": moderator, "term": term})
            out.append(_test(hid, LocalizedText(), effect, alpha))
        return out
    labelled = est[(est.op == "~") & (est.label.fillna("").astype(str) != "")]
    for r in est.itertuples():
        if r.op == "~" and r.label:
            out.append(_test(r.label, LocalizedText(), replace(_direct(r, r.rhs, r.lhs), kind="direct"), alpha))
        elif r.op == ":=":
            effect = replace(_direct(r, r.rhs, r.lhs), kind="defined", extra={"definition": r.rhs})
            chain = defined_chain(r.rhs, labelled)
            total = defined_total(r.rhs, labelled) if not chain else None
            if chain:  # a product of labelled paths that follow one another: the chain it is
                effect = replace(effect, source=chain[0], through=tuple(chain[1:-1]), target=chain[-1])
            elif total:  # c + a*b: the total (or total indirect) effect of one construct on another
                effect = replace(effect, source=total[0], target=total[1],
                                 extra={"definition": r.rhs, "sum": total[2]})
            out.append(_test(r.label, LocalizedText(), effect, alpha))
    return out


def defined_total(definition: str, labelled: "pd.DataFrame") -> tuple[str, str, str] | None:
    """``(source, target, kind)`` of a ``:=`` definition that sums the effects of one construct on
    another: every term a labelled path or a chain of them (:func:`defined_chain`) from the same
    source to the same target, no term twice. ``kind`` is ``total`` when a term is the direct path
    (``total := c + a*b``, lavaan's mediation example) and ``total_indirect`` when every term is an
    indirect chain (``a1*b1 + a2*b2``). None for anything else (a difference, a constant, terms of
    different constructs).

    >>> import pandas as pd
    >>> paths = pd.DataFrame({"lhs": ["M", "Y", "Y", "N", "Y"], "rhs": ["X", "M", "X", "X", "N"],
    ...                       "label": ["a", "b", "c", "d", "e"]})
    >>> defined_total("c + (a*b)", paths), defined_total("a*b + d*e", paths)
    (('X', 'Y', 'total'), ('X', 'Y', 'total_indirect'))
    >>> defined_total("c - a*b", paths), defined_total("c + c", paths), defined_total("a + b", paths)
    (None, None, None)
    """
    chains = defined_terms(definition, labelled)
    if chains is None:
        return None
    return chains[0][0], chains[0][-1], "total" if any(len(c) == 2 for c in chains) else "total_indirect"


def defined_terms(definition: str, labelled: "pd.DataFrame") -> list[tuple[str, ...]] | None:
    """The chains of constructs a ``:=`` sum of effects adds up (see :func:`defined_total`): one
    ``(source, ..., target)`` per term, all from the same source to the same target; else None."""
    text = definition.replace(" ", "")
    while text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1]
    if "-" in text or "/" in text:
        return None
    terms = [t.strip("()") for t in text.split("+")]
    if len(terms) < 2 or any(not t or "(" in t or ")" in t for t in terms):
        return None
    chains = []
    for term in terms:
        if term.isidentifier():
            rows = labelled[labelled.label == term]
            if len(rows) != 1:
                return None
            chains.append((str(rows.iloc[0].rhs), str(rows.iloc[0].lhs)))
        else:
            chain = defined_chain(term, labelled)
            if chain is None:
                return None
            chains.append(chain)
    if len(set(chains)) != len(chains) or len({(c[0], c[-1]) for c in chains}) != 1:
        return None
    return chains


def defined_chain(definition: str, labelled: "pd.DataFrame") -> tuple[str, ...] | None:
    """The constructs ``(source, mediators..., target)`` of a ``:=`` definition that is the product
    of labelled regression paths following one another (``a*b`` with ``M ~ a*X`` and ``Y ~ b*M``),
    in any order of its factors; None for any other definition (a difference, a sum, a constant,
    a label on several paths).

    >>> import pandas as pd
    >>> paths = pd.DataFrame({"lhs": ["M", "Y", "Z"], "rhs": ["X", "M", "Y"], "label": ["a", "b", "c"]})
    >>> defined_chain("a*b", paths), defined_chain("c * a*b", paths), defined_chain("a - b", paths)
    (('X', 'M', 'Y'), ('X', 'M', 'Y', 'Z'), None)
    """
    factors = [f.strip() for f in definition.split("*")]
    if len(factors) < 2 or any(not f.isidentifier() for f in factors) or len(set(factors)) != len(factors):
        return None
    edges = {}
    for f in factors:
        rows = labelled[labelled.label == f]
        if len(rows) != 1:
            return None
        edges[str(rows.iloc[0].rhs)] = str(rows.iloc[0].lhs)
    if len(edges) != len(factors):
        return None
    starts = set(edges) - set(edges.values())
    if len(starts) != 1:
        return None
    chain = [starts.pop()]
    while chain[-1] in edges and len(chain) <= len(factors):
        chain.append(edges[chain[-1]])
    return tuple(chain) if len(chain) == len(factors) + 1 else None


def test_pls_hypotheses(q: Questionnaire, fit: Any, alpha: float = 0.05) -> list[HypothesisTest]:
    """Test the questionnaire's hypotheses against a PLS-SEM fit (when CB-SEM did not run).

    What :func:`test_hypotheses` does, with the PLS paths (``fit.path_records``) and specific
    indirect effects (``fit.indirect_records``) of :class:`~loyaltysurvey.pls.PLSFit`: estimates
    are standardized, tests are bootstrap t tests and the decision is by the percentile interval
    (``not_tested`` without resamples), as the PLS tables decide. Without a ``hypotheses:`` list
    each labelled path is a hypothesis (every path when nothing is labelled or defined:
    :func:`path_hypotheses`), and each ``:=`` parameter that multiplies paths following
    one another (:func:`defined_chain`) is the indirect effect along that chain; any other
    definition has no PLS estimate and is left ``not_tested``. Each test's effect carries
    ``engine: pls`` (results.json then gives ``t``, not ``z``).
    """
    nan = float("nan")
    paths = {(r["from"], r["to"]): r for r in fit.path_records}
    chains = {(r["from"], tuple(r["through"]), r["to"]): r for r in fit.indirect_records}

    def effect(kind: str, source: str, target: str, through: tuple, rec: dict | None, **extra: Any) -> Effect:
        rec = rec or {}
        est = float(rec.get("est", nan))
        get = lambda k: float(rec[k]) if rec.get(k) is not None else nan  # noqa: E731
        return Effect(kind, source, target, through, est, est, get("se"), get("t"), get("pvalue"), get("ci_lower"),
                      get("ci_upper"), {"engine": "pls", **extra})

    out = []
    if q.hypotheses:
        for h in q.hypotheses:
            if h.moderator:
                term = next((t for t in (f"{h.source}:{h.moderator}", f"{h.moderator}:{h.source}")
                             if (t, h.target) in paths), None)
                if term is not None:
                    e = effect("moderation", h.source, h.target, (), paths[(term, h.target)], moderator=h.moderator,
                               term=term)
                    out.append(_test(h.id, h.text, e, alpha))
                continue
            if h.through:
                rec = chains.get((h.source, tuple(h.through), h.target))
                if rec is not None:
                    out.append(_test(h.id, h.text, effect("indirect", h.source, h.target, tuple(h.through), rec), alpha))
                continue
            rec = paths.get((h.source, h.target))
            if rec is not None:
                out.append(_test(h.id, h.text, effect("direct", h.source, h.target, (), rec), alpha))
        return out
    implied = path_hypotheses(q)
    if implied:
        for hid, source, target, moderator in implied:
            term = f"{source}:{moderator}" if moderator else source
            rec = paths.get((term, target))
            e = (effect("moderation", source, target, (), rec, moderator=moderator, term=term) if moderator
                 else effect("direct", source, target, (), rec))
            out.append(_test(hid, LocalizedText(), e, alpha))
        return out
    import pandas as pd
    statements = [s for s in q.model_statements if s.op in ("~", ":=")]
    labelled = pd.DataFrame([{"lhs": s.lhs, "rhs": s.rhs, "label": s.label} for s in statements
                             if s.op == "~" and s.label], columns=["lhs", "rhs", "label"])
    for s in statements:
        if s.op == "~" and s.label:
            out.append(_test(s.label, LocalizedText(), effect("direct", s.rhs, s.lhs, (), paths.get((s.rhs, s.lhs))),
                             alpha))
        elif s.op == ":=":
            chain = defined_chain(s.rhs, labelled)
            rec = chains.get((chain[0], tuple(chain[1:-1]), chain[-1])) if chain else None
            terms = defined_terms(s.rhs, labelled) if not chain else None
            if chain:
                e = effect("defined", chain[0], chain[-1], tuple(chain[1:-1]), rec, definition=s.rhs)
            elif terms:  # a sum of effects of one construct on another: its bootstrap test, as of a chain
                kind = "total" if any(len(c) == 2 for c in terms) else "total_indirect"
                e = effect("defined", terms[0][0], terms[0][-1], (), fit.chain_sum_record(terms), definition=s.rhs,
                           sum=kind)
            else:  # no PLS estimate of an arbitrary definition: reported, not tested
                e = effect("defined", s.rhs, s.lhs, (), None, definition=s.rhs)
            out.append(_test(s.lhs, LocalizedText(), e, alpha))
    return out

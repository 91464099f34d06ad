"""The hypotheses table: each hypothesis with its estimate, test and decision.

Hypotheses come from the questionnaire's ``hypotheses:`` list; without one,
every labelled regression path and every ``:=`` parameter of the model is a
hypothesis named by its label. A direct hypothesis reads its ``~`` row; an
indirect one the specific indirect effect through the listed mediators.

The decision is made here, never in a report: ``supported`` when the effect's
confidence interval (the bootstrap percentile interval when resampled, else the
Wald interval) excludes 0, at the settings' level (95 %, i.e. alpha = .05);
``not_supported`` when it includes 0; ``not_tested`` when there is no interval
(no standard error could be computed, or PLS-SEM ran without resamples).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..questionnaire import Questionnaire
from ..sem.decision import DECISIONS, decide
from ..sem.effects import Effect
from ..sem.sem_fit import SEMFit
from ..text import LocalizedText

__all__ = ["HypothesisTest", "decide", "test_hypotheses", "DECISIONS"]

@dataclass(frozen=True)
class HypothesisTest:
    """One hypothesis: its id and wording, the effect that tests it, and the decision."""

    id: str
    text: LocalizedText
    effect: Effect
    decision: str
    alpha: float

    @property
    def supported(self) -> bool:
        return self.decision == "supported"

    def to_json(self) -> dict[str, Any]:
        e = self.effect
        return {"id": self.id, "text": self.text.to_json() if self.text else "", "kind": e.kind,
                "from": e.source, "to": e.target, "through": list(e.through), "est": e.est,
                "std_all": e.std_all, "se": e.se, "z": e.z, "pvalue": e.pvalue, "ci_lower": e.ci_lower,
                "ci_upper": e.ci_upper, "decision": self.decision, "alpha": self.alpha}


def _direct(row: Any, source: str, target: str) -> Effect:
    return Effect("direct", source, target, (), float(row.est), float(row.std_all), float(row.se), float(row.z),
                  float(row.pvalue), float(row.ci_lower), float(row.ci_upper))


def _test(hid: str, text: LocalizedText, effect: Effect, alpha: float) -> HypothesisTest:
    return HypothesisTest(hid, text, effect, decide(effect.ci_lower, effect.ci_upper), alpha)


def test_hypotheses(q: Questionnaire, sem: SEMFit, effects: list[Effect], alpha: float = 0.05
                    ) -> list[HypothesisTest]:
    est = sem.params
    out = []
    if q.hypotheses:
        for h in q.hypotheses:
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
    for r in est.itertuples():
        if (r.op == "~" and r.label) or r.op == ":=":
            effect = replace(_direct(r, r.rhs, r.lhs), kind="direct" if r.op == "~" else "defined")
            out.append(_test(r.label, LocalizedText(), effect, alpha))
    return out

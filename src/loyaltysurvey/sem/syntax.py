"""A parser for lavaan model syntax.

Turns lavaan's model syntax into a tuple of :class:`Statement` rows, one per
parameter, in the spirit of lavaan's ``lavParseModelString()``: ``=~`` (is
measured by), ``~`` (is regressed on), ``~~`` (covaries with), ``~ 1``
(intercept), ``:=`` (defined parameter), and the constraints ``==``, ``<``
and ``>``. Modifiers are numbers (fixed values), ``NA`` (free), labels,
``start(v)``, ``label("a")``, ``fixed(v)`` and ``v?x`` (start value).

An interaction ``A:B`` (lavaan's notation) may be a predictor of ``~``
(``LOY ~ SAT + SWC + SAT:SWC``); :mod:`loyaltysurvey.sem.interaction` turns it
into a latent product factor measured by product indicators.

Multi-group modifiers ``c(...)``, thresholds ``|``, formative ``<~`` and
``~*~`` are refused with a clear message: they are not part of what
loyaltysurvey estimates.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

from ..errors import ModelError

__all__ = ["Statement", "parse_model", "expression_names", "NAME_RE", "INTERACTION_RE", "interaction_parts"]

NAME_RE = re.compile(r"^[A-Za-z.][A-Za-z0-9._]*$")
#: An interaction term ``A:B`` (lavaan's notation), allowed as a predictor of ``~`` only.
INTERACTION_RE = re.compile(r"^([A-Za-z.][A-Za-z0-9._]*):([A-Za-z.][A-Za-z0-9._]*)$")
_OPERATORS = ("=~", "<~", "~~", "~*~", ":=", "==", "<", ">", "~", "|")
_OP_RE = re.compile(r"=~|<~|~\*~|~~|:=|==|~|<|>|\|")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Statement:
    """One parameter (or definition, or constraint) of a lavaan model.

    ``fixed`` is the fixed value when the parameter is fixed, ``free`` says a
    modifier ``NA`` freed it explicitly (for example a first loading), and
    ``line`` is the 1-based line within the model text.
    """

    lhs: str
    op: str
    rhs: str
    label: str = ""
    fixed: float | None = None
    start: float | None = None
    free: bool = False
    line: int = 0

    def to_syntax(self) -> str:
        """The statement as one line of lavaan syntax (its modifiers included).

        >>> [s.to_syntax() for s in parse_model("F =~ NA*x1 + a*x2 + 0.5*x3")]
        ['F =~ NA*x1', 'F =~ a*x2', 'F =~ 0.5*x3']
        """
        if self.op in (":=", "==", "<", ">"):
            return f"{self.lhs} {self.op} {self.rhs}"
        mods = []
        if self.free:
            mods.append("NA")
        if self.fixed is not None:
            mods.append(repr(float(self.fixed)).removesuffix(".0") if float(self.fixed).is_integer()
                        else repr(float(self.fixed)))
        if self.start is not None and self.fixed is None:
            mods.append(f"start({self.start!r})")
        if self.label:
            mods.append(self.label)
        return f"{self.lhs} {self.op} {''.join(m + '*' for m in mods)}{self.rhs}"


def _strip_comment(line: str) -> str:
    out = []
    quote = None
    for ch in line:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "#!":
            break
        out.append(ch)
    return "".join(out)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Split into statements; join continuation lines as lavaan does."""
    pieces: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        for part in _strip_comment(raw).split(";"):
            if part.strip():
                pieces.append((number, part.strip()))
    joined: list[tuple[int, str]] = []
    for number, part in pieces:
        continues = joined and (
            joined[-1][1].endswith(("+", "*", "("))
            or part.startswith(("+", "*"))
            or not _OP_RE.search(part)
        )
        if continues:
            joined[-1] = (joined[-1][0], joined[-1][1] + " " + part)
        else:
            joined.append((number, part))
    return joined


def _split_terms(text: str) -> list[str]:
    """Split on ``+`` outside parentheses."""
    terms, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "+" and depth == 0:
            terms.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    terms.append("".join(cur))
    return [t.strip() for t in terms]


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if _NUMBER_RE.match(text) else None


def _modifier(mod: str, number: int, spec: dict) -> None:
    mod = mod.strip()
    value = _number(mod)
    if value is not None:
        spec["fixed"] = value
        return
    if mod == "NA":
        spec["free"] = True
        return
    call = re.match(r"^(start|label|equal|fixed)\((.*)\)$", mod)
    if call:
        fn, arg = call.group(1), call.group(2).strip().strip("\"'")
        if fn == "start":
            v = _number(arg)
            if v is None:
                raise ModelError(f"start() needs a number, got '{arg}'", line=number)
            spec["start"] = v
        elif fn == "fixed":
            v = _number(arg)
            if v is None:
                raise ModelError(f"fixed() needs a number, got '{arg}'", line=number)
            spec["fixed"] = v
        else:
            if not NAME_RE.match(arg):
                raise ModelError(f"'{arg}' is not a valid label", line=number)
            spec["label"] = arg
        return
    if mod.startswith("c("):
        raise ModelError("multi-group modifiers c(...) are not supported", line=number)
    if NAME_RE.match(mod):
        spec["label"] = mod
        return
    raise ModelError(f"cannot read the modifier '{mod}'", line=number)


def _term(term: str, number: int) -> tuple[str, dict]:
    spec: dict = {}
    if not term:
        raise ModelError("a term is missing (two '+' in a row, or a '+' at the end)", line=number)
    if "?" in term:
        start, _, term = term.partition("?")
        v = _number(start)
        if v is None:
            raise ModelError(f"cannot read the start value '{start}'", line=number)
        spec["start"] = v
    parts = term.split("*")
    var = parts[-1].strip()
    for mod in parts[:-1]:
        _modifier(mod, number, spec)
    if var != "1" and not NAME_RE.match(var) and not INTERACTION_RE.match(var):
        raise ModelError(f"'{var}' is not a valid variable name", line=number)
    return var, spec


def interaction_parts(name: str) -> tuple[str, str] | None:
    """The two variables of an interaction term ``A:B``, or None when ``name`` is not one.

    >>> interaction_parts("SAT:SWC"), interaction_parts("SAT")
    (('SAT', 'SWC'), None)
    """
    match = INTERACTION_RE.match(name)
    return (match.group(1), match.group(2)) if match else None


def expression_names(expr: str) -> set[str]:
    """The identifiers an expression of a ``:=`` or constraint line uses."""
    try:
        tree = ast.parse(expr.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise ModelError(f"cannot read the expression '{expr}'") from exc
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
                raise ModelError(f"unknown function in '{expr}'")
        elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant,
                                   ast.Load, ast.operator, ast.unaryop)):
            raise ModelError(f"'{expr}' is not an arithmetic expression")
    return names - set(_FUNCTIONS)


_FUNCTIONS = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt, "abs": abs}


def parse_model(text: str) -> tuple[Statement, ...]:
    """Parse lavaan model syntax into statements.

    Raises :class:`ModelError` with the 1-based line of the model text.
    """
    out: list[Statement] = []
    for number, line in _logical_lines(text):
        match = _OP_RE.search(line)
        if not match:
            raise ModelError(f"no operator (=~, ~, ~~, :=) in '{line}'", line=number)
        op = match.group(0)
        lhs_text, rhs_text = line[: match.start()].strip(), line[match.end():].strip()
        if op in ("<~", "~*~", "|"):
            raise ModelError(f"the operator '{op}' is not supported", line=number)
        if not lhs_text or not rhs_text:
            raise ModelError(f"'{line}' needs something on both sides of '{op}'", line=number)
        if op in (":=", "==", "<", ">"):
            if op == ":=" and not NAME_RE.match(lhs_text):
                raise ModelError(f"'{lhs_text}' is not a valid name for a defined parameter", line=number)
            try:
                expression_names(rhs_text)
                if op != ":=":
                    expression_names(lhs_text)
            except ModelError as exc:
                raise ModelError(exc.detail, line=number) from None
            out.append(Statement(lhs_text, op, rhs_text, label=lhs_text if op == ":=" else "", line=number))
            continue
        lhs_vars = _split_terms(lhs_text)
        for lhs in lhs_vars:
            if not NAME_RE.match(lhs):
                raise ModelError(f"'{lhs}' is not a valid variable name", line=number)
        for term in _split_terms(rhs_text):
            var, spec = _term(term, number)
            if var == "1" and op != "~":
                raise ModelError(f"'1' (an intercept) only goes with '~', not '{op}'", line=number)
            if INTERACTION_RE.match(var):
                left, right = interaction_parts(var)
                if op != "~":
                    raise ModelError(f"the interaction '{var}' can only be a predictor ('Y ~ {var}'), "
                                     f"not on the right of '{op}'", line=number)
                if left == right:
                    raise ModelError(f"'{var}': an interaction needs two different variables", line=number)
            for lhs in lhs_vars:
                if op in ("~", "=~") and var == lhs:
                    verb = "regressed on" if op == "~" else "measured by"
                    raise ModelError(f"'{lhs} {op} {var}': a variable cannot be {verb} itself", line=number)
                out.append(Statement(lhs, op, var, line=number, **spec))
    return tuple(out)

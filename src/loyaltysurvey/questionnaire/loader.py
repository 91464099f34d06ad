"""Loading and validating questionnaires.

The YAML is read with the safe loader only (``yaml.safe_load``'s, in its C version when
PyYAML has it); the node tree of the same parse maps every key and value to its line, so
that each error names the YAML line; a text the C parser refuses is read again by the
Python one, whose messages the errors are worded from. The same
:func:`questionnaire_from_dict` validates dictionaries built in Python.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..files import check_regular_file
from ..errors import ModelError, QuestionnaireError
from ..text import LocalizedText, match_key, to_ascii_digits
from .schema import Alternative, AttentionCheck, Construct, Demographic, Hypothesis, Item, Questionnaire, Scale
from ..sem.syntax import NAME_RE, expression_names, interaction_parts, parse_model

__all__ = ["load_questionnaire", "questionnaire_from_dict"]

#: A questionnaire file larger than this is refused (the bundled one is about 20 KB).
MAX_YAML_BYTES = 10 * 1024 ** 2
#: Deeper nesting than this is refused (a questionnaire needs about 6 levels).
MAX_YAML_DEPTH = 40

_TOP_KEYS = {"id", "title", "description", "language", "scale", "missing_codes", "respondent_id",
             "constructs", "demographics", "model", "alternatives", "hypotheses", "references", "version", "author",
             "form", "attention", "metadata"}
_SCALE_KEYS = {"min", "max", "labels"}
_CONSTRUCT_KEYS = {"id", "name", "description", "items", "scale", "mode", "dimensions", "hoc_approach"}
#: PLS-SEM approaches to a higher-order construct (``hoc_approach:``), YAML spelling -> stored value.
HOC_APPROACHES = {"two_stage": "two_stage", "disjoint": "two_stage", "disjoint_two_stage": "two_stage",
                  "embedded": "embedded", "embedded_two_stage": "embedded",
                  "repeated_indicators": "repeated_indicators"}
_ITEM_KEYS = {"id", "text", "reverse", "column", "scale"}
_DEMOGRAPHIC_KEYS = {"id", "name", "column", "values", "multiple", "separator", "bins"}
_HYPOTHESIS_KEYS = {"id", "from", "to", "through", "text", "moderator"}
_FORM_KEYS = {"cover_letter", "consent", "thanks"}
_ATTENTION_KEYS = {"item", "id", "expect", "text", "column", "scale"}


class _Lines:
    """Path (tuple of keys and indices) -> 1-based YAML line."""

    def __init__(self, root: yaml.Node | None, source: str | None) -> None:
        self.map: dict[tuple, int] = {}
        self.block: dict[tuple, bool] = {}
        self.source = source
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        self.map.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise QuestionnaireError(
                        f"duplicate key '{key}' (first on line {seen[key]}); keep only one",
                        source=self.source, line=line)
                seen[key] = line
                self.map[path + (key,)] = line
                if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
                    self.block[path + (key,)] = True
                    self.map[path + (key, "__value__")] = value_node.start_mark.line + 1
                self._walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, child in enumerate(node.value):
                self._walk(child, path + (i,))

    def line(self, path: tuple) -> int | None:
        while path:
            if path in self.map:
                return self.map[path]
            path = path[:-1]
        return self.map.get((), None)

    def error(self, path: tuple, message: str) -> QuestionnaireError:
        where = _dotted(path)
        text = f"{where}: {message}" if where else message
        return QuestionnaireError(text, source=self.source, line=self.line(path))


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_questionnaire(path: str | os.PathLike) -> Questionnaire:
    """Read and validate a questionnaire YAML file.

    Raises :class:`~loyaltysurvey.errors.QuestionnaireError` naming the file and
    the YAML line of the first problem. The file must be UTF-8 (a BOM is allowed), a
    regular file and below :data:`MAX_YAML_BYTES`; the text is then validated by
    :func:`questionnaire_from_yaml`. Behaviour tested in tests/test_spec.py.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = pathlib.Path(d, "q.yaml")
    ...     _ = path.write_text(chr(10).join(["id: demo", "scale: {min: 1, max: 5}", "constructs:",
    ...                                       "  - {id: SAT, items: [S1, S2, S3]}"]), encoding="utf-8")
    ...     q = load_questionnaire(path)
    >>> q.id, q.item_ids, q.source == str(path)
    ('demo', ('S1', 'S2', 'S3'), True)
    """
    path = Path(path)
    source = str(path)
    check_regular_file(path, QuestionnaireError, MAX_YAML_BYTES, "questionnaire file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise QuestionnaireError(f"cannot read the file ({exc.strerror})", source=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise QuestionnaireError("is not UTF-8 text; save the questionnaire as UTF-8",
                                 source=source, line=line) from None
    return questionnaire_from_yaml(text, source=source)


#: The safe loader, in C (libyaml, as PyYAML's wheels ship it) when there: the same safe
#: constructors as ``yaml.safe_load``, about ten times faster on a questionnaire.
_FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose_and_load(text: str, loader_class) -> tuple[Any, Any]:
    """The YAML's node tree (for the lines of its keys and values) and its data, from one parse
    with a safe loader (``yaml.safe_load`` composes and constructs the same way)."""
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def _refuse_yaml_hazards(text: str, source: str | None, loader_class=_FAST_SAFE_LOADER) -> None:
    """Refuse anchors and aliases (an alias bomb expands a few bytes into gigabytes) and deep nesting
    (thousands of brackets exhaust the recursion of the YAML composer), before anything is built.
    A text the C parser refuses (libyaml has a nesting limit of its own) is read again by the
    Python parser, so that the hazard is named before any syntax error."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader_class):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise QuestionnaireError("YAML anchors (&name) and aliases (*name) are not allowed in a "
                                         "questionnaire; write each value out", source=source,
                                         line=event.start_mark.line + 1)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise QuestionnaireError(f"nested more than {MAX_YAML_DEPTH} levels deep; a questionnaire "
                                             "needs far fewer", source=source, line=event.start_mark.line + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        if loader_class is not yaml.SafeLoader:
            _refuse_yaml_hazards(text, source, yaml.SafeLoader)
        return  # syntax errors are reported with their line by the loader below


_KEY_WITHOUT_COLON = re.compile(r"^\s*(?:-\s+)?[^\s:#'\"\[{-][^:#]*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _odd_quotes(line: str) -> bool:
    """Whether a line opens a double-quoted string it does not close (a comment's quotes aside)."""
    body = re.sub(r'\\.', "", line.split(" #")[0])
    return body.count('"') % 2 == 1


def _blame_yaml_line(text: str, line: int, problem: str) -> tuple[int, str]:
    r"""The line a YAML syntax error is most likely on, and a hint, for errors PyYAML notices late.

    PyYAML reports a mis-indented or colon-less line where the parser gives up, which is often
    the line after the real mistake. A line shortly before that opens a double quote it does
    not close is blamed first; then the line before the reported one when it is a
    key without its colon (for "mapping values are not allowed here") or when its indentation
    is off the step (2 or 4 spaces) three in four lines of the file keep; otherwise the reported
    line stands.

    >>> _blame_yaml_line("scale:\n  min 1\n  max: 5\n", 3, "mapping values are not allowed here")
    (2, " (line 2 has no ':' after its key)")
    >>> _blame_yaml_line("items:\n  - id: A\n   - id: B\n    text: x\n", 4, "mapping values are not allowed here")
    (3, ' (line 3 is indented by 3 spaces; the other lines step by 2)')
    >>> _blame_yaml_line('a: "open\nb: 1\nc: 2\n', 3, "expected <block end>")[0]
    1
    """
    lines = text.splitlines()
    if not 1 <= line <= len(lines) or line == 1:
        return line, ""
    previous = line - 1
    while previous > 1 and (not lines[previous - 1].strip() or lines[previous - 1].lstrip().startswith("#")):
        previous -= 1
    before = lines[previous - 1]
    content = [k for k in range(1, line + 1) if lines[k - 1].strip() and not lines[k - 1].lstrip().startswith("#")]
    for candidate in content:  # a double-quoted text rarely spans lines: one left open runs on to later lines
        if _odd_quotes(lines[candidate - 1]):
            return candidate, f" (line {candidate} opens a quoted text with \" and does not close it)"
    if "mapping values" in problem and _KEY_WITHOUT_COLON.match(before) and before.strip():
        return previous, f" (line {previous} has no ':' after its key)"
    indents = [_indent(lines[k - 1]) for k in content]
    step = next((step for step in (4, 2) if sum(depth % step == 0 for depth in indents) >= 0.75 * len(indents)), 0)
    if step:
        for candidate in [k for k in content if k >= line - 3]:  # the first line off the file's step
            depth = _indent(lines[candidate - 1])
            if depth % step:
                return candidate, (f" (line {candidate} is indented by {depth} spaces; the other lines step "
                                   f"by {step})")
    return line, ""


def questionnaire_from_yaml(text: str, source: str | None = None) -> Questionnaire:
    """Validate questionnaire YAML given as text.

    YAML anchors and aliases and very deep nesting are refused before the text is parsed;
    the parsed structure is then checked by :func:`questionnaire_from_dict`, and each
    problem is reported with ``source`` and its YAML line.

    >>> text = chr(10).join(["id: demo", "scale: {min: 1, max: 5}", "constructs:",
    ...                      "  - {id: SAT, items: [S1, S2, S3]}", "  - {id: LOY, items: [L1, L2, L3]}",
    ...                      "model: LOY ~ SAT"])
    >>> questionnaire_from_yaml(text).item_ids
    ('S1', 'S2', 'S3', 'L1', 'L2', 'L3')
    >>> questionnaire_from_yaml(text.replace("max: 5", "max: one"), source="demo.yaml")
    Traceback (most recent call last):
    ...
    loyaltysurvey.errors.QuestionnaireError: demo.yaml, line 2: scale.max: scale.max must be a whole number, not 'one'
    """
    _refuse_yaml_hazards(text, source)
    try:
        root, data = _compose_and_load(text, _FAST_SAFE_LOADER)
    except yaml.YAMLError:  # read it again with the Python loader, whose messages the errors below word
        root = None
    if root is None:
        try:
            root, data = _compose_and_load(text, yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "invalid YAML"
            context = exc.context or ""
            if exc.context_mark is not None and "flow" in context:
                # An unclosed [ or {: name the line that opens it.
                opener = "[" if "sequence" in context else "{"
                closer = "]" if opener == "[" else "}"
                found = f" (reached line {exc.problem_mark.line + 1})" if exc.problem_mark else ""
                raise QuestionnaireError(f"YAML syntax error: the '{opener}' opened here is not closed with "
                                         f"'{closer}'{found}", source=source, line=exc.context_mark.line + 1) from None
            line, hint = _blame_yaml_line(text, mark.line + 1, problem) if mark else (None, "")
            raise QuestionnaireError(f"YAML syntax error: {problem}{hint}", source=source, line=line) from None
        except yaml.YAMLError as exc:
            raise QuestionnaireError(f"YAML error: {exc}", source=source) from None
    lines = _Lines(root, source)
    if data is None:
        raise QuestionnaireError("the questionnaire is empty", source=source)
    return questionnaire_from_dict(data, _lines=lines, source=source)


# --------------------------------------------------------------------------- helpers

def _require_mapping(value: Any, path: tuple, lines: _Lines, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise lines.error(path, f"{what} must be a mapping of keys to values, not {_kind(value)}")
    return value


def _require_list(value: Any, path: tuple, lines: _Lines, what: str) -> list:
    if not isinstance(value, list):
        raise lines.error(path, f"{what} must be a list, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    return {str: "text", int: "a number", float: "a number", bool: "true/false",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _check_keys(mapping: Mapping, allowed: set[str], path: tuple, lines: _Lines, what: str) -> None:
    for key in mapping:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            raise lines.error(path + (key,), f"unknown key '{key}' in {what} (allowed: {hint})")


def _name(value: Any, path: tuple, lines: _Lines, what: str, column: bool = True) -> str:
    """A model variable name; ``column`` says whether the entry may name its export header as
    ``column:`` (items, demographics, attention checks), which the message then suggests."""
    if value is None or value == "":
        raise lines.error(path, f"{what} is required")
    if not isinstance(value, str) or not NAME_RE.match(value):
        hint = ("; keep a short Latin id and give the export's header, in any script, as 'column:'"
                if column else "; its name in any language goes under 'name:'")
        raise lines.error(path, f"{what} '{value}' must start with a Latin letter (A-Z) and hold only Latin "
                                f"letters, digits, '_' and '.' (it becomes a variable name in the model){hint}")
    return value


def _text(value: Any, path: tuple, lines: _Lines, what: str, required: bool = False) -> LocalizedText:
    if value is None:
        if required:
            raise lines.error(path, f"{what} is required")
        return LocalizedText()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return LocalizedText.of(str(value))
    if isinstance(value, str):
        return LocalizedText.of(value)
    if isinstance(value, Mapping):
        out = {}
        for lang, text in value.items():
            if not isinstance(lang, str) or not isinstance(text, (str, int, float)) or isinstance(text, bool):
                raise lines.error(path + (lang,), f"{what} must map a language code to text")
            out[lang] = str(text)
        if not out:
            raise lines.error(path, f"{what} is empty")
        return LocalizedText.of(out)
    raise lines.error(path, f"{what} must be text or a mapping {{fa: ..., en: ...}}, not {_kind(value)}")


def _integer(value: Any, path: tuple, lines: _Lines, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        raise lines.error(path, f"{what} must be a whole number, not '{value}'")
    return int(value)


def _scale(value: Any, path: tuple, lines: _Lines) -> Scale:
    value = _require_mapping(value, path, lines, "scale")
    _check_keys(value, _SCALE_KEYS, path, lines, "scale")
    if "min" not in value or "max" not in value:
        raise lines.error(path, "scale needs both 'min' and 'max'")
    lo = _integer(value["min"], path + ("min",), lines, "scale.min")
    hi = _integer(value["max"], path + ("max",), lines, "scale.max")
    if lo >= hi:
        raise lines.error(path + ("min",), f"scale.min ({lo}) must be less than scale.max ({hi})")
    if hi - lo > 100:
        raise lines.error(path + ("max",), f"a scale of {hi - lo + 1} points is not a rating scale")
    labels: dict[str, tuple[str, ...]] = {}
    raw_labels = value.get("labels")
    if raw_labels is not None:
        if isinstance(raw_labels, list):
            raw_labels = {"": raw_labels}
        raw_labels = _require_mapping(raw_labels, path + ("labels",), lines, "scale.labels")
        for lang, texts in raw_labels.items():
            lpath = path + ("labels", lang) if lang else path + ("labels",)
            texts = _require_list(texts, lpath, lines, "scale labels")
            if len(texts) != hi - lo + 1:
                raise lines.error(lpath, f"{len(texts)} labels given for a {hi - lo + 1}-point scale "
                                         f"({lo} to {hi}); give one label per point")
            labels[lang or "default"] = tuple(str(t) for t in texts)
        keys = {}
        for lang, texts in labels.items():
            for point, text in zip(range(lo, hi + 1), texts):
                key = match_key(text)
                if keys.get(key, point) != point:
                    raise lines.error(path + ("labels",), f"the label '{text}' stands for two different points")
                keys[key] = point
    return Scale(lo, hi, labels)


def _missing_codes(value: Any, path: tuple, lines: _Lines) -> tuple:
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    out = []
    for i, code in enumerate(value):
        if isinstance(code, bool):
            raise lines.error(path + (i,), "a missing code must be a number or text, not true/false")
        if isinstance(code, (int, float)):
            out.append(float(code))
        elif isinstance(code, str) and code.strip():
            ascii_code, _, _ = to_ascii_digits(code.strip())
            try:
                out.append(float(ascii_code))
            except ValueError:
                out.append(match_key(code))
        else:
            raise lines.error(path + (i,), f"cannot read the missing code '{code}'")
    return tuple(out)


# --------------------------------------------------------------------------- main validator

def questionnaire_from_dict(data: Mapping, *, source: str | None = None, _lines: _Lines | None = None) -> Questionnaire:
    """Validate a questionnaire given as plain Python data (the YAML's structure).

    Checks every key (unknown keys are errors), the scale and its labels, unique item and
    construct ids, the missing codes, demographics, hypotheses and the lavaan ``model``
    (the variables it names must be constructs or items), and returns the
    frozen :class:`~loyaltysurvey.questionnaire.schema.Questionnaire`. The first problem
    raises :class:`~loyaltysurvey.errors.QuestionnaireError` with the path of the key at
    fault. Behaviour tested in tests/test_spec.py.

    >>> q = questionnaire_from_dict({"id": "demo", "scale": {"min": 1, "max": 5},
    ...                              "constructs": [{"id": "SAT", "items": ["S1", "S2"]}]})
    >>> q.item_ids, q.scale.points
    (('S1', 'S2'), (1, 2, 3, 4, 5))
    >>> questionnaire_from_dict({"id": "demo", "scale": {"min": 1, "max": 5}, "constructs": []})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    loyaltysurvey.errors.QuestionnaireError: constructs: constructs is empty; list at least one construct ...
    """
    lines = _lines or _Lines(None, source)
    data = _require_mapping(data, (), lines, "the questionnaire")
    _check_keys(data, _TOP_KEYS, (), lines, "the questionnaire")
    qid = _questionnaire_id(data, lines)
    language = _language(data, lines)
    if "scale" not in data:
        raise lines.error((), "the questionnaire needs a 'scale' with min and max")
    scale = _scale(data["scale"], ("scale",), lines)
    missing = _missing_codes(data.get("missing_codes"), ("missing_codes",), lines)
    respondent_id = _respondent_id(data.get("respondent_id"), lines)

    seen_ids: dict[str, tuple] = {}
    constructs = _constructs(data.get("constructs"), lines, scale, seen_ids)
    demographics = _demographics(data.get("demographics"), lines, seen_ids)
    def dimension_line(cid: str, di: int | None) -> int | None:
        for ci, raw in enumerate(data.get("constructs") or []):
            if isinstance(raw, Mapping) and raw.get("id") == cid:
                return lines.line(("constructs", ci) + (("dimensions", di) if di is not None else ("id",)))
        return None

    _check_dimensions(constructs, lines, dimension_line)
    statements, model, model_lines = _model(data.get("model"), lines, constructs, demographics)
    promoted = _promote_model_hocs(constructs, statements, lines, model_lines)
    if len(promoted) > len(constructs):
        _check_dimensions(promoted, lines, lambda cid, di: dimension_line(cid, di) or (model_lines or [None])[0])
        constructs = promoted
    hypotheses = _hypotheses(data.get("hypotheses"), lines, constructs, statements)
    alternatives = _alternatives(data.get("alternatives"), lines, constructs, demographics, statements)
    references = data.get("references") or []
    references = _require_list(references, ("references",), lines, "references")
    form_texts = _form_texts(data.get("form"), lines)
    attention = _attention(data.get("attention"), lines, scale, seen_ids)
    metadata = _metadata(data.get("metadata"), lines)
    return Questionnaire(
        id=str(qid), title=_text(data.get("title"), ("title",), lines, "title") or LocalizedText.of(str(qid)),
        description=_text(data.get("description"), ("description",), lines, "description"),
        language=language, scale=scale, constructs=tuple(constructs), missing_codes=missing,
        respondent_id=respondent_id, demographics=demographics, model=model, model_statements=statements,
        model_lines=model_lines, alternatives=alternatives,
        hypotheses=hypotheses, references=tuple(str(r) for r in references), source=source,
        form_texts=form_texts, metadata=metadata, attention=attention)


def _attention(value: Any, lines: _Lines, scale: Scale, seen_ids: dict[str, tuple]) -> tuple[AttentionCheck, ...]:
    """The attention checks: ``attention: [{item: ATT1, expect: 2}, ...]``.

    Each names an item outside the constructs (``item``, or ``id``; unique among all ids), the
    answer or answers that pass (``expect``: a scale point or a list of them), and optionally its
    ``column`` header, ``text`` and own ``scale`` (default: the questionnaire's)."""
    if value is None:
        return ()
    if isinstance(value, Mapping):
        value = [value]
    value = _require_list(value, ("attention",), lines, "attention")
    out = []
    for k, raw in enumerate(value):
        path = ("attention", k)
        raw = _require_mapping(raw, path, lines, "an attention check")
        _check_keys(raw, _ATTENTION_KEYS, path, lines, "an attention check")
        key = "item" if "item" in raw else "id"
        if "item" in raw and "id" in raw:
            raise lines.error(path + ("id",), "give the attention item as 'item' or 'id', not both")
        aid = _name(raw.get(key), path + (key,), lines, "attention item")
        if aid in seen_ids:
            raise lines.error(path + (key,), f"the id '{aid}' is used twice (also on line "
                                             f"{lines.line(seen_ids[aid])}); an attention item must be an item "
                                             "of its own, outside the constructs")
        seen_ids[aid] = path + (key,)
        ascale = _scale(raw["scale"], path + ("scale",), lines) if "scale" in raw else scale
        if "expect" not in raw:
            raise lines.error(path, f"attention check {aid} needs 'expect': the answer (or list of answers) "
                                    "that passes")
        expect = raw["expect"] if isinstance(raw["expect"], list) else [raw["expect"]]
        points = []
        for e in expect:
            if isinstance(e, bool) or not isinstance(e, (int, float)) or float(e) not in ascale.points:
                raise lines.error(path + ("expect",), f"expect of {aid} must be points of its {ascale.min}-"
                                                      f"{ascale.max} scale, not '{e}'")
            points.append(float(e))
        if not points:
            raise lines.error(path + ("expect",), f"expect of {aid} is empty; give the answer that passes")
        column = raw.get("column")
        if column is not None and (not isinstance(column, (str, int)) or str(column).strip() == ""):
            raise lines.error(path + ("column",), "column must be the header text of a column")
        out.append(AttentionCheck(aid, tuple(points), ascale, None if column is None else str(column),
                                  _text(raw.get("text"), path + ("text",), lines, "attention item text")))
    return tuple(out)


def _metadata(value: Any, lines: _Lines) -> dict[str, str]:
    """The export's platform columns named by role: ``metadata: {duration: "Duration (in seconds)", ...}``."""
    if value is None:
        return {}
    from ..ingest.platforms import METADATA_ROLES
    value = _require_mapping(value, ("metadata",), lines, "metadata")
    out = {}
    for role, header in value.items():
        if role not in METADATA_ROLES:
            raise lines.error(("metadata", role), f"metadata role '{role}' is not one of {', '.join(METADATA_ROLES)}")
        if not isinstance(header, (str, int)) or str(header).strip() == "":
            raise lines.error(("metadata", role), f"metadata {role} must name a column of the export")
        out[str(role)] = str(header)
    return out


def _form_texts(value: Any, lines: _Lines) -> dict[str, LocalizedText]:
    """The printed form's own wording: ``form: {cover_letter, consent, thanks}``, each text or {lang: text}."""
    if value is None:
        return {}
    value = _require_mapping(value, ("form",), lines, "form")
    _check_keys(value, _FORM_KEYS, ("form",), lines, "form")
    return {key: _text(value[key], ("form", key), lines, f"form {key}", required=True) for key in value}


def _questionnaire_id(data: Mapping, lines: _Lines) -> str | int:
    """Check the questionnaire's id."""
    qid = data.get("id")
    if qid is None or not isinstance(qid, (str, int)) or str(qid).strip() == "":
        raise lines.error(("id",) if "id" in data else (), "the questionnaire needs an 'id'")
    return qid


def _language(data: Mapping, lines: _Lines) -> str:
    """Check the questionnaire's language code (en unless given)."""
    language = data.get("language", "en")
    if not isinstance(language, str) or not (2 <= len(language) <= 3) or not language.isalpha():
        raise lines.error(("language",), f"language '{language}' must be a language code such as fa or en")
    return language


def _respondent_id(value: Any, lines: _Lines) -> str | None:
    """Check the name of the respondent id column, if given."""
    if value is not None and (not isinstance(value, (str, int)) or str(value).strip() == ""):
        raise lines.error(("respondent_id",), "respondent_id must name a column")
    return str(value) if value is not None else None


def _constructs(value: Any, lines: _Lines, scale: Scale, seen_ids: dict[str, tuple]) -> list[Construct]:
    """Validate the list of constructs, recording every construct and item id in ``seen_ids``."""
    if value is None:
        raise lines.error((), "the questionnaire needs 'constructs', each with its items")
    value = _require_list(value, ("constructs",), lines, "constructs")
    if not value:
        raise lines.error(("constructs",), "constructs is empty; list at least one construct with its items")
    seen_columns: dict[str, tuple] = {}
    return [_construct(raw, ("constructs", ci), lines, scale, seen_ids, seen_columns)
            for ci, raw in enumerate(value)]


def _construct(raw: Any, cpath: tuple, lines: _Lines, scale: Scale, seen_ids: dict[str, tuple],
               seen_columns: dict[str, tuple]) -> Construct:
    """Validate one construct with its items (a construct's scale is the default for its items)."""
    raw = _require_mapping(raw, cpath, lines, "a construct")
    _check_keys(raw, _CONSTRUCT_KEYS, cpath, lines, "a construct")
    cid = _name(raw.get("id"), cpath + ("id",), lines, "construct id", column=False)
    if cid in seen_ids:
        raise lines.error(cpath + ("id",), f"the id '{cid}' is used twice (also on line "
                                           f"{lines.line(seen_ids[cid])}); ids must be unique")
    seen_ids[cid] = cpath + ("id",)
    if "dimensions" in raw:
        return _higher_order_construct(raw, cid, cpath, lines)
    if "hoc_approach" in raw:
        raise lines.error(cpath + ("hoc_approach",), f"'hoc_approach' applies to a higher-order construct (one "
                                                     f"with 'dimensions'); '{cid}' has items: remove it")
    cscale = _scale(raw["scale"], cpath + ("scale",), lines) if "scale" in raw else scale
    raw_items = raw.get("items")
    if raw_items is None or raw_items == []:
        where = cpath + ("items",) if "items" in raw else cpath
        raise lines.error(where, f"construct '{cid}' has no items; give it at least one item")
    raw_items = _require_list(raw_items, cpath + ("items",), lines, "items")
    items = [_item(raw_item, cpath + ("items", ii), lines, cid, cscale, seen_ids, seen_columns)
             for ii, raw_item in enumerate(raw_items)]
    if len(items) == 1 and items[0].reverse:
        raise lines.error(cpath + ("items", 0, "reverse"),
                          f"'{items[0].id}' is reverse-worded but construct '{cid}' has only this item; "
                          "a single-item construct cannot be reverse-keyed: remove 'reverse'")
    mode_names = {"A": "A", "composite": "A", "B": "B", "formative": "B", "reflective": "R"}
    mode = mode_names.get(str(raw.get("mode", "A")))
    if mode is None:
        raise lines.error(cpath + ("mode",), "mode must be A (composite, mode A; the default), B (formative, "
                                             f"mode B) or reflective (PLSc), not '{raw.get('mode')}'")
    return Construct(cid, _text(raw.get("name"), cpath + ("name",), lines, "construct name")
                     or LocalizedText.of(cid), tuple(items),
                     _text(raw.get("description"), cpath + ("description",), lines, "description"),
                     mode)


def _higher_order_construct(raw: Mapping, cid: str, cpath: tuple, lines: _Lines) -> Construct:
    """A higher-order construct: ``dimensions:`` lists constructs, and it has no items nor scale of its own.

    Whether the dimensions exist, form no cycle and serve one higher-order construct each is
    checked once every construct is known (:func:`_check_dimensions`).
    """
    for key in ("items", "scale"):
        if key in raw:
            raise lines.error(cpath + (key,), f"construct '{cid}' is higher-order (it lists 'dimensions'), so it "
                                              f"has no {key} of its own: its dimensions are constructs with items; "
                                              f"remove '{key}' or 'dimensions'")
    dims = raw.get("dimensions")
    if isinstance(dims, str):
        dims = [dims]
    dims = _require_list(dims, cpath + ("dimensions",), lines, "dimensions")
    if len(dims) < 2:
        raise lines.error(cpath + ("dimensions",), f"higher-order construct '{cid}' needs at least two dimensions "
                                                   f"(constructs), not {len(dims)}")
    names = []
    for di, d in enumerate(dims):
        if not isinstance(d, str) or not d.strip():
            raise lines.error(cpath + ("dimensions", di), f"'dimensions' of '{cid}' must list construct ids, "
                                                          f"not {_kind(d)}")
        if d in names:
            raise lines.error(cpath + ("dimensions", di), f"'{d}' is listed twice in the dimensions of '{cid}'")
        names.append(d)
    mode_names = {"A": "A", "composite": "A", "B": "B", "formative": "B", "reflective": "R"}
    mode = mode_names.get(str(raw.get("mode", "A")))
    if mode is None:
        raise lines.error(cpath + ("mode",), "mode must be A (composite, mode A; the default), B (formative, "
                                             f"mode B) or reflective (PLSc), not '{raw.get('mode')}'")
    approach = HOC_APPROACHES.get(str(raw.get("hoc_approach", "two_stage")))
    if approach is None:
        raise lines.error(cpath + ("hoc_approach",), "hoc_approach must be two_stage (disjoint two-stage, seminr's; "
                                                     "the default), embedded (embedded two-stage) or repeated_indicators, "
                                                     f"not '{raw.get('hoc_approach')}'")
    return Construct(cid, _text(raw.get("name"), cpath + ("name",), lines, "construct name") or LocalizedText.of(cid),
                     (), _text(raw.get("description"), cpath + ("description",), lines, "description"), mode,
                     dimensions=tuple(names), hoc_approach=approach)


def _check_dimensions(constructs: list[Construct], lines: _Lines, where_of) -> None:
    """Refuse a dimension that is no construct, a cycle, or a dimension of two higher-order constructs.

    ``where_of(construct_id, dimension_index)`` gives the YAML line of a dimension.
    """
    ids = {c.id: c for c in constructs}
    parent: dict[str, str] = {}
    for c in constructs:
        for di, d in enumerate(c.dimensions):
            if d == c.id:
                raise QuestionnaireError(f"higher-order construct '{c.id}' lists itself as a dimension",
                                         source=lines.source, line=where_of(c.id, di))
            if d not in ids:
                raise QuestionnaireError(f"'{d}' in the dimensions of '{c.id}' is not a construct of the "
                                         f"questionnaire (constructs: {', '.join(sorted(ids))})",
                                         source=lines.source, line=where_of(c.id, di))
            if d in parent:
                raise QuestionnaireError(f"'{d}' is a dimension of both '{parent[d]}' and '{c.id}'; a dimension "
                                         "belongs to one higher-order construct", source=lines.source,
                                         line=where_of(c.id, di))
            parent[d] = c.id
    for c in constructs:  # follow the parents up: a cycle comes back to where it started
        seen, node = [c.id], c.id
        while node in parent:
            node = parent[node]
            if node in seen:
                raise QuestionnaireError(f"the higher-order constructs form a cycle ({' -> '.join(seen + [node])}); "
                                         "a construct cannot be its own dimension, directly or through others",
                                         source=lines.source, line=where_of(node, None))
            seen.append(node)


def _promote_model_hocs(constructs: list[Construct], statements, lines: _Lines, model_lines) -> list[Construct]:
    """``HOC =~ LOC1 + LOC2`` lines of the model whose right sides are all constructs become higher-order
    constructs (as if declared with ``dimensions:``); on a declared higher-order construct such a
    line may only restate its dimensions."""
    ids = {c.id: c for c in constructs}
    by_lhs: dict[str, list] = {}
    for st in statements:
        if st.op == "=~":
            by_lhs.setdefault(st.lhs, []).append(st)
    out = list(constructs)
    for lhs, sts in by_lhs.items():
        line = model_lines[sts[0].line - 1] if model_lines and sts[0].line and sts[0].line <= len(model_lines) else None
        if lhs in ids:
            c = ids[lhs]
            extra = [st.rhs for st in sts if c.dimensions and st.rhs not in c.dimensions]
            if extra:
                raise QuestionnaireError(f"model: '{lhs} =~ {extra[0]}' adds a dimension to '{lhs}'; list it under "
                                         f"the dimensions of '{lhs}' instead", source=lines.source, line=line)
            continue
        if all(st.rhs in ids for st in sts):
            out.append(Construct(lhs, LocalizedText.of(lhs), (), dimensions=tuple(st.rhs for st in sts)))
    return out


def _entry_with_id(raw: Any, path: tuple, lines: _Lines, what: str, id_what: str, keys: set[str],
                   seen_ids: dict[str, tuple]) -> tuple[Mapping, str]:
    """An item or demographic given as its id alone or as a mapping: the mapping and its unique id."""
    if isinstance(raw, str):
        raw = {"id": raw}
    raw = _require_mapping(raw, path, lines, what)
    _check_keys(raw, keys, path, lines, what)
    rid = _name(raw.get("id"), path + ("id",), lines, id_what)
    if rid in seen_ids:
        raise lines.error(path + ("id",), f"the id '{rid}' is used twice (also on line "
                                          f"{lines.line(seen_ids[rid])}); ids must be unique")
    seen_ids[rid] = path + ("id",)
    return raw, rid


def _item(raw_item: Any, ipath: tuple, lines: _Lines, cid: str, cscale: Scale, seen_ids: dict[str, tuple],
          seen_columns: dict[str, tuple]) -> Item:
    """Validate one item of construct ``cid`` (given as its id alone or as a mapping)."""
    raw_item, iid = _entry_with_id(raw_item, ipath, lines, "an item", "item id", _ITEM_KEYS, seen_ids)
    reverse = raw_item.get("reverse", False)
    if not isinstance(reverse, bool):
        raise lines.error(ipath + ("reverse",), f"reverse must be true or false, not '{reverse}'")
    column = raw_item.get("column")
    if column is not None:
        if not isinstance(column, (str, int)) or str(column).strip() == "":
            raise lines.error(ipath + ("column",), "column must be the header text of a column")
        column = str(column)
        key = match_key(column)
        if key in seen_columns:
            raise lines.error(ipath + ("column",), f"the column '{column}' is given to two items "
                                                   f"(also on line {lines.line(seen_columns[key])})")
        seen_columns[key] = ipath + ("column",)
    iscale = _scale(raw_item["scale"], ipath + ("scale",), lines) if "scale" in raw_item else cscale
    return Item(iid, _text(raw_item.get("text"), ipath + ("text",), lines, "item text"),
                iscale, reverse, column, cid)


def _bins(value: Any, path: tuple, lines: _Lines, did: str, coded: bool, multiple: bool) -> tuple[float, ...]:
    """A numeric demographic's band edges: increasing numbers (``bins: [25, 35, 45]`` makes the bands
    under 25, 25-34, 35-44 and 45 and over)."""
    if value is None:
        return ()
    example = "for example 'bins: [25, 35, 45]' for the bands under 25, 25-34, 35-44 and 45 and over"
    if coded or multiple:
        raise lines.error(path, f"bins band the numbers a respondent typed; '{did}' has "
                                f"{'coded values' if coded else 'several options'}: remove its bins")
    if not isinstance(value, list) or not value or any(isinstance(v, bool) or not isinstance(v, (int, float))
                                                        or v != v for v in value):
        raise lines.error(path, f"bins must be a list of numbers, {example}")
    if any(b <= a for a, b in zip(value, value[1:])):
        raise lines.error(path, f"bins must increase, {example}")
    return tuple(float(v) for v in value)


def _demographics(value: Any, lines: _Lines, seen_ids: dict) -> tuple[Demographic, ...]:
    if value is None:
        return ()
    value = _require_list(value, ("demographics",), lines, "demographics")
    out = []
    for di, raw in enumerate(value):
        dpath = ("demographics", di)
        raw, did = _entry_with_id(raw, dpath, lines, "a demographic", "demographic id", _DEMOGRAPHIC_KEYS, seen_ids)
        values = {}
        raw_values = raw.get("values")
        if raw_values is not None:
            raw_values = _require_mapping(raw_values, dpath + ("values",), lines, "values")
            for code, label in raw_values.items():
                code_key = str(int(code)) if isinstance(code, float) and code.is_integer() else str(code)
                values[code_key] = _text(label, dpath + ("values", code), lines, "value label", required=True)
        column = raw.get("column")
        multiple = raw.get("multiple", False)
        if not isinstance(multiple, bool):
            raise lines.error(dpath + ("multiple",), f"multiple must be true or false, not '{multiple}'")
        separator = raw.get("separator")
        if separator is not None:
            if not isinstance(separator, str) or separator == "":
                raise lines.error(dpath + ("separator",), "separator must be the text that joins the chosen "
                                                          "options in a cell, for example ';' or ', '")
            if not multiple:
                raise lines.error(dpath + ("separator",), f"separator is for a multi-select demographic; add "
                                                          f"'multiple: true' to '{did}' or remove the separator")
        bins = _bins(raw.get("bins"), dpath + ("bins",), lines, did, bool(values), multiple)
        out.append(Demographic(did, _text(raw.get("name"), dpath + ("name",), lines, "name") or LocalizedText.of(did),
                               str(column) if column is not None else None, values, multiple, separator, bins))
    return tuple(out)


def _model(value: Any, lines: _Lines, constructs: list[Construct], demographics, path: tuple = ("model",),
           label: str = "model") -> tuple[tuple, str | None, tuple[int | None, ...]]:
    """The model's statements, its text (None when it states nothing), and the YAML line of each text line."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return (), None, ()
    if not isinstance(value, str):
        raise lines.error(path, f"{label} must be lavaan syntax text (use 'model: |' and one formula per line)")
    first = lines.map.get(path + ("__value__",))
    offset = (first or lines.line(path) or 0)

    def where(statement_line: int) -> int | None:
        if first is None:
            return lines.line(path)
        return offset + statement_line if lines.block.get(path) else offset

    try:
        statements = parse_model(value)
    except ModelError as exc:
        raise QuestionnaireError(f"{label}: {exc.detail}", source=lines.source,
                                 line=where(exc.line) if exc.line else lines.line(path)) from None
    if not statements:  # only comments: no structural model
        return (), None, ()
    _check_model_names(statements, constructs, demographics, lines, where, label)
    _check_identified(constructs, statements, lines, where, path, label)
    return statements, value, tuple(where(n) for n in range(1, value.count("\n") + 2))


def _alternatives(value: Any, lines: _Lines, constructs: list[Construct], demographics, main: tuple
                  ) -> tuple[Alternative, ...]:
    """Alternative structural models ``{name: lavaan syntax}``, each checked as ``model`` is.

    A problem names the alternative and the YAML line it is on; an alternative needs a
    ``model`` to be compared with.
    """
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise lines.error(("alternatives",), "alternatives must map a name to lavaan syntax, for example "
                                             "'alternatives: {direct_only: \"LOY ~ KCF\"}'")
    if value and not main:
        raise lines.error(("alternatives",), "alternatives are compared with the questionnaire's 'model'; "
                                             "give a model first")
    out = []
    for name, text in value.items():
        path = ("alternatives", name)
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise lines.error(path, f"alternative name '{name}' must start with a letter and hold only letters, "
                                    "digits, '_' and '.'")
        if not isinstance(text, str) or not text.strip():
            raise lines.error(path, f"alternative '{name}' must be lavaan syntax text (use '{name}: |' and one "
                                    "formula per line)")
        statements, model, _ = _model(text, lines, constructs, demographics, path=path,
                                      label=f"alternatives.{name}")
        if not statements:
            raise lines.error(path, f"alternative '{name}' states no formula")
        out.append(Alternative(name, model, statements, lines.line(path)))
    return tuple(out)


def _check_model_names(statements, constructs: list[Construct], demographics, lines: _Lines, where,
                       label: str = "model") -> None:
    """Refuse a statement naming a variable the questionnaire lacks or a label no path carries."""
    construct_ids = {c.id for c in constructs}
    item_ids = {i.id for c in constructs for i in c.items}
    latent = construct_ids | {s.lhs for s in statements if s.op == "=~"}
    observed = item_ids | {d.id for d in demographics}
    multiple = {d.id for d in demographics if d.multiple}
    labels = {s.label for s in statements if s.label}
    defined = {s.lhs for s in statements if s.op == ":="}
    for s in statements:
        if s.op in (":=", "==", "<", ">"):
            names = expression_names(s.rhs) | (expression_names(s.lhs) if s.op != ":=" else set())
            unknown = sorted(names - labels - defined)
            if unknown:
                raise QuestionnaireError(
                    f"{label}: '{unknown[0]}' in '{s.lhs} {s.op} {s.rhs}' is not a label of any path; "
                    f"label a path first (for example 'SAT ~ a*KCF')", source=lines.source, line=where(s.line))
            continue
        names = [s.lhs] + ([s.rhs] if s.rhs != "1" else [])
        parts = interaction_parts(s.rhs) if s.op == "~" else None
        if parts is not None:  # an interaction A:B: each side a construct, or an item or a demographic
            names = [s.lhs, *parts]
        if s.op == "=~":
            names = [s.lhs]
            if s.rhs not in observed | latent:
                raise QuestionnaireError(
                    f"{label}: '{s.rhs}' in '{s.lhs} =~ {s.rhs}' is neither an item nor a construct of "
                    "the questionnaire", source=lines.source, line=where(s.line))
        for name in names + ([s.rhs] if s.op == "=~" else []):
            if name in multiple:
                raise QuestionnaireError(
                    f"{label}: '{name}' is a multi-select demographic (more than one option per respondent) and "
                    "cannot enter the model; use one of its options as its own yes/no (0/1) column instead",
                    source=lines.source, line=where(s.line))
            if name not in latent | observed:
                known = ", ".join(sorted(construct_ids))
                raise QuestionnaireError(
                    f"{label}: '{name}' is not a construct or item of the questionnaire (constructs: {known})",
                    source=lines.source, line=where(s.line))


def _check_identified(constructs, statements, lines: _Lines, where, path: tuple = ("model",),
                      label: str = "model") -> None:
    """Refuse a model with more free parameters than moments (lavaan would not estimate it)."""
    from ..sem.identification import check_identification
    from ..sem.interaction import expand_interactions
    from ..sem.partable import build_partable
    from ..sem.syntax import parse_model
    from .schema import measurement_statements
    derived = measurement_statements(constructs, statements)
    taken = {(s.lhs, s.op, s.rhs) for s in derived}
    try:
        table = build_partable(expand_interactions(
            derived + tuple(s for s in statements if (s.lhs, s.op, s.rhs) not in taken)))
    except ModelError as exc:
        raise QuestionnaireError(f"{label}: {exc.detail}", source=lines.source,
                                 line=where(exc.line) if exc.line else lines.line(path)) from None
    try:
        check_identification(table)
    except ModelError as exc:
        raise QuestionnaireError(f"{label}: {exc.detail}", source=lines.source, line=lines.line(path)) from None


def _hypotheses(value: Any, lines: _Lines, constructs, statements) -> tuple[Hypothesis, ...]:
    if value is None:
        return ()
    value = _require_list(value, ("hypotheses",), lines, "hypotheses")
    construct_ids = {c.id for c in constructs} | {s.lhs for s in statements if s.op == "=~"}
    paths = {(s.rhs, s.lhs) for s in statements if s.op == "~" and s.rhs != "1"}
    out, seen = [], set()
    for hi, raw in enumerate(value):
        hpath = ("hypotheses", hi)
        raw = _require_mapping(raw, hpath, lines, "a hypothesis")
        _check_keys(raw, _HYPOTHESIS_KEYS, hpath, lines, "a hypothesis")
        hid = raw.get("id")
        if not isinstance(hid, (str, int)) or str(hid).strip() == "":
            raise lines.error(hpath + ("id",), "each hypothesis needs an id such as H1")
        hid = str(hid)
        if hid in seen:
            raise lines.error(hpath + ("id",), f"hypothesis id '{hid}' is used twice")
        seen.add(hid)
        ends = []
        for key in ("from", "to"):
            name = raw.get(key)
            if not isinstance(name, str):
                raise lines.error(hpath + (key,), f"'{key}' must name one construct, not {_kind(name)} (put "
                                                   "mediators under 'through')")
            if name not in construct_ids:
                raise lines.error(hpath + (key,), f"'{key}: {name}' must name a construct")
            ends.append(name)
        through = raw.get("through") or []
        if isinstance(through, str):
            through = [through]
        through = _require_list(through, hpath + ("through",), lines, "through")
        for name in through:
            if not isinstance(name, str):
                raise lines.error(hpath + ("through",), f"'through' must list construct names, not {_kind(name)}")
            if name not in construct_ids:
                raise lines.error(hpath + ("through",), f"'{name}' in 'through' must name a construct")
        moderator = raw.get("moderator")
        if moderator is not None:
            if not isinstance(moderator, str) or not moderator.strip():
                raise lines.error(hpath + ("moderator",), f"'moderator' must name one variable, not {_kind(moderator)}")
            if through:
                raise lines.error(hpath + ("moderator",), f"hypothesis {hid}: a moderation hypothesis has no "
                                                          "'through' (moderated mediation is not available yet)")
            terms = {f"{ends[0]}:{moderator}", f"{moderator}:{ends[0]}"}
            if not any(rhs in terms and lhs == ends[1] for rhs, lhs in paths):
                raise lines.error(hpath, f"hypothesis {hid} needs the interaction {ends[0]}:{moderator} as a "
                                         f"predictor of {ends[1]}; add '{ends[1]} ~ {ends[0]} + {moderator} + "
                                         f"{ends[0]}:{moderator}' to the model")
            out.append(Hypothesis(hid, ends[0], ends[1], (), _text(raw.get("text"), hpath + ("text",), lines, "text"),
                                  moderator=moderator))
            continue
        chain = [ends[0], *through, ends[1]]
        for a, b in zip(chain, chain[1:]):
            if (a, b) not in paths:
                raise lines.error(hpath, f"hypothesis {hid} needs the path {a} -> {b}, which the model "
                                         f"does not have; add '{b} ~ {a}' to the model")
        out.append(Hypothesis(hid, ends[0], ends[1], tuple(through),
                              _text(raw.get("text"), hpath + ("text",), lines, "text")))
    return tuple(out)

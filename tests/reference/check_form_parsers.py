"""One-off check of the form's platform files with third-party readers (not run by the test suite).

Reads ``ID.lss`` with the LimeSurvey structure parser of the PyPI package ``limesurvpy`` (0.0.4)
and ``ID.qsf`` with the QSF reader of the PyPI package ``qualtrics`` (0.4.2), and compares what
they read with the questionnaire: question codes, subquestion codes and texts in every language,
answer codes and labels (LimeSurvey); matrix export tags, statement tags, recode values, blocks
in flow order (Qualtrics). Neither package is a dependency of loyaltysurvey (both are young and
bring large dependency sets); run this in a throwaway environment::

    python -m venv /tmp/v && /tmp/v/bin/pip install beautifulsoup4 && \\
        /tmp/v/bin/pip install --no-deps limesurvpy==0.0.4 qualtrics==0.4.2
    loyaltysurvey form questionnaires/crm_loyalty.yaml --out /tmp/form
    PYTHONPATH=src /tmp/v/bin/python tests/reference/check_form_parsers.py \\
        questionnaires/crm_loyalty.yaml /tmp/form

Only the two readers' modules are loaded (their packages' ``__init__`` import plotting and
HTTP libraries the readers do not use). Prints one line per check and exits 1 on a mismatch.
"""

from __future__ import annotations

import html
import json
import sys
import sysconfig
import types
from pathlib import Path


def _stub(name: str, site: Path) -> None:
    module = types.ModuleType(name)
    module.__path__ = [str(site.joinpath(*name.split(".")))]
    sys.modules[name] = module


def main(questionnaire: str, folder: str) -> int:
    from loyaltysurvey.forms.codes import platform_codes, qualtrics_tag
    from loyaltysurvey.questionnaire import load_questionnaire

    q = load_questionnaire(questionnaire)
    codes = platform_codes(q)
    site = Path(sysconfig.get_paths()["purelib"])
    for name in ("limesurvpy", "qualtrics", "qualtrics._common", "qualtrics._common.parsers",
                 "qualtrics._common.models"):
        _stub(name, site)
    failures = 0

    def check(what: str, ok: bool) -> None:
        nonlocal failures
        failures += not ok
        print(("ok   " if ok else "FAIL ") + what)

    from limesurvpy.parser import LimesurvPyParser
    lss = next(Path(folder).glob("*.lss"))
    structure = LimesurvPyParser.parse(str(lss))
    check("lss: survey title in fa and en", set(structure.get_titles()) >= {"fa", "en"})
    for construct in q.constructs:
        question = structure.get_question_by_code(codes.questions[construct.id])
        check(f"lss: array question {construct.id} found", question is not None)
        if question is None:
            continue
        subs = question.get_subquestion_items()
        check(f"lss: {construct.id} subquestion codes = item codes",
              [s.code for s in subs] == [codes.items[i] for i in construct.item_ids])
        for lang in ("fa", "en"):
            check(f"lss: {construct.id} item texts ({lang})",
                  [html.unescape(s.get_label(lang)) for s in subs] == [i.text.get(lang) for i in construct.items])
            answers = question.get_answer_items()
            check(f"lss: {construct.id} answers ({lang}) = scale values and labels",
                  [(a.code, html.unescape(a.get_label(lang))) for a in answers]
                  == [(str(p), q.scale.label(p, lang)) for p in q.scale.points])

    from qualtrics._common.parsers.qsf import _qsf
    qsf = next(Path(folder).glob("*.qsf"))
    entry, questions, blocks, sections = _qsf(qsf)
    flow = json.loads(entry["flow_definition_json"])
    check("qsf: survey entry and flow read", entry["SurveyID"].startswith("SV_") and bool(flow))
    matrices = [p for p in questions.values() if p.get("QuestionType") == "Matrix"]
    check("qsf: one matrix per construct, in flow order",
          [p["DataExportTag"] for p in sorted(matrices, key=lambda p: blocks[p["QuestionID"]]["block_order"])]
          == [qualtrics_tag(c.id, codes.questions[c.id]) for c in q.constructs])
    for p, construct in zip(sorted(matrices, key=lambda p: blocks[p["QuestionID"]]["block_order"]), q.constructs):
        check(f"qsf: {construct.id} statement tags = item ids",
              [p["ChoiceDataExportTags"][c] for c in p["ChoiceOrder"]]
              == [qualtrics_tag(i, codes.items[i]) for i in construct.item_ids])
        check(f"qsf: {construct.id} recode values = scale values",
              [p["RecodeValues"][str(a)] for a in p["AnswerOrder"]] == [str(v) for v in q.scale.points])
    print(f"{failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

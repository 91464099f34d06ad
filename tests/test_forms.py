"""loyaltysurvey form: the printable questionnaire (HTML in Chromium, Word in LibreOffice) and the
LimeSurvey (.lss) and Qualtrics (.qsf) files.

The platform files are checked against each format's published structure (no LimeSurvey or
Qualtrics installation can run here): the .lss as LimeSurvey 5/6 survey-structure exports lay
it out and as its importer reads it (the document type ``Survey``, ``DBVersion``, ``languages``,
then each table's ``fields`` and ``rows``, with every subquestion's ``parent_qid``, every
answer's ``qid`` and every l10n row's parent present); the .qsf as Qualtrics exports lay it out
(``SurveyEntry``, ``SurveyElements`` with ``BL``, ``FL``, ``SQ``...), read back by a small reader
that follows that structure into the same items, statements, scale labels and recode values.
The rendered forms need Debian's chromium, libreoffice-writer-nogui and poppler-utils; without
them those tests skip (and fail under CI), as tests/test_report_render.py does.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree
from typer.testing import CliRunner

from conftest import FORMULA, IMG, SCRIPT

from loyaltysurvey.forms.codes import export_headers, platform_codes
from loyaltysurvey.forms.files import form_files, write_form
from loyaltysurvey.forms.model import build_form
from loyaltysurvey.questionnaire import load_questionnaire, questionnaire_from_dict
from loyaltysurvey.resources import bundled_path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdfinfo"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-pdf-header-footer"]
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
CMD = "=cmd|' /C calc'!A0"


def _require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed; .ci/run installs it")


@pytest.fixture(scope="module")
def crm():
    return load_questionnaire(bundled_path("questionnaires", "crm_loyalty.yaml"))


def _hostile(tmp_path: Path) -> Path:
    """A bilingual questionnaire whose texts are markup, formulas, braces and piped text."""
    spec = {
        "id": "hostile/../x", "title": {"en": f"Survey {SCRIPT}", "fa": f"پرسشنامه {IMG}"}, "language": "fa",
        "scale": {"min": 1, "max": 5, "labels": {"fa": ["۱ <b>", "۲", "۳", "۴", "۵ ${e://Field/x}"],
                                                   "en": ["1 <b>", "2", "3", "4", "5 {INSERTANS:1}"]}},
        "constructs": [{"id": "A", "name": IMG, "items": [
            {"id": "A1", "text": {"fa": f"گویهٔ {SCRIPT}", "en": f"Item {SCRIPT}"}},
            {"id": "A2", "text": {"fa": CMD, "en": FORMULA}},
            {"id": "A.3", "text": {"fa": "{if(1,2,3)} ]]> &amp;", "en": "${q://QID1/ChoiceTextEntryValue} ]]>"},
             "reverse": True}]}],
        "demographics": [{"id": "city", "name": {"fa": "شهر <i>", "en": "City <i>"},
                          "values": {"t-1": {"fa": "<u>تهران</u>", "en": "<u>Tehran</u>"}}}],
        "form": {"consent": {"fa": f"موافقم {SCRIPT}", "en": f"I agree {SCRIPT}"}},
    }
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


# -- the form model ---------------------------------------------------------------------------------


def test_form_model_follows_the_questionnaire(crm):
    for lang in ("fa", "en"):
        form = build_form(crm, lang)
        assert [r.item_id for r in form.rows] == list(crm.item_ids)   # every item once, in order
        assert [r.text for r in form.rows] == [i.text.get(lang) for i in crm.items]  # as written, reverse too
        assert [g.construct for g in form.grids] == [c.id for c in crm.constructs]
        assert all(g.columns == tuple(crm.scale.labels[lang]) for g in form.grids)
        assert [d.id for d in form.demographics] == [d.id for d in crm.demographics]
        assert [c.label for c in form.demographics[0].choices] == [v.get(lang) for v in crm.demographics[0].values.values()]
        names = {c.name.get(lang) for c in crm.constructs}
        assert not names & {g.heading for g in form.grids}           # construct names are never printed
    fa = build_form(crm, "fa")
    assert [r.number for r in fa.rows][:3] == ["۱", "۲", "۳"] and fa.rows[-1].number == "۲۵"
    assert fa.grids[0].heading == "بخش ۲" and fa.about_heading.startswith("بخش ۱")
    assert build_form(crm, "en").rows[-1].number == "25"


def test_form_texts_from_the_questionnaire_and_its_errors(tmp_path):
    base = {"id": "t", "scale": {"min": 1, "max": 3}, "constructs": [{"id": "A", "items": ["a1", "a2"]}]}
    q = questionnaire_from_dict({**base, "form": {"cover_letter": {"en": "Hello.\n\nSecond.", "fa": "سلام."},
                                                  "thanks": "Bye"}})
    en, fa = build_form(q, "en"), build_form(q, "fa")
    assert en.cover_letter == ("Hello.", "Second.") and fa.cover_letter == ("سلام.",) and en.thanks == "Bye"
    assert en.consent.startswith("I have read")                      # the bundled wording where none is given
    assert en.missing_texts == ("a1", "a2") and [r.text for r in en.rows] == ["a1", "a2"]
    assert en.grids[0].columns == ("1", "2", "3") and fa.grids[0].columns == ("۱", "۲", "۳")
    with pytest.raises(Exception, match="unknown key 'letter' in form"):
        questionnaire_from_dict({**base, "form": {"letter": "x"}})
    with pytest.raises(Exception, match="form consent"):
        questionnaire_from_dict({**base, "form": {"consent": ["x"]}})


def test_a_construct_that_changes_scale_gets_a_grid_per_scale():
    q = questionnaire_from_dict({"id": "t", "scale": {"min": 1, "max": 5}, "constructs": [
        {"id": "A", "items": ["a1", {"id": "a2", "scale": {"min": 0, "max": 10}}, {"id": "a3", "scale": {"min": 0, "max": 10}}]}]})
    form = build_form(q, "en")
    assert [(g.construct, g.points[-1], [r.item_id for r in g.rows]) for g in form.grids] == [
        ("A", 5, ["a1"]), ("A/2", 10, ["a2", "a3"])]
    codes = platform_codes(q)
    assert codes.questions == {"A": "A", "A/2": "A2"}
    lss = etree.fromstring(form_files(q, "en").files["t.lss"])
    answers = {}
    for row in lss.find("answers/rows"):
        answers.setdefault(row.findtext("qid"), []).append(row.findtext("code"))
    assert sorted(answers.values(), key=len) == [[str(p) for p in range(1, 6)], [str(p) for p in range(0, 11)]]


# -- LimeSurvey ---------------------------------------------------------------------------------------


def _rows(root, table: str) -> list[dict[str, str]]:
    element = root.find(table)
    assert element is not None, f"no <{table}>"
    fields = [f.text for f in element.find("fields")]
    rows = []
    for row in element.find("rows"):
        assert [c.tag for c in row] == fields, table                 # each row has its table's fields, in order
        rows.append({c.tag: c.text or "" for c in row})
    return rows


def _read_lss(data: bytes) -> dict:
    """The survey as LimeSurvey's importer reads it, with its structure checked on the way."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == "document" and root.findtext("LimeSurveyDocType") == "Survey"
    assert int(root.findtext("DBVersion")) >= 400                    # the l10n tables' layout (LimeSurvey 4+)
    languages = [el.text for el in root.find("languages")]
    t = {name: _rows(root, name) for name in ("answers", "answer_l10ns", "groups", "group_l10ns", "questions",
                                              "subquestions", "question_l10ns", "surveys", "surveys_languagesettings")}
    (survey,) = t["surveys"]
    assert [survey["language"], *survey["additional_languages"].split()] == languages
    sid = survey["sid"]
    gids = {g["gid"] for g in t["groups"]}
    qids = {q["qid"]: q for q in t["questions"]}
    sub_ids = {q["qid"]: q for q in t["subquestions"]}
    assert not set(qids) & set(sub_ids) and len(qids) == len(t["questions"])
    for q in t["questions"] + t["subquestions"]:
        assert q["sid"] == sid and q["gid"] in gids
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,19}", q["title"]), q["title"]   # LimeSurvey's code rule
    for s in t["subquestions"]:
        assert s["parent_qid"] in qids and qids[s["parent_qid"]]["type"] in ("F", "M")
        assert s["gid"] == qids[s["parent_qid"]]["gid"]
    aids = {a["aid"]: a for a in t["answers"]}
    for a in t["answers"]:
        assert a["qid"] in qids and re.fullmatch(r"[A-Za-z0-9]{1,5}", a["code"])
    for name, key, parents in (("question_l10ns", "qid", {**qids, **sub_ids}), ("answer_l10ns", "aid", aids),
                               ("group_l10ns", "gid", gids)):
        pairs = [(r[key], r["language"]) for r in t[name]]
        assert len(pairs) == len(set(pairs)) and all(p in parents for p, _ in pairs)
        assert {(p, lang) for p in parents for lang in languages} == set(pairs), name   # every text in every language
    for q in t["questions"]:
        if q["type"] in ("F", "L"):
            assert any(a["qid"] == q["qid"] for a in t["answers"])
    text = {(r["qid"], r["language"]): r["question"] for r in t["question_l10ns"]}
    answer_text = {(r["aid"], r["language"]): r["answer"] for r in t["answer_l10ns"]}
    arrays = {}
    for q in sorted((q for q in t["questions"] if q["type"] == "F"), key=lambda q: int(q["gid"])):
        subs = sorted((s for s in t["subquestions"] if s["parent_qid"] == q["qid"]), key=lambda s: int(s["question_order"]))
        opts = sorted((a for a in t["answers"] if a["qid"] == q["qid"]), key=lambda a: int(a["sortorder"]))
        arrays[q["title"]] = {lang: ([(s["title"], text[(s["qid"], lang)]) for s in subs],
                                     [(a["code"], answer_text[(a["aid"], lang)]) for a in opts]) for lang in languages}
    lists = {q["title"]: [a["code"] for a in t["answers"] if a["qid"] == q["qid"]]
             for q in t["questions"] if q["type"] == "L"}
    return {"languages": languages, "arrays": arrays, "lists": lists, "tables": t,
            "welcome": {r["surveyls_language"]: r["surveyls_welcometext"] for r in t["surveys_languagesettings"]}}


def test_lss_has_limesurveys_structure_and_the_items(crm):
    data = form_files(crm, "fa").files["crm-loyalty.lss"]
    survey = _read_lss(data)
    assert survey["languages"] == ["fa", "en"]
    assert list(survey["arrays"]) == [c.id for c in crm.constructs]
    import html as html_module
    for c in crm.constructs:
        for lang in ("fa", "en"):
            subs, options = survey["arrays"][c.id][lang]
            assert [code for code, _ in subs] == list(c.item_ids)     # subquestion codes = item ids
            assert [html_module.unescape(t) for _, t in subs] == [i.text.get(lang) for i in c.items]
            assert options == [(str(p), html_module.unescape(label))
                               for p, label in zip(crm.scale.points, crm.scale.labels[lang])]  # codes = values
    assert survey["lists"]["gender"] == ["1", "2"] and survey["lists"]["agegroup"] == ["1", "2", "3", "4", "5"]
    consent = [q for q in survey["tables"]["questions"] if q["title"] == "consent"]
    assert len(consent) == 1 and consent[0]["type"] == "Y" and consent[0]["mandatory"] == "Y"
    assert "پاسخ‌دهندهٔ گرامی" in survey["welcome"]["fa"]


def test_lss_escapes_hostile_text_and_renames_codes(tmp_path):
    files = form_files(_hostile(tmp_path), "fa")
    assert sorted(files.files) == ["form.docx", "form.html", "hostile_.._x.lss", "hostile_.._x.qsf"]
    assert "/" not in "".join(files.files)
    data = files.files["hostile_.._x.lss"]
    survey = _read_lss(data)
    root = etree.fromstring(data)
    texts = [el.text or "" for el in root.iter()]
    assert not any("<script" in t or "<u>" in t or "{if" in t or "{INSERTANS" in t for t in texts)
    assert any("&lt;script&gt;" in t for t in texts) and any("&#123;if(1,2,3)&#125;" in t for t in texts)
    subs, _ = survey["arrays"]["A"]["en"]
    assert [code for code, _ in subs] == ["A1", "A2", "A3"]           # A.3 -> A3, recorded
    assert files.codes.renamed["A.3"] == "A3" and survey["lists"]["city"] == ["A1"]
    assert files.codes.renamed["city=t-1"] == "A1"


# -- Qualtrics ----------------------------------------------------------------------------------------


def _read_qsf(data: bytes) -> dict:
    """A QSF read as its published structure lays it out: blocks in flow order, their questions, and
    for each matrix its export tag, statements (text, export tag) and scale (label, recode value)."""
    doc = json.loads(data)
    entry = doc["SurveyEntry"]
    assert entry["SurveyID"].startswith("SV_") and entry["SurveyLanguage"]
    elements = doc["SurveyElements"]
    assert all(e["SurveyID"] == entry["SurveyID"] and "Element" in e and "PrimaryAttribute" in e for e in elements)
    by_kind = {}
    for e in elements:
        by_kind.setdefault(e["Element"], []).append(e)
    assert len(by_kind["BL"]) == len(by_kind["FL"]) == 1 and by_kind["RS"][0]["PrimaryAttribute"] == \
        entry["SurveyActiveResponseSet"]
    questions = {e["PrimaryAttribute"]: e["Payload"] for e in by_kind["SQ"]}
    assert all(p["QuestionID"] == k for k, p in questions.items())
    assert int(by_kind["QC"][0]["SecondaryAttribute"]) == len(questions)
    blocks = {b["ID"]: b for b in by_kind["BL"][0]["Payload"]}
    flow = by_kind["FL"][0]["Payload"]
    assert flow["Type"] == "Root" and all(f["ID"] in blocks for f in flow["Flow"])
    in_blocks = [el["QuestionID"] for f in flow["Flow"] for el in blocks[f["ID"]]["BlockElements"]
                 if el["Type"] == "Question"]
    assert sorted(in_blocks) == sorted(questions)                     # every question in exactly one block
    tags = [questions[q]["DataExportTag"] for q in in_blocks]
    assert len(tags) == len(set(tags))
    languages = [entry["SurveyLanguage"], *[k for k in by_kind["SO"][0]["Payload"]["AvailableLanguages"]
                                            if k != entry["SurveyLanguage"]]]
    matrices, choices = {}, {}
    for qid in in_blocks:
        p = questions[qid]
        if p["QuestionType"] == "Matrix":
            assert p["Selector"] == "Likert" and p["SubSelector"] == "SingleAnswer"
            assert set(p["ChoiceOrder"]) == set(p["Choices"]) == set(p["ChoiceDataExportTags"])
            assert [str(a) for a in p["AnswerOrder"]] == list(p["Answers"]) == list(p["RecodeValues"])

            def read(texts, p=p):
                return ([(p["ChoiceDataExportTags"][c], texts["Choices"][c]["Display"]) for c in p["ChoiceOrder"]],
                        [(texts["Answers"][str(a)]["Display"], p["RecodeValues"][str(a)]) for a in p["AnswerOrder"]])
            matrices[p["DataExportTag"]] = {languages[0]: read(p), **{
                lang: read(p["Language"][lang]) for lang in languages[1:]}}
        elif p["QuestionType"] == "MC":
            choices[p["DataExportTag"]] = [p.get("RecodeValues", {}).get(c, c) for c in p["ChoiceOrder"]]
    return {"languages": languages, "matrices": matrices, "choices": choices, "questions": questions}


def test_qsf_reads_back_into_the_same_items(crm):
    import html as html_module
    survey = _read_qsf(form_files(crm, "en").files["crm-loyalty.qsf"])
    assert survey["languages"] == ["EN", "FA"]
    assert list(survey["matrices"]) == [c.id for c in crm.constructs]
    for c in crm.constructs:
        for lang in ("en", "fa"):
            statements, scale = survey["matrices"][c.id][lang.upper()]
            assert [tag for tag, _ in statements] == list(c.item_ids)   # export tags = item ids
            assert [html_module.unescape(t) for _, t in statements] == [i.text.get(lang) for i in c.items]
            assert scale == [(label, str(p)) for p, label in zip(crm.scale.points, crm.scale.labels[lang])]
    assert survey["choices"]["consent"] == ["1"] and survey["choices"]["age_group"] == ["1", "2", "3", "4", "5"]
    consent = next(p for p in survey["questions"].values() if p["DataExportTag"] == "consent")
    assert consent["Validation"]["Settings"]["ForceResponse"] == "ON"


def test_qsf_escapes_hostile_text(tmp_path):
    files = form_files(_hostile(tmp_path), "en")
    data = files.files["hostile_.._x.qsf"]
    survey = _read_qsf(data)
    statements, scale = survey["matrices"]["A"]["EN"]
    assert [tag for tag, _ in statements] == ["A1", "A2", "A3"]
    assert statements[0][1] == "Item &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert statements[2][1].startswith("&#36;{q://")                 # no piped text
    doc = data.decode("utf-8")
    assert "<script" not in doc and "${" not in doc and "<u>" not in doc


def test_platform_exports_come_back_matched_by_id(crm, tmp_path):
    """Headers as LimeSurvey (KCF[KCF1]) and Qualtrics (KCF_KCF1) export the form's survey are read as the items."""
    from loyaltysurvey.datasets import crm_export
    from loyaltysurvey.ingest import ingest

    frame = crm_export()
    heads = export_headers(crm)
    expected = ingest(crm, frame).responses
    for k in range(3):   # LimeSurvey CSV, LimeSurvey SPSS/R, Qualtrics
        renamed = frame.copy()
        columns = {}
        for item in crm.items:
            source = item.id if item.id in renamed.columns else item.column
            columns[source] = heads[item.id][min(k, len(heads[item.id]) - 1)]
        renamed = renamed.rename(columns=columns)
        assert not set(crm.item_ids) & set(renamed.columns)
        got = ingest(crm, renamed).responses
        assert got.equals(expected), k


# -- the files and the command line -------------------------------------------------------------------


def test_cli_writes_the_four_files(tmp_path):
    from loyaltysurvey.cli import app

    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["form", str(bundled_path("questionnaires", "crm_loyalty.yaml")), "--out", str(out),
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["crm-loyalty.lss", "crm-loyalty.qsf", "form.docx", "form.html"]
    assert '<html lang="en" dir="ltr">' in (out / "form.html").read_text(encoding="utf-8")
    assert "age_group -> agegroup" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nscale: {min: 1, max: 5}\nconstructs: []\n", encoding="utf-8")
    result = runner.invoke(app, ["form", str(bad), "--out", str(tmp_path / "o2")])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1 and "bad.yaml" in result.output
    assert not (tmp_path / "o2").exists()
    result = runner.invoke(app, ["form", str(bundled_path("questionnaires", "crm_loyalty.yaml")), "--out",
                                 str(tmp_path / "o3"), "--lang", "de"])
    assert result.exit_code == 2 and "fa or en" in result.output


def test_word_form_structure(crm):
    """Right-to-left sections, paragraphs and tables in Persian; repeating headers; rows that never split;
    every row but a grid's last kept with the next."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for lang in ("fa", "en"):
        data = form_files(crm, lang).files["form.docx"]
        root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
        tables = root.findall(f"{w}body/{w}tbl")
        assert len(tables) == len(crm.constructs)
        for tbl, construct in zip(tables, crm.constructs):
            rows = tbl.findall(f"{w}tr")
            assert len(rows) == 1 + len(construct.items)
            assert rows[0].find(f"{w}trPr/{w}tblHeader") is not None
            assert all(r.find(f"{w}trPr/{w}cantSplit") is not None for r in rows)
            keeps = [r.find(f".//{w}pPr/{w}keepNext") is not None for r in rows]
            assert keeps == [True] * (len(rows) - 1) + [False]
            assert (tbl.find(f"{w}tblPr/{w}bidiVisual") is not None) == (lang == "fa")
        paragraphs = root.findall(f"{w}body/{w}p")
        bidi = [p.find(f"{w}pPr/{w}bidi") is not None for p in paragraphs]
        assert all(bidi) if lang == "fa" else not any(bidi)
        assert (root.find(f"{w}body/{w}sectPr/{w}bidi") is not None) == (lang == "fa")


# -- the rendered forms -------------------------------------------------------------------------------


def _letters(text: str) -> str:
    """Letters in reading order: no bidi controls, spaces, ZWNJ or brackets (as test_report_render does),
    and no Arabic combining marks (pdftotext sets the hamza of «ارائهٔ» and the tanwin of «کاملاً»
    on either side of their letter)."""
    text = BIDI_CONTROLS.sub("", text)
    text = re.sub(r"[\s\u200c\u0640()\[\]\u064b-\u065f\u0670-]", "", text)  # a hyphen ending a line is dropped
    return text.replace("\u0644\u0627", "\ufefb").replace("\u0627\u0644", "\ufefb")


def _page_texts(pdf: Path, lang: str) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    n = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    # English: -raw, in the order the text was drawn, a cell's lines together (the layout order puts a
    # row's number, centred beside the statement, between the statement's lines). Persian: the layout
    # order, which gives right-to-left words in reading order (-raw gives them in visual order).
    mode = ["-raw"] if lang == "en" else []
    return [_letters(subprocess.run(["pdftotext", *mode, "-f", str(p), "-l", str(p), str(pdf), "-"], check=True,
                                    capture_output=True, text=True).stdout) for p in range(1, n + 1)]


def _html_pdf(html_file: Path, pdf: Path) -> Path:
    subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--print-to-pdf={pdf}", html_file.as_uri()], check=True,
                   capture_output=True, timeout=300)
    assert pdf.is_file()
    return pdf


def _docx_pdf(docx: Path, out: Path) -> Path:
    profile = out / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx)], check=True, capture_output=True,
                   timeout=300)
    pdf = out / (docx.stem + ".pdf")
    assert pdf.is_file()
    return pdf


def _key(text: str) -> str:
    """What of an item's text must appear as one run in the PDF: all of it, except after a word whose heh
    carries a hamza above («ارائهٔ»): pdftotext cuts that word up and sets its line out of line order in
    LibreOffice's PDF, so the run ends two words before it (the other words are checked one by one)."""
    words = text.split()
    at = next((k for k, w in enumerate(words) if "\u0654" in w), None)
    return _letters(text if at is None else " ".join(words[:max(at - 1, 1)]))


def _check_pdf(pdf: Path, q, lang: str) -> None:
    pages = _page_texts(pdf, lang)
    flat = "".join(pages)
    for item in q.items:   # every item once, its words in reading order
        text = item.text.get(lang)
        assert flat.count(_key(text)) == 1, item.id
        assert all(_letters(w) in flat for w in text.split() if "\u0654" not in w), item.id
    for grid in build_form(q, lang).grids:   # a grid whole on one page, with its heading and instruction
        where = {next(i for i, page in enumerate(pages) if _key(row.text) in page) for row in grid.rows}
        heading = re.compile(re.escape(_letters(grid.heading)) + "(?![0-9۰-۹])")
        where |= {i for i, page in enumerate(pages) if heading.search(page)}
        assert len(where) == 1, (grid.construct, where)
    title = _letters(q.title.get(lang))
    assert title in pages[0]
    for c in q.constructs:   # no construct name printed (the title may hold one)
        assert _letters(c.name.get(lang)) not in flat.replace(title, ""), c.id
    if lang == "fa":
        assert "۲۵" in flat and "بخش۷" in flat


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_html_form_prints_in_chromium(crm, tmp_path, lang):
    _require(CHROMIUM is not None, "Chromium (Debian package chromium)")
    _require(POPPLER, "poppler-utils")
    write_form(crm, tmp_path, lang)
    _check_pdf(_html_pdf(tmp_path / "form.html", tmp_path / "form-html.pdf"), crm, lang)


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_word_form_prints_in_libreoffice(crm, tmp_path, lang):
    _require(SOFFICE is not None, "LibreOffice (Debian package libreoffice-writer-nogui)")
    _require(POPPLER, "poppler-utils")
    write_form(crm, tmp_path, lang)
    _check_pdf(_docx_pdf(tmp_path / "form.docx", tmp_path), crm, lang)


def test_hostile_text_is_literal_in_both_forms(tmp_path):
    _require(CHROMIUM is not None and SOFFICE is not None, "Chromium and LibreOffice")
    _require(POPPLER, "poppler-utils")
    q = load_questionnaire(_hostile(tmp_path))
    write_form(q, tmp_path, "en")
    html_text = (tmp_path / "form.html").read_text(encoding="utf-8")
    assert "<script" not in html_text and "<u>" not in html_text and "&lt;script&gt;" in html_text
    for pdf in (_html_pdf(tmp_path / "form.html", tmp_path / "h.pdf"), _docx_pdf(tmp_path / "form.docx", tmp_path)):
        flat = re.sub(r"\s", "", subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                                                text=True).stdout)
        for hostile in (SCRIPT, FORMULA, "<u>Tehran</u>", "${q://QID1/ChoiceTextEntryValue}"):
            assert re.sub(r"\s", "", hostile) in flat, (pdf.name, hostile)


def test_python_api_is_the_commands():
    import loyaltysurvey

    assert loyaltysurvey.write_form is write_form and loyaltysurvey.form_files is form_files


@pytest.mark.parametrize("renderer", ["chromium", "libreoffice"])
def test_a_grid_longer_than_a_page_repeats_its_header(tmp_path, renderer):
    """A grid too long for one page breaks between rows, its header row printed again on the next page."""
    _require(POPPLER and (CHROMIUM if renderer == "chromium" else SOFFICE) is not None, renderer)
    items = [{"id": f"L{k}", "text": f"Statement number {k} about the long grid of this form, written out "
                                     f"at some length so that it wraps"} for k in range(1, 46)]
    q = questionnaire_from_dict({"id": "long", "language": "en", "scale": {"min": 1, "max": 5, "labels": {
        "en": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]}},
        "constructs": [{"id": "L", "items": items}]})
    write_form(q, tmp_path, "en")
    pdf = (_html_pdf(tmp_path / "form.html", tmp_path / "h.pdf") if renderer == "chromium"
           else _docx_pdf(tmp_path / "form.docx", tmp_path))
    pages = _page_texts(pdf, "en")
    with_items = [page for page in pages if "Statementnumber" in page]
    assert len(with_items) >= 2
    assert all("No.Statement" in page for page in with_items)          # the header row on every page of the grid
    flat = "".join(pages)
    assert all(flat.count(_letters(item["text"]).replace(".", "")) == 1 for item in items)


def test_a_multiselect_demographic_is_a_checkbox_question_in_every_form(tmp_path):
    """``multiple: true`` (docs/multiselect.md): Qualtrics MC/MAVR, LimeSurvey type M with a subquestion
    per option, HTML check boxes, the Word hint; single-answer demographics stay as they were."""
    spec = yaml.safe_load((bundled_path("questionnaires", "crm_loyalty.yaml")).read_text(encoding="utf-8"))
    spec["demographics"].append({"id": "channels", "name": {"en": "Channels used", "fa": "کانال‌های ارتباطی"},
                                 "multiple": True, "values": {1: {"en": "SMS", "fa": "پیامک"},
                                                              2: {"en": "App", "fa": "اپلیکیشن"}}})
    q = questionnaire_from_dict(spec)
    form = build_form(q, "en")
    assert [d.multiple for d in form.demographics] == [False] * 4 + [True]
    files = form_files(q, "en").files
    qsf = _read_qsf(files["crm-loyalty.qsf"])
    selectors = {p["DataExportTag"]: p["Selector"] for p in qsf["questions"].values() if p["QuestionType"] == "MC"}
    assert selectors["channels"] == "MAVR" and selectors["gender"] == "SAVR"
    assert qsf["choices"]["channels"] == ["1", "2"]
    lss = _read_lss(files["crm-loyalty.lss"])
    t = lss["tables"]
    (multi,) = [r for r in t["questions"] if r["type"] == "M"]
    assert multi["title"] == "channels" and "channels" not in lss["lists"] and "gender" in lss["lists"]
    subs = sorted((s for s in t["subquestions"] if s["parent_qid"] == multi["qid"]),
                  key=lambda s: int(s["question_order"]))
    texts = {(r["qid"], r["language"]): r["question"] for r in t["question_l10ns"]}
    assert [(s["title"], texts[(s["qid"], "en")], texts[(s["qid"], "fa")]) for s in subs] == [
        ("SQ1", "SMS", "پیامک"), ("SQ2", "App", "اپلیکیشن")]
    page = files["form.html"].decode("utf-8")
    assert page.count('<input type="checkbox" name="channels"') == 2 and page.count('type="checkbox"') == 2
    assert "(tick all that apply)" in page
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for lang, hint in (("en", "(tick all that apply)"), ("fa", "(همهٔ گزینه‌هایی را که درست است علامت بزنید)")):
        root = etree.fromstring(zipfile.ZipFile(io.BytesIO(form_files(q, lang).files["form.docx"]))
                                .read("word/document.xml"))
        paragraphs = ["".join(t.text or "" for t in p.iter(f"{w}t")) for p in root.iter(f"{w}p")]
        asked = [p for p in paragraphs if hint in p]
        assert len(asked) == 1 and ("Channels used" in asked[0] or "کانال‌های ارتباطی" in asked[0])

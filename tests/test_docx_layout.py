"""Word tables without LibreOffice: column widths against the measured words, and the table XML.

tests/test_report_render.py checks the same on the PDF that LibreOffice makes of the chapter
(no header word split over two lines, every caption on its table's page); these tests check
the rules that produce it, fast and without external tools.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
from lxml import etree

from loyaltysurvey.report import build_report, load_locale, render_docx
from loyaltysurvey.report.docx import (MARGIN, PAD_IN, SMALLER, A4, WJ, _ARABIC_LETTER, _SAFETY, _cell_text, _layout,
                                       _measuring_font, _run_xml, _width_in, _words)
from loyaltysurvey.report.document import Cell, Paragraph, Report, Section, Table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PORTRAIT, LANDSCAPE = (A4[0] - 2 * MARGIN) / 914400, (A4[1] - 2 * MARGIN) / 914400


@pytest.fixture(scope="module")
def demo_reports():
    from loyaltysurvey.datasets import crm_export, crm_questionnaire
    from loyaltysurvey.study import analyze

    study = analyze(crm_questionnaire(), crm_export(), bootstrap=0)
    return {lang: build_report(study.results, lang) for lang in ("fa", "en")}


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_header_word_fits_its_column(demo_reports, lang):
    report, loc = demo_reports[lang], load_locale(lang)
    checked = 0
    for table in report.tables:
        texts = [[_cell_text(c, loc, report.rtl) for c in row] for row in table.rows]
        widths, landscape, size = _layout(table, texts)
        assert sum(widths) == pytest.approx(LANDSCAPE if landscape else PORTRAIT)
        for header, width in zip(table.columns, widths):
            for word in _words(header):
                assert _width_in(word, size, True) + PAD_IN <= width + 1e-9, (table.id, word)
                checked += 1
    assert checked > 100


def _table(columns: int, header: str) -> Table:
    row = tuple(Cell(0.5 + k / 100, "r") for k in range(columns))
    return Table("wide", "A wide table", tuple(f"{header}{k}" for k in range(columns)), (row,), number=1)


def test_a_table_too_wide_for_portrait_goes_landscape_then_smaller():
    narrow = _table(4, "Loading")
    assert _layout(narrow, [["x"] * 4])[1:] == (False, 9.0)
    wide = _table(9, "Loadings")  # more than a portrait page holds
    widths, landscape, size = _layout(wide, [[".50"] * 9])
    assert landscape and size == 8.0 and sum(widths) == pytest.approx(LANDSCAPE)
    wider = _table(10, "Heterotrait")  # too wide for landscape at 8 points: a smaller font, where it fits
    widths, landscape, size = _layout(wider, [[".50"] * 10])
    assert landscape and size == 7.5 and size in SMALLER
    assert all(_width_in(f"Heterotrait{k}", size, True) + PAD_IN <= w + 1e-9 for k, w in enumerate(widths))
    assert _layout(_table(10, "Discriminant"), [[".50"] * 10])[1:] == (True, min(SMALLER))  # the least there is


def test_persian_words_are_measured_joined():
    """Shaped Persian is narrower than its letters set apart, and a bold word wider than a regular one."""
    word = "کشیدگی"
    assert _width_in(word, 9.0, True) > _width_in(word, 9.0)
    assert _width_in(word, 9.0) < sum(_width_in(ch, 9.0) for ch in word)
    assert _width_in("\u202a" + word + "\u202c", 9.0) == _width_in(word, 9.0)  # embeddings take no room


@pytest.mark.parametrize("bold", [False, True])
def test_numbers_are_measured_as_shaped(bold):
    """Numbers and intervals are measured glyph by glyph (no shaping): as wide as shaped."""
    font = _measuring_font(bold)
    if font is None:
        pytest.skip("no Pillow font to measure with")
    for text in ["0.853", "[0.82, 0.87]", "\u22120.135", "< .001", "12.5%", "(0.05)", "3,245.10", "*** 0.41",
                 "\u06f0\u066b\u06f8\u06f5\u06f3", "[\u06f0\u066b\u06f8\u06f2\u060c \u06f0\u066b\u06f8\u06f7]"]:
        shaped = font.getlength(text, direction="rtl" if _ARABIC_LETTER.search(text) else None)
        # _width_in: inches at a size, with a margin of _SAFETY; at 72 points an inch is the font's size
        assert _width_in(text, 72.0, bold) * 100 / _SAFETY == pytest.approx(shaped, rel=1e-6), text


def test_short_hyphenated_words_stay_whole():
    assert _words("p (S-W)") == ["p", "(S-W)"]
    assert _words("Shapiro-Wilk W") == ["Shapiro-", "Wilk", "W"]
    en = Report("en", False, "T", "S", "G", "Calibri", (), ())
    run = _run_xml("p (S-W) and Kolmogorov-Smirnov", en, 9.0, hold=True)
    assert f"(S-{WJ}W)" in run and "Kolmogorov-Smirnov" in run


def test_run_xml_writes_what_python_docx_wrote():
    en = Report("en", False, "T", "S", "G", "Calibri", (), ())
    run = _run_xml(" a\tb\nc <&> ", en, 8.0, bold=True, italic=True)
    assert run == ('<w:r><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri" w:eastAsia="Calibri"/>'
                   '<w:b/><w:i/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr><w:t xml:space="preserve"> a</w:t>'
                   '<w:tab/><w:t>b</w:t><w:br/><w:t xml:space="preserve">c &lt;&amp;&gt; </w:t></w:r>')
    fa = Report("fa", True, "T", "S", "G", "Vazirmatn", (), ())
    assert "<w:b/><w:bCs/>" in _run_xml("x", fa, 9.0, bold=True) and "<w:rtl/>" in _run_xml("x", fa, 9.0)
    with pytest.raises(ValueError):
        _run_xml("bell \x07", en, 9.0)


def test_word_tables_keep_their_properties():
    """Header repeated, rows unsplittable, three rules, fixed widths, right-to-left tables; the caption and
    the note before the table kept with it."""
    table = Table("t", "Reliability", ("Scale", "alpha"), ((Cell("SAT"), Cell(0.8193, "r")),
                                                         (Cell("LOY"), Cell(0.7712, "r"))), number=1)
    for lang, rtl in (("en", False), ("fa", True)):
        report = Report(lang, rtl, "T", "S", "G", "Calibri", (), (Section("s", "Title", (Paragraph("Intro."), table)),))
        root = etree.fromstring(zipfile.ZipFile(BytesIO(render_docx(report))).read("word/document.xml"))
        tbl = root.find(f".//{W}tbl")
        rows = tbl.findall(f"{W}tr")
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows[1:])
        assert len(tbl.findall(f"{W}tblPr/{W}tblLayout")) == 1
        assert (tbl.find(f"{W}tblPr/{W}bidiVisual") is not None) == rtl
        body = list(root.find(f"{W}body"))
        texts = ["".join(t.text for t in p.iter(f"{W}t")) for p in body]
        intro, at = texts.index("Intro."), body.index(tbl)
        assert at - intro == (2 if rtl else 3)  # the note, then the caption (APA: number and title apart)
        assert all(p.find(f"{W}pPr/{W}keepNext") is not None for p in body[intro:at])


def test_a_bold_number_fits_its_column_unbroken():
    """An emphasized cell is set in bold, so its number is measured bold: LibreOffice broke
    «۲۴۴۴۷٫۸۹» (the smallest BIC, in bold) across two lines when it was measured regular. A table
    of many such columns is laid out at its least widths, where the difference shows."""
    value = "۲۴۴۴۷٫۸۹"
    k = 14
    rows = tuple(tuple(Cell(24447.89, "dec2", r == 0) for _ in range(k)) for r in range(3))
    table = Table("cmp", "Models", tuple("B" for _ in range(k)), rows, number=1)
    widths, _, size = _layout(table, [[value] * k] * 3)
    assert _width_in(value, size, True) > _width_in(value, size) + 0.005  # bold is measurably wider
    assert all(_width_in(value, size, True) + PAD_IN <= w + 1e-9 for w in widths)

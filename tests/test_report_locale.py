"""Number style, lists and dates of the report languages (APA 7 for English; Persian digits,
the Persian decimal separator and the Jalali calendar for Persian)."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import cited_works

from loyaltysurvey.report import jalali_date, load_locale
from loyaltysurvey.report.build import _in_sentence


def test_apa_numbers():
    en = load_locale("en")
    assert en.num(0.456, "r") == ".46" and en.num(-0.25, "r3") == "−.250"
    assert en.num(1.05, "r3") == "1.050" and en.num(10.5, "r3") == "10.500"   # only a leading zero goes
    assert en.num(0.0004, "p") == "< .001" and en.num(0.0123, "p") == ".012"
    assert en.num(3.14159, "dec2") == "3.14" and en.num(0.5, "dec2") == "0.50"  # unbounded values keep it
    assert en.num(float("nan"), "r") == "–" and en.num(None, "p") == "–"


def test_persian_numbers():
    fa = load_locale("fa")
    assert fa.num(0.456, "r") == "۰٫۴۶" and fa.num(-1.5, "dec2") == "\u200e−۱٫۵۰"  # LRM: minus before digits
    assert fa.num(425) == "۴۲۵" and fa.num(0.0004, "p") == "< ۰٫۰۰۱"
    assert fa.t("section_number", c=4, k=3) == "۴-۳"


@pytest.mark.parametrize("day, expected", [
    (date(2026, 11, 23), (1405, 9, 2)), (date(2024, 3, 20), (1403, 1, 1)), (date(2025, 3, 21), (1404, 1, 1)),
    (date(2023, 3, 20), (1401, 12, 29)), (date(2000, 1, 1), (1378, 10, 11)),
])
def test_jalali_dates(day, expected):
    assert jalali_date(day) == expected


def test_dates_and_lists_in_each_language():
    assert load_locale("fa").date_text(date(2026, 11, 23)) == "۱۴۰۵/۰۹/۰۲"
    assert load_locale("en").date_text(date(2026, 11, 23)) == "2026-11-23"
    assert load_locale("en").join(["a", "b", "c"]) == "a, b, and c"
    assert load_locale("en").join(["a", "b"]) == "a and b"
    assert load_locale("fa").join(["الف", "ب", "ج"]) == "الف، ب و ج"
    assert _in_sentence("Age group") == "age group" and _in_sentence("CRM use") == "CRM use"


def test_every_caption_has_both_languages():
    """A third language is a translation file: every key of en.yaml is in fa.yaml and vice versa."""
    def keys(node, prefix=""):  # a text with count variants is one caption: a language need not vary it
        if isinstance(node, dict) and "count" not in node:
            return {k for key, v in node.items() for k in keys(v, f"{prefix}{key}.")}
        return {prefix.rstrip(".")}
    en, fa = load_locale("en").data, load_locale("fa").data
    optional = {"references", "font_fallbacks"}
    assert keys(en) - optional == keys(fa) - optional


def test_unknown_language_falls_back_to_english():
    assert load_locale("de").t("labels.table") == "Table"


def test_every_notice_code_has_a_title():
    """The data-quality notes open with a title in the report's language for every notice the code can raise."""
    import re
    from pathlib import Path

    import loyaltysurvey
    source = "".join(p.read_text(encoding="utf-8") for p in Path(loyaltysurvey.__file__).parent.rglob("*.py"))
    codes = set(re.findall(r'Notice\("([a-z_]+)"', source))
    assert len(codes) >= 20
    for lang in ("en", "fa"):
        assert codes <= set(load_locale(lang).data["notice_titles"]), lang


def test_statistical_symbols_are_italic_in_headings():
    en = load_locale("en")
    assert en.spans("p (K-S)") == [("p", True), (" (K-S)", False)]
    assert en.spans("Estimate (B)") == [("Estimate (", False), ("B", True), (")", False)]
    assert en.spans("Adjusted R²") == [("Adjusted ", False), ("R", True), ("²", False)]
    assert en.spans("Cronbach's α") == [("Cronbach's α", False)]          # Greek stays upright
    assert en.spans("PLS RMSE") == [("PLS RMSE", False)] and en.spans("Items") == [("Items", False)]
    assert load_locale("fa").spans("مقدار احتمال (p)") == [("مقدار احتمال (", False), ("p", True), (")", False)]


@pytest.mark.parametrize("lang, mark", [("fa", "(معکوس)"), ("en", "(R)")])
def test_reverse_items_are_marked_alike_in_every_item_table(demo_chapters, crm_questionnaire, lang, mark):
    """Descriptives, response percentages and item-total tables mark the reverse-worded items with
    the same mark, in the chapter's language, and explain it in the table's note."""
    from loyaltysurvey.report.document import Table

    report = demo_chapters[lang][1]
    reverse = {i.id for c in crm_questionnaire.constructs for i in c.items if i.reverse}
    assert reverse, "the bundled questionnaire has reverse-worded items"
    tables = [b for s in report.sections for b in s.blocks if isinstance(b, Table)]
    marked_tables = 0
    for table in tables:
        first = [str(row[0].value) for row in table.rows]
        ids = {text.split(" ")[0] for text in first}
        if not reverse & ids or table.id not in ("items", "distribution") and not table.id.startswith("items_"):
            continue
        marked_tables += 1
        for text in first:
            item = text.split(" ")[0]
            assert text == (f"{item} {mark}" if item in reverse else item), (table.id, text)
        assert any(note.startswith(mark) for note in table.notes), table.id
        if lang == "fa":
            assert not any("(R)" in note for note in table.notes)
    assert marked_tables >= 2 + 3  # descriptives, percentages, and the three constructs with a reverse item


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_html_and_word_reference_lists_are_the_same_apa_list(demo_chapters, lang):
    """Same references, same order, journal names and volumes / book titles in italics in both."""
    import re
    from html import unescape

    import docx

    folder, report = demo_chapters[lang]
    page = (folder / "report.html").read_text(encoding="utf-8")
    block = re.search(r'<ul class="refs">(.*?)</ul>', page, re.S).group(1)
    html_refs = [[(unescape(m[1] or m[2]), bool(m[1])) for m in re.finditer(r"<em>(.*?)</em>|([^<]+)", li)]
                 for li in re.findall(r"<li>(.*?)</li>", block, re.S)]
    paragraphs = docx.Document(str(folder / "report.docx")).paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == report.references_title) + 1
    word_refs = [[(r.text, bool(r.italic)) for r in p.runs] for p in paragraphs[start:start + len(html_refs)]]
    assert len(html_refs) == len(report.references) > 10
    assert html_refs == word_refs
    assert all(any(italic for _, italic in runs) for runs in html_refs)  # every bundled reference is APA-shaped
    firsts = [runs[0][0] for runs in html_refs]
    assert firsts == sorted(firsts, key=lambda s: s.casefold())  # alphabetical by first author


def _hs_chapters():
    import loyaltysurvey
    from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
    from loyaltysurvey.report import build_report

    data = holzinger_swineford()[[f"x{i}" for i in range(1, 10)]].clip(0, 10)
    data.insert(0, "respondent_id", [f"P{i}" for i in range(len(data))])
    study = loyaltysurvey.analyze(hs_questionnaire(), data, method="cb", bootstrap=0)
    return {lang: build_report(study._results if hasattr(study, "_results") else study.results, lang)
            for lang in ("fa", "en")}


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_reference_list_holds_what_the_chapter_cites_and_nothing_else(demo_chapters, crm_questionnaire, lang):
    """APA: every in-text citation has its reference and every listed method reference is cited
    (the questionnaire's own sources of its instrument are always listed). On the demo (CB-SEM and
    PLS) and on a CB-SEM-only study of another shape, in both languages."""
    import re

    from loyaltysurvey.report.document import _author_year, chapter_text

    for report in (demo_chapters[lang][1], _hs_chapters()[lang]):
        text = chapter_text(report.sections)
        listed = {_author_year(r) for r in report.references}
        own = {_author_year(r) for r in crm_questionnaire.references}
        cited = cited_works(text)  # "(Kock, 2015)", "Kock's (2015)", "Zhao, Lynch & Chen (2010)"
        assert cited, "the chapter cites its thresholds"
        assert not cited - listed, sorted(cited - listed)                    # every citation is listed
        assert not listed - cited - own, sorted(listed - cited - own)          # every listed method is cited


def test_source_line_under_tables_follows_the_setting(demo_chapters):
    """«منبع: یافته‌های پژوهش» under every table of a Persian chapter by default, none in English;
    ``table_source`` on/off overrides the language's default. HTML and Word print it under the notes."""
    import docx

    from loyaltysurvey.report import build_report
    from loyaltysurvey.settings import Settings

    fa_tables = demo_chapters["fa"][1].tables
    assert fa_tables and all(t.source == "منبع: یافته‌های پژوهش." for t in fa_tables)
    assert all(t.source == "" for t in demo_chapters["en"][1].tables)
    html = (demo_chapters["fa"][0] / "report.html").read_text(encoding="utf-8")
    assert html.count('<p class="note source">منبع: یافته‌های پژوهش.</p>') == len(fa_tables)
    paragraphs = [p.text for p in docx.Document(str(demo_chapters["fa"][0] / "report.docx")).paragraphs]
    assert paragraphs.count("منبع: یافته‌های پژوهش.") == len(fa_tables)

    import loyaltysurvey
    from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire

    data = holzinger_swineford()[[f"x{i}" for i in range(1, 10)]].clip(0, 10)
    data.insert(0, "respondent_id", [f"P{i}" for i in range(len(data))])
    for setting, lang, expected in (("off", "fa", ""), ("on", "en", "Source: research findings.")):
        study = loyaltysurvey.analyze(hs_questionnaire(), data, method="cb", bootstrap=0, table_source=setting)
        report = build_report(study._results if hasattr(study, "_results") else study.results, lang)
        assert report.tables and all(t.source == expected for t in report.tables), (setting, lang)
    with pytest.raises(Exception, match="table-source"):
        Settings.resolve(hs_questionnaire(), table_source="maybe")


def test_decimal_separator_of_a_persian_chapter_is_an_option():
    """``decimal="/"`` writes every decimal number of the Persian chapter with a slash (HTML and
    Word alike); the default is the momayyez «٫»; anything else is refused with the option's name."""
    import io
    import re

    import docx
    import loyaltysurvey
    from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
    from loyaltysurvey.report import build_report, render_docx, render_html
    from loyaltysurvey.settings import Settings

    data = holzinger_swineford()[[f"x{i}" for i in range(1, 10)]].clip(0, 10)
    data.insert(0, "respondent_id", [f"P{i}" for i in range(len(data))])
    for decimal, other in (("/", "٫"), (None, "/")):
        study = loyaltysurvey.analyze(hs_questionnaire(), data, method="cb", bootstrap=0, decimal=decimal)
        report = build_report(study._results if hasattr(study, "_results") else study.results, "fa")
        html = re.sub("[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}", "", render_html(report))  # the Jalali date's slashes
        mark = decimal or "٫"
        assert re.search(f"[۰-۹]{re.escape(mark)}[۰-۹]", html)
        assert not re.search(f"[۰-۹]{re.escape(other)}[۰-۹]{{2}}", html)
        text = "\n".join(c.text for t in docx.Document(io.BytesIO(render_docx(report))).tables
                         for row in t.rows for c in row.cells)
        assert re.search(f"[۰-۹]{re.escape(mark)}[۰-۹]", text)
        assert not re.search(f"[۰-۹]{re.escape(other)}[۰-۹]{{2}}", text)
    with pytest.raises(Exception, match="--decimal"):
        Settings.resolve(hs_questionnaire(), decimal=";")


def test_captions_are_numbered_by_chapter(demo_chapters):
    """Tables and figures are numbered by the thesis chapter, 4 by default (جدول ۴-۱, Table 4.1), in
    captions and in the text that names them; ``chapter=0`` numbers them 1, 2, ...; ``chapter`` must
    be a chapter number."""
    import re

    import loyaltysurvey
    from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
    from loyaltysurvey.report import build_report, render_markdown
    from loyaltysurvey.settings import Settings

    fa, en = demo_chapters["fa"][1], demo_chapters["en"][1]
    assert [t.label for t in fa.tables][:3] == ["4-1", "4-2", "4-3"]
    assert [t.label for t in en.tables][:3] == ["4.1", "4.2", "4.3"]
    assert all(f.label == f"4-{f.number}" for s in fa.sections for f in s.blocks if hasattr(f, "png"))
    text = render_markdown(fa)
    assert "**جدول ۴-۱.**" in text and "جدول‌های ۴-۵ تا ۴-۸ و شکل‌های ۴-۱ تا ۴-۴" in text  # after the data-quality table 4-4
    data = holzinger_swineford()[[f"x{i}" for i in range(1, 10)]].clip(0, 10)
    data.insert(0, "respondent_id", [f"P{i}" for i in range(len(data))])
    assert fa.title == "فصل چهارم: تجزیه و تحلیل داده‌ها" and en.title.startswith("Chapter 4:")
    for chapter, first, title, section in ((0, "**Table 1.**", "Data Analysis and Results", "## 1 "),
                                           (3, "**Table 3.1.**", "Chapter 3: Data Analysis and Results", "## 3.1 ")):
        study = loyaltysurvey.analyze(hs_questionnaire(), data, method="cb", bootstrap=0, chapter=chapter)
        results = study._results if hasattr(study, "_results") else study.results
        report = build_report(results, "en")
        markdown = render_markdown(report)
        assert first in markdown and report.title == title and section in markdown
        assert not re.search(r"\*\*Table 4\.\d", markdown) and "## 4." not in markdown
    assert build_report(results, "fa").title.startswith("فصل سوم")
    with pytest.raises(Exception, match="--chapter"):
        Settings.resolve(hs_questionnaire(), chapter=-1)


def test_locale_files_have_no_duplicate_keys():
    """YAML keeps the last of two equal keys silently: a merged locale file must not hide a block."""
    import yaml

    from loyaltysurvey.resources import bundled_path

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        keys = [loader.construct_object(k) for k, _ in node.value]
        twice = sorted({str(k) for k in keys if keys.count(k) > 1})
        assert not twice, f"duplicate keys {twice} in the mapping at line {node.start_mark.line + 1}"
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    for lang in ("en", "fa"):
        yaml.load(bundled_path("reports", "locales", f"{lang}.yaml").read_text(encoding="utf-8"), Loader=Strict)


@pytest.mark.parametrize("key, field, one, other", [
    ("screening.quality_flagged", "flagged", "One respondent was flagged", "3 respondents were flagged"),
    ("screening.quality_action_none", "flagged", "the respondent was kept", "all of them were kept"),
    ("screening.quality_action_excluded", "excluded", "1 respondent flagged by the rules marked “excluded” was",
     "3 respondents flagged by the rules marked “excluded” were"),
    ("sample.out_of_range", "out_of_range", "One answer outside the scale was", "The 3 answers outside the scale were"),
])
def test_a_count_of_one_reads_in_the_singular(key, field, one, other):
    """Counts met on unseen data ("1 respondents were flagged") agree with their number."""
    en = load_locale("en")
    values = dict(input_rows=10, respondents=8, excluded=1, duplicates=1, flagged=1, out_of_range=1)
    assert one in en.t(key, **{**values, field: 1})
    assert other in en.t(key, **{**values, field: 3})


def test_persian_verbs_agree_with_a_count_of_one():
    fa = load_locale("fa")
    assert fa.t("screening.quality_flagged", flagged=1).rstrip("؛ ").endswith("علامت‌گذاری شد")
    assert fa.t("screening.quality_flagged", flagged=2).rstrip("؛ ").endswith("علامت‌گذاری شدند")
    assert "پاسخ یکسان داد؛" in fa.t("sample.straightliners", straightliners=1)
    assert "پاسخ یکسان دادند؛" in fa.t("sample.straightliners", straightliners=2)


def test_the_persian_chapter_writes_the_persian_semicolon():
    """Lists and citation groups in Persian text are separated by «؛», never by a Latin ";"."""
    def texts(node):
        if isinstance(node, dict):
            return [t for v in node.values() for t in texts(v)]
        if isinstance(node, list):
            return [t for v in node for t in texts(v)]
        return [node] if isinstance(node, str) else []
    fa = load_locale("fa")
    latin = [t for t in texts(fa.data) if "; " in t]
    assert not latin, latin[:3]
    assert fa.t("list.semicolon") == "؛ "


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_no_caption_is_written_twice(lang):
    """A key written twice in a locale file silently loses one text (YAML keeps the last)."""
    import yaml
    from loyaltysurvey.resources import bundled_path

    repeated = []

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                repeated.append((key, key_node.start_mark.line + 1))
            seen.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    with open(bundled_path("reports", "locales", f"{lang}.yaml"), encoding="utf-8") as handle:
        yaml.load(handle, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    assert not repeated

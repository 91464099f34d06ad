"""Snapshot tests of the report model in both languages.

The chapter built from the bundled example (200 resamples, the default seed, dated
2026-11-23) is rendered as Markdown (:func:`loyaltysurvey.report.render_markdown`: every
heading, paragraph, formatted table cell and figure caption) and compared with the files
in ``tests/snapshots/``. A change to the report shows here as a readable diff; when it is
intended, rewrite the snapshots with

    LOYALTYSURVEY_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_report_snapshot.py

and review the diff before committing it.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from loyaltysurvey.report import render_markdown

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_report_model_matches_snapshot(demo_chapters, lang):
    text = render_markdown(demo_chapters[lang][1])
    path = SNAPSHOTS / f"chapter_{lang}.md"
    if os.environ.get("LOYALTYSURVEY_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "\n".join(list(difflib.unified_diff(expected.splitlines(), text.splitlines(), "snapshot", "now",
                                                   lineterm=""))[:60])
        pytest.fail(f"the {lang} chapter differs from {path.name}:\n{diff}")


def test_snapshots_hold_the_whole_chapter():
    """The committed snapshots are the whole chapter, in the order theses use."""
    fa = (SNAPSHOTS / "chapter_fa.md").read_text(encoding="utf-8")
    en = (SNAPSHOTS / "chapter_en.md").read_text(encoding="utf-8")
    assert fa.startswith("# فصل چهارم: تجزیه و تحلیل داده‌ها") and "۱۴۰۵/۰۹/۰۲" in fa
    assert en.startswith("# Chapter 4: Data Analysis and Results") and "2026-11-23" in en
    order = ["sample", "data_quality", "demographics", "descriptives", "missing", "normality", "multivariate_normality",
             "construct_tests", "reliability", "sampling_adequacy", "common_method", "cfa", "sem", "pls", "notes"]
    headings = [line for line in en.splitlines() if line.startswith("## ")]
    assert len(headings) == len(order) + 1 and headings[-1] == "## References"
    for text in (fa, en):
        assert text.count("[demographic_") == 8 and "[sem_std," in text and "[pls_ipma," in text
        assert "[hypotheses]" in text and "[mediation]" in text
        assert "[fit_measurement]" in text and "[fit_structural]" in text
        for table in ("missing_items", "mcar", "mardia", "construct_status", "friedman", "kmo_bartlett", "msa",
                      "common_method"):
            assert f"[{table}]" in text
        assert "Little, R. J. A. (1988)" in text and "Kock, N. (2015)" in text


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_tables_and_figures_are_numbered_in_reading_order(demo_chapters, lang):
    from loyaltysurvey.report import Figure, Table

    report = demo_chapters[lang][1]
    blocks = [b for s in report.sections for b in s.blocks]
    assert [b.number for b in blocks if isinstance(b, Table)] == list(range(1, len(report.tables) + 1))
    figures = [b.number for b in blocks if isinstance(b, Figure)]
    assert figures == list(range(1, len(figures) + 1))


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_word_properties_follow_the_schema_order(demo_chapters, lang):
    """Word refuses a document whose property elements list their children out of ECMA-376's order."""
    import zipfile

    from lxml import etree

    from loyaltysurvey.report.docx import _RANKS

    archive = zipfile.ZipFile(demo_chapters[lang][0] / "report.docx")
    checked = 0
    for name in ("word/document.xml", "word/footer1.xml"):
        root = etree.fromstring(archive.read(name))
        for tag, ranks in _RANKS.items():
            for el in root.iter(tag):
                order = [ranks.get(child.tag, len(ranks)) for child in el]
                assert order == sorted(order), (name, etree.QName(tag).localname,
                                                [etree.QName(c).localname for c in el])
                checked += 1
    assert checked > 1000

"""The chapter as a reader gets it: report.html in headless Chromium, report.docx in LibreOffice.

Needs Debian's ``chromium``, ``libreoffice-writer-nogui`` and ``poppler-utils`` and the
``playwright`` package (which drives the installed Chromium; it downloads no browser).
``.ci/run`` installs them all; elsewhere these tests skip with the reason, and under CI
(``CI`` set) a missing tool fails them instead.

Screenshots of the first pages and PNGs of the first PDF pages are written to
``$LOYALTYSURVEY_ARTIFACTS`` (default: pytest's temporary folder) to be looked at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FORMULA, IMG, SCRIPT, write_hostile_inputs

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdfinfo", "pdftoppm", "pdfimages"))
#: As this machine needs them: no sandbox as root, and nothing that reaches for the network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed; .ci/run installs it")


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("LOYALTYSURVEY_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    _require(CHROMIUM is not None, "Chromium (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require(False, "the playwright package (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def _not_blank(png: Path) -> bool:
    from PIL import Image
    with Image.open(png) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
    return colours is None or len(colours) > 16


PROBE = """() => {
  const root = document.documentElement, inScroller = e => e.closest('figure.table');
  const text = [...document.querySelectorAll('h1, h2, p, figcaption, th, td:not(.num)')]
      .filter(e => !e.closest('.refs'));
  return {
    direction: getComputedStyle(root).direction,
    bodyDirection: getComputedStyle(document.body).direction,
    wrongDirection: text.filter(e => getComputedStyle(e).direction !== getComputedStyle(root).direction).length,
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
    outside: [...document.body.querySelectorAll('*')].filter(e => !inScroller(e)).filter(e => {
        const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > root.clientWidth + 1 || r.left < -1);
      }).map(e => e.tagName + '.' + e.className).slice(0, 5),
    images: document.images.length,
    broken: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
    headings: [...document.querySelectorAll('h2')].map(h => h.textContent.trim()),
    title: document.querySelector('h1').textContent.trim(),
    scripts: document.scripts.length,
  };
}"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_html_chapter_in_chromium(browser, demo_chapters, artifacts, lang, viewport):
    folder, report = demo_chapters[lang]
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((folder / "report.html").as_uri(), wait_until="load")
    info = page.evaluate(PROBE)

    expected = "rtl" if lang == "fa" else "ltr"
    assert info["direction"] == expected and info["bodyDirection"] == expected
    assert info["wrongDirection"] == 0
    assert info["scrollWidth"] <= info["clientWidth"], f"horizontal overflow: {info['outside']}"
    assert info["outside"] == []
    figures = sum(1 for s in report.sections for b in s.blocks if type(b).__name__ == "Figure")
    assert info["images"] == figures == 13 and info["broken"] == []
    assert info["title"] == report.title
    assert info["headings"] == [s.title for s in report.sections if s.title] + [report.references_title]
    assert info["scripts"] == 0
    assert all(url.startswith(("file:", "data:")) for url in requests), requests  # self-contained, offline

    for k in range(3):  # the first three screens, to be looked at
        page.evaluate(f"window.scrollTo(0, {k * height})")
        shot = artifacts / f"html-{lang}-{viewport}-{k + 1}.png"
        page.screenshot(path=str(shot))
        assert _not_blank(shot), shot
    page.close()


def test_hostile_text_never_runs_in_chromium(browser, tmp_path):
    from loyaltysurvey.workflow import run_analyze

    q, data = write_hostile_inputs(tmp_path)
    out = tmp_path / "out"
    run_analyze(q, data, out)
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((out / "report.html").as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    shown = page.evaluate("""() => ({
        text: document.body.innerText, scripts: document.scripts.length,
        handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
        foreignImages: [...document.images].filter(i => !i.src.startsWith('data:image/png;base64,')).length})""")
    page.close()
    assert dialogs == []
    assert shown["scripts"] == 0 and shown["handlers"] == 0 and shown["foreignImages"] == 0
    assert SCRIPT in shown["text"] and IMG in shown["text"] and FORMULA in shown["text"]


def _to_pdf(docx: Path, out: Path) -> Path:
    profile = out / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx)],
                   check=True, capture_output=True, timeout=300)
    pdf = out / (docx.stem + ".pdf")
    assert pdf.is_file(), f"LibreOffice wrote no PDF for {docx}"
    return pdf


def _pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    n = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", str(n), str(pdf)], check=True, capture_output=True,
                           text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", sizes, re.M)]


def _letters(text: str) -> str:
    """Text reduced to its letters in reading order: no bidi controls, spaces or ZWNJ.

    pdftotext writes the lam-alef ligature back as alef-lam, so both spellings count as one,
    and it does not put back the brackets that right-to-left lines mirror, so they are left out.
    """
    text = BIDI_CONTROLS.sub("", text)
    text = re.sub(r"[\s\u200c\u0640()\[\]]", "", text)
    return text.replace("\u0644\u0627", "\ufefb").replace("\u0627\u0644", "\ufefb")


def _paths_in_reading_order(pdf: Path, lang: str, tmp_path: Path) -> int:
    """On every PDF line that holds a path (names joined by an arrow), the reader meets the cause first:
    the word where the line starts (the rightmost in Persian) opens a cause's name, the word after the
    arrow opens an effect's name, and the model leads from one to the other. Returns the number of lines
    checked."""
    from loyaltysurvey.questionnaire import load_questionnaire
    from loyaltysurvey.resources import bundled_path
    q = load_questionnaire(bundled_path("questionnaires", "crm_loyalty.yaml"))
    first = {}
    for c in q.constructs:
        first.setdefault(_letters(c.name.get(lang).split()[0]), set()).add(c.id)
    paths = {(s.rhs, s.lhs) for s in q.model_statements if s.op == "~"}
    while True:  # cause -> effect along any chain (total and indirect effects are listed too)
        longer = paths | {(a, d) for a, b in paths for c, d in paths if b == c}
        if longer == paths:
            break
        paths = longer
    out = tmp_path / "words.html"
    subprocess.run(["pdftotext", "-bbox-layout", str(pdf), str(out)], check=True)
    arrow = "←" if lang == "fa" else "→"
    checked = 0
    for line in re.findall(r"<line [^>]*>(.*?)</line>", out.read_text(encoding="utf-8"), re.S):
        words = [(float(x0), float(x1), w) for x0, x1, w in
                 re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', line)]
        if [w for *_, w in words].count(arrow) != 1:
            continue
        # along the line as read: from the right in Persian (pdftotext gives those words mirrored)
        ordered = sorted(words, key=lambda w: -w[1] if lang == "fa" else w[0])
        texts = [_letters(w[::-1] if lang == "fa" else w) for *_, w in ordered]
        at = [w for *_, w in ordered].index(arrow)
        if at == 0 or at + 1 >= len(texts) or texts[0] not in first or texts[at + 1] not in first:
            continue
        causes, effects = first[texts[0]], first[texts[at + 1]]
        assert any((a, b) in paths for a in causes for b in effects), (lang, texts)
        checked += 1
    return checked


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_word_chapter_in_libreoffice(demo_chapters, artifacts, tmp_path, lang):
    _require(SOFFICE is not None, "LibreOffice (Debian package libreoffice-writer-nogui)")
    _require(POPPLER, "poppler-utils (pdfinfo, pdftotext, pdftoppm, pdfimages)")
    folder, report = demo_chapters[lang]
    pdf = _to_pdf(folder / "report.docx", tmp_path)

    pages = _pages(pdf)
    assert 20 <= len(pages) <= 45, len(pages)           # the demo chapter runs to about thirty A4 pages
    a4 = (595.3, 841.9)
    assert all(abs(w - a4[0]) < 2 and abs(h - a4[1]) < 2 or abs(w - a4[1]) < 2 and abs(h - a4[0]) < 2
               for w, h in pages)
    assert abs(pages[0][0] - a4[0]) < 2                 # portrait first page
    assert any(w > h for w, h in pages)                 # the widest tables sit on landscape pages

    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = _letters(text)
    headings = [report.title] + [s.title for s in report.sections if s.title] + [report.references_title]
    at = -1
    for heading in headings:  # every heading's words in logical (reading) order, one heading after another
        number, _, words = heading.partition(" ") if re.match(r"^[\d۰-۹]+[.-][\d۰-۹]+ ", heading) else ("", "", heading)
        found = flat.find(_letters(words), at + 1)
        assert found > at, f"heading {heading!r} not found after position {at}"
        # pdftotext sets a heading's leading number run before or after its words
        assert not number or number in flat[max(0, found - 12):found + len(_letters(words)) + 12], heading
        at = found
    if lang == "fa":
        assert "۴۲۵" in flat and "٫" in flat and re.search(r"جدول\.?۱", flat)  # the caption's dot sits either side
    images = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert len(images.strip().splitlines()) - 2 >= 13    # the thirteen figures
    assert _paths_in_reading_order(pdf, lang, tmp_path) >= 9  # the hypotheses' paths at least
    with_images = {int(line.split()[0]) for line in images.strip().splitlines()[2:]}
    for page in range(1, len(pages)):  # no page but the last holds only a few lines and no figure
        lines = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], check=True,
                               capture_output=True, text=True).stdout
        filled = [ln for ln in lines.splitlines() if ln.strip()]
        assert len(filled) >= 8 or page in with_images, (lang, page, filled)

    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "3", str(pdf),
                    str(artifacts / f"docx-{lang}-page")], check=True)
    shots = sorted(artifacts.glob(f"docx-{lang}-page-*.png"))
    assert len(shots) == 3 and all(_not_blank(p) for p in shots)


def test_hostile_text_is_literal_in_the_word_pdf(tmp_path):
    _require(SOFFICE is not None, "LibreOffice (Debian package libreoffice-writer-nogui)")
    _require(POPPLER, "poppler-utils")
    from loyaltysurvey.workflow import run_analyze

    q, data = write_hostile_inputs(tmp_path)
    out = tmp_path / "out"
    run_analyze(q, data, out)
    pdf = _to_pdf(out / "report.docx", tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s", "", text)                      # table cells wrap long texts over lines
    for hostile in (SCRIPT, IMG, FORMULA):
        assert re.sub(r"\s", "", hostile) in flat, hostile
    assert "click" not in flat.replace(re.sub(r"\s", "", FORMULA), "")  # never evaluated into its result


@pytest.fixture(scope="module")
def other_study(tmp_path_factory):
    """Another questionnaire and export: corp_rep (formative drivers, a single-item construct,
    -99 codes, no item wording, unlabelled demographics), written in both languages."""
    from conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present beside the project (CI always has it)")
    from loyaltysurvey.workflow import run_analyze

    q = Path(__file__).resolve().parent / "questionnaires" / "corp_rep.yaml"
    base = tmp_path_factory.mktemp("corp_rep")
    for lang in ("fa", "en"):
        run_analyze(q, SHARED_DATA / "corp_rep.csv", base / lang, lang=lang, bootstrap=100)
    return {lang: base / lang for lang in ("fa", "en")}


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_another_study_renders_cleanly(browser, other_study, tmp_path, lang):
    folder = other_study[lang]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto((folder / "report.html").as_uri(), wait_until="load")
    info = page.evaluate(PROBE)
    page.close()
    assert info["direction"] == ("rtl" if lang == "fa" else "ltr") and info["wrongDirection"] == 0
    assert info["scrollWidth"] <= info["clientWidth"] and info["broken"] == []
    assert info["images"] == 11  # two demographics, CB-SEM and PLS measurement and path diagrams, the IPMA map
    _require(SOFFICE is not None, "LibreOffice (Debian package libreoffice-writer-nogui)")
    _require(POPPLER, "poppler-utils")
    pages = _pages(_to_pdf(folder / "report.docx", tmp_path))
    assert 15 <= len(pages) <= 45


ORDER_PROBE = """(arrow) => {
  // For every table cell holding a path (names joined by the arrow), the horizontal centre of each
  // name as Chromium lays it out, in the order the names stand in the text.
  const out = [];
  for (const td of document.querySelectorAll('td')) {
    const node = [...td.childNodes].find(n => n.nodeType === 3 && n.textContent.includes(arrow));
    if (!node) continue;
    const text = node.textContent, parts = text.split(arrow), centres = [];
    let at = 0;
    for (const part of parts) {
      const range = document.createRange();
      const start = text.indexOf(part, at);
      range.setStart(node, start); range.setEnd(node, start + part.length);
      const first = range.getClientRects()[0];  // where the reader meets the name: its first piece
      centres.push({top: Math.round(first.top), left: first.left, right: first.right});
      at = start + part.length;
    }
    out.push({text, names: parts.map(p => p.trim()), centres});
  }
  return out;
}"""


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_paths_read_from_cause_to_effect(browser, demo_chapters, lang):
    """A path reads cause -> effect in the reader's direction: in the Persian chapter the cause is
    the rightmost name (read first) and the arrows point left; in English the cause is leftmost.
    Checked on the laid-out text (Chromium's boxes), against the hypotheses' own from/through/to."""
    folder, _ = demo_chapters[lang]
    results = json.loads((folder.parent / "run" / "results.json").read_text(encoding="utf-8"))
    from loyaltysurvey.resources import bundled_path
    from loyaltysurvey.questionnaire import load_questionnaire
    q = load_questionnaire(bundled_path("questionnaires", "crm_loyalty.yaml"))
    name_of = {q.construct(c.id).name.get(lang): c.id for c in q.constructs}
    arrow = " ← " if lang == "fa" else " → "
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((folder / "report.html").as_uri(), wait_until="load")
    cells = page.evaluate(ORDER_PROBE, arrow)
    page.close()
    chains = {tuple([h["from"], *h["through"], h["to"]]) for h in results["hypotheses"]}
    seen = set()
    for cell in cells:
        names = [n.split(" (")[0] for n in cell["names"]]
        if not all(n in name_of for n in names):
            continue
        # a reader goes line by line, and along a line from the right (fa) or from the left (en)
        box = cell["centres"]
        order = sorted(range(len(names)), key=lambda k: (box[k]["top"], -box[k]["right"] if lang == "fa"
                                                         else box[k]["left"]))
        as_read = tuple(name_of[names[k]] for k in order)
        assert as_read == tuple(name_of[n] for n in names), cell      # reading order = logical order
        seen.add(as_read)
    assert chains <= seen, chains - seen                              # and it runs cause -> effect


MINUS_PROBE = """() => {
  // Every minus sign in the chapter's text that stands before a digit: the box of the minus and
  // the box of the digit after it, as Chromium lays them out.
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (let i = text.indexOf('\\u2212'); i >= 0; i = text.indexOf('\\u2212', i + 1)) {
      if (!/[0-9\\u06f0-\\u06f9]/.test(text[i + 1] || '')) continue;
      const box = (a) => { const r = document.createRange(); r.setStart(node, a); r.setEnd(node, a + 1);
                           const b = r.getClientRects()[0]; return b ? {left: b.left, right: b.right} : null; };
      const minus = box(i), digit = box(i + 1);
      if (minus && digit) out.push({text: text.slice(Math.max(0, i - 8), i + 8), minus, digit});
    }
  }
  return out;
}"""


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_negative_numbers_read_with_the_minus_first(browser, demo_chapters, tmp_path, lang):
    """Numbers run left to right in both languages, so a minus sign stands left of its digits in
    the laid-out text: in the demo chapter (negative skewness and kurtosis in its tables) and in a
    chapter whose paragraphs, notes and table cells hold negative numbers written by the locale."""
    from loyaltysurvey.report import load_locale, render_html
    from loyaltysurvey.report.document import Callout, Cell, Paragraph, Report, Section, Table

    loc = load_locale(lang)
    numbers = [loc.num(-0.32, "dec2"), loc.num(-12, "int"), loc.num((-0.5, 0.25), "ci:dec2")]
    blocks = (Paragraph(" ".join(f"{loc.t('labels.table')} {n}" for n in numbers)),
              Callout(f"{loc.t('labels.note')} {numbers[0]}"),
              Table("t", "t", ("a", "b"), ((Cell("x"), Cell(-0.32, "dec2")),), number=1))
    report = Report(lang, loc.rtl, "t", "t", "t", "DejaVu Sans", (), (Section("s", "s", blocks),))
    own = tmp_path / "negative.html"
    own.write_text(render_html(report), encoding="utf-8")
    signs = []
    for page_path in (demo_chapters[lang][0] / "report.html", own):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(page_path.as_uri(), wait_until="load")
        found = page.evaluate(MINUS_PROBE)
        page.close()
        assert found, page_path
        signs += found
    wrong = [s["text"] for s in signs if not s["minus"]["right"] <= s["digit"]["left"] + 0.5]
    assert not wrong, wrong[:5]

"""Model diagrams keep their promises on every model shape, checked on their geometry.

For a corpus of structural shapes (chain, fan-in, fan-out, mediation with c', two
constructs, twelve constructs, a second-order construct, a single-item construct, long
Persian names, the bundled example's model, Hair et al.'s corporate-reputation model with its
crossed paths) and of measurement models (the example, the Holzinger-Swineford three factors,
a many-item construct, a second-order construct, formative constructs beside reflective and
single-item ones), each left to right in English and right to left in Persian, with both
variants of its texts (estimates, t values), the laid-out diagram must have:

* every arrow drawn, from its source's border to its target's;
* no arrow through a shape other than its own two;
* no coefficient over another, over a shape, over an arrowhead or across a foreign arrow;
* no arrowhead over another;
* each coefficient on or beside its own arrow;
* every text inside its shape or its coefficient's box, as matplotlib draws it;
* no type under 8 pt once the figure is printed at A4 text width (6.3 in).

The geometry here is written independently of :mod:`loyaltysurvey.report.geometry`: curves
are sampled densely and points tested against shapes, rather than clipped exactly. The layout
is Graphviz ``dot``'s; these tests skip when ``dot`` is not installed (the fallback layout has
its own, smaller test at the end).

``python tests/test_diagram_layout.py OUT`` writes every diagram of the corpus as PNG to OUT,
to look at.
"""

from __future__ import annotations

import math
import shutil
import sys

import pytest

from loyaltysurvey.report.diagram import MIN_PT, TEXT_WIDTH, render, text_extents
from loyaltysurvey.report.figures import measurement_layouts, path_layouts

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz 'dot' is not installed (apt-get install graphviz): the model "
                                      "diagrams fall back to the pure-Python layout, tested separately below")


FA_DIGITS = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")

# ---------------------------------------------------------------------------- the corpus
#: construct id -> (English name, Persian name)
NAMES = {
    "Q": ("Service quality", "کیفیت خدمات"), "T": ("Trust", "اعتماد"), "S": ("Customer satisfaction", "رضایت مشتری"),
    "L": ("Customer loyalty", "وفاداری مشتری"), "X": ("Brand image", "تصویر برند"), "M": ("Perceived value", "ارزش ادراک‌شده"),
    "Y": ("Repurchase intention", "قصد خرید مجدد"), "A": ("Price fairness", "عدالت قیمت"),
    "B": ("Commitment", "تعهد"), "C": ("Switching costs", "هزینه‌های تغییر"), "D": ("Word of mouth", "تبلیغات دهان‌به‌دهان"),
    "KCF": ("Key customer focus", "تمرکز بر مشتریان کلیدی"),
    "CRMO": ("CRM organisation", "سازمان‌دهی مدیریت ارتباط با مشتری"),
    "KM": ("Knowledge management", "مدیریت دانش"), "TECH": ("Technology-based CRM", "مدیریت ارتباط با مشتری مبتنی بر فناوری"),
    "SAT": ("Customer satisfaction", "رضایت مشتری"), "LOY": ("Customer loyalty", "وفاداری مشتری"),
    "CRM": ("Customer relationship management", "مدیریت ارتباط با مشتری"),
    "NPS": ("Likelihood to recommend (one item)", "احتمال توصیه (تک‌گویه‌ای)"),
    "EQ": ("Perceived e-service quality of customers",
           "کیفیت خدمات الکترونیکی ادراک‌شده توسط مشتریان"),
    "ET": ("Trust in the online channel of the bank", "اعتماد به کانال برخط بانک از دیدگاه مشتریان"),
    "EL": ("Loyalty to the bank's electronic services", "وفاداری به خدمات الکترونیکی بانک در بلندمدت"),
}
NAMES.update({
    "QUAL": ("Quality", "کیفیت"), "PERF": ("Performance", "عملکرد"),
    "CSOR": ("Corporate social responsibility", "مسئولیت اجتماعی"), "ATTR": ("Attractiveness", "جذابیت"),
    "COMP": ("Competence", "شایستگی"), "LIKE": ("Likeability", "دوست‌داشتنی بودن"),
    "CUSA": ("Customer satisfaction", "رضایت مشتری"), "CUSL": ("Customer loyalty", "وفاداری مشتری"),
})
for k in range(1, 13):
    NAMES[f"C{k}"] = (f"Construct number {k}", f"سازه شماره {k}".translate(FA_DIGITS))

TWELVE = ([(f"C{k}", f"C{7 + (k - 1) % 3}") for k in range(1, 7)]
          + [("C7", "C10"), ("C8", "C10"), ("C9", "C11"), ("C8", "C11"), ("C10", "C12"), ("C11", "C12"),
             ("C1", "C12")])

STRUCTURAL = {
    "chain": [("Q", "T"), ("T", "S"), ("S", "L"), ("Q", "S"), ("Q", "L"), ("T", "L")],
    "fan_in": [("Q", "S"), ("T", "S"), ("X", "S"), ("M", "S")],
    "fan_out": [("S", "Q"), ("S", "T"), ("S", "X"), ("S", "M")],
    "mediation": [("X", "M"), ("M", "Y"), ("X", "Y")],
    "two": [("S", "L")],
    "twelve": TWELVE,
    "second_order": [("CRM", "KCF"), ("CRM", "CRMO"), ("CRM", "KM"), ("CRM", "TECH"), ("CRM", "SAT"),
                     ("SAT", "LOY")],
    "single_item": [("Q", "S"), ("S", "NPS"), ("Q", "NPS")],
    "long_persian": [("EQ", "ET"), ("ET", "EL"), ("EQ", "EL")],
    "demo": [("KCF", "SAT"), ("CRMO", "SAT"), ("KM", "SAT"), ("TECH", "SAT"), ("SAT", "LOY"), ("KCF", "LOY")],
    # Hair et al.'s corporate reputation model: four drivers fully crossed onto two mediators
    "corp_rep": [(d, m) for m in ("COMP", "LIKE") for d in ("QUAL", "PERF", "CSOR", "ATTR")]
                + [("COMP", "CUSA"), ("LIKE", "CUSA"), ("COMP", "CUSL"), ("LIKE", "CUSL"), ("CUSA", "CUSL")],
}


def _items(prefix: str, k: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(1, k + 1)]


DEMO_ITEMS = {"KCF": 5, "CRMO": 4, "KM": 5, "TECH": 5, "SAT": 4, "LOY": 4}
MEASUREMENT = {
    "demo": [(c, i) for c, k in DEMO_ITEMS.items() for i in _items(c, k)],
    "holzinger": [("X", f"x{i}") for i in (1, 2, 3)] + [("M", f"x{i}") for i in (4, 5, 6)]
                 + [("Y", f"x{i}") for i in (7, 8, 9)],
    "many_items": [("S", i) for i in _items("SAT", 16)] + [("L", i) for i in _items("LOY", 3)]
                  + [("NPS", "NPS1")],
    "second_order": [("CRM", c) for c in ("KCF", "CRMO", "KM", "TECH")]
                    + [(c, i) for c in ("KCF", "CRMO", "KM", "TECH") for i in _items(c, 3)],
    # formative drivers (their items point at them) beside reflective and single-item constructs
    "formative": [(c, f"{c.lower()}_{i}") for c, k in (("QUAL", 8), ("PERF", 5), ("CSOR", 5), ("ATTR", 3),
                                                       ("COMP", 3), ("LIKE", 3), ("CUSA", 1), ("CUSL", 3))
                  for i in range(1, k + 1)],
}
FORMATIVE = {"formative": ("QUAL", "PERF", "CSOR", "ATTR")}


def _coefficient(k: int, variant: int) -> str:
    """Plausible texts of the widest kinds: '0.52**' and '-0.08' for estimates, '12.41' for t."""
    if variant == 0:
        value = [0.52, 0.31, -0.08, 0.44, 0.12, 0.67, 0.09, 0.28][k % 8]
        return f"{value:.2f}" + ("**" if abs(value) > 0.2 else "")
    return f"{[8.12, 4.40, 1.10, 12.41, 1.52, 6.75, 0.98, 3.98][k % 8]:.2f}"


def _texts(n: int, lang: str) -> list[list[str]]:
    texts = [[_coefficient(k, v) for k in range(n)] for v in (0, 1)]
    return [[t.translate(FA_DIGITS) for t in v] for v in texts] if lang == "fa" else texts


def structural(shape: str, lang: str):
    edges = STRUCTURAL[shape]
    nodes = list(dict.fromkeys([n for e in edges for n in e]))
    names = {n: NAMES[n][lang == "fa"] for n in nodes}
    texts = _texts(len(edges), lang)
    targets = {t for _, t in edges}
    r2 = "R² = 0.41".translate(FA_DIGITS) if lang == "fa" else "R² = 0.41"
    variants = [[(s, t, text) for (s, t), text in zip(edges, v)] for v in texts]
    return path_layouts(nodes, names, variants, rtl=lang == "fa", bold=edges[::2],
                        inside=[{n: r2 for n in targets}, None])


def measurement(shape: str, lang: str):
    pairs = MEASUREMENT[shape]
    constructs = {c for c, _ in pairs} | {i for _, i in pairs if i in NAMES and i.isupper() and not i[-1].isdigit()}
    names = {c: NAMES[c][lang == "fa"] for c in constructs}
    texts = _texts(len(pairs), lang)
    texts[1][0] = ""  # a loading fixed to identify its construct has no z value
    return measurement_layouts(names, pairs, texts, rtl=lang == "fa", formative=FORMATIVE.get(shape, ()))


CASES = ([("structural", s, lang) for s in STRUCTURAL for lang in ("en", "fa")]
         + [("measurement", s, lang) for s in MEASUREMENT for lang in ("en", "fa")])


def _layouts(kind: str, shape: str, lang: str):
    return structural(shape, lang) if kind == "structural" else measurement(shape, lang)


_CACHE: dict = {}


def cached(case):
    if case not in _CACHE:
        _CACHE[case] = _layouts(*case)
    return _CACHE[case]


# ---------------------------------------------------------------------------- independent geometry
def sample(points, step=0.004):
    """The polyline sampled every ``step`` inches (so that tests of points see every crossing)."""
    out = [points[0]]
    for p, q in zip(points, points[1:]):
        n = max(1, int(math.dist(p, q) / step))
        out += [(p[0] + (q[0] - p[0]) * i / n, p[1] + (q[1] - p[1]) * i / n) for i in range(1, n + 1)]
    return out


def in_shape(node, x, y, shrink=0.0):
    a, b = node.width / 2 - shrink, node.height / 2 - shrink
    if node.kind == "item":
        return abs(x - node.x) < a and abs(y - node.y) < b
    return ((x - node.x) / a) ** 2 + ((y - node.y) / b) ** 2 < 1


def in_box(box, x, y, grow=0.0):
    return box.x0 - grow < x < box.x1 + grow and box.y0 - grow < y < box.y1 + grow


def border_distance(node, x, y):
    """Roughly how far a point is from the node's border (inches)."""
    if node.kind == "item":
        return max(abs(x - node.x) - node.width / 2, abs(y - node.y) - node.height / 2) \
            if not in_shape(node, x, y) else min(node.width / 2 - abs(x - node.x), node.height / 2 - abs(y - node.y))
    phi = math.atan2((y - node.y) / (node.height / 2), (x - node.x) / (node.width / 2))
    bx, by = node.x + node.width / 2 * math.cos(phi), node.y + node.height / 2 * math.sin(phi)
    return math.dist((x, y), (bx, by))


def box_hits_shape(box, node):
    pts = sample([(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1), (box.x0, box.y0)], 0.003)
    return any(in_shape(node, x, y) for x, y in pts) or in_box(box, node.x, node.y)


def triangle_points(tri, n=12):
    (ax, ay), (bx, by), (cx, cy) = tri
    return [(ax + (bx - ax) * i / n + (cx - bx) * i / n * j / max(i, 1) if i else ax,
             ay + (by - ay) * i / n + (cy - by) * i / n * j / max(i, 1) if i else ay)
            for i in range(n + 1) for j in range(i + 1)]


def boxes_overlap(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


# ---------------------------------------------------------------------------- the tests
@needs_dot
@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_geometry(case):
    kind, shape, lang = case
    pairs = STRUCTURAL[shape] if kind == "structural" else [
        (i, c) if c in FORMATIVE.get(shape, ()) else (c, i) for c, i in MEASUREMENT[shape]]
    for lay in cached(case):
        assert lay.engine == "dot"
        nodes = {n.id: n for n in lay.nodes}
        # every arrow drawn, as stated, from border to border
        assert [(e.source, e.target) for e in lay.edges] == list(pairs)
        for e in lay.edges:
            line = e.polyline()
            assert border_distance(nodes[e.source], *line[0]) < 0.03, (e.source, e.target)
            assert border_distance(nodes[e.target], *e.tip) < 0.03, (e.source, e.target)
            assert math.dist(e.curve[-1], e.tip) > 0.05  # a visible head
        # no arrow through a shape other than its own two (the head included), nor back into those
        for e in lay.edges:
            points = sample(e.polyline()) + triangle_points(e.arrowhead)
            for n in lay.nodes:
                if n.id not in (e.source, e.target):
                    assert not any(in_shape(n, x, y) for x, y in points), (e.source, e.target, "through", n.id)
            inner = [p for p in sample(e.polyline()) if math.dist(p, e.curve[0]) > 0.02 and math.dist(p, e.tip) > 0.02]
            for n in (nodes[e.source], nodes[e.target]):
                assert not any(in_shape(n, x, y, shrink=0.01) for x, y in inner), (e.source, e.target, "into", n.id)
        # no two arrowheads over each other
        heads = [e.arrowhead for e in lay.edges]
        for i in range(len(heads)):
            for j in range(i + 1, len(heads)):
                assert not any(_in_triangle(heads[j], x, y) for x, y in triangle_points(heads[i])), \
                    ("heads over each other", pairs[i], pairs[j])
        labelled = [e for e in lay.edges if e.text]
        assert all(e.label is not None for e in labelled)
        for i, e in enumerate(labelled):
            box = e.label
            for other in labelled[i + 1:]:
                assert not boxes_overlap(box, other.label), (e.text, other.text)
            for n in lay.nodes:
                assert not box_hits_shape(box, n), (e.text, "over", n.id)
            for other in lay.edges:
                assert not any(in_box(box, x, y) for x, y in triangle_points(other.arrowhead)), \
                    (e.text, "over the head of", other.source, other.target)
                if other is not e:
                    assert not any(in_box(box, x, y) for x, y in sample(other.polyline())), \
                        (e.text, "across", other.source, other.target)
            # on or beside its own arrow (within 0.08 in, a third of a line of text)
            near = min(math.hypot(max(box.x0 - x, 0, x - box.x1), max(box.y0 - y, 0, y - box.y1))
                       for x, y in sample(e.polyline(), 0.01))
            assert near <= 0.08, (e.text, near)
        # printed type
        assert lay.width <= TEXT_WIDTH + 1e-9
        printed = min(lay.fontsizes) * min(1.0, TEXT_WIDTH / lay.width)
        assert printed >= MIN_PT, printed


def _in_triangle(tri, x, y):
    (ax, ay), (bx, by), (cx, cy) = tri
    d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by)
    d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy)
    d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay)
    return (d1 > 1e-12 and d2 > 1e-12 and d3 > 1e-12) or (d1 < -1e-12 and d2 < -1e-12 and d3 < -1e-12)


@needs_dot
@pytest.mark.parametrize("case", [c for c in CASES if c[1] in ("chain", "long_persian", "demo", "holzinger")],
                         ids=lambda c: "-".join(c))
def test_drawn_text_stays_inside_its_shape(case):
    """What matplotlib actually draws (Persian shaped) fits the shapes the layout measured."""
    for lay in cached(case):
        drawn = text_extents(lay)
        nodes = {n.id: n for n in lay.nodes}
        for key, boxes in drawn.items():
            kind, name = key.split(":", 1)
            for b in boxes:
                corners = [(b.x0, b.y0), (b.x1, b.y0), (b.x0, b.y1), (b.x1, b.y1)]
                if kind == "node":
                    assert all(in_shape(nodes[name], x, y) for x, y in corners), (name, b)
                else:
                    label = lay.edges[int(name)].label
                    assert all(in_box(label, x, y, grow=0.005) for x, y in corners), (name, b, label)


@needs_dot
def test_chain_shows_all_six_paths_apart():
    """The issue's chain: before, four ellipses stood in one row and three of six paths were hidden."""
    std, _ = cached(("structural", "chain", "en"))
    xs = sorted(n.x for n in std.nodes)
    assert len(set(round(n.y, 2) for n in std.nodes)) > 1
    assert all(b - a > 0.3 for a, b in zip(xs, xs[1:]))


@needs_dot
def test_variants_share_one_layout_and_rtl_mirrors_ltr():
    std, t = path_layouts(["S", "L"], {"S": "Satisfaction", "L": "Loyalty"},
                          [[("S", "L", "0.52**")], [("S", "L", "8.12")]])
    assert [(n.x, n.y) for n in std.nodes] == [(n.x, n.y) for n in t.nodes]
    rtl, _ = path_layouts(["S", "L"], {"S": "Satisfaction", "L": "Loyalty"},
                          [[("S", "L", "0.52**")], [("S", "L", "8.12")]], rtl=True)
    assert rtl.width == pytest.approx(std.width)
    for a, b in zip(std.nodes, rtl.nodes):
        assert b.x == pytest.approx(std.width - a.x) and b.y == pytest.approx(a.y)
    assert rtl.node("S").x > rtl.node("L").x  # flows from the right


@needs_dot
def test_measurement_items_on_both_sides_and_in_order():
    std, _ = cached(("measurement", "demo", "en"))
    x = {n.id: n.x for n in std.nodes}
    y = {n.id: n.y for n in std.nodes}
    assert all(x[f"KCF{i}"] < x["KCF"] for i in range(1, 6))      # the first constructs' items on the left
    assert all(x[f"LOY{i}"] > x["LOY"] for i in range(1, 5))      # the last ones' on the right
    assert [y[f"SAT{i}"] for i in range(1, 5)] == sorted((y[f"SAT{i}"] for i in range(1, 5)), reverse=True)
    std_fa, _ = cached(("measurement", "demo", "fa"))
    x = {n.id: n.x for n in std_fa.nodes}
    assert all(x[f"KCF{i}"] > x["KCF"] for i in range(1, 6))      # mirrored in Persian


@needs_dot
def test_too_deep_a_model_turns_or_narrows_before_it_shrinks():
    chain = [(f"C{k}", f"C{k + 1}") for k in range(1, 8)]
    nodes = [f"C{k}" for k in range(1, 9)]
    std, = path_layouts(nodes, {n: NAMES[n][0] for n in nodes}, [[(s, t, "0.52**") for s, t in chain]])
    assert std.width <= TEXT_WIDTH and min(std.fontsizes) >= MIN_PT
    assert std.height > std.width  # it flows down the page


def test_png_is_the_layout_size():
    from io import BytesIO
    from PIL import Image
    std, = path_layouts(["S", "L"], {"S": "Satisfaction", "L": "Loyalty"}, [[("S", "L", "0.52**")]])
    image = Image.open(BytesIO(render(std)))
    assert image.size == (round(std.width * 200), round(std.height * 200))


def test_without_dot_the_python_layout_keeps_the_main_promises(monkeypatch):
    """No Graphviz: the pure-Python layered layout is used, says so, and on the shapes of the
    issue still draws every arrow apart from the other shapes, with labels apart."""
    import loyaltysurvey.report.diagram as diagram
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    for shape in ("chain", "demo", "mediation", "second_order"):
        for lay in structural(shape, "en"):
            assert lay.engine == "python"
            nodes = {n.id: n for n in lay.nodes}
            assert len(lay.edges) == len(STRUCTURAL[shape])
            for e in lay.edges:
                for n in lay.nodes:
                    if n.id not in (e.source, e.target):
                        assert not any(in_shape(n, x, y) for x, y in sample(e.polyline())), (shape, e.source, n.id)
                assert border_distance(nodes[e.target], *e.tip) < 0.03
            labels = [e.label for e in lay.edges if e.text]
            assert not any(boxes_overlap(a, b) for i, a in enumerate(labels) for b in labels[i + 1:])
            assert lay.width <= TEXT_WIDTH and min(lay.fontsizes) >= MIN_PT


# ---------------------------------------------------------------------------- in the chapter
DIAGRAMS = ("cfa_measurement", "cfa_measurement_z", "sem_std", "sem_t", "pls_measurement", "pls_measurement_t",
            "pls_std", "pls_t")


@needs_dot
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_chapter_prints_its_diagrams_at_their_own_size(demo_chapters, lang):
    """Word inserts each diagram exactly as wide as it was laid out (never more than the text's
    width), so its type prints at the size the layout tests check (at least 8 pt)."""
    from io import BytesIO

    import docx
    from PIL import Image

    from loyaltysurvey.report import Figure

    folder, report = demo_chapters[lang]
    figures = [b for s in report.sections for b in s.blocks if isinstance(b, Figure)]
    assert [f.id for f in figures if f.id in DIAGRAMS] == list(DIAGRAMS)
    document = docx.Document(str(folder / "report.docx"))
    shapes = list(document.inline_shapes)
    assert len(shapes) == len(figures)
    for figure, shape in zip(figures, shapes):
        if figure.id not in DIAGRAMS:
            continue
        pixels = Image.open(BytesIO(figure.png)).size
        assert figure.width <= TEXT_WIDTH and pixels[0] == round(figure.width * 200)
        assert shape.width / 914400 == pytest.approx(figure.width, abs=0.005)   # printed 1:1


def _hs_report(lang: str):
    from loyaltysurvey.analysis.pipeline import analyze_responses
    from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
    from loyaltysurvey.ingest import ingest
    from loyaltysurvey.report import build_report
    from loyaltysurvey.settings import Settings

    q = hs_questionnaire()
    data = ingest(q, holzinger_swineford()[[f"x{i}" for i in range(1, 10)]])
    return build_report(analyze_responses(data, Settings.resolve(q, method="cb")), lang)


def test_chapter_says_when_its_diagrams_were_laid_out_without_graphviz(monkeypatch):
    import loyaltysurvey.report.diagram as diagram
    from loyaltysurvey.report import Callout, Figure

    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    report = _hs_report("en")
    ids = [b.id for s in report.sections for b in s.blocks if isinstance(b, Figure)]
    assert ids == ["cfa_measurement", "cfa_measurement_z", "sem_std", "sem_t"]
    notes = [b.text for s in report.sections if s.id == "notes" for b in s.blocks if isinstance(b, Callout)]
    assert sum("Graphviz" in n for n in notes) == 1, notes
    assert any(n.startswith("Figures laid out without Graphviz:") for n in notes)


def test_chapter_draws_a_second_order_construct_stated_in_the_model():
    """A higher-order construct (not a questionnaire construct) is drawn in both kinds of diagram."""
    from loyaltysurvey.analysis.pipeline import analyze_responses
    from loyaltysurvey.datasets import crm_questionnaire, crm_responses
    from loyaltysurvey.ingest import ingest
    from loyaltysurvey.questionnaire import QuestionnaireBuilder
    from loyaltysurvey.report import Figure, build_report
    from loyaltysurvey.settings import Settings

    builder = QuestionnaireBuilder("second_order", scale=(1, 5))
    for c in crm_questionnaire().constructs:
        builder = builder.construct(c.id, c.id, [i.id for i in c.items])
    q = builder.model("CRM =~ KCF + CRMO + KM + TECH\nSAT ~ CRM\nLOY ~ SAT").build()
    data = ingest(q, crm_responses()[[i.id for c in q.constructs for i in c.items]])
    report = build_report(analyze_responses(data, Settings.resolve(q, method="cb")), "en")
    figures = {b.id: b for s in report.sections for b in s.blocks if isinstance(b, Figure)}
    assert list(figures) == ["cfa_measurement", "cfa_measurement_z", "sem_std", "sem_t"]
    assert all(f.width <= TEXT_WIDTH for f in figures.values())


@needs_dot
def test_chapter_with_graphviz_has_no_such_note():
    from loyaltysurvey.report import Callout
    report = _hs_report("fa")
    assert not any("Graphviz" in b.text for s in report.sections for b in s.blocks if isinstance(b, Callout))


if __name__ == "__main__":  # write the corpus as PNGs to look at
    from pathlib import Path
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        for variant, lay in zip(("std", "t"), _layouts(*case)):
            (out / f"{'-'.join(case)}-{variant}.png").write_bytes(render(lay))
            print(case, variant, f"{lay.width:.2f} x {lay.height:.2f} in, scale {lay.scale:.2f}")


@pytest.mark.parametrize("rtl", [False, True])
def test_variants_drawn_together_are_the_pictures_drawn_apart(rtl):
    """render_variants draws the shapes of a model's variants once and each variant's coefficients
    over them: the same pixels as drawing each variant whole (render), a fixed loading's missing
    test value included; variants of other shapes are each drawn whole."""
    from io import BytesIO

    import numpy as np
    from PIL import Image

    from loyaltysurvey.report.diagram import render, render_variants
    names = {"SAT": "رضایت مشتری" if rtl else "Satisfaction", "LOY": "Loyalty"}
    pairs = [("SAT", "SAT1"), ("SAT", "SAT2"), ("SAT", "SAT3"), ("LOY", "LOY1"), ("LOY", "LOY2"), ("LOY", "LOY3")]
    variants = measurement_layouts(names, pairs, [["0.81", "0.77", "0.70", "0.88", "0.91", "0.64"],
                                                  ["", "14.20", "12.93", "", "21.07", "9.80"]], rtl=rtl)
    other = measurement_layouts({"F": "Factor"}, [("F", "x1"), ("F", "x2"), ("F", "x3")], [["0.5", "0.6", "0.7"]])
    for together, apart in ((render_variants(variants), [render(v) for v in variants]),
                            (render_variants([variants[0], other[0]]), [render(variants[0]), render(other[0])])):
        assert len(together) == len(apart)
        for a, b in zip(together, apart):
            assert np.array_equal(np.asarray(Image.open(BytesIO(a)).convert("RGB")),
                                  np.asarray(Image.open(BytesIO(b)).convert("RGB")))

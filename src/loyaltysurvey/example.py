"""The bundled example: a simulated export of the CRM-loyalty questionnaire.

The population model (documented here, used by the tests for parameter
recovery) is a standardized structural model on the latent level:

* the four CRM elements KCF, CRMO, KM, TECH are standard normal with
  correlations ``PHI`` (0.35 to 0.50);
* ``SAT = 0.30 KCF + 0.20 CRMO + 0.15 KM + 0.20 TECH + zeta_SAT``;
* ``LOY = 0.60 SAT + zeta_LOY`` (satisfaction fully mediates the CRM elements);
* the residual variances make every latent variance 1;
* each item is ``lambda * eta + sqrt(1 - lambda^2) * e`` with the standardized
  loadings ``LOADINGS``, cut at ``THRESHOLDS`` into the five scale points;
  reverse-worded items are then written as ``6 - x``.

:func:`simulate_responses` returns clean answers; :func:`messy_export` makes
them look like a real export: Persian and Arabic-Indic digits, scale labels
typed as text in Persian and English, missing codes, empty cells, two
answers outside the scale, and five duplicate submissions.

Run ``python -m loyaltysurvey.example`` to rewrite the bundled file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .resources import bundled_path
from .questionnaire import Questionnaire, load_questionnaire
from .text import to_persian_digits

__all__ = ["EXOGENOUS", "PHI", "PATHS", "LOADINGS", "THRESHOLDS", "population_covariance",
           "simulate_latent", "simulate_responses", "messy_export", "write_example", "EXAMPLE_SEED"]

EXOGENOUS = ("KCF", "CRMO", "KM", "TECH")
PHI = np.array([
    [1.00, 0.45, 0.40, 0.35],
    [0.45, 1.00, 0.50, 0.40],
    [0.40, 0.50, 1.00, 0.45],
    [0.35, 0.40, 0.45, 1.00],
])
PATHS = {("KCF", "SAT"): 0.30, ("CRMO", "SAT"): 0.20, ("KM", "SAT"): 0.15, ("TECH", "SAT"): 0.20,
         ("SAT", "LOY"): 0.60}
LOADINGS = (0.80, 0.75, 0.70, 0.78, 0.72)  # first k used for a construct of k items
THRESHOLDS = (-1.6, -0.8, 0.0, 0.9)
EXAMPLE_SEED = 20051264
LATENT = EXOGENOUS + ("SAT", "LOY")


def population_covariance() -> pd.DataFrame:
    """Model-implied covariance (= correlation) matrix of the six latent variables.

    By the population model of the module's description: ``Cov(xi) = PHI``,
    ``Cov(xi, SAT) = PHI b``, ``Cov(., LOY) = g Cov(., SAT)``, unit variances.
    tests/test_example.py checks that simulated latent scores reproduce it.

    >>> cov = population_covariance()
    >>> round(float(cov.loc["KCF", "SAT"]), 3), round(float(cov.loc["SAT", "LOY"]), 3)
    (0.52, 0.6)
    """
    b = np.array([PATHS[(x, "SAT")] for x in EXOGENOUS])
    var_sat_explained = b @ PHI @ b
    cov = np.zeros((6, 6))
    cov[:4, :4] = PHI
    cov[:4, 4] = cov[4, :4] = PHI @ b
    cov[4, 4] = 1.0
    g = PATHS[("SAT", "LOY")]
    cov[:5, 5] = cov[5, :5] = g * cov[:5, 4]
    cov[5, 5] = 1.0
    assert var_sat_explained < 1 and g * g < 1
    return pd.DataFrame(cov, index=LATENT, columns=LATENT)


def simulate_latent(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw latent scores from the population model.

    ``n`` rows of KCF, CRMO, KM, TECH (multivariate normal with correlations ``PHI``), SAT and
    LOY with the residual variances that make every variance 1.

    >>> latent = simulate_latent(5, np.random.default_rng(0))
    >>> latent.shape, list(latent.columns)
    ((5, 6), ['KCF', 'CRMO', 'KM', 'TECH', 'SAT', 'LOY'])
    """
    b = np.array([PATHS[(x, "SAT")] for x in EXOGENOUS])
    xi = rng.multivariate_normal(np.zeros(4), PHI, size=n)
    sat = xi @ b + rng.normal(0, np.sqrt(1 - b @ PHI @ b), n)
    g = PATHS[("SAT", "LOY")]
    loy = g * sat + rng.normal(0, np.sqrt(1 - g * g), n)
    return pd.DataFrame(np.column_stack([xi, sat, loy]), columns=LATENT)


def simulate_responses(q: Questionnaire, n: int, seed: int = EXAMPLE_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean integer answers (as the questionnaire shows them) and the latent scores.

    Each item of construct ``c`` is ``lambda * eta_c + sqrt(1 - lambda^2) e``, cut at
    ``THRESHOLDS`` (stretched to the scale's width) into scale points; reverse-worded items
    are written turned round, as a respondent would answer them. The constructs must be the
    population model's (KCF, CRMO, KM, TECH, SAT, LOY). tests/test_example.py checks that
    the CB-SEM recovers ``PATHS`` from a large simulated sample.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> answers, latent = simulate_responses(crm_questionnaire(), 50, seed=1)
    >>> answers.shape, sorted(set(answers.to_numpy().ravel().tolist()))
    ((50, 25), [1.0, 2.0, 3.0, 4.0, 5.0])
    """
    rng = np.random.default_rng(seed)
    latent = simulate_latent(n, rng)
    answers = {}
    for construct in q.constructs:
        eta = latent[construct.id].to_numpy()
        for k, item in enumerate(construct.items):
            lam = LOADINGS[k % len(LOADINGS)]
            ystar = lam * eta + np.sqrt(1 - lam * lam) * rng.normal(size=n)
            cuts = np.array(THRESHOLDS) * (item.scale.max - item.scale.min) / 4
            value = item.scale.min + np.searchsorted(cuts, ystar)
            answers[item.id] = item.scale.reverse(value) if item.reverse else value
    frame = pd.DataFrame(answers).astype(float)
    return frame, latent


def _demographics(q: Questionnaire, n: int, rng: np.random.Generator) -> pd.DataFrame:
    probabilities = {"gender": [0.55, 0.45], "age_group": [0.12, 0.34, 0.28, 0.16, 0.10],
                     "education": [0.15, 0.12, 0.43, 0.24, 0.06], "tenure": [0.14, 0.31, 0.27, 0.28]}
    out = {}
    for demo in q.demographics:
        codes = list(demo.values) or ["1", "2"]
        p = probabilities.get(demo.id, [1 / len(codes)] * len(codes))
        out[demo.id] = rng.choice(codes, size=n, p=np.array(p) / sum(p))
    return pd.DataFrame(out)


def messy_export(q: Questionnaire, n: int = 420, seed: int = EXAMPLE_SEED) -> pd.DataFrame:
    """A realistic export: text labels, Persian digits, missing codes, duplicates.

    ``n`` respondents plus five exact duplicate submissions. Items with a
    ``column`` in the questionnaire appear under that header. Three respondents answer 4
    everywhere (straight-liners); two cells are outside the scale (rows 12 and 58, so ``n``
    must be at least 58); demographics are codes, 30% written as their Persian label.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> frame = messy_export(crm_questionnaire(), 60, seed=1)
    >>> frame.shape, frame["respondent_id"].nunique()
    ((65, 30), 60)
    """
    answers, _ = simulate_responses(q, n, seed)
    rng = np.random.default_rng(seed + 1)
    ids = [f"R{i:04d}" for i in range(1, n + 1)]
    # Three careless respondents tick the same box everywhere.
    for r in rng.choice(n, size=3, replace=False):
        answers.iloc[r] = 4.0
    cells = answers.astype(object).map(lambda v: str(int(v)))
    labels_fa = q.scale.labels.get("fa")
    labels_en = q.scale.labels.get("en")
    u = rng.random(cells.shape)
    for r in range(n):
        for j, item in enumerate(q.items):
            value = int(answers.iat[r, j])
            x = u[r, j]
            if x < 0.004:
                cells.iat[r, j] = str(int(q.missing_codes[0])) if q.missing_codes else ""
            elif x < 0.007:
                cells.iat[r, j] = ""
            elif x < 0.10:
                cells.iat[r, j] = to_persian_digits(str(value))
            elif x < 0.12:
                cells.iat[r, j] = str(value).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
            elif x < 0.17 and labels_fa:
                cells.iat[r, j] = labels_fa[value - item.scale.min]
            elif x < 0.18 and labels_en:
                cells.iat[r, j] = labels_en[value - item.scale.min]
    # Two answers typed outside the scale.
    cells.iat[11, 2] = "55"
    cells.iat[57, 9] = "7"
    cells.columns = [item.column or item.id for item in q.items]
    demo = _demographics(q, n, rng)
    for demo_spec in q.demographics:
        column = demo[demo_spec.id].astype(object)
        if demo_spec.values:
            pick = rng.random(n) < 0.3
            column[pick] = [demo_spec.values[c].get("fa") for c in column[pick]]
        demo[demo_spec.id] = column
    frame = pd.concat([pd.DataFrame({q.respondent_id or "respondent_id": ids}), demo, cells], axis=1)
    # Five respondents submitted twice; the copies land further down the file.
    for r in sorted(rng.choice(n, size=5, replace=False)):
        position = int(rng.integers(r + 1, len(frame) + 1))
        frame = pd.concat([frame.iloc[:position], frame.iloc[[r]], frame.iloc[position:]], ignore_index=True)
    return frame


def write_example(path: str | Path | None = None, n: int = 420, seed: int = EXAMPLE_SEED) -> Path:
    """Write the bundled example export (UTF-8 with BOM, as Excel writes CSV).

    :func:`messy_export` of the bundled questionnaire, to ``path`` (default: the bundled
    file itself, which tests/test_example.py checks is exactly this function's output).
    Returns the path written.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = write_example(Path(d, "export.csv"), n=60, seed=1)
    ...     path.read_bytes()[:3]
    b'\xef\xbb\xbf'
    """
    q = load_questionnaire(bundled_path("questionnaires", "crm_loyalty.yaml"))
    path = Path(path) if path else bundled_path("questionnaires", "crm_loyalty_example.csv", must_exist=False)
    messy_export(q, n, seed).to_csv(path, index=False, encoding="utf-8-sig")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(write_example())

"""Shared fixtures: the public reference datasets and the bundled example."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
REFERENCE = Path(__file__).resolve().parent / "reference"

#: lavaan's PoliticalDemocracy example with equality labels, residual covariances and ind := a*b.
POLDEM = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a1*y2 + b1*y3 + c1*y4
dem65 =~ y5 + a1*y6 + b1*y7 + c1*y8
dem60 ~ a*ind60
dem65 ~ ind60 + b*dem60
y1 ~~ y5; y2 ~~ y4 + y6; y3 ~~ y7; y4 ~~ y8; y6 ~~ y8
ind := a*b
"""


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present beside the project (CI always has it)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def crm_questionnaire():
    from loyaltysurvey.resources import bundled_path
    from loyaltysurvey.spec import load_questionnaire
    return load_questionnaire(bundled_path("questionnaires", "crm_loyalty.yaml"))

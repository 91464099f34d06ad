"""Shared fixtures: the public reference datasets and the bundled example."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
REFERENCE = Path(__file__).resolve().parent / "reference"


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

"""clean.csv is written by loyaltysurvey.workflow.csv_text, which must give exactly what pandas'
``DataFrame.to_csv(index=False)`` gives (pandas is the reference: the file's readers expect its
format), on the bundled example, on hostile texts and on random frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from loyaltysurvey.datasets import crm_export, crm_questionnaire
from loyaltysurvey.ingest import ingest
from loyaltysurvey.workflow import clean_frame, csv_text

CHARS = list('ab ,"\n\t;=+-@۱٢يی\u200c\u00a0x')
TEXT = st.text(alphabet=st.sampled_from(CHARS), max_size=6)
#: With carriage returns, which this writer quotes and pandas does not: compared by reading back.
TEXT_CR = st.text(alphabet=st.sampled_from(CHARS + ["\r"]), max_size=6)


def test_the_bundled_example_as_pandas_writes_it():
    frame = clean_frame(ingest(crm_questionnaire(), crm_export()))
    assert csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")


def test_hostile_cells_and_odd_numbers():
    frame = pd.DataFrame({
        "id": ["a,b", 'say "hi"', "two\nlines", "tab\there", "", None, "=1+1", " lead"],
        "Q,1": [1.0, -0.0, 0.0, np.nan, 1e16, 1 / 3, -2.5, 3.0],
        "code": pd.array(["1", None, "2", "3", "4", "5", "6", "7"], dtype="str"),
        "obj": np.array([1, 2.5, True, None, "x", 7, float("nan"), "y"], dtype=object),
    })
    assert csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(TEXT | st.none(), st.floats(allow_infinity=False) | st.none(),
                          st.sampled_from(["1", "2", None, "x,y"])), min_size=0, max_size=12))
def test_random_frames_as_pandas_writes_them(rows):
    frame = pd.DataFrame(rows, columns=["id", "Q1", "demo"])
    frame["Q1"] = frame["Q1"].astype(float)
    frame["id"] = frame["id"].astype(object)
    assert csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(TEXT_CR.filter(lambda t: t.strip() != ""), st.floats(allow_infinity=False,
                                                                                  allow_nan=False)),
                min_size=1, max_size=12))
def test_texts_with_carriage_returns_are_quoted_and_read_back_as_written(rows):
    import io
    frame = pd.DataFrame(rows, columns=["id", "Q1"]).astype({"id": object})
    back = pd.read_csv(io.StringIO(csv_text(frame)), dtype={"id": object}, keep_default_na=False)
    assert back["id"].tolist() == frame["id"].tolist()
    np.testing.assert_array_equal(back["Q1"].to_numpy(), frame["Q1"].to_numpy())

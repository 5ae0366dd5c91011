import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import intervals_from_calls

T0 = pd.Timestamp("2025-03-03 09:00")


def _s(seconds):
    return T0 + pd.Timedelta(seconds=seconds)


def _calls(rows):
    frame = pd.DataFrame(
        [
            {
                "arrival": _s(a) if a is not None else None,
                "answer": _s(b) if b is not None else None,
                "end": _s(c) if c is not None else None,
                "caller": who,
            }
            for a, b, c, who in rows
        ]
    )
    for column in ("arrival", "answer", "end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def test_hand_computed_case():
    calls = _calls(
        [
            (0, 10, 310, "a"),  # answered after 10 s, handled 300 s
            (60, 90, 270, "b"),  # answered after 30 s, handled 180 s
            (100, None, 110, "c"),  # short abandon (10 s)
            (200, None, 260, "d"),  # abandon after 60 s
            (1900, 1905, 2005, "e"),  # next interval: answered after 5 s, handled 100 s
        ]
    )
    result = intervals_from_calls(calls, "30min")
    table = result.intervals
    first = table.loc[T0]
    assert first["offered"] == 4
    assert first["answered"] == 2
    assert first["abandoned"] == 1
    assert first["short_abandons"] == 1
    assert first["answered_within"] == 1
    assert first["aht"] == pytest.approx(240.0)
    assert first["asa"] == pytest.approx(20.0)
    assert first["service_level"] == pytest.approx(1 / 3)
    second = table.loc[T0 + pd.Timedelta("30min")]
    assert second["offered"] == 1
    assert second["aht"] == pytest.approx(100.0)
    assert result.report.reconciles
    assert result.report.used == 5


def test_malformed_rows_counted_and_reconciled():
    calls = _calls(
        [
            (0, 10, 100, "a"),
            (None, 10, 100, "b"),  # no arrival
            (0, 10, None, "c"),  # no end
            (50, 40, 100, "d"),  # answered before arrival
            (50, 60, 55, "e"),  # ended before answer
            (50, None, 40, "f"),  # abandoned before arriving
        ]
    )
    result = intervals_from_calls(calls)
    assert result.report.malformed == {
        "missing_arrival": 1,
        "missing_end": 1,
        "answer_before_arrival": 1,
        "end_before_answer": 1,
        "end_before_arrival": 1,
    }
    assert result.report.used == 1
    assert result.report.reconciles
    assert result.intervals["offered"].sum() == 1


def test_redials_fold_into_one_contact():
    calls = _calls(
        [
            (0, None, 40, "x"),  # abandons at 40 s
            (100, 105, 300, "x"),  # calls back 60 s later: one contact
            (400, None, 420, "y"),  # abandons
            (2000, 2002, 2100, "y"),  # calls back after 1580 s: a new contact
        ]
    )
    plain = intervals_from_calls(calls)
    folded = intervals_from_calls(calls, redial_window=300)
    assert plain.intervals["offered"].sum() == 4
    assert folded.intervals["offered"].sum() == 3
    assert folded.report.redials_folded == 1
    assert folded.report.reconciles


def test_queues_and_gaps():
    calls = _calls([(0, 1, 50, "a"), (3 * 1800 + 5, 3 * 1800 + 8, 3 * 1800 + 90, "b")])
    calls["queue"] = ["sales", "care"]
    table = intervals_from_calls(calls).intervals
    assert table.index.names == ["queue", "ds"]
    # Each queue gets the full grid of four intervals, zeros where nothing arrived.
    assert len(table) == 8
    assert table["offered"].sum() == 2
    sparse = intervals_from_calls(calls, complete=False).intervals
    assert len(sparse) == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"freq": "7min"}, "freq"),
        ({"threshold": -1}, "threshold"),
        ({"arrival": "start_time"}, "start_time"),
        ({"redial_window": 0}, "redial_window"),
    ],
)
def test_bad_arguments_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        intervals_from_calls(_calls([(0, 1, 5, "a")]), **kwargs)


@st.composite
def call_records(draw):
    n = draw(st.integers(1, 40))
    arrivals = draw(st.lists(st.integers(0, 4 * 3600), min_size=n, max_size=n))
    waits = draw(st.lists(st.integers(0, 200), min_size=n, max_size=n))
    answered = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    handles = draw(st.lists(st.integers(1, 900), min_size=n, max_size=n))
    callers = draw(st.lists(st.sampled_from("abcd"), min_size=n, max_size=n))
    rows = []
    for a, w, ans, h, who in zip(arrivals, waits, answered, handles, callers, strict=True):
        rows.append((a, a + w, a + w + h, who) if ans else (a, None, a + w, who))
    return _calls(rows)


@settings(max_examples=20, deadline=None)
@given(call_records(), st.sampled_from([None, 120.0]))
def test_totals_match_direct_count(calls, window):
    result = intervals_from_calls(calls, "15min", redial_window=window)
    table = result.intervals
    assert result.report.reconciles
    np.testing.assert_array_equal(
        table["offered"], table["answered"] + table["abandoned"] + table["short_abandons"]
    )
    if window is None:
        answered = calls["answer"].notna()
        wait = np.where(
            answered, calls["answer"] - calls["arrival"], calls["end"] - calls["arrival"]
        )
        wait = pd.to_timedelta(wait).total_seconds()
        assert table["answered"].sum() == answered.sum()
        assert table["short_abandons"].sum() == int(((~answered) & (wait <= 20)).sum())
        assert table["answered_within"].sum() == int((answered & (wait <= 20)).sum())
        handle = (calls["end"] - calls["answer"]).dt.total_seconds()[answered].sum()
        assert table["handle_time"].sum() == pytest.approx(handle)

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import interval_length

DIVISORS = [d for d in range(1, 86401) if 86400 % d == 0]


def _index(step, n=10, start="2025-03-03"):
    return pd.date_range(start, periods=n, freq=pd.Timedelta(seconds=step))


def test_given_and_inferred_agree_as_int_seconds():
    index = _index(1800)
    for value in (None, 1800, np.int64(1800), 1800.0, "30min", pd.Timedelta(minutes=30)):
        got = interval_length(index, value)
        assert got == 1800 and type(got) is int
    assert interval_length(None, "15min") == 900


def test_inferred_from_unsorted_repeated_and_gapped_stamps():
    index = _index(900, n=96)
    shuffled = index[np.random.default_rng(0).permutation(len(index))]
    assert interval_length(shuffled.append(index[:5])) == 900
    # closed hours: 08:00-12:00 on three days
    open_hours = pd.DatetimeIndex(
        [d + pd.Timedelta(minutes=30 * k) for d in _index(86400, 3) for k in range(16, 24)]
    )
    assert interval_length(open_hours) == 1800
    assert interval_length(open_hours.tz_localize("Asia/Shanghai")) == 1800


@pytest.mark.parametrize("bad", [7, 0, -1800, 1800.5, "7min", "500ms", True, "soon", [1800]])
def test_a_given_interval_not_dividing_a_day_is_named(bad):
    with pytest.raises(ValueError, match=r"^requirement: interval=") as err:
        interval_length(_index(1800), bad, name="requirement")
    message = str(err.value)
    assert "\n" not in message
    assert repr(bad) in message


def test_the_argument_name_is_the_callers():
    with pytest.raises(ValueError, match=r"^history: freq='7min' does not divide a day"):
        interval_length(_index(1800), "7min", name="history", arg="freq")


def test_off_grid_index():
    index = _index(1800).append(pd.DatetimeIndex(["2025-03-03 10:10"]))
    with pytest.raises(ValueError, match=r"off the 0 days 00:30:00 grid.*2025-03-03 10:10:00$"):
        interval_length(index, name="history")
    with pytest.raises(ValueError, match=r"^req: 1 timestamps are off .*interval=1800"):
        interval_length(_index(1800, start="2025-03-03 00:10")[:1], 1800, name="req")
    # without the day's grid only the spacing counts
    shifted = _index(1800, start="2025-03-03 08:10")
    assert interval_length(shifted, grid=False) == 1800
    assert interval_length(shifted, 900, grid=False) == 900
    with pytest.raises(ValueError, match="grid"):
        interval_length(shifted)
    with pytest.raises(ValueError, match="grid"):
        interval_length(index, grid=False)


def test_a_sparse_index_needs_the_interval_given():
    index = pd.DatetimeIndex(["2025-03-03 08:00", "2025-03-03 08:30"]).append(
        _index(7200, n=4, start="2025-03-03 10:00")
    )
    with pytest.raises(ValueError, match="02:00:00 grid"):
        interval_length(index)
    assert interval_length(index, 1800) == 1800


def test_fewer_than_two_stamps():
    one = _index(1800, n=1)
    for index in (one, one.append(one), pd.DatetimeIndex([])):
        with pytest.raises(ValueError, match=r"^volume: interval is required with fewer than two"):
            interval_length(index, name="volume")
    assert interval_length(one, 3600) == 3600
    with pytest.raises(ValueError, match=r"^volume: interval is required without a time index"):
        interval_length(None, name="volume")


def test_inferred_spacing_not_dividing_a_day():
    with pytest.raises(ValueError, match=r"0 days 00:07:00.*give interval="):
        interval_length(_index(420))
    with pytest.raises(ValueError, match="NaT"):
        interval_length(pd.DatetimeIndex(["2025-03-03", None, "2025-03-04"]))


@settings(max_examples=200, deadline=None)
@given(
    step=st.sampled_from(DIVISORS),
    n=st.integers(2, 50),
    day=st.integers(0, 3650),
    slot=st.integers(0, 86399),
    drop=st.lists(st.integers(0, 49), max_size=10),
)
def test_regular_index_gives_back_its_step(step, n, day, slot, drop):
    start = pd.Timestamp("2020-01-01") + pd.Timedelta(days=day, seconds=slot - slot % step)
    index = pd.date_range(start, periods=n, freq=pd.Timedelta(seconds=step))
    assert interval_length(index) == step
    assert interval_length(index, step) == step
    # intervals left out at both ends keep the step while consecutive ones stay most common
    kept = index.delete(sorted({i for i in drop if 0 < i < n - 1})[: max(0, (n - 3) // 3)])
    assert interval_length(kept) == step

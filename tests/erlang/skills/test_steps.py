"""Staffing as steps in time: the levels and logged time of windows against counting, and the
centre simulation on steps against the single-queue pool kernel, which shares no code with it."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from erlang.skills import AgentGroup, Centre, GroupSteps, Queue, simulate_centre
from erlang.targets import Targets
from roster.simulation.kernel import ANSWERED, simulate_pool

windows = st.lists(
    st.tuples(
        st.floats(-900, 7000, allow_nan=False),
        st.floats(0, 4000, allow_nan=False),
        st.integers(0, 2),
    ),
    min_size=0,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(windows)
def test_levels_and_logged_time_count_the_windows(rows):
    start = np.array([r[0] for r in rows], float)
    end = start + np.array([r[1] for r in rows], float)
    group = np.array([r[2] for r in rows], np.int64)
    steps = GroupSteps.from_windows(start, end, group, 3)
    # the level at any time is the number of windows open then
    probes = np.concatenate([steps.times, steps.times + 0.5, [0.0, 3333.3, 99_999.0]])
    for t in probes:
        m = np.searchsorted(steps.times, t, side="right") - 1
        for g in range(3):
            open_ = np.sum((group == g) & (start <= t) & (end > t) & (end > start))
            assert steps.agents[m, g] == open_
    # logged time per interval is the overlap of the windows with it
    logged = steps.logged_time(4, 1800.0)
    for k in range(4):
        lo, hi = 1800.0 * k, 1800.0 * (k + 1)
        overlap = np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None)
        for g in range(3):
            assert logged[g, k] == pytest.approx(overlap[group == g].sum(), abs=1e-6)


def test_steps_per_interval_give_the_frame_result_exactly():
    day = pd.date_range("2026-03-02", periods=6, freq="30min")
    centre = Centre(
        [Queue("x", aht=120.0), Queue("y", aht=240.0, patience=90.0)],
        [AgentGroup("gx", ["x"]), AgentGroup("both", ["x", "y"])],
    )
    volume = pd.DataFrame({"x": 300.0, "y": 120.0}, index=day)
    staffing = pd.DataFrame({"gx": [10, 12, 14, 12, 10, 8], "both": [8, 9, 9, 10, 9, 8]}, day)
    by_frame = simulate_centre(volume, centre, staffing, replications=3, seed=4)
    steps = GroupSteps.from_intervals(staffing, 1800)
    by_steps = simulate_centre(volume, centre, steps, replications=3, seed=4)
    pd.testing.assert_frame_equal(by_frame.queues, by_steps.queues)
    pd.testing.assert_frame_equal(by_frame.groups, by_steps.groups)


def test_levels_within_an_interval_match_the_single_queue_pool():
    """One queue and one group whose level changes every ten minutes: the day's service
    level, abandonment and occupancy agree with the single-queue pool kernel."""
    n_int, length, rate, aht, patience = 8, 1800.0, 450.0, 120.0, 100.0
    times = np.arange(3 * n_int) * 600.0
    level = np.tile([26, 20, 31], n_int)
    centre = Centre(
        [Queue("q", aht=aht, patience=patience, targets=Targets(service_level=0.8))],
        [AgentGroup("g", ["q"])],
    )
    day = pd.date_range("2026-03-02", periods=n_int, freq="30min")
    volume = pd.DataFrame({"q": rate}, index=day)
    steps = GroupSteps(times, level[:, None])
    sim = simulate_centre(volume, centre, steps, replications=30, seed=5).summary()

    rng = np.random.default_rng(6)
    sl, ab, occ = [], [], []
    for _ in range(30):
        n = rng.poisson(rate * n_int)
        arrival = np.sort(rng.random(n)) * length * n_int
        service = rng.exponential(aht, n)
        pat = rng.exponential(patience, n)
        status, start = simulate_pool(arrival, service, pat, times, level.astype(np.int64), -1)
        answered = status == ANSWERED
        sl.append(np.mean(answered & (start - arrival <= 20.0)))
        ab.append(np.mean(~answered))
        busy = np.minimum(start[answered] + service[answered], length * n_int) - start[answered]
        occ.append(busy.sum() / (level.sum() * 600.0))
    for metric, values in (("service_level", sl), ("abandon_rate", ab), ("occupancy", occ)):
        row = sim.loc[("q" if metric != "occupancy" else "g", metric)]
        spread = np.std(values, ddof=1) / np.sqrt(len(values))
        assert abs(row["mean"] - np.mean(values)) <= 3.0 * np.hypot(row["half_width"] / 2, spread)


@pytest.mark.parametrize(
    ("staffing", "message"),
    [
        ([GroupSteps([0.0], [[3]])], "one per replication"),
        (GroupSteps([0.0], [[3, 4]]), "groups"),
    ],
)
def test_bad_steps_are_named(staffing, message):
    centre = Centre([Queue("q", aht=100.0)], [AgentGroup("g", ["q"])])
    volume = pd.DataFrame({"q": [10.0]}, index=pd.date_range("2026-03-02", periods=1, freq="h"))
    with pytest.raises(ValueError, match=message):
        simulate_centre(volume, centre, staffing, interval=3600, replications=2)


@pytest.mark.parametrize(
    ("times", "agents", "message"),
    [
        ([0.0, 0.0], [[1], [2]], "increasing"),
        ([5.0], [[1]], "at or before 0"),
        ([0.0], [[1.5]], "whole numbers"),
        ([0.0, 60.0], [[1]], "one row per time"),
    ],
)
def test_bad_group_steps_are_named(times, agents, message):
    with pytest.raises(ValueError, match=message):
        GroupSteps(times, agents)

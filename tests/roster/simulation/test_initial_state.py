"""A simulation that starts now, with callers waiting and agents busy: an empty start changes
nothing, and the starting queue drains as a direct computation of the agents' free times
says."""

import heapq

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roster.simulation import simulate
from roster.simulation.agents import InitialState

INDEX = pd.date_range("2026-03-02 10:00", periods=4, freq="30min")


def _shifts():
    return pd.DataFrame(
        {
            "agent": ["a", "b", "c", "d"],
            "start": pd.to_datetime(["2026-03-02 08:00"] * 2 + ["2026-03-02 10:30"] * 2),
            "end": pd.to_datetime(["2026-03-02 12:00"] * 4),
        }
    )


@pytest.mark.parametrize("kind", ["agents", "shifts"])
def test_empty_start_is_exactly_todays_result(kind):
    volume = pd.Series([40.0, 60.0, 50.0, 30.0], INDEX)
    staff = {"agents": [6, 6, 6, 6]} if kind == "agents" else {"shifts": _shifts()}
    common = {"aht": 180.0, "patience": 90.0, "replications": 3, "seed": 7, **staff}
    today = simulate(volume, **common)
    for initial in (InitialState(), InitialState(waiting=[], busy=0)):
        again = simulate(volume, initial=initial, **common)
        pd.testing.assert_frame_equal(today.replications, again.replications)


def _drain(free_at, waited, service):
    """Start of each waiting caller's service: the next agent free, longest waiting first."""
    heap = list(free_at)
    heapq.heapify(heap)
    starts = []
    for _ in waited:
        t = heapq.heappop(heap)
        starts.append(t)
        heapq.heappush(heap, t + service)
    return np.array(starts)


@settings(max_examples=30, deadline=None)
@given(
    agents=st.integers(1, 6),
    waited=st.lists(st.floats(0, 300), max_size=15),
    busy=st.lists(st.floats(1, 400), max_size=6),
    service=st.floats(10, 200),
)
def test_starting_queue_drains_as_computed(agents, waited, busy, service):
    busy = busy[:agents]
    volume = pd.Series(0.0, INDEX)  # no new callers: only the queue at time zero
    result = simulate(
        volume,
        aht=service,
        agents=[agents] * len(INDEX),
        handle_times=[service],
        initial=InitialState(waiting=waited, busy=busy),
        replications=1,
        seed=0,
    )
    free_at = list(busy) + [0.0] * (agents - len(busy))
    behind = np.sort(np.asarray(waited, float))[::-1]
    starts = _drain(free_at, behind, service)
    total_wait = (starts + behind).sum()
    first = result.mean.iloc[0]
    assert first["offered"] == len(waited)
    assert first["answered"] == len(waited)
    assert first["wait_answered"] == pytest.approx(total_wait, rel=1e-9, abs=1e-6)
    assert first["answered_within"] == int(((starts + behind) <= 20.0).sum())
    # the calls in progress keep their agents busy for their remaining time
    busy_time = result.mean["busy_time"].sum()
    assert busy_time == pytest.approx(sum(busy) + service * len(waited), rel=1e-9)


def test_counted_busy_agents_draw_their_remaining_time():
    # Exponential handle times are memoryless: with no callers at all, the busy time of
    # n calls in progress averages n * aht.
    volume = pd.Series(0.0, INDEX)
    result = simulate(
        volume,
        aht=120.0,
        agents=[50] * 4,
        initial=InitialState(busy=40),
        replications=50,
        seed=3,
    )
    per_rep = result.replications["busy_time"].groupby(level=0).sum()
    assert per_rep.mean() == pytest.approx(40 * 120.0, rel=0.05)


def test_bad_initial_state_is_named():
    with pytest.raises(ValueError, match=r"^initial waiting must be a count >= 0"):
        InitialState(waiting=-1)
    with pytest.raises(ValueError, match=r"^initial busy must be finite seconds >= 0"):
        InitialState(busy=[10.0, -2.0])
    with pytest.raises(ValueError, match=r"^initial: a starting queue is not .* warmup"):
        simulate(
            pd.Series(1.0, INDEX), aht=60.0, agents=[1] * 4, warmup=60.0,
            initial=InitialState(waiting=2),
        )  # fmt: skip

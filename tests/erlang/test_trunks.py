"""Trunk caps (M/M/n/K, M/M/n+M/K) against the exact finite chain, their limits and properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import erlang
from tests.erlang.exact import ExactQueue

CASES = [
    # volume per 30 min, aht, agents, patience, trunks
    (100, 180, 14, 60.0, 20),
    (100, 180, 14, np.inf, 20),
    (200, 180, 14, 90.0, 30),  # overloaded, the cap binds
    (200, 180, 14, np.inf, 30),  # overloaded Erlang C: stable only through the cap
    (50, 300, 3, 45.0, 3),  # no waiting room: Erlang B
    (50, 300, 3, 45.0, 4),
    (400, 240, 30, 600.0, 60),
    (2000, 300, 100, 30.0, 130),  # deep overload: the backward sum
    (1000, 300, 120, 200.0, 150),
    (30, 420, 1, 120.0, 10),
    (500, 300, 100, np.inf, 105),
    (500, 300, 100, np.inf, 200),
    (300, 300, 50, np.inf, 60),  # ρ = 1 exactly
    (300.0000003, 300, 50, np.inf, 60),  # ρ = 1 + 1e-9
    (900, 180, 90, np.inf, 390),  # ρ = 1 with a long waiting room
    (100, 180, 0, 60.0, 5),  # no agents: everyone admitted hangs up
    (100, 180, 14, 60.0, 400),  # a cap that never binds
]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: "-".join(map(str, c)))
def case(request):
    volume, aht, agents, patience, trunks = request.param
    exact = ExactQueue(volume / 1800.0, aht, agents, patience, trunks=trunks)
    p = None if np.isinf(patience) else patience
    kw = {"patience": p, "trunks": trunks}
    return request.param, exact, kw


def test_probabilities_match_chain(case):
    (volume, aht, agents, _, _), exact, kw = case
    assert erlang.blocking(volume, aht, agents, **kw) == pytest.approx(exact.blocking, abs=1e-13)
    assert erlang.abandon_rate(volume, aht, agents, **kw) == pytest.approx(
        exact.p_abandon, abs=1e-13
    )
    k = erlang.kpis(volume, aht, agents, short_abandon=20, **kw).iloc[0]
    assert k.p_wait == pytest.approx(exact.p_wait, abs=1e-13)
    assert k.blocking == pytest.approx(exact.blocking, abs=1e-13)
    short = exact.abandoned_within(20.0) if kw["patience"] else 0.0
    assert k.short_abandon_rate == pytest.approx(short, abs=1e-13)
    served = exact.mean_busy / agents if agents else 1.0
    assert k.occupancy == pytest.approx(served, abs=1e-13)


def test_service_levels_match_tagged_caller(case):
    (volume, aht, agents, _, _), exact, kw = case
    for threshold in (0.0, 20.0, 60.0):
        sl = erlang.service_level(volume, aht, agents, threshold=threshold, **kw)
        assert sl == pytest.approx(exact.answered_within(threshold), abs=1e-12)
    virtual = erlang.service_level(volume, aht, agents, definition="virtual", **kw)
    assert virtual == pytest.approx(exact.virtual_wait_within(20.0), abs=1e-12)
    assert erlang.answer_rate(volume, aht, agents, **kw) == pytest.approx(
        exact.answered_within(60.0), abs=1e-12
    )
    short = exact.abandoned_within(20.0) if kw["patience"] else 0.0
    net = erlang.service_level(volume, aht, agents, short_abandon=20, **kw)
    assert net == pytest.approx(exact.answered_within(20.0) / (1 - short), abs=1e-12)
    admitted = erlang.service_level(volume, aht, agents, over="admitted", **kw)
    assert admitted == pytest.approx(exact.answered_within(20.0) / (1 - exact.blocking), abs=1e-12)


def test_waits_match_chain(case):
    (volume, aht, agents, _, _), exact, kw = case
    wait = erlang.asa(volume, aht, agents, **kw)
    if agents == 0:
        assert wait == np.inf
    else:
        assert wait == pytest.approx(exact.mean_wait_answered(), rel=1e-9, abs=1e-12)
    every = erlang.asa(volume, aht, agents, callers="all", **kw)
    assert every == pytest.approx(exact.mean_wait_all(), rel=1e-12, abs=1e-12)


def test_long_waiting_room_is_fast_and_exact():
    # Two thousand waiting places at ρ slightly above 1; the chain's balance equations only.
    volume, aht, agents, trunks = 1010.0, 180.0, 100, 2100
    exact = ExactQueue(volume / 1800.0, aht, agents, trunks=trunks)
    assert erlang.blocking(volume, aht, agents, trunks=trunks) == pytest.approx(
        exact.blocking, abs=1e-14
    )
    assert erlang.asa(volume, aht, agents, trunks=trunks, callers="all") == pytest.approx(
        exact.mean_wait_all(), rel=1e-11
    )


volumes = st.floats(1.0, 3000.0)
ahts = st.floats(30.0, 900.0)
patiences = st.one_of(st.none(), st.floats(5.0, 3600.0))


@settings(max_examples=40, deadline=None)
@given(volumes, ahts, st.integers(0, 200), patiences)
def test_no_waiting_room_is_erlang_b(volume, aht, agents, patience):
    kw = {"patience": patience, "trunks": agents}
    b = erlang.erlang_b(volume * aht / 1800.0, agents)
    assert erlang.blocking(volume, aht, agents, **kw) == pytest.approx(b, rel=1e-12, abs=1e-300)
    for threshold in (0.0, 20.0):
        sl = erlang.service_level(volume, aht, agents, threshold=threshold, **kw)
        assert sl == pytest.approx(1.0 - b, abs=1e-12)
    assert erlang.abandon_rate(volume, aht, agents, **kw) == 0.0
    assert erlang.asa(volume, aht, agents, **kw) == (0.0 if agents else np.inf)


@settings(max_examples=30, deadline=None)
@given(volumes, ahts, st.integers(1, 300), patiences)
def test_a_cap_nobody_reaches_gives_the_uncapped_values(volume, aht, agents, patience):
    assume(patience is not None or volume * aht / 1800.0 < 0.999 * agents)  # else no steady state
    kw = {"patience": patience, "threshold": 20.0, "short_abandon": 20.0}
    uncapped = erlang.kpis(volume, aht, agents, **kw)
    capped = erlang.kpis(volume, aht, agents, trunks=agents + 10**6, **kw)
    assert (capped.blocking < 1e-15).all()
    pd.testing.assert_frame_equal(
        capped.drop(columns="blocking"), uncapped.drop(columns="blocking"), rtol=1e-13
    )


def test_growing_caps_tend_to_the_uncapped_values():
    volume, aht, agents, patience = 100.0, 180.0, 14, 60.0
    trunks = np.array([20, 30, 45, 70, 120])
    for p in (None, patience):
        sl = erlang.service_level(volume, aht, agents, patience=p, trunks=trunks)
        gap = np.abs(sl - erlang.service_level(volume, aht, agents, patience=p))
        assert np.all(np.diff(gap) <= 0) and gap[0] > 1e-5 and gap[-1] < 1e-12


@settings(max_examples=40, deadline=None)
@given(volumes, ahts, st.integers(1, 150), st.integers(0, 60), patiences)
def test_blocking_monotone_in_trunks_and_agents(volume, aht, agents, room, patience):
    kw = {"patience": patience}
    trunks = agents + room + np.arange(3)
    blocked = erlang.blocking(volume, aht, agents, trunks=trunks, **kw)
    # rounding in the capped recursions grows with the load per agent
    scale = 1.0 + volume * aht / 1800.0 / agents
    assert np.all(np.diff(blocked) <= 1e-14 * scale)
    # Adding an agent swaps a waiting caller for a served one; a served caller holds the trunk
    # longer exactly when patience is shorter than the handle time.
    top = agents + room + 1
    by_agents = erlang.blocking(volume, aht, np.array([agents, agents + 1]), trunks=top, **kw)
    if patience is None or patience >= aht:
        assert by_agents[1] <= by_agents[0] * (1 + 1e-12) + 1e-300
    else:
        assert by_agents[1] >= by_agents[0] * (1 - 1e-12)


@settings(max_examples=40, deadline=None)
@given(volumes, ahts, st.integers(1, 150), st.integers(1, 60), patiences)
def test_service_improves_with_agents_under_a_fixed_cap(volume, aht, agents, room, patience):
    kw = {"patience": patience, "trunks": agents + room}
    n = np.array([agents - 1, agents]) if agents > 1 else np.array([agents, agents])
    sl = erlang.service_level(volume, aht, n, **kw)
    ar = erlang.answer_rate(volume, aht, n, **kw)
    wait = erlang.asa(volume, aht, n, **kw)
    ab = erlang.abandon_rate(volume, aht, n, short_abandon=20, **kw)
    assert sl[1] >= sl[0] - 1e-12 and ar[1] >= ar[0] - 1e-12
    assert wait[1] <= wait[0] * (1 + 1e-9) and ab[1] <= ab[0] + 1e-12


@settings(max_examples=40, deadline=None)
@given(volumes, ahts, st.integers(1, 150), st.integers(0, 60), patiences)
def test_more_trunks_answer_more_but_may_answer_later(volume, aht, agents, room, patience):
    kw = {"patience": patience}
    trunks = agents + room + np.array([0, 1])
    answered = 1.0 - erlang.blocking(volume, aht, agents, trunks=trunks, **kw)
    answered -= erlang.abandon_rate(volume, aht, agents, trunks=trunks, **kw)
    # 1 - blocking - abandonment cancels terms near 1: the error grows with the load per agent
    scale = 1.0 + volume * aht / 1800.0 / agents
    assert answered[1] >= answered[0] - 1e-12 * scale
    # Over admitted callers the service level only falls: newcomers join a longer queue.
    sl = erlang.service_level(volume, aht, agents, trunks=trunks, over="admitted", **kw)
    assert sl[1] <= sl[0] + 1e-12


def test_service_level_over_offered_can_fall_with_more_trunks():
    # Threshold 0: answered at once needs a free agent, which a longer queue makes rarer.
    sl = erlang.service_level(300, 300, 50, threshold=0.0, trunks=[50, 55, 60])
    assert np.all(np.diff(sl) < 0)


@settings(max_examples=30, deadline=None)
@given(volumes, ahts, st.integers(1, 100), st.integers(0, 40), st.floats(5.0, 3600.0))
def test_littles_law_under_a_cap(volume, aht, agents, room, patience):
    trunks = agents + room
    exact = ExactQueue(volume / 1800.0, aht, agents, patience, trunks=trunks)
    wait = erlang.asa(volume, aht, agents, patience=patience, trunks=trunks, callers="all")
    arrivals = volume / 1800.0 * (1 - exact.blocking)
    assert np.isclose(arrivals * wait, exact.mean_queue, rtol=1e-9, atol=1e-12)


def test_series_and_broadcasting():
    index = pd.date_range("2026-03-02 08:00", periods=3, freq="30min")
    volume = pd.Series([120.0, 300.0, 0.0], index=index)
    trunks = pd.Series([40, 45, 40], index=index)
    out = erlang.blocking(volume, 240, 30, trunks=trunks, patience=90)
    assert isinstance(out, pd.Series) and out.index.equals(index) and out.iloc[2] == 0.0
    grid = erlang.blocking(np.array([[100.0], [200.0]]), 180, 14, trunks=[14, 20, np.inf])
    assert grid.shape == (2, 3) and np.all(grid[:, 2] == 0.0)
    assert np.all(np.diff(grid, axis=1) < 0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"trunks": 10}, r"trunks must be >= agents .* trunks 10 < agents 14"),
        ({"trunks": 20.5}, "trunks must be whole numbers, got 20.5"),
        ({"trunks": -1}, "trunks must be >= 0"),
        ({"trunks": np.nan}, "trunks must not be NaN"),
        ({"trunks": 20, "agents": 14.5}, "agents must be whole numbers under a trunk cap"),
        ({"trunks": 20, "over": "blocked"}, "over must be one of"),
    ],
)
def test_bad_trunks(kwargs, match):
    args = {"agents": 14, **kwargs}
    with pytest.raises(ValueError, match=match):
        erlang.service_level(100.0, 180.0, args.pop("agents"), **args)
    with pytest.raises(ValueError, match="trunks must be given"):
        erlang.blocking(100.0, 180.0, 14, trunks=None)

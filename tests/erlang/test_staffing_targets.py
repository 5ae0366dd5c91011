"""Staffing under a trunk cap and with per-interval targets, against brute force and scalars."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import erlang
from erlang.minimum import TrunksTooFew

TRUNK_TARGETS = [
    {"service_level": 0.8},
    {"service_level": 0.8, "max_blocking": 0.01},
    {  # the hotline defaults
        "service_level": 0.8,
        "answer_rate": 0.85,
        "asa": 20,
        "max_abandon": 0.05,
        "short_abandon": 20,
        "max_occupancy": 0.9,
        "max_blocking": 0.03,
    },
    {"service_level": 0.8, "short_abandon": 20},  # not monotone in agents under a cap
    {"service_level": None, "answer_rate": 0.85, "short_abandon": 20},  # nor is this
    {"service_level": None, "asa": 30, "max_blocking": 0.03},
]


def meets(volume, aht, agents, patience, trunks, targets):
    """Whether each count in ``agents`` meets every target, from the public metrics."""
    kw = {"patience": patience, "trunks": trunks}
    short = targets.get("short_abandon")
    ok = np.ones(agents.shape, dtype=bool)
    if targets.get("service_level") is not None:
        sl = erlang.service_level(volume, aht, agents, short_abandon=short, **kw)
        ok &= sl >= targets["service_level"]
    if targets.get("answer_rate") is not None:
        ar = erlang.answer_rate(volume, aht, agents, short_abandon=short, **kw)
        ok &= ar >= targets["answer_rate"]
    if targets.get("asa") is not None:
        ok &= erlang.asa(volume, aht, agents, **kw) <= targets["asa"]
    if targets.get("max_abandon") is not None:
        ab = erlang.abandon_rate(volume, aht, agents, short_abandon=short, **kw)
        ok &= ab <= targets["max_abandon"]
    if targets.get("max_occupancy") is not None:
        ok &= erlang.occupancy(volume, aht, agents, **kw) <= targets["max_occupancy"]
    if targets.get("max_blocking") is not None:
        ok &= erlang.blocking(volume, aht, agents, **kw) <= targets["max_blocking"]
    return ok


def brute_force(volume, aht, patience, trunks, targets):
    """Fewest agents up to ``trunks`` meeting every target, or None."""
    agents = np.arange(1, trunks + 1)
    ok = meets(volume, aht, agents, patience, trunks, targets)
    return int(agents[ok][0]) if ok.any() else None


@pytest.mark.parametrize("targets", TRUNK_TARGETS, ids=range(len(TRUNK_TARGETS)))
@pytest.mark.parametrize("patience", [None, 60.0, 600.0])
def test_trunk_staffing_matches_brute_force(targets, patience):
    grid = list(itertools.product([10.0, 100.0, 300.0, 800.0], [180.0, 300.0], [15, 40, 90, 200]))
    expected = [brute_force(v, a, patience, k, targets) for v, a, k in grid]
    feasible = [g for g, e in zip(grid, expected, strict=True) if e is not None]
    volume, aht, trunks = (np.array(x) for x in zip(*feasible, strict=True))
    got = erlang.required_agents(volume, aht, patience=patience, trunks=trunks, **targets)
    np.testing.assert_array_equal(got, [e for e in expected if e is not None])
    for (v, a, k), e in zip(grid, expected, strict=True):
        if e is None:
            with pytest.raises(TrunksTooFew, match=f"trunks {k}"):
                erlang.required_agents(v, a, patience=patience, trunks=k, **targets)


def test_too_few_trunks_names_the_intervals():
    index = pd.date_range("2026-03-02 08:00", periods=3, freq="30min")
    volume = pd.Series([100.0, 900.0, 950.0], index=index)
    first = r"in 2 intervals \(first: Timestamp\('2026-03-02 08:30"
    with pytest.raises(TrunksTooFew, match=first):
        erlang.required_agents(volume, 300.0, trunks=90, patience=60.0, max_blocking=0.02)
    with pytest.raises(ValueError, match="trunks too few"):  # a ValueError for callers
        erlang.required_agents(900.0, 300.0, trunks=90)
    assert erlang.TrunksTooFew is TrunksTooFew
    with pytest.raises(ValueError, match="different index"):
        erlang.required_agents(volume, 300.0, trunks=pd.Series(200, index=index.shift(1)))
    out = erlang.required_agents(volume, 300.0, trunks=pd.Series(200, index=index), min_agents=8)
    assert out.index.equals(index) and out.iloc[0] >= 8


def test_short_patience_blocking_rises_with_agents():
    # Patience 30 s against 300 s handling: each added agent raises blocking, so the fewest
    # agents for the service level is also the only chance to keep blocking low.
    kw = {"patience": 30.0, "trunks": 20}
    n = erlang.required_agents(100.0, 300.0, max_blocking=0.02, **kw)
    assert n == 17 and erlang.blocking(100.0, 300.0, n, **kw) <= 0.02
    assert erlang.service_level(100.0, 300.0, n - 1, **kw) < 0.8
    assert erlang.blocking(100.0, 300.0, n + 1, **kw) > 0.02
    with pytest.raises(TrunksTooFew):
        erlang.required_agents(100.0, 300.0, max_blocking=0.01, **kw)


def test_an_ample_cap_changes_nothing():
    volume = np.array([0.0, 40.0, 400.0, 3000.0])
    for patience in (None, 90.0):
        plain = erlang.required_agents(volume, 240.0, patience=patience, asa=15, min_agents=2)
        capped = erlang.required_agents(
            volume, 240.0, patience=patience, asa=15, min_agents=2, trunks=10**5
        )
        np.testing.assert_array_equal(plain, capped)


def test_max_volume_under_a_cap():
    agents = np.array([5, 14, 60])
    kw = {"patience": 60.0, "trunks": agents + 10}
    volume = erlang.max_volume(agents, 180.0, max_blocking=0.01, **kw)
    assert np.all(erlang.blocking(volume, 180.0, agents, **kw) <= 0.01)
    assert np.all(erlang.service_level(volume, 180.0, agents, **kw) >= 0.8)
    more = volume * (1 + 1e-6)
    over = erlang.blocking(more, 180.0, agents, **kw) > 0.01
    assert np.all(over | (erlang.service_level(more, 180.0, agents, **kw) < 0.8))
    assert np.any(over)  # the cap binds somewhere


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_blocking": 0.01}, ValueError, "max_blocking needs trunks"),
        ({"trunks": 40, "fractional": True}, ValueError, "fractional staffing"),
        ({"trunks": 40.5}, ValueError, "trunks must be whole numbers"),
        ({"trunks": 40, "max_blocking": 1.0}, ValueError, r"max_blocking must lie in \(0, 1\)"),
        ({"service_level": [0.8, 1.2]}, ValueError, r"service_level must lie in .* got 1.2"),
        ({"asa": [20.0, 0.0]}, ValueError, "asa must be > 0 seconds, got 0.0"),
        ({"threshold": [20.0, np.nan]}, ValueError, "threshold must not be NaN"),
        ({"service_level": [0.8, 0.9, 0.95]}, ValueError, "do not broadcast"),
    ],
)
def test_bad_staffing_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        erlang.required_agents(np.array([100.0, 200.0]), 180.0, **kwargs)


def _random_targets(rng, size):
    return {
        "service_level": rng.uniform(0.5, 0.95, size),
        "threshold": rng.choice([10.0, 15.0, 20.0, 30.0], size),
        "asa": rng.uniform(5.0, 60.0, size),
        "answer_rate": rng.uniform(0.6, 0.95, size),
        "max_occupancy": rng.uniform(0.8, 1.0, size),
    }


@pytest.mark.parametrize("patience", [None, 90.0])
def test_per_interval_targets_match_scalar_calls(patience):
    rng = np.random.default_rng(7)
    size = 40
    volume = rng.uniform(0.0, 1500.0, size)
    aht = rng.uniform(120.0, 420.0, size)
    targets = _random_targets(rng, size)
    if patience is not None:
        targets["max_abandon"] = rng.uniform(0.02, 0.1, size)
    got = erlang.required_agents(volume, aht, patience=patience, **targets)
    for i in range(size):
        one = {k: float(v[i]) for k, v in targets.items()}
        assert got[i] == erlang.required_agents(volume[i], aht[i], patience=patience, **one)


def test_per_interval_targets_under_trunks_match_scalar_calls():
    rng = np.random.default_rng(11)
    size = 25
    volume = rng.uniform(10.0, 600.0, size)
    trunks = np.ceil(volume * 240.0 / 1800.0 * 1.6 + 10)
    targets = {
        "service_level": rng.uniform(0.5, 0.9, size),
        "max_blocking": rng.uniform(0.01, 0.05, size),
        "asa": rng.uniform(10.0, 40.0, size),
    }
    got = erlang.required_agents(volume, 240.0, patience=120.0, trunks=trunks, **targets)
    for i in range(size):
        one = {k: float(v[i]) for k, v in targets.items()}
        assert got[i] == erlang.required_agents(
            volume[i], 240.0, patience=120.0, trunks=trunks[i], **one
        )


def test_day_and_night_targets_as_series():
    index = pd.date_range("2026-03-02 00:00", periods=48, freq="30min")
    volume = pd.Series(np.where(index.hour < 8, 40.0, 400.0), index=index)
    daytime = (index.hour >= 8) & (index.hour < 22)
    level = pd.Series(np.where(daytime, 0.9, 0.7), index=index)
    threshold = np.where(daytime, 15.0, 30.0)
    out = erlang.required_agents(volume, 300.0, service_level=level, threshold=threshold)
    assert isinstance(out, pd.Series) and out.index.equals(index)
    for mask, sl, t in ((daytime, 0.9, 15.0), (~daytime, 0.7, 30.0)):
        part = erlang.required_agents(volume[mask], 300.0, service_level=sl, threshold=t)
        np.testing.assert_array_equal(out[mask], part)
    shifted = pd.Series(level.to_numpy(), index=index + pd.Timedelta("1min"))
    with pytest.raises(ValueError, match="different indexes"):
        erlang.required_agents(volume, 300.0, service_level=shifted)


@pytest.mark.parametrize("patience", [None, 90.0])
def test_max_volume_with_per_interval_targets(patience):
    agents = np.array([3, 14, 60, 200])
    level = np.array([0.6, 0.8, 0.9, 0.95])
    asa = np.array([60.0, 30.0, 20.0, 10.0])
    got = erlang.max_volume(agents, 240.0, patience=patience, service_level=level, asa=asa)
    for i in range(agents.size):
        one = erlang.max_volume(
            agents[i], 240.0, patience=patience, service_level=level[i], asa=asa[i]
        )
        assert got[i] == pytest.approx(one, rel=1e-9)


@pytest.mark.parametrize("trunks", [None, 60.0])
def test_per_interval_short_abandon_matches_scalar_calls(trunks):
    rng = np.random.default_rng(5)
    size = 20
    volume = rng.uniform(20.0, 300.0, size)
    short = rng.choice([5.0, 10.0, 20.0, 30.0], size)
    level = rng.uniform(0.6, 0.9, size)
    common = {"patience": 60.0, "trunks": trunks, "max_abandon": 0.08}
    got = erlang.required_agents(volume, 240.0, service_level=level, short_abandon=short, **common)
    capacity = erlang.max_volume(got, 240.0, service_level=level, short_abandon=short, **common)
    for i in range(size):
        one = {"service_level": level[i], "short_abandon": short[i], **common}
        assert got[i] == erlang.required_agents(volume[i], 240.0, **one)
        assert capacity[i] == pytest.approx(erlang.max_volume(got[i], 240.0, **one), rel=1e-9)


def test_negative_short_abandon_in_an_array_is_named():
    with pytest.raises(ValueError, match="short_abandon"):
        erlang.required_agents([10.0, 20.0], 240.0, patience=60.0, short_abandon=[5.0, -1.0])


@settings(max_examples=40, deadline=None)
@given(
    volume=st.floats(1.0, 600.0),
    aht=st.floats(60.0, 900.0),
    patience=st.sampled_from([30.0, 60.0, 300.0, "weibull"]),
    answer_rate=st.floats(0.5, 0.97),
    short=st.floats(1.0, 40.0),
)
def test_answer_rate_net_of_short_abandons_is_exactly_minimal_per_kpis(
    volume, aht, patience, answer_rate, short
):
    """Staffing and kpis read the answer rate the same way (net of short abandons): the count
    meets the targets per ``kpis`` and one agent fewer does not."""
    if patience == "weibull":
        patience = erlang.Weibull.from_mean(60.0, 0.6)
    targets = erlang.Targets(service_level=None, answer_rate=answer_rate, short_abandon=short)
    n = erlang.required_agents(volume, aht, targets=targets, patience=patience)
    counts = np.array([max(n - 1, 1), n], dtype=float)
    both = erlang.kpis(volume, aht, counts, targets=targets, patience=patience)
    assert bool(both["meets_targets"].iloc[1])
    if n > 1:
        assert not bool(both["meets_targets"].iloc[0])


@pytest.mark.parametrize("trunks", [None, 400])
def test_hotline_staffing_is_exactly_minimal_per_kpis(trunks):
    """The hotline targets (answer rate and short abandons among them) on a day's volumes:
    n meets them per ``kpis`` and n - 1 does not, in every interval."""
    volume = np.arange(5.0, 400.0, 7.0)
    targets = erlang.Targets.hotline()
    kw = {"targets": targets, "patience": 60.0, "trunks": trunks}
    n = erlang.required_agents(volume, 300.0, **kw)
    assert erlang.kpis(volume, 300.0, n, **kw)["meets_targets"].all()
    fewer = erlang.kpis(volume, 300.0, np.maximum(n - 1, 1), **kw)["meets_targets"]
    assert not fewer[n > 1].any()

"""Staffing against brute-force search over the metrics, and its edge cases."""

import itertools

import numpy as np
import pandas as pd
import pytest

import erlang

TARGET_SETS = [
    {"service_level": 0.8, "threshold": 20},
    {"service_level": 0.9, "threshold": 15, "asa": 10},
    {"service_level": None, "asa": 20},
    {"service_level": 0.2, "threshold": 20},  # a low target: overloaded Erlang A meets it
    {"service_level": 0.8, "answer_rate": 0.95, "max_occupancy": 0.85},
    {"service_level": 0.8, "max_abandon": 0.03, "short_abandon": 20},
]


def brute_force(volume, aht, patience, targets, limit=400):
    """Fewest agents meeting every target, by evaluating every count from 0 up."""
    agents = np.arange(limit)
    p = {"patience": patience}
    ok = np.ones(limit, dtype=bool)
    if targets.get("service_level") is not None:
        sl = erlang.service_level(
            volume,
            aht,
            agents,
            threshold=targets.get("threshold", 20),
            short_abandon=targets.get("short_abandon"),
            **p,
        )
        ok &= sl >= targets["service_level"]
    if targets.get("asa") is not None:
        ok &= erlang.asa(volume, aht, agents, **p) <= targets["asa"]
    if targets.get("answer_rate") is not None:
        ok &= erlang.answer_rate(volume, aht, agents, **p) >= targets["answer_rate"]
    if targets.get("max_occupancy") is not None:
        ok &= erlang.occupancy(volume, aht, agents, **p) <= targets["max_occupancy"]
    if targets.get("max_abandon") is not None:
        ab = erlang.abandon_rate(
            volume, aht, agents, short_abandon=targets.get("short_abandon"), **p
        )
        ok &= ab <= targets["max_abandon"]
    ok[0] = volume == 0  # no agents serve no one
    return int(np.flatnonzero(ok)[0])


@pytest.mark.parametrize("targets", TARGET_SETS, ids=range(len(TARGET_SETS)))
@pytest.mark.parametrize("patience", [None, 30.0, 180.0])
def test_matches_brute_force(targets, patience):
    volumes = np.array([0.0, 3.0, 40.0, 100.0, 333.0, 900.0, 1500.0])
    ahts = np.array([120.0, 300.0])
    grid = np.array(list(itertools.product(volumes, ahts)))
    got = erlang.required_agents(grid[:, 0], grid[:, 1], patience=patience, **targets)
    expected = [brute_force(v, a, patience, targets) for v, a in grid]
    np.testing.assert_array_equal(got, expected)


def test_overloaded_erlang_a_needs_fewer_agents_than_the_load():
    volume, aht = 2000.0, 300.0  # 333 Erl
    n = erlang.required_agents(volume, aht, service_level=0.2, patience=30.0)
    assert n < volume * aht / 1800
    assert erlang.service_level(volume, aht, n, patience=30.0) >= 0.2
    assert erlang.service_level(volume, aht, n - 1, patience=30.0) < 0.2


def test_large_loads_are_minimal():
    volume = np.array([2e4, 6e4, 1.2e5])  # 3 333 to 20 000 Erl
    n = erlang.required_agents(volume, 300.0)
    assert np.all(erlang.service_level(volume, 300.0, n) >= 0.8)
    assert np.all(erlang.service_level(volume, 300.0, n - 1) < 0.8)


@pytest.mark.parametrize("patience", [None, 60.0])
def test_ten_million_calls_an_interval_end_to_end(patience):
    # the KPIs of the staffing answer work at loads of millions of erlangs
    volume = np.array([1e7, 1e8])
    targets = erlang.Targets.hotline()
    n = erlang.required_agents(volume, 300.0, patience=patience, targets=targets)
    kpis = erlang.kpis(volume, 300.0, n, patience=patience, targets=targets)
    assert kpis["meets_targets"].all()
    assert np.all(np.isfinite(kpis.drop(columns="meets_targets").to_numpy(float)))
    # occupancy binds at this scale: n is the fewest agents at 90%
    assert np.all(n == np.ceil(volume * 300.0 / 1800.0 / 0.9 - 1e-9))


def test_shrinkage_rounds_exactly():
    volume = erlang.max_volume(21, 180.0) * (1 - 1e-12)
    assert erlang.required_agents(volume, 180.0) == 21
    assert erlang.required_agents(volume, 180.0, shrinkage=0.3) == 30  # not 31
    assert erlang.required_agents(volume, 180.0, shrinkage=0.25) == 28


def test_zero_volume_gives_the_floor_and_floors_broadcast():
    out = erlang.required_agents(np.array([0.0, 0.0, 500.0]), 300, min_agents=[8, 2, 8])
    assert list(out[:2]) == [8, 2] and out[2] > 8
    assert erlang.required_agents(0.0, 300) == 0


def test_series_round_trip_and_integer_dtype():
    index = pd.date_range("2026-01-05 08:00", periods=3, freq="30min")
    out = erlang.required_agents(pd.Series([100.0, 400.0, 900.0], index=index), 240.0)
    assert isinstance(out, pd.Series) and out.index.equals(index)
    assert out.dtype == np.int64 and out.is_monotonic_increasing


@pytest.mark.parametrize("patience", [None, 120.0])
def test_fractional_lies_on_the_target(patience):
    volume, aht = np.array([80.0, 400.0, 2500.0]), 240.0
    whole = erlang.required_agents(volume, aht, patience=patience)
    frac = erlang.required_agents(volume, aht, patience=patience, fractional=True)
    assert np.all((frac > whole - 1) & (frac <= whole))
    sl = erlang.service_level(volume, aht, frac, patience=patience)
    np.testing.assert_allclose(sl, 0.8, atol=1e-8)


@pytest.mark.parametrize("patience", [None, 90.0])
def test_max_volume_inverts_required_agents(patience):
    agents = np.array([1, 5, 14, 60, 300])
    volume = erlang.max_volume(agents, 180.0, patience=patience, asa=30)
    sl = erlang.service_level(volume, 180.0, agents, patience=patience)
    wait = erlang.asa(volume, 180.0, agents, patience=patience)
    # At the most volume, every target holds and the tighter one holds with equality.
    slack = np.minimum(sl - 0.8, (30.0 - wait) / 30.0)
    np.testing.assert_allclose(slack, 0.0, atol=1e-7)
    assert np.all(slack >= 0.0)
    more = volume * (1 + 1e-6)
    assert np.all(erlang.required_agents(volume * (1 - 1e-9), 180.0, patience=patience) <= agents)
    assert np.all(erlang.required_agents(more, 180.0, patience=patience, asa=30) > agents)
    assert erlang.max_volume(0, 180.0) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"service_level": 1.2}, ValueError, r"service_level must lie in \(0, 1\), got 1.2"),
        ({"service_level": 0.0}, ValueError, "service_level must lie in"),
        ({"max_abandon": 1.0}, ValueError, "max_abandon must lie in"),
        ({"max_occupancy": 1.5}, ValueError, r"max_occupancy must lie in \(0, 1\]"),
        ({"asa": 0}, ValueError, "asa must be > 0"),
        ({"shrinkage": 1.0}, ValueError, r"shrinkage must lie in \[0, 1\), got 1.0"),
        ({"service_level": None}, ValueError, "no staffing target"),
        ({"min_agents": -1}, ValueError, "min_agents must be >= 0"),
        ({"service_level": "0.8"}, TypeError, "service_level must be a real number"),
    ],
)
def test_bad_targets(kwargs, error, match):
    with pytest.raises(error, match=match):
        erlang.required_agents(100.0, 180.0, **kwargs)


def test_bad_arrays():
    with pytest.raises(ValueError, match="volume must not be NaN"):
        erlang.required_agents([100.0, np.nan], 180.0)
    with pytest.raises(ValueError, match=r"aht must be > 0\.0, got 0\.0"):
        erlang.required_agents(100.0, [180.0, 0.0])
    with pytest.raises(ValueError, match="do not broadcast"):
        erlang.required_agents(np.ones(3), np.ones(2))

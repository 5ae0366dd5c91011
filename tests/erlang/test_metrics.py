"""Metrics against published values, mpmath and the exact birth-death chain."""

import numpy as np
import pandas as pd
import pytest

import erlang
from tests.erlang.exact import ExactQueue, erlang_b_mpmath, erlang_c_mpmath


def test_published_erlang_c_example():
    # 10 Erl (100 calls of 180 s per half hour) on 14 agents, 20 s threshold.
    assert erlang.erlang_c(10.0, 14) == pytest.approx(0.1741319336, abs=1e-10)
    assert erlang.service_level(100, 180, 14) == pytest.approx(0.8883500192, abs=1e-10)
    assert erlang.asa(100, 180, 14) == pytest.approx(7.836, abs=5e-4)


@pytest.mark.parametrize(
    ("load", "agents", "published"),
    [(10.0, 10, 0.2145823), (5.0, 10, 0.0183846), (1.0, 1, 0.5)],
)
def test_erlang_b_table_values(load, agents, published):
    assert erlang.erlang_b(load, agents) == pytest.approx(published, abs=5e-8)


@pytest.mark.parametrize(
    ("load", "agents"),
    [
        (0.1, 5),
        (10.0, 14),
        (50.0, 3.5),
        (300.0, 280.25),
        (1000.0, 1),
        (1e4, 1.01e4),
        (1e5, 1e5),
        (1e5, 9e4),
        (1e5, 1.003e5),
        (1e5, 1000),
    ],
)
def test_erlang_b_against_mpmath(load, agents):
    assert erlang.erlang_b(load, agents) == pytest.approx(erlang_b_mpmath(load, agents), rel=1e-11)


def test_erlang_b_traffic_table():
    # Erlang B traffic tables: 30 trunks carry 20.337 Erl at 1% blocking, 10 carry 4.461.
    assert erlang.erlang_b(20.337, 30) == pytest.approx(0.01, abs=5e-6)
    assert erlang.erlang_b(4.461, 10) == pytest.approx(0.01, abs=5e-6)


def test_erlang_b_deep_underload_and_overload_never_nan():
    b = erlang.erlang_b(np.array([1e5, 1.0, 1e5, 0.0, 5.0]), np.array([1.3e5, 1e5, 10.0, 3.0, 0]))
    assert np.all(np.isfinite(b))
    assert b[0] == 0.0 and b[1] == 0.0  # true values below 1e-300
    assert b[2] == pytest.approx(1.0 - 10.0 / 1e5, rel=1e-6)
    assert b[3] == 0.0 and b[4] == 1.0


@pytest.mark.parametrize(("load", "agents"), [(10.0, 14), (2.5, 3), (95.0, 100), (250.0, 300)])
def test_erlang_c_against_mpmath(load, agents):
    assert erlang.erlang_c(load, agents) == pytest.approx(erlang_c_mpmath(load, agents), rel=1e-11)


def test_erlang_c_is_one_without_steady_state():
    assert np.all(erlang.erlang_c([10.0, 12.0], [10, 11]) == 1.0)
    assert erlang.service_level(200, 180, 20) == 0.0
    assert erlang.asa(200, 180, 20) == np.inf


CASES = [
    # volume per 30 min, aht, agents, patience
    (100, 180, 14, 60.0),
    (100, 180, 14, 300.0),
    (200, 180, 14, 90.0),  # overloaded: load 20 Erl on 14 agents
    (50, 300, 3, 45.0),
    (400, 240, 30, 600.0),
    (1000, 300, 120, 200.0),
    (30, 420, 1, 120.0),
    (100, 180, 14, np.inf),
    (500, 300, 100, np.inf),
]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: "-".join(map(str, c)))
def case(request):
    volume, aht, agents, patience = request.param
    exact = ExactQueue(volume / 1800.0, aht, agents, patience)
    kpis = erlang.kpis(
        volume, aht, agents, patience=None if np.isinf(patience) else patience, short_abandon=20
    ).iloc[0]
    return request.param, exact, kpis


def test_probabilities_match_chain(case):
    (volume, aht, agents, patience), exact, kpis = case
    assert kpis.p_wait == pytest.approx(exact.p_wait, abs=1e-13)
    p = None if np.isinf(patience) else patience
    assert erlang.abandon_rate(volume, aht, agents, patience=p) == pytest.approx(
        exact.p_abandon, abs=1e-13
    )
    assert kpis.short_abandon_rate == pytest.approx(exact.abandoned_within(20.0), abs=1e-13)


def test_service_levels_match_tagged_caller(case):
    (volume, aht, agents, patience), exact, kpis = case
    p = None if np.isinf(patience) else patience
    assert erlang.service_level(volume, aht, agents, patience=p) == pytest.approx(
        exact.answered_within(20.0), abs=1e-12
    )
    assert erlang.service_level(
        volume, aht, agents, patience=p, definition="virtual"
    ) == pytest.approx(exact.virtual_wait_within(20.0), abs=1e-12)
    short = exact.abandoned_within(20.0)
    assert erlang.answer_rate(volume, aht, agents, patience=p) == pytest.approx(
        exact.answered_within(60.0), abs=1e-12
    )
    assert kpis.answer_rate == pytest.approx(exact.answered_within(60.0) / (1 - short), abs=1e-12)
    expected = exact.answered_within(20.0) / (1 - short)
    assert kpis.service_level == pytest.approx(expected, abs=1e-12)


def test_waits_match_chain(case):
    _, exact, kpis = case
    assert kpis.mean_wait == pytest.approx(exact.mean_wait_all(), rel=1e-10, abs=1e-12)
    assert kpis.asa == pytest.approx(exact.mean_wait_answered(), rel=1e-8, abs=1e-10)
    assert kpis.occupancy == pytest.approx(
        kpis.load * (1 - exact.p_abandon) / kpis.agents, rel=1e-12
    )


def test_erlang_a_tends_to_erlang_c():
    volume, aht, agents = np.array([100.0, 900.0, 3000.0]), 180.0, np.array([14, 95, 310])
    c_sl = erlang.service_level(volume, aht, agents)
    c_asa = erlang.asa(volume, aht, agents)
    sl_gaps, asa_gaps = [], []
    for patience in (1e5, 1e6, 1e7, 1e8, 1e9):
        sl_gaps.append(np.abs(erlang.service_level(volume, aht, agents, patience=patience) - c_sl))
        asa = erlang.asa(volume, aht, agents, patience=patience)
        asa_gaps.append(np.abs(asa - c_asa) / c_asa)
    sl_gaps, asa_gaps = np.array(sl_gaps), np.array(asa_gaps)
    # The gap closes like 1/patience: each tenfold longer patience cuts it tenfold.
    assert np.allclose(sl_gaps[1:] / sl_gaps[:-1], 0.1, atol=0.02)
    assert np.allclose(asa_gaps[1:] / asa_gaps[:-1], 0.1, atol=0.02)
    assert np.all(sl_gaps[-1] < 1e-6) and np.all(asa_gaps[-1] < 1e-5)


def test_series_in_series_out():
    index = pd.date_range("2026-03-02 08:00", periods=4, freq="30min")
    volume = pd.Series([120.0, 300.0, 0.0, 80.0], index=index)
    for fn in (erlang.service_level, erlang.asa, erlang.abandon_rate, erlang.occupancy):
        out = fn(volume, 240, 30, patience=90)
        assert isinstance(out, pd.Series) and out.index.equals(index)
    frame = erlang.kpis(volume, 240, 30)
    assert frame.index.equals(index) and list(frame.volume) == list(volume)
    assert frame.loc[index[2], "service_level"] == 1.0 and frame.loc[index[2], "asa"] == 0.0


def test_broadcasting_and_scalars():
    out = erlang.service_level(np.array([[100.0], [200.0]]), 180, np.array([21, 25, 30]))
    assert out.shape == (2, 3)
    assert isinstance(erlang.service_level(100, 180, 14), float)
    assert np.all(np.diff(out, axis=1) > 0) and np.all(out[0] > out[1])


def test_zero_agents_and_zero_volume():
    assert erlang.service_level(100, 180, 0, patience=60) == 0.0
    assert erlang.abandon_rate(100, 180, 0, patience=60) == 1.0
    assert erlang.asa(100, 180, 0, patience=60) == np.inf
    assert erlang.occupancy(100, 180, 0) == 1.0
    assert erlang.service_level(0, 180, 0) == 1.0 and erlang.occupancy(0, 180, 0) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"volume": -1.0}, "volume must be >= 0.0, got -1.0"),
        ({"volume": np.nan}, "volume must not be NaN"),
        ({"aht": 0.0}, "aht must be > 0.0, got 0.0"),
        ({"agents": -2}, "agents must be >= 0.0"),
        ({"interval": 0}, "interval must be > 0.0"),
        ({"patience": 0}, "patience must be > 0.0"),
        ({"threshold": -5}, "threshold must be >= 0.0"),
        ({"definition": "abandoned"}, "definition must be one of"),
    ],
)
def test_bad_input_names_argument_and_value(kwargs, match):
    args = {"volume": 100.0, "aht": 180.0, "agents": 14, **kwargs}
    with pytest.raises(ValueError, match=match):
        erlang.service_level(args.pop("volume"), args.pop("aht"), args.pop("agents"), **args)


def test_mismatched_shapes_and_indexes():
    with pytest.raises(ValueError, match="do not broadcast"):
        erlang.service_level(np.ones(3), 180, np.ones(4))
    a = pd.Series([1.0, 2.0], index=[0, 1])
    b = pd.Series([1.0, 2.0], index=[1, 2])
    with pytest.raises(ValueError, match="different indexes"):
        erlang.service_level(a, b, 3)
    with pytest.raises(TypeError, match="DataFrame"):
        erlang.service_level(pd.DataFrame({"v": [1.0]}), 180, 3)

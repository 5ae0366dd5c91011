"""Forecast risk: the expected service level against adaptive quadrature of the same integral,
staffing at a volume quantile and in expectation, and the reduction to today's functions."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

import erlang
from erlang import risk_quadrature


def quad_reference(mean, phi, aht, agents, patience=None, **kw):
    """``E[x SL(x)] / E[x]`` over the Gamma rate (mean ``mean``, variance ``phi mean²``), by
    ``scipy.integrate.quad`` on the rate axis; net of short abandons, the ratio of the two
    expected counts."""
    k, theta = 1.0 / phi, phi * mean
    law = stats.gamma(k, scale=theta)
    short = kw.pop("short_abandon", None)

    def counted(x):
        if short is None:
            return 1.0
        ab = erlang.abandon_rate(x, aht, agents, patience=patience, **kw)
        net = erlang.abandon_rate(x, aht, agents, patience=patience, short_abandon=short, **kw)
        # abandon net = (ab - s) / (1 - s)  =>  s = (ab - net) / (1 - net)
        return 1.0 - (ab - net) / (1.0 - net)

    def sl(x):
        return erlang.service_level(
            x, aht, agents, patience=patience, short_abandon=short, **kw
        )  # fmt: skip

    lo, hi = law.ppf([1e-16, 1.0 - 1e-16])
    edge = agents * 1800.0 / aht
    top = min(edge, hi) if patience is None and "trunks" not in kw else hi
    pts = [edge] if lo < edge < top else None

    def integral(f):
        return integrate.quad(
            lambda x: x * law.pdf(x) * f(x), lo, top, epsabs=1e-14, epsrel=1e-12, limit=500,
            points=pts,
        )[0]  # fmt: skip

    within = integral(lambda x: sl(x) * counted(x))
    if short is None:
        return within / mean
    return within / integrate.quad(lambda x: x * law.pdf(x) * counted(x), lo, hi, limit=500)[0]


CASES = [
    (20.0, 0.01, 300.0, 6, None, {}),
    (200.0, 0.002, 300.0, 39, None, {}),
    (600.0, 0.04, 300.0, 118, None, {}),
    (1000.0, 0.05, 300.0, 181, None, {}),
    (200.0, 0.01, 300.0, 33, 60.0, {}),
    (3000.0, 0.05, 300.0, 430, 60.0, {}),
    (200.0, 0.2, 180.0, 22, 120.0, {}),
    (400.0, 0.02, 300.0, 66, 60.0, {"trunks": 90}),
    (400.0, 0.02, 300.0, 66, None, {"trunks": 90}),
    (300.0, 0.03, 240.0, 40, 60.0, {"short_abandon": 20.0}),
]


@pytest.mark.parametrize(("mean", "phi", "aht", "agents", "patience", "kw"), CASES)
def test_quadrature_matches_adaptive_quadrature(mean, phi, aht, agents, patience, kw):
    got = erlang.expected_service_level(
        mean, aht, agents, dispersion=phi, patience=patience, **kw
    )  # fmt: skip
    assert got == pytest.approx(quad_reference(mean, phi, aht, agents, patience, **kw), abs=1e-7)


def test_quadrature_with_a_wide_forecast():
    # a coefficient of variation of 100%: the default nodes stay within 3e-4, more nodes closer
    ref = quad_reference(1000.0, 1.0, 300.0, 176)
    assert erlang.expected_service_level(1000.0, 300.0, 176, dispersion=1.0) == pytest.approx(
        ref, abs=3e-4
    )
    more = erlang.expected_service_level(1000.0, 300.0, 176, dispersion=1.0, nodes=32)
    assert more == pytest.approx(ref, abs=3e-6)


def test_zero_dispersion_is_todays_functions():
    index = pd.date_range("2026-03-02 08:00", periods=4, freq="30min")
    mean = pd.Series([0.0, 120.0, 480.0, 900.0], index=index)
    agents = pd.Series([0, 25, 80, 150], index=index)
    for kw in ({}, {"patience": 60.0, "short_abandon": 20.0}, {"patience": 60.0, "trunks": 200}):
        pd.testing.assert_series_equal(
            erlang.expected_service_level(mean, 330.0, agents, dispersion=0.0, **kw),
            erlang.service_level(mean, 330.0, agents, **kw),
        )
    targets = erlang.Targets.hotline()
    today = erlang.required_agents(mean, 330.0, patience=60.0, targets=targets, min_agents=2)
    for mode in ("quantile", "expected"):
        got = erlang.required_agents_at_risk(
            mean, 330.0, dispersion=0.0, patience=60.0, targets=targets, min_agents=2, mode=mode
        ) if mode == "quantile" else erlang.required_agents_at_risk(
            mean, 330.0, dispersion=0.0, patience=60.0, service_level=0.8, answer_rate=0.85,
            short_abandon=20.0, min_agents=2, mode=mode,
        )  # fmt: skip
        expected = today if mode == "quantile" else erlang.required_agents(
            mean, 330.0, patience=60.0, service_level=0.8, answer_rate=0.85, short_abandon=20.0,
            min_agents=2,
        )  # fmt: skip
        pd.testing.assert_series_equal(got, expected)
    assert erlang.volume_quantile(250.0, 0.0, 0.9) == 250.0


@pytest.mark.parametrize("patience", [None, 60.0])
@pytest.mark.parametrize("probability", [0.5, 0.9, 0.99])
def test_quantile_staffing_meets_the_targets_with_the_probability(patience, probability):
    mean = np.array([40.0, 300.0, 900.0, 2500.0])
    phi = np.array([0.05, 0.01, 0.02, 0.005])
    targets = erlang.Targets(service_level=0.8, asa=30.0)
    n = erlang.required_agents_at_risk(
        mean, 300.0, dispersion=phi, probability=probability, patience=patience, targets=targets
    )
    q = erlang.volume_quantile(mean, phi, probability)
    met = erlang.kpis(q, 300.0, n, patience=patience, targets=targets)["meets_targets"]
    short = erlang.kpis(q, 300.0, n - 1, patience=patience, targets=targets)["meets_targets"]
    assert met.all() and not short.any()  # meets them at the quantile, one agent less does not
    # Over the volume distribution: n meets the targets up to max_volume(n), with probability
    # at least `probability`; n - 1 meets them with less.
    k, theta = 1.0 / phi, phi * mean
    for agents, holds in ((n, True), (n - 1, False)):
        top = erlang.max_volume(agents, 300.0, patience=patience, targets=targets)
        assert np.all((special.gammainc(k, top / theta) >= probability) == holds)


@given(
    st.floats(1.0, 5000.0),
    st.floats(60.0, 900.0),
    st.integers(1, 400),
    st.one_of(st.none(), st.floats(10.0, 600.0)),
)
def test_every_metric_is_monotone_in_volume(volume, aht, agents, patience):
    k = erlang.kpis(np.array([volume, volume * 1.05]), aht, agents, patience=patience)
    for rising in ("asa", "abandon_rate", "occupancy", "mean_wait"):
        assert k[rising].iloc[1] >= k[rising].iloc[0] - 1e-12, rising
    for falling in ("service_level", "answer_rate"):
        assert k[falling].iloc[1] <= k[falling].iloc[0] + 1e-12, falling


@given(
    st.floats(5.0, 3000.0),
    st.floats(0.001, 0.5),
    st.integers(1, 300),
    st.one_of(st.none(), st.floats(20.0, 600.0)),
)
@settings(max_examples=60, deadline=None)
def test_more_agents_never_lower_the_expected_service_level(mean, phi, agents, patience):
    sl = erlang.expected_service_level(
        mean, 300.0, np.array([agents, agents + 1, agents + 5]), dispersion=phi, patience=patience
    )
    assert np.all((sl >= 0.0) & (sl <= 1.0))
    assert sl[0] <= sl[1] + 1e-9 and sl[1] <= sl[2] + 1e-9


def test_expected_service_level_is_below_the_level_at_the_mean_near_the_target():
    # Near the target the service level is concave in the rate over the bulk of the law, and
    # weighting by calls moves weight to the busy rates: so the expectation is lower.
    mean = np.array([50.0, 300.0, 1000.0, 3000.0])
    for patience in (None, 60.0):
        n = erlang.required_agents(mean, 300.0, patience=patience)
        at_mean = erlang.service_level(mean, 300.0, n, patience=patience)
        for phi in (0.002, 0.01, 0.05):
            expected = erlang.expected_service_level(
                mean, 300.0, n, dispersion=phi, patience=patience
            )
            assert np.all(expected < at_mean)


@pytest.mark.parametrize("patience", [None, 60.0])
def test_expected_staffing_is_the_minimum(patience):
    mean = pd.Series([30.0, 200.0, 600.0, 1500.0])
    phi = pd.Series([0.05, 0.02, 0.01, 0.004])
    n = erlang.required_agents_at_risk(
        mean, 300.0, dispersion=phi, mode="expected", patience=patience, answer_rate=0.9
    )
    ok = erlang.expected_service_level(mean, 300.0, n, dispersion=phi, patience=patience)
    below = erlang.expected_service_level(mean, 300.0, n - 1, dispersion=phi, patience=patience)
    answered = erlang.expected_service_level(
        mean, 300.0, n, dispersion=phi, patience=patience, threshold=60.0
    )
    assert (ok >= 0.8).all() and (answered >= 0.9).all()
    worse = erlang.expected_service_level(
        mean, 300.0, n - 1, dispersion=phi, patience=patience, threshold=60.0
    )
    assert ((below < 0.8) | (worse < 0.9)).all()
    at_mean = erlang.required_agents(mean, 300.0, patience=patience, answer_rate=0.9)
    at_risk = erlang.required_agents_at_risk(
        mean, 300.0, dispersion=phi, patience=patience, answer_rate=0.9
    )
    assert (at_mean <= n).all() and (n <= at_risk).all()  # here: mean <= expected <= 90%


@pytest.mark.parametrize("patience", [None, 45.0, 400.0])
@pytest.mark.parametrize("phi", [0.003, 0.03, 0.3])
def test_expected_staffing_equals_the_brute_force_minimum_on_a_grid(patience, phi):
    """Every count is evaluated by the public expected service level (all nodes): the search,
    which skips light nodes where the heavy ones settle the sign, must end on the fewest."""
    mean = np.array([3.0, 40.0, 250.0, 900.0])
    aht = np.array([180.0, 300.0, 420.0, 240.0])
    n = erlang.required_agents_at_risk(mean, aht, dispersion=phi, mode="expected",
                                       patience=patience, answer_rate=0.85)  # fmt: skip
    counts = np.arange(1.0, 301.0)[:, None]
    args = np.broadcast_arrays(mean, aht, counts)
    kw = {"dispersion": phi, "patience": patience}
    ok = (erlang.expected_service_level(*args, **kw) >= 0.8) & (
        erlang.expected_service_level(*args, threshold=60.0, **kw) >= 0.85
    )
    np.testing.assert_array_equal(n, counts[np.argmax(ok, axis=0), 0])


@settings(max_examples=60, deadline=None)
@given(
    mean=st.floats(0.5, 2000.0),
    phi=st.floats(1e-4, 1.0),
    spare=st.floats(-0.3, 0.6),
    patience=st.one_of(st.none(), st.floats(10.0, 900.0)),
    level=st.floats(0.3, 0.97),
)
def test_screened_margin_has_the_sign_of_the_full_one(mean, phi, spare, patience, level):
    """The staffing reads the sign from the heavy nodes where their bounds settle it: the
    same sign as the margin from every node, on both sides of the target."""
    aht = 300.0
    load = mean * aht / 1800.0
    agents = np.array([max(1.0, np.round(load * (1.0 + spare))) + d for d in (-1.0, 0.0, 1.0)])
    one = np.ones(agents.size)
    grid = risk_quadrature.RateNodes(mean * one, aht * one, agents, 1800.0 * one, phi * one,
                                     (np.inf if patience is None else patience) * one, None, 24,
                                     risk_quadrature.NEGLIGIBLE)  # fmt: skip
    levels = [(20.0 * one, None), (60.0 * one, None)]
    targets = [erlang.search.log_odds(level), erlang.search.log_odds(min(level + 0.02, 0.99))]
    full = risk_quadrature._margin(grid.sums(levels, "answered", "offered"), grid.tail, targets)
    screened = risk_quadrature.screened_margin(grid, levels, targets, risk_quadrature.SCREENS)
    np.testing.assert_array_equal(screened >= 0.0, full >= 0.0)


def test_risk_staffing_rises_with_probability_and_dispersion():
    levels = [
        erlang.required_agents_at_risk(600.0, 300.0, dispersion=phi, probability=p)
        for phi in (0.01, 0.04)
        for p in (0.5, 0.8, 0.9, 0.95)
    ]
    assert levels == sorted(levels[:4]) + sorted(levels[4:]) and levels[3] < levels[7]
    # the figures of the docstring
    assert erlang.required_agents(600.0, 300.0) == 108
    assert [erlang.required_agents_at_risk(600.0, 300.0, dispersion=0.01, mode=m)
            for m in ("quantile", "expected")] == [122, 115]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: erlang.required_agents_at_risk(100.0, 300.0, dispersion=-0.1),
            r"dispersion must be >= 0\.0, got -0\.1",
        ),
        (
            lambda: erlang.expected_service_level(100.0, 300.0, 20, dispersion=[0.1, -1.0]),
            "dispersion must be >= 0",
        ),
        (
            lambda: erlang.required_agents_at_risk(100.0, 300.0, dispersion=0.1, probability=1.0),
            r"probability must lie in \(0, 1\), got 1\.0",
        ),
        (
            lambda: erlang.required_agents_at_risk(100.0, 300.0, dispersion=0.1, probability=0),
            r"probability must lie in \(0, 1\), got 0",
        ),
        (
            lambda: erlang.volume_quantile(100.0, 0.1, -0.5),
            r"probability must lie in \(0, 1\)",
        ),
        (
            lambda: erlang.required_agents_at_risk(100.0, 300.0, dispersion=0.1, mode="mean"),
            "mode must be one of",
        ),
        (
            lambda: erlang.required_agents_at_risk(
                100.0, 300.0, dispersion=0.1, mode="expected", asa=20.0
            ),
            r"mode='expected' takes service_level and answer_rate targets only, got \['asa'\]",
        ),
        (
            lambda: erlang.required_agents_at_risk(
                100.0, 300.0, dispersion=0.1, mode="expected", trunks=40
            ),
            "mode='expected' does not take trunks",
        ),
        (
            lambda: erlang.expected_service_level(100.0, 300.0, 20, dispersion=0.1, nodes=1),
            "nodes must be an integer >= 2",
        ),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()

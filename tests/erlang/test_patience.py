"""The M/M/n+G queue: reduction to Erlang A, B and C, a direct high-precision integration of
the Baccelli-Hebuterne density (mpmath, sharing no code with the kernels), monotonicity,
exact staffing and the errors."""

import mpmath
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import erlang
from erlang.patience.queue import PatienceQueue

COLUMNS = ["p_wait", "service_level", "asa", "mean_wait", "abandon_rate", "answer_rate"]
LAWS = [
    erlang.Weibull.from_mean(60.0, 0.6),
    erlang.Weibull(shape=2.5, scale=90.0),
    erlang.LogNormal.from_cv(60.0, 1.2),
    erlang.Deterministic(45.0),
    erlang.Empirical([5.0, 30.0, 90.0], [0.7, 0.4, 0.0]),
]


def mpmath_reference(volume, aht, agents, law, *, interval=1800.0, threshold=20.0, short=20.0):
    """Metrics from the virtual-wait density ``λ e^(λH - nμx) / (E + λJ)``, with ``E`` the
    finite sum ``Σ_{j<n} A^j/j! / (A^(n-1)/(n-1)!)`` and every integral by mpmath.quad split
    at the kinks of ``S``. Integer ``agents`` only."""
    with mpmath.workdps(30):
        lam, nmu = mpmath.mpf(volume) / interval, mpmath.mpf(agents) / aht
        load = lam * aht
        n = int(agents)
        e = mpmath.fsum(load**j / mpmath.factorial(j) for j in range(n))
        e /= load ** (n - 1) / mpmath.factorial(n - 1)

        def surv(x):
            return mpmath.mpf(float(law.survival(float(x))))

        def h(x):
            return mpmath.mpf(float(law.integrated_survival(float(x))))

        def f(x):
            return mpmath.exp(lam * h(x) - nmu * x)

        kinks = {0.0, threshold, short}
        kinks |= set(np.atleast_1d(getattr(law, "times", [])).tolist())
        if isinstance(law, erlang.Deterministic):
            kinks.add(law.value)
        points = [*sorted(kinks), mpmath.inf]

        def integral(g, lo=0.0):
            pts = [lo] + [p for p in points if p > lo]
            return mpmath.quad(lambda x: g(x) * f(x), pts)

        j = integral(lambda x: 1)
        scale = lam / (e + lam * j)
        p_wait = scale * j
        p_ab = scale * integral(lambda x: 1 - surv(x))
        late = scale * integral(surv, threshold)
        later = scale * integral(surv, 60.0)
        wait_all = scale * integral(h)
        wait_answered = scale * integral(lambda x: x * surv(x)) / (1 - p_ab)
        return {
            "p_wait": float(p_wait),
            "service_level": float(1 - p_ab - late),
            "asa": float(wait_answered),
            "mean_wait": float(wait_all),
            "abandon_rate": float(p_ab),
            "answer_rate": float(1 - p_ab - later),
        }


@pytest.mark.parametrize("law", LAWS, ids=lambda law: type(law).__name__)
@pytest.mark.parametrize("volume, agents", [(100.0, 18), (400.0, 60), (900.0, 140)])
def test_agrees_with_direct_integration(law, volume, agents):
    got = erlang.kpis(volume, 300.0, agents, patience=law).iloc[0]
    exact = mpmath_reference(volume, 300.0, agents, law)
    for name in COLUMNS:
        assert got[name] == pytest.approx(exact[name], rel=1e-8, abs=1e-10), name


@pytest.mark.parametrize("mean", [10.0, 60.0, 300.0, 3000.0])
def test_weibull_shape_one_is_erlang_a(mean):
    rng = np.random.default_rng(7)
    aht = rng.uniform(120.0, 600.0, 300)
    load = rng.uniform(0.2, 2000.0, 300)
    agents = np.maximum(np.round(load * rng.uniform(0.7, 1.3, 300)), 1.0)
    volume = load * 1800.0 / aht
    law = erlang.Weibull(shape=1.0, scale=mean)
    got = erlang.kpis(volume, aht, agents, patience=law, short_abandon=20.0)
    want = erlang.kpis(volume, aht, agents, patience=mean, short_abandon=20.0)
    for name in [*COLUMNS, "short_abandon_rate", "occupancy"]:
        # Erlang A's answered wait is itself a finite difference good to about 1e-9
        np.testing.assert_allclose(got[name], want[name], rtol=1e-8, atol=1e-12, err_msg=name)


def test_exponential_law_is_erlang_a_exactly():
    volume = pd.Series([50.0, 300.0, 0.0], index=list("abc"))
    got = erlang.kpis(volume, 240.0, 30, patience=erlang.Exponential(90.0))
    pd.testing.assert_frame_equal(got, erlang.kpis(volume, 240.0, 30, patience=90.0))
    assert erlang.required_agents(volume, 240.0, patience=erlang.Exponential(90.0)).equals(
        erlang.required_agents(volume, 240.0, patience=90.0)
    )


def test_limits_erlang_b_and_c():
    volume, aht, agents = np.array([100.0, 500.0]), 300.0, np.array([20.0, 90.0])
    load = volume * aht / 1800.0
    # Callers who hang up at once: the loss system, Erlang B.
    instant = erlang.kpis(volume, aht, agents, patience=erlang.Deterministic(1e-7))
    np.testing.assert_allclose(instant["abandon_rate"], erlang.erlang_b(load, agents), rtol=1e-5)
    # Callers who practically never hang up: Erlang C.
    patient = erlang.kpis(volume, aht, agents, patience=erlang.LogNormal(1e9, 0.5))
    np.testing.assert_allclose(patient["p_wait"], erlang.erlang_c(load, agents), rtol=1e-6)
    np.testing.assert_allclose(
        patient["service_level"], erlang.service_level(volume, aht, agents), rtol=1e-6
    )
    # Overloaded with such patience: nearly everyone waits, those beyond the agents hang up.
    over = erlang.kpis(500.0, 300.0, 80, patience=erlang.LogNormal(1e9, 0.5)).iloc[0]
    assert over["p_wait"] == pytest.approx(1.0, abs=1e-9)
    assert over["abandon_rate"] == pytest.approx(1.0 - 80.0 / (500.0 * 300.0 / 1800.0), rel=1e-3)


def test_empirical_steps():
    volume, agents = np.array([80.0, 300.0, 700.0]), np.array([12.0, 50.0, 110.0])
    one_step = erlang.kpis(volume, 300.0, agents, patience=erlang.Empirical([40.0], [0.0]))
    same = erlang.kpis(volume, 300.0, agents, patience=erlang.Deterministic(40.0))
    pd.testing.assert_frame_equal(one_step, same)
    # Fine steps of an exponential survival come close to Erlang A.
    grid = np.arange(0.25, 2000.0, 0.25)
    fine = erlang.Empirical(grid, np.exp(-(grid + 0.125) / 60.0))  # midpoints
    got = erlang.kpis(volume, 300.0, agents, patience=fine)
    want = erlang.kpis(volume, 300.0, agents, patience=60.0)
    np.testing.assert_allclose(got["abandon_rate"], want["abandon_rate"], rtol=2e-3)
    np.testing.assert_allclose(got["service_level"], want["service_level"], rtol=1e-3)


def test_no_steady_state_and_edges():
    # A third never hangs up: 30 agents cannot keep up with 0.5 calls/s of those.
    law = erlang.Empirical([60.0], [1.0 / 3.0])
    out = erlang.kpis([0.0, 4500.0, 100.0], 100.0, [5, 30, 0], patience=law)
    assert out.loc[0, "p_wait"] == 0.0 and out.loc[0, "occupancy"] == 0.0
    assert out.loc[1, "service_level"] == 0.0 and out.loc[1, "asa"] == np.inf
    assert out.loc[1, "abandon_rate"] == pytest.approx(2.0 / 3.0)
    assert out.loc[2, "answer_rate"] == 0.0 and out.loc[2, "occupancy"] == 1.0
    # With enough agents for those who stay, a steady state again.
    stable = erlang.kpis(4500.0, 100.0, 300, patience=law).iloc[0]
    assert 0.0 < stable["abandon_rate"] < 0.1 and np.isfinite(stable["asa"])


laws = st.one_of(
    st.builds(erlang.Weibull.from_mean, st.floats(5.0, 600.0), st.floats(0.3, 4.0)),
    st.builds(erlang.LogNormal.from_cv, st.floats(5.0, 600.0), st.floats(0.1, 3.0)),
    st.builds(erlang.Deterministic, st.floats(1.0, 600.0)),
)


@settings(max_examples=60, deadline=None)
@given(law=laws, load=st.floats(0.5, 400.0), aht=st.floats(60.0, 900.0))
def test_monotone_in_agents_and_volume(law, load, aht):
    volume = load * 1800.0 / aht
    agents = np.arange(1.0, np.ceil(1.4 * load) + 3.0)
    by_agents = erlang.kpis(volume, aht, agents, patience=law, short_abandon=10.0)
    tol = 1e-9
    assert np.all(np.diff(by_agents["service_level"]) >= -tol)
    assert np.all(np.diff(by_agents["answer_rate"]) >= -tol)
    assert np.all(np.diff(by_agents["abandon_rate"]) <= tol)
    assert np.all(np.diff(by_agents["p_wait"]) <= tol)
    assert np.all(np.diff(by_agents["asa"]) <= tol * (1.0 + by_agents["asa"].iloc[:-1]))
    n = np.ceil(load) + 1.0
    volumes = volume * np.linspace(0.5, 1.5, 11)
    by_volume = erlang.kpis(volumes, aht, n, patience=law)
    assert np.all(np.diff(by_volume["service_level"]) <= tol)
    assert np.all(np.diff(by_volume["abandon_rate"]) >= -tol)
    for frame in (by_agents, by_volume):
        rates = frame[["p_wait", "service_level", "abandon_rate", "occupancy"]].to_numpy()
        assert np.all((rates >= 0.0) & (rates <= 1.0))
        assert np.all(frame["service_level"] <= 1.0 - frame["abandon_rate"] + tol)


# The staffing margin reads the answer rate over all offered calls, the KPI frame net of
# short abandons, so the two are checked here without mixing them.
TARGET_SETS = [
    erlang.Targets.hotline(short_abandon=None),
    erlang.Targets(service_level=0.8, asa=15.0, max_abandon=0.04, short_abandon=20.0),
]


@pytest.mark.parametrize("targets", TARGET_SETS, ids=["hotline", "net of short abandons"])
@pytest.mark.parametrize("law", LAWS, ids=lambda law: type(law).__name__)
def test_staffing_is_the_exact_minimum(law, targets):
    rng = np.random.default_rng(3)
    index = pd.date_range("2025-03-03 08:00", periods=40, freq="30min")
    volume = pd.Series(rng.uniform(5.0, 1500.0, index.size), index)
    aht = rng.uniform(150.0, 450.0, index.size)
    agents = erlang.required_agents(volume, aht, patience=law, targets=targets)
    assert agents.index.equals(index)
    met = targets.met(erlang.kpis(volume, aht, agents, patience=law, targets=targets))
    assert met.all()
    below = targets.met(erlang.kpis(volume, aht, agents - 1, patience=law, targets=targets))
    assert not below[agents > 1].any()
    fractional = erlang.required_agents(
        volume, aht, patience=law, targets=targets, fractional=True
    )
    assert np.all((fractional > agents - 1) & (fractional <= agents + 1e-9))


def test_staffing_monotone_in_volume_and_floor():
    law = erlang.Weibull.from_mean(60.0, 0.6)
    volume = np.linspace(0.0, 2000.0, 81)
    agents = erlang.required_agents(volume, 300.0, patience=law, max_abandon=0.03, min_agents=2)
    assert agents[0] == 2 and np.all(np.diff(agents) >= 0)


def test_errors():
    law = erlang.Weibull(shape=0.7, scale=50.0)
    with pytest.raises(ValueError, match="trunks with a non-exponential patience"):
        erlang.kpis(100.0, 300.0, 20, patience=law, trunks=30)
    with pytest.raises(ValueError, match="trunks with a non-exponential patience"):
        erlang.required_agents(100.0, 300.0, patience=law, trunks=30)
    with pytest.raises(ValueError, match="shape must be a finite number > 0, got -1"):
        erlang.Weibull(shape=-1.0, scale=50.0)
    with pytest.raises(ValueError, match="mean must be a finite number > 0, got -5"):
        erlang.LogNormal(mean=-5.0, sigma=1.0)
    with pytest.raises(ValueError, match="value must be a finite number > 0, got nan"):
        erlang.Deterministic(float("nan"))
    with pytest.raises(ValueError, match="survival must be non-increasing"):
        erlang.Empirical([1.0, 2.0], [0.5, 0.7])
    with pytest.raises(ValueError, match="times must be finite, >= 0 and increasing"):
        erlang.Empirical([2.0, 1.0], [0.5, 0.2])
    with pytest.raises(ValueError, match=r"agents must be >= 0\.0, got -1\.0"):
        erlang.kpis(100.0, 300.0, -1, patience=law)

    class Odd:
        def survival(self, t):
            return 1.0

    with pytest.raises(TypeError, match=r"patience=.* must be a number of seconds or an erlang"):
        erlang.kpis(100.0, 300.0, 20, patience=Odd())


def test_patience_per_interval_as_a_series_is_numbers_not_a_law():
    # a Series has a .sample method, as a patience law does; it is still seconds per entry
    idx = pd.date_range("2026-03-02 09:00", periods=3, freq="30min")
    volume = pd.Series([100.0, 150.0, 120.0], index=idx)
    patience = pd.Series([60.0, 90.0, 120.0], index=idx)
    got = erlang.kpis(volume, 300.0, 30, patience=patience)
    want = erlang.kpis(volume, 300.0, 30, patience=patience.to_numpy())
    pd.testing.assert_frame_equal(got, want)
    assert got["service_level"].iloc[0] != got["service_level"].iloc[2]
    staffed = erlang.required_agents(volume, 300.0, patience=patience)
    assert list(staffed.index) == list(idx)


def test_queue_takes_marks_lazily():
    law = erlang.LogNormal.from_cv(60.0, 1.0)
    load, agents, aht = np.array([10.0, 50.0]), np.array([12.0, 52.0]), np.array([300.0, 300.0])
    lazy = PatienceQueue(load, agents, aht, law)
    eager = PatienceQueue(load, agents, aht, law)
    eager.prepare(20.0, 60.0, np.array([10.0, 20.0]))
    # Marks are panel edges: other marks move the panels, within the quadrature's precision.
    np.testing.assert_allclose(lazy.service_level(20.0), eager.service_level(20.0), rtol=1e-10)
    np.testing.assert_allclose(
        lazy.short_abandon([10.0, 20.0]), eager.short_abandon([10, 20]), atol=1e-10
    )
    assert len(eager._marks) == 3 and len(lazy._marks) == 2


@pytest.mark.parametrize(
    ("option", "name"),
    [
        ({"chat": erlang.Chat(max_sessions=2)}, "chat"),
        ({"redials": erlang.Redials(0.5)}, "redials"),
    ],
)
def test_chat_and_redials_name_a_patience_law_they_cannot_take(option, name):
    law = erlang.Weibull.from_mean(120.0, shape=0.7)
    for call in (
        lambda: erlang.required_agents(300.0, 300.0, patience=law, **option),
        lambda: erlang.kpis(300.0, 300.0, 50, patience=law, **option),
    ):
        with pytest.raises(ValueError, match=rf"{name} with patience=Weibull"):
            call()
    # an exponential law is Erlang A's mean and is taken
    exp = erlang.required_agents(300.0, 300.0, patience=erlang.Exponential(120.0), **option)
    assert exp == erlang.required_agents(300.0, 300.0, patience=120.0, **option)

"""The modified offered load against numeric integration and a simulated infinite-server queue,
its properties, and lag-corrected staffing against the simulation of a steep morning ramp."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import erlang

volumes = st.lists(st.floats(0.0, 2000.0), min_size=1, max_size=40)
ahts = st.floats(30.0, 1800.0)
lengths = st.sampled_from([300.0, 900.0, 1800.0])


def ode_reference(volume, aht, interval):
    """Interval means and end values of ``m' = λ - m / aht`` by numeric integration, piece by
    piece from the stationary load of the first interval; the mean is integrated alongside."""
    volume = np.asarray(volume, dtype=float)
    aht = np.broadcast_to(np.asarray(aht, dtype=float), volume.shape)
    m = volume[0] * aht[0] / interval
    means, ends = [], []
    for v, h in zip(volume, aht, strict=True):
        rate = v / interval

        def rhs(t, y, rate=rate, h=h):
            return [rate - y[0] / h, y[0]]

        sol = solve_ivp(rhs, (0.0, interval), [m, 0.0], method="DOP853", rtol=1e-12, atol=1e-12)
        m, area = sol.y[0, -1], sol.y[1, -1]
        means.append(area / interval)
        ends.append(m)
    return np.array(means), np.array(ends)


@pytest.mark.parametrize(
    ("volume", "aht", "interval"),
    [
        ([40.0, 60.0, 120.0, 200.0, 200.0, 90.0, 0.0, 0.0, 30.0], 600.0, 900.0),
        ([10.0, 500.0, 20.0, 800.0, 5.0], 240.0, 1800.0),
        ([100.0, 150.0, 300.0, 300.0, 120.0], [200.0, 400.0, 900.0, 300.0, 600.0], 900.0),
    ],
)
def test_matches_numeric_integration(volume, aht, interval):
    mean = erlang.modified_offered_load(np.array(volume), aht, interval=interval)
    end = erlang.modified_offered_load(np.array(volume), aht, interval=interval, at="end")
    ref_mean, ref_end = ode_reference(volume, aht, interval)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(end, ref_end, rtol=1e-9, atol=1e-9)


def test_matches_a_simulated_infinite_server_queue():
    # A steep ramp: 15-minute intervals, AHT 10 minutes, volume 5x in an hour and back.
    interval, aht, reps = 900.0, 600.0, 4000
    volume = np.r_[30.0, 30.0 * 5 ** (np.arange(1, 5) / 4), 150.0, 150.0, 60.0, 20.0, 20.0]
    rng = np.random.default_rng(7)
    # Before the first interval the first rate has run for 30 handle times: steady state.
    warm = 30.0 * aht
    rates = np.r_[volume[0] / interval, volume / interval]
    edges = np.r_[-warm, np.arange(volume.size + 1) * interval]
    busy = np.zeros((reps, volume.size))
    for lo, hi, rate in zip(edges[:-1], edges[1:], rates, strict=True):
        counts = rng.poisson(rate * (hi - lo), reps)
        rep = np.repeat(np.arange(reps), counts)
        start = rng.uniform(lo, hi, counts.sum())
        end = start + rng.exponential(aht, counts.sum())
        for k in range(volume.size):  # time in service inside interval k, exactly
            a, b = k * interval, (k + 1) * interval
            overlap = np.clip(np.minimum(end, b) - np.maximum(start, a), 0.0, None)
            busy[:, k] += np.bincount(rep, overlap, minlength=reps)
    simulated = busy / interval  # time-average calls in service per interval, per replication
    expected = erlang.modified_offered_load(volume, aht, interval=interval)
    error = simulated.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(simulated.mean(axis=0) - expected) < 4.0 * error)
    stationary = volume * aht / interval
    # the ramp is steep enough that the lag is far outside the simulation's noise
    assert np.abs(stationary - expected).max() > 40.0 * error.max()


@given(st.floats(0.0, 5000.0), ahts, lengths, st.integers(1, 30))
def test_constant_volume_gives_the_stationary_load(volume, aht, interval, size):
    for at in ("mean", "end"):
        m = erlang.modified_offered_load(np.full(size, volume), aht, interval=interval, at=at)
        np.testing.assert_allclose(m, volume * aht / interval, rtol=1e-12, atol=1e-9)


@given(st.floats(1.0, 2000.0), st.floats(1.0, 2000.0), ahts, lengths)
def test_lags_a_rise_and_a_fall(low, high, aht, interval):
    low, high = min(low, high), max(low, high)
    if high - low < 1e-3 * high:
        return
    a_low, a_high = low * aht / interval, high * aht / interval
    up = erlang.modified_offered_load(np.array([low, high]), aht, interval=interval)
    down = erlang.modified_offered_load(np.array([high, low]), aht, interval=interval)
    assert a_low <= up[1] < a_high  # calls in service have not caught up with the rise
    assert a_low < down[1] <= a_high  # nor died down after the fall


@given(volumes, ahts, lengths, st.floats(0.01, 100.0), st.sampled_from(["mean", "end"]))
@settings(max_examples=60)
def test_non_negative_and_linear_in_volume(volume, aht, interval, scale, at):
    v = np.array(volume)
    m = erlang.modified_offered_load(v, aht, interval=interval, at=at)
    assert np.all(m >= 0.0)
    scaled = erlang.modified_offered_load(scale * v, aht, interval=interval, at=at)
    np.testing.assert_allclose(scaled, scale * m, rtol=1e-11, atol=1e-9)
    w = v[::-1].copy()
    both = erlang.modified_offered_load(v + w, aht, interval=interval, at=at)
    other = erlang.modified_offered_load(w, aht, interval=interval, at=at)
    np.testing.assert_allclose(both, m + other, rtol=1e-11, atol=1e-9)


def test_series_keeps_its_index_and_a_gap_restarts():
    index = pd.DatetimeIndex(
        ["2026-03-02 21:00", "2026-03-02 21:30", "2026-03-03 08:00", "2026-03-03 08:30"]
    )
    volume = pd.Series([400.0, 50.0, 400.0, 50.0], index=index)
    m = erlang.modified_offered_load(volume, 300.0)
    assert isinstance(m, pd.Series) and m.index.equals(index)
    # the night gap: the morning starts from its own stationary load, as the evening did
    assert m.iloc[2] == pytest.approx(400.0 * 300.0 / 1800.0)
    assert m.iloc[3] == pytest.approx(m.iloc[1])
    eff = erlang.effective_volume(volume, 300.0)
    np.testing.assert_allclose(eff, m * 1800.0 / 300.0)
    assert erlang.modified_offered_load(120.0, 300.0) == pytest.approx(20.0)
    # two days side by side: time along the last axis, each row on its own
    grid = erlang.modified_offered_load(np.array([[10.0, 90.0], [90.0, 10.0]]), 600.0)
    np.testing.assert_allclose(grid[0], erlang.modified_offered_load(np.array([10.0, 90.0]), 600))


def test_modified_staffing_is_stationary_staffing_at_the_effective_volume():
    volume = pd.Series(
        [30.0, 45.0, 67.0, 100.0, 150.0, 150.0, 60.0, 30.0],
        index=pd.date_range("2026-03-02 07:00", periods=8, freq="15min"),
    )
    kw = {"interval": 900.0, "patience": 120.0, "targets": erlang.Targets.hotline()}
    lagged = erlang.required_agents(volume, 600.0, load="modified", **kw)
    eff = erlang.effective_volume(volume, 600.0, interval=900.0)
    pd.testing.assert_series_equal(lagged, erlang.required_agents(eff, 600.0, **kw))
    plain = erlang.required_agents(volume, 600.0, **kw)
    assert (lagged.iloc[1:5] < plain.iloc[1:5]).all()  # the rise: fewer
    assert (lagged.iloc[6:] > plain.iloc[6:]).all()  # after the fall: more
    flat = np.full(6, 200.0)
    np.testing.assert_array_equal(
        erlang.required_agents(flat, 300.0, load="modified"), erlang.required_agents(flat, 300.0)
    )


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: erlang.modified_offered_load([10.0, -1.0], 300.0), "volume must be >= 0"),
        (lambda: erlang.modified_offered_load([10.0], 0.0), "aht must be > 0"),
        (lambda: erlang.modified_offered_load([10.0], 300.0, at="start"), "at must be one of"),
        (lambda: erlang.required_agents([10.0], 300.0, load="lagged"), "load must be one of"),
        (
            lambda: erlang.modified_offered_load(
                pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2026-01-02", "2026-01-01"])), 60.0
            ),
            "not increasing in time",
        ),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_lag_corrected_staffing_on_a_steep_morning_ramp():
    """Simulated service of stationary and lag-corrected staffing on a 5x rise in an hour.

    15-minute intervals, AHT 10 minutes, 80% within 20 s (Erlang C). On the rise the calls in
    service lag behind the arrivals, so stationary staffing has more agents than the load
    needs: its service level on the rise lies far above the target, while the lag-corrected
    staffing meets the target within the confidence interval with a fifth fewer agents. After
    the fall it is the other way round, but only where the staffing level caps the calls in
    service (seats, ``staffing='cap'``): agents going off duty who finish their last call carry
    the calls taken at the peak, and then stationary staffing holds the target.
    """
    from roster import simulate

    index = pd.date_range("2026-03-02 06:00", periods=24, freq="15min")
    volume = pd.Series(
        np.r_[[30.0] * 6, 30.0 * 5 ** (np.arange(1, 5) / 4), [150.0] * 6,
              150.0 * 5 ** (-np.arange(1, 5) / 4), [30.0] * 4],
        index=index,
    )  # fmt: skip
    rise, fall = index[6:10], index[16:20]
    plain = erlang.required_agents(volume, 600.0, interval=900)
    lagged = erlang.required_agents(volume, 600.0, interval=900, load="modified")
    assert lagged[rise].sum() < 0.85 * plain[rise].sum()

    def service(agents, staffing):
        result = simulate(
            volume, 600.0, agents, replications=100, seed=1, warmup=3600.0, staffing=staffing
        )
        return (result.summary(rise).loc["service_level"],
                result.summary(fall).loc["service_level"])  # fmt: skip

    plain_rise, plain_fall = service(plain, "agents")
    lagged_rise, lagged_fall = service(lagged, "agents")
    assert plain_rise["low"] > 0.95  # stationary staffing: far more than the target on the rise
    assert lagged_rise["low"] <= 0.8 <= lagged_rise["high"]  # lag-corrected: on the target
    assert plain_fall["low"] <= 0.8 <= plain_fall["high"]  # leaving agents finish their calls
    assert lagged_fall["low"] > 0.9
    _, capped_plain = service(plain, "cap")
    _, capped_lagged = service(lagged, "cap")
    assert capped_plain["high"] < 0.2  # seats still taken by the peak's calls
    assert capped_lagged["mean"] > 0.65  # most of the gap closed, not all of it

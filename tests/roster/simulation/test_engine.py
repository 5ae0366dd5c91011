"""Tests of the contact-center simulation.

The compiled recursions are checked call by call against a plain event-driven simulation
written here, and the whole simulation against exact queueing results computed here
independently (Erlang B recursion, Erlang C closed form, and the M/M/n+M birth-death chain).
"""

import heapq
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

import erlang
from roster.simulation.agents import Absence, shift_floor
from roster.simulation.engine import COUNTS, METRICS, simulate
from roster.simulation.kernel import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    UNRESOLVED,
    simulate_agents,
    simulate_pool,
)

# --- an event-driven reference -----------------------------------------------------------------


def _run_events(events, arrival, service, patience, trunks, on_change, pick, release):
    """Event loop shared by both references; `pick` returns an idle server or None."""
    n = len(arrival)
    status = np.full(n, -1, np.int8)
    start = np.full(n, np.nan)
    queue = []  # waiting calls, arrival order
    in_service = 0
    for j in range(n):
        heapq.heappush(events, (arrival[j], 3, j))
    while events:
        t = events[0][0]
        batch = []
        while events and events[0][0] == t:
            batch.append(heapq.heappop(events))
        for _, kind, data in batch:
            if kind == 0:  # server change
                on_change(t, data)
            elif kind == 1:  # service completion
                in_service -= 1
                release(t, data)
            elif kind == 2:  # patience runs out
                if data in queue:
                    queue.remove(data)
                    status[data] = ABANDONED
            else:  # arrival
                if trunks >= 0 and len(queue) + in_service >= trunks:
                    status[data] = BLOCKED
                    continue
                queue.append(data)
                if np.isfinite(patience[data]):
                    heapq.heappush(events, (arrival[data] + patience[data], 2, data))
        while queue:
            server = pick(t)
            if server is None:
                break
            j = queue.pop(0)
            status[j] = ANSWERED
            start[j] = t
            in_service += 1
            heapq.heappush(events, (t + service[j], 1, server))
    status[queue] = UNRESOLVED  # never answered, never hung up
    return status, start


def reference_pool(arrival, service, patience, step_time, step_value, trunks):
    state = {"level": 0, "busy": 0}
    events = [(float(t), 0, int(v)) for t, v in zip(step_time, step_value, strict=True)]
    heapq.heapify(events)

    def on_change(t, level):
        state["level"] = level

    def pick(t):
        if state["busy"] < state["level"]:
            state["busy"] += 1
            return 0
        return None

    def release(t, server):
        state["busy"] -= 1

    return _run_events(events, arrival, service, patience, trunks, on_change, pick, release)


def reference_agents(arrival, service, patience, offset, w_start, w_end, break_after, trunks):
    """Named agents: a call running into a break delays the whole break past the call."""
    n_agents = len(offset) - 1
    free = [-math.inf] * n_agents  # free of calls and delayed breaks from this time on
    started_in = {}
    events = []
    for w in range(len(w_start)):
        events.append((w_start[w], 0, None))  # a window opening: try to answer
    heapq.heapify(events)

    def window_at(i, t):
        for w in range(offset[i], offset[i + 1]):
            if w_start[w] <= t < w_end[w]:
                return w
        return None

    def on_change(t, _):
        pass

    def pick(t):
        idle = []
        for i in range(n_agents):
            w = window_at(i, t)
            if w is not None and free[i] <= t:
                idle.append((max(free[i], w_start[w]), i))
        if not idle:
            return None
        i = min(idle)[1]
        free[i] = math.inf
        started_in[i] = window_at(i, t)
        return i

    def release(t, i):
        w = started_in[i]
        free[i] = t
        if t > w_end[w] and break_after[w] and w + 1 < offset[i + 1]:
            free[i] = t + w_start[w + 1] - w_end[w]
            heapq.heappush(events, (free[i], 0, None))

    return _run_events(events, arrival, service, patience, trunks, on_change, pick, release)


def _calls(rng, n, horizon, aht, mean_patience):
    arrival = np.sort(rng.random(n) * horizon)
    service = rng.exponential(aht, n)
    patience = np.full(n, np.inf) if mean_patience is None else rng.exponential(mean_patience, n)
    return arrival, service, patience


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 300),
    patience=st.sampled_from([None, 30.0, 200.0]),
    trunks=st.sampled_from([-1, 0, 3, 8]),
)
def test_pool_recursion_matches_event_simulation(seed, n, patience, trunks):
    rng = np.random.default_rng(seed)
    horizon = 3600.0
    arrival, service, pat = _calls(rng, n, horizon, 150.0, patience)
    step_time = np.arange(0.0, horizon, 300.0)
    step_value = rng.integers(0, 6, step_time.size)
    status, start = simulate_pool(arrival, service, pat, step_time, step_value, trunks)
    ref_status, ref_start = reference_pool(arrival, service, pat, step_time, step_value, trunks)
    np.testing.assert_array_equal(status, ref_status)
    np.testing.assert_allclose(start, ref_start, rtol=0, atol=1e-9)


def _random_windows(rng, n_agents, horizon):
    offset, w_start, w_end = [0], [], []
    for _ in range(n_agents):
        cuts = np.sort(rng.choice(np.arange(0.0, horizon, 60.0), 2 * rng.integers(0, 4), False))
        w_start += list(cuts[::2])
        w_end += list(cuts[1::2])
        offset.append(len(w_start))
    break_after = rng.random(len(w_start)) < 0.5
    return np.array(offset), np.array(w_start, float), np.array(w_end, float), break_after


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 300),
    n_agents=st.integers(0, 6),
    patience=st.sampled_from([None, 30.0, 200.0]),
    trunks=st.sampled_from([-1, 0, 3, 8]),
)
def test_agent_recursion_matches_event_simulation(seed, n, n_agents, patience, trunks):
    rng = np.random.default_rng(seed)
    horizon = 3600.0
    arrival, service, pat = _calls(rng, n, horizon, 150.0, patience)
    windows = _random_windows(rng, n_agents, horizon)
    status, start, agent, over_from, over_to, lost_to = simulate_agents(
        arrival, service, pat, *windows, trunks
    )
    ref_status, ref_start = reference_agents(arrival, service, pat, *windows, trunks)
    np.testing.assert_array_equal(status, ref_status)
    np.testing.assert_allclose(start, ref_start, rtol=0, atol=1e-9)
    offset, w_start, w_end, break_after = windows
    answered = status == ANSWERED
    assert np.all(agent[answered] >= 0) and np.all(agent[~answered] == -1)
    for j in np.flatnonzero(answered):
        own = np.arange(offset[agent[j]], offset[agent[j] + 1])
        inside = own[(w_start[own] <= start[j]) & (start[j] < w_end[own])]
        assert inside.size == 1  # calls start only inside the agent's window
        w, end = inside[0], start[j] + service[j]
        assert np.isnan(over_from[j]) == (end <= w_end[w])
        if end > w_end[w]:
            assert over_from[j] == w_end[w] and w_end[w] < over_to[j] <= end
            # A delayed break costs the next window exactly the time the call ran into it.
            if (
                break_after[w]
                and w + 1 < own[-1] + 1
                and end + w_start[w + 1] - w_end[w] <= (w_end[w + 1])
            ):
                assert lost_to[w + 1] - w_start[w + 1] == pytest.approx(end - w_end[w])


def test_a_call_running_into_a_break_delays_it():
    # One agent, on 0-1200 and 1500-3600 with a 300 s break between; a 400 s call from 1000.
    args = (np.array([1000.0, 1100.0]), np.array([400.0, 10.0]), np.full(2, np.inf))
    windows = (np.array([0, 2]), np.array([0.0, 1500.0]), np.array([1200.0, 3600.0]))
    for after, second in (([True, False], 1700.0), ([False, False], 1500.0)):
        _, start, _, over_from, over_to, lost_to = simulate_agents(
            *args, *windows, np.array(after), -1
        )
        # The break is taken whole after the call (1400-1700) or cut short (1400-1500).
        np.testing.assert_array_equal(start, [1000.0, second])
        assert over_from[0] == 1200.0 and over_to[0] == 1400.0
        np.testing.assert_array_equal(lost_to, [np.nan, 1700.0] if after[0] else [np.nan] * 2)


# --- exact references --------------------------------------------------------------------------


def erlang_b_exact(load, n):
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c_exact(load, n, aht, threshold):
    b = erlang_b_exact(load, n)
    wait = n * b / (n - load * (1 - b))
    service_level = 1 - wait * math.exp(-(n - load) * threshold / aht)
    asa = wait * aht / (n - load)
    return wait, service_level, asa


def erlang_a_exact(rate, aht, n, patience, threshold, cap=250):
    """Abandon probability and P(answered within threshold) of M/M/n+M (birth-death chain)."""
    mu, theta = 1 / aht, 1 / patience
    k = np.arange(cap + 1)
    death = np.minimum(k, n) * mu + np.maximum(k - n, 0) * theta
    log_pi = np.concatenate([[0.0], np.cumsum(np.log(rate / death[1:]))])
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    queue = np.maximum(k - n, 0)
    abandon = theta * np.sum(pi * queue) / rate
    # A caller who finds k >= n in the system waits at position m = k - n + 1; positions fall at
    # rate n*mu + (m-1)*theta (service or an abandon ahead); the caller leaves at rate theta.
    m = np.arange(1, cap - n + 2)
    size = m.size + 2  # transient positions, then "answered", then "abandoned"
    gen = np.zeros((size, size))
    ahead = n * mu + (m - 1) * theta
    gen[np.arange(1, m.size), np.arange(m.size - 1)] = ahead[1:]
    gen[0, m.size] = n * mu
    gen[np.arange(m.size), m.size + 1] = theta
    gen[np.arange(m.size), np.arange(m.size)] = -(ahead + theta)
    answered_by = expm(gen * threshold)[: m.size, m.size]
    within = pi[:n].sum() + np.sum(pi[n:] * answered_by)
    return abandon, within


# --- stationary agreement with the formulas ---------------------------------------------------

VOLUME, AHT, AGENTS, INTERVAL = 200.0, 180.0, 22, 1800  # 20 erlangs on 22 agents
WARMUP = 2


def _stationary(seed, **kwargs):
    index = pd.date_range("2025-03-03 08:00", periods=14, freq="30min")
    return simulate(
        pd.Series(VOLUME, index),
        AHT,
        pd.Series(AGENTS, index),
        replications=8,
        confidence=0.99,
        seed=seed,
        **kwargs,
    )


def _within(summary, metric, exact):
    row = summary.loc[metric]
    assert abs(row["mean"] - exact) <= row["half_width"], (metric, row.to_dict(), exact)


def test_erlang_c_agreement():
    load = VOLUME * AHT / INTERVAL
    wait, service_level, asa = erlang_c_exact(load, AGENTS, AHT, 20)
    result = _stationary(11, threshold=20)
    summary = result.summary(slice(WARMUP, None))
    _within(summary, "service_level", service_level)
    _within(summary, "asa", asa)
    assert summary.loc["abandon_rate", "mean"] == 0 and summary.loc["blocking_rate", "mean"] == 0
    _within(summary, "occupancy", load / AGENTS)
    # P(wait > 0): the same sample paths scored with a zero threshold.
    no_wait = _stationary(11, threshold=0).summary(slice(WARMUP, None))
    _within(no_wait, "service_level", 1 - wait)


def test_warmup_removes_the_idle_start():
    index = pd.date_range("2025-03-03 08:00", periods=2, freq="30min")
    load = VOLUME * AHT / INTERVAL
    _, service_level, _ = erlang_c_exact(load, AGENTS, AHT, 20)
    kw = {"replications": 40, "confidence": 0.99, "seed": 15}
    args = (pd.Series(VOLUME, index), AHT, pd.Series(AGENTS, index))
    cold = simulate(*args, **kw).summary()
    warm = simulate(*args, warmup=4 * 3600, **kw).summary()
    assert cold.loc["service_level", "low"] > service_level  # an idle floor flatters the start
    _within(warm, "service_level", service_level)
    # Calls of the warm-up are not reported, but their work is.
    assert warm.loc["offered", "mean"] == pytest.approx(2 * VOLUME, rel=0.05)
    _within(warm, "occupancy", load / AGENTS)


def test_erlang_a_agreement():
    abandon, within = erlang_a_exact(VOLUME / INTERVAL, AHT, AGENTS - 2, 60.0, 20)
    index = pd.date_range("2025-03-03 08:00", periods=14, freq="30min")
    result = simulate(
        pd.Series(VOLUME, index),
        AHT,
        pd.Series(AGENTS - 2, index),  # overloaded without abandonment: 20 erlangs on 20
        patience=60.0,
        replications=8,
        confidence=0.99,
        seed=12,
    )
    summary = result.summary(slice(WARMUP, None))
    assert abandon > 0.03  # a regime where abandonment matters
    _within(summary, "abandon_rate", abandon)
    _within(summary, "service_level", within)


def _coverage(runs, patience, seed):
    """How often the 90 % intervals (whole span and per interval) hold the exact SL."""
    index = pd.date_range("2025-03-03 08:00", periods=3, freq="30min")
    if patience is None:
        agents, exact = AGENTS, erlang_c_exact(VOLUME * AHT / INTERVAL, AGENTS, AHT, 20)[1]
    else:
        agents = AGENTS - 2
        exact = erlang_a_exact(VOLUME / INTERVAL, AHT, agents, patience, 20)[1]
    whole, per_interval = [], []
    for run in range(runs):
        result = simulate(
            pd.Series(VOLUME, index),
            AHT,
            pd.Series(agents, index),
            patience=patience,
            warmup=3 * 3600,
            replications=6,
            confidence=0.9,
            seed=seed + run,
        )
        row = result.summary().loc["service_level"]
        whole.append(row["low"] <= exact <= row["high"])
        sl, hw = result.mean["service_level"], result.half_width["service_level"]
        per_interval += list(np.abs(sl - exact) <= hw)
    return np.mean(whole), np.mean(per_interval)


@pytest.mark.parametrize("patience", [None, 60.0])
def test_confidence_intervals_cover_the_formula_at_their_level(patience):
    # 30 independent runs of a stationary queue: the count of 90 % intervals holding the
    # exact service level is Binomial(30, 0.9) if they are right (P(< 23) ≈ 0.3 %).
    whole, per_interval = _coverage(30, patience, 100 if patience is None else 200)
    assert whole >= 23 / 30, whole
    # Per interval (three per run, correlated within a run): about 90 % too.
    assert 0.8 <= per_interval <= 0.98, per_interval


def test_erlang_b_agreement():
    load = VOLUME * AHT / INTERVAL
    result = _stationary(13, trunks=AGENTS)
    summary = result.summary(slice(WARMUP, None))
    blocking = erlang_b_exact(load, AGENTS)
    assert blocking > 0.05
    _within(summary, "blocking_rate", blocking)
    # With as many trunk lines as agents nobody queues.
    assert summary.loc["asa", "mean"] == 0
    assert summary.loc["service_level", "mean"] == pytest.approx(
        1 - summary.loc["blocking_rate", "mean"]
    )


def test_short_abandons_agree_with_the_erlang_package():
    erlang = pytest.importorskip("erlang")
    index = pd.date_range("2025-03-03 08:00", periods=14, freq="30min")
    volume, agents, patience = 400.0, 20, 60.0
    result = simulate(
        pd.Series(volume, index),
        90.0,
        pd.Series(agents, index),
        patience=patience,
        short_abandon=20.0,
        replications=8,
        confidence=0.99,
        seed=14,
    )
    summary = result.summary(slice(WARMUP, None))
    args = (np.array([volume]), 90.0, np.array([agents]))
    kw = {"patience": patience, "short_abandon": 20.0}
    assert summary.loc["short_abandoned", "mean"] > 0
    _within(summary, "service_level", erlang.service_level(*args, threshold=20.0, **kw)[0])
    _within(summary, "answer_rate", erlang.answer_rate(*args, cutoff=60.0, **kw)[0])
    _within(summary, "abandon_rate", erlang.abandon_rate(*args, **kw)[0])


def test_exact_references_against_published_values():
    # Erlang B(10 erlangs, 10 lines) = 0.2146 and Erlang C(10, 12) = 0.4494 (standard tables).
    assert erlang_b_exact(10.0, 10) == pytest.approx(0.21458, abs=5e-5)
    assert erlang_c_exact(10.0, 12, 180, 20)[0] == pytest.approx(0.44937, abs=5e-5)
    # With very patient callers M/M/n+M tends to M/M/n.
    abandon, within = erlang_a_exact(10 / 180, 180, 12, 1e7, 20)
    assert abandon == pytest.approx(0, abs=1e-4)
    assert within == pytest.approx(erlang_c_exact(10.0, 12, 180, 20)[1], abs=1e-4)


def test_time_varying_load_matches_the_infinite_server_transient():
    # With more agents than could ever be busy, the calls in service form an M_t/M/infinity
    # system whose mean m(t) solves m' = rate(t) - m / aht from m(0) = 0; within an interval
    # of constant rate r, m relaxes to r * aht and its integral has a closed form.
    index = pd.date_range("2025-03-03 08:00", periods=12, freq="15min")
    volume = pd.Series([10.0, 80.0, 160.0, 40.0, 0.0, 120.0, 60.0, 60.0, 200.0, 5.0, 90.0, 30.0])
    volume.index = index
    aht, length = 600.0, 900.0
    expected, m = [], 0.0
    for v in volume:
        target = v / length * aht
        decay = math.exp(-length / aht)
        expected.append(target * length + (m - target) * aht * (1 - decay))
        m = target + (m - target) * decay
    result = simulate(volume, aht, pd.Series(400, index), replications=40, seed=21)
    busy, hw = result.mean["busy_time"], result.half_width["busy_time"]
    assert (result.mean["answered_within"] == result.mean["offered"]).all()  # nobody waits
    # Twelve intervals are checked at once: 1.5 half-widths keeps the joint level near 95 %.
    assert (np.abs(busy - np.array(expected)) <= 1.5 * hw).all()


# --- where per-interval (SIPP) staffing under- and over-delivers --------------------------------


def _required(volume, aht, interval, target=0.8, threshold=20):
    need = []
    for v in np.asarray(volume):
        load = v * aht / interval
        n = int(np.floor(load)) + 1
        while erlang_c_exact(load, n, aht, threshold)[1] < target:
            n += 1
        need.append(n)
    return np.array(need)


def _two_level_day(aht, interval, periods, drop):
    index = pd.date_range("2025-03-03 08:00", periods=periods, freq=f"{interval}s")
    volume = pd.Series(np.where(np.arange(periods) < drop, 90.0, 30.0), index)
    return volume, pd.Series(_required(volume, aht, interval), index)


def test_sipp_with_long_handle_times_per_staffing_model():
    # A busy morning then a quiet spell, 15-minute intervals, 20-minute calls: each interval
    # is staffed for 80/20 as if in steady state, which the day never reaches.
    volume, agents = _two_level_day(1200.0, 900, 12, 8)
    drop = 8
    for staffing in ("agents", "cap"):
        result = simulate(volume, 1200.0, agents, staffing=staffing, replications=20, seed=5)
        sl, hw = result.mean["service_level"], result.half_width["service_level"]
        # Over-delivers at the start of the day: the floor starts idle.
        assert sl.iloc[0] - hw.iloc[0] > 0.8
        overrun = result.mean["logged_time"] - result.mean["scheduled_time"]
        if staffing == "cap":
            # Read as a cap on calls in service, the drop stops all answering until enough
            # calls end: the interval after it collapses.
            assert sl.iloc[drop] + hw.iloc[drop] < 0.8
        else:
            # Read as agents, those leaving finish their calls: service holds up, paid for by
            # overrun (agent time past the scheduled end), which starts where the level drops.
            assert overrun.iloc[drop] > 0.1 * result.mean["scheduled_time"].iloc[drop]
            assert (overrun.iloc[:drop] == 0).all()


def test_sipp_misses_peaks_inside_the_interval():
    # Half-hour staffing for 80/20 from half-hour totals, while two thirds of each half hour's
    # calls come in its first ten minutes: the half hours fall well short of 80 %.
    index = pd.date_range("2025-03-03 08:00", periods=36, freq="5min")
    volume = pd.Series(np.tile([100.0, 100.0, 25.0, 25.0, 25.0, 25.0], 6), index)
    half_hours = volume.resample("30min").sum()
    need = _required(half_hours, 180.0, 1800)
    agents = pd.Series(np.repeat(need, 6), index)
    result = simulate(volume, 180.0, agents, replications=10, seed=2).resample("30min")
    assert list(result.mean.index) == list(half_hours.index)
    np.testing.assert_allclose(
        result.mean["offered"], result.replications.groupby(level=1)["offered"].mean()
    )
    sl, hw = result.mean["service_level"], result.half_width["service_level"]
    assert (sl.iloc[1:] + hw.iloc[1:] < 0.8).all()
    whole = result.summary()
    assert whole.loc["service_level", "high"] < 0.8


def test_staffing_series_is_agents_numbered_by_seniority():
    # Agent i is on in the intervals whose level exceeds i: the same plan written as shifts
    # gives the very same calls.
    index = pd.date_range("2025-03-03 08:00", periods=6, freq="30min")
    level = np.array([3, 5, 2, 0, 4, 4])
    rows = []
    for i in range(level.max()):
        on = np.flatnonzero(level > i)
        for k in on:
            end = 1e7 if k == len(level) - 1 else (k + 1) * 1800.0  # the last level stays on
            rows.append({"agent": i, "start": k * 1800.0, "end": end})
    shifts = pd.DataFrame(rows)
    volume = pd.Series(60.0, index)
    kw = {"patience": 120.0, "trunks": 8, "replications": 3, "seed": 9}
    by_level = simulate(volume, 300.0, pd.Series(level, index), **kw)
    by_shift = simulate(volume, 300.0, shifts=shifts, **kw)
    pd.testing.assert_frame_equal(by_level.replications, by_shift.replications)


# --- shifts and breaks ---------------------------------------------------------------------


def test_shifts_breaks_and_overrun():
    index = pd.date_range("2025-03-03 08:00", periods=6, freq="10min")
    shifts = pd.DataFrame(
        {"agent": ["a"], "start": [index[0]], "end": [index[0] + pd.Timedelta("1h")]}
    )
    breaks = pd.DataFrame({"agent": ["a"], "start": [index[2]], "end": [index[3]]})
    kw = {"shifts": shifts, "breaks": breaks, "threshold": 0, "replications": 30, "seed": 3}
    delayed = simulate(pd.Series(2.0, index), handle_times=[240.0], **kw)
    cut = simulate(pd.Series(2.0, index), handle_times=[240.0], late_breaks="shorten", **kw)
    for result in (delayed, cut):
        mean = result.mean
        np.testing.assert_allclose(mean["scheduled_time"], [600, 600, 0, 600, 600, 600])
        # Nobody arriving during the break is answered at once.
        assert mean["answered_within"].iloc[2] == 0
        assert mean["offered"].iloc[2] > 0
        # Calls running past the break start are finished: logged-in time in the break.
        assert mean["logged_time"].iloc[2] > 0
        assert np.all(mean["busy_time"] <= mean["logged_time"] + 1e-9)
    # Delayed, the break is taken whole after the call: the time worked in it is given back
    # in the next interval, in every replication.
    reps = delayed.replications["logged_time"].unstack()
    np.testing.assert_allclose(reps.iloc[:, 2] + reps.iloc[:, 3], 600.0)
    assert (reps.iloc[:, 3] < 600).any()
    # Shortened, the call eats into the break and nothing is given back.
    reps = cut.replications["logged_time"].unstack()
    assert (reps.iloc[:, 3] == 600).all() and (reps.iloc[:, 2] > 0).any()


def test_a_roster_delivers_the_erlang_service_of_its_net_agents():
    # 40 agents 08:00-16:30, meals staggered over 11:00-13:00, 5 minutes of short breaks an
    # hour; each half hour carries 92 % of what its net agents (at work - meals, x 11/12)
    # handle. Staffing by net agents is right when breaks are taken whole after the call;
    # when calls eat into breaks the floor has more agents than the plan counts.
    erlang = pytest.importorskip("erlang")
    n, aht, patience = 40, 300.0, 60.0
    day = pd.Timestamp("2025-03-03")
    index = pd.date_range(day + pd.Timedelta("8h"), periods=17, freq="30min")
    meal = day + pd.Timedelta("11h") + pd.to_timedelta(30 * (np.arange(n) % 4), unit="min")
    shifts = pd.DataFrame(
        {
            "agent": np.arange(n),
            "start": index[0],
            "end": index[0] + pd.Timedelta("8h30min"),
            "break_start": meal,
            "break_end": meal + pd.Timedelta("30min"),
        }
    )
    on_meal = np.array([(shifts["break_start"] == t).sum() for t in index])
    net = (n - on_meal) * (1 - 300 / 3600)
    volume = pd.Series(np.round(0.92 * net * 1800 / aht), index)
    formula = erlang.service_level(volume.to_numpy(), aht, net, patience=patience)
    expected = np.average(formula[1:], weights=volume.to_numpy()[1:])  # first: idle start
    kw = {"shifts": shifts, "short_breaks": 300, "patience": patience, "seed": 3}
    delayed = simulate(volume, aht, replications=12, **kw).summary(slice(1, None))
    eaten = simulate(volume, aht, late_breaks="shorten", replications=12, **kw)
    eaten = eaten.summary(slice(1, None))
    _within(delayed, "service_level", expected)
    assert eaten.loc["service_level", "low"] > expected + 0.02
    # Breaks cut short by calls: more logged-in time than scheduled.
    assert eaten.loc["logged_time", "mean"] > 1.03 * eaten.loc["scheduled_time", "mean"]
    assert delayed.loc["logged_time", "mean"] < 1.01 * delayed.loc["scheduled_time", "mean"]
    reps = simulate(volume, aht, replications=2, absence=Absence(0.1, 0.3, 600.0), **kw)
    reps = reps.replications
    assert (reps["busy_time"] <= reps["logged_time"] + 1e-6).all()


def test_short_breaks_are_staggered_blocks_outside_meals():
    day = pd.Timestamp("2025-03-03")
    n = 60
    shifts = pd.DataFrame(
        {
            "agent": np.arange(n),
            "start": day + pd.Timedelta("8h"),
            "end": day + pd.Timedelta("16h30min"),
            "break_start": day + pd.Timedelta("12h"),
            "break_end": day + pd.Timedelta("12h30min"),
        }
    )
    index = pd.date_range(day + pd.Timedelta("8h"), periods=17, freq="30min")
    floor = shift_floor(shifts, None, index, short_breaks=300)
    offset, w_start, w_end, break_after = floor.windows()
    worked = w_end - w_start
    # 8 working hours each, 5 minutes of short breaks per hour: 40 minutes a shift.
    for i in range(n):
        own = slice(offset[i], offset[i + 1])
        assert worked[own].sum() == pytest.approx(8 * 3600 - 8 * 300)
        assert not break_after[own][-1] and break_after[own][:-1].all()
        # No window inside the meal.
        meal_lo, meal_hi = 4 * 3600, 4.5 * 3600
        assert np.all((w_end[own] <= meal_lo) | (w_start[own] >= meal_hi))
    # Staggered: at every minute about 60 × 5/60 = 5 agents are on a break, except within
    # a break's length of the shift's start and end, where no block runs in from outside.
    t = np.arange(330.0, 8.5 * 3600 - 300, 60.0)
    t = t[(t < 4 * 3600) | (t >= 4.5 * 3600)]
    on = ((w_start[None, :] <= t[:, None]) & (t[:, None] < w_end[None, :])).sum(axis=1)
    assert np.all(np.abs((n - on) - 5) <= 1), np.unique(n - on)
    # An odd working time: a last partial hour gets its share, and the total stays exact.
    odd = shifts.iloc[:3].assign(end=day + pd.Timedelta("13h15min"))
    offset, w_start, w_end, _ = shift_floor(odd, None, index, short_breaks=300).windows()
    assert (w_end - w_start).sum() == pytest.approx(3 * 4.75 * 3600 * (1 - 300 / 3600))
    with pytest.raises(ValueError, match="short_breaks"):
        shift_floor(shifts, None, index, short_breaks=3600)


def test_absence_draws_and_its_expected_loss():
    rng = np.random.default_rng(0)
    absence = Absence(shift=0.05, late=0.3, late_time=900.0, early=0.2, early_time=1800.0)
    length = 4 * 3600.0
    n = 200_000
    start, end = absence.draw(rng, np.zeros(n), np.full(n, length))
    worked = np.nan_to_num(end - start)
    lost = 1 - worked.mean() / length
    assert lost == pytest.approx(float(absence.expected_loss(length)), abs=3e-3)
    # Long lateness and early leave can meet: the exact share counts the shifts lost so.
    short = Absence(late=0.5, late_time=1800.0, early=0.5, early_time=1800.0)
    start, end = short.draw(rng, np.zeros(n), np.full(n, 3600.0))
    assert np.isnan(start).mean() > 0.05
    share = 1 - np.nan_to_num(end - start).mean() / 3600.0
    assert share == pytest.approx(float(short.expected_loss(3600.0)), abs=3e-3)
    for bad in ({"shift": 1.0}, {"late": -0.1}, {"late_time": 0.0}):
        with pytest.raises(ValueError, match="absence"):
            Absence(**bad)


def test_absence_in_the_simulation():
    index = pd.date_range("2025-03-03 08:00", periods=8, freq="30min")
    shifts = pd.DataFrame({"start": np.zeros(40), "end": np.full(40, 4 * 3600.0)})
    volume = pd.Series(200.0, index)
    kw = {"shifts": shifts, "replications": 20, "seed": 3}
    full = simulate(volume, 180.0, **kw)
    absence = Absence(shift=0.1, late=0.2, early=0.2)
    partial = simulate(volume, 180.0, absence=absence, **kw)
    # Scheduled time is the roster's; logged time is what attendance leaves of it (only the
    # overrun at the shift end comes on top of the windows).
    pd.testing.assert_series_equal(full.mean["scheduled_time"], partial.mean["scheduled_time"])
    reps = partial.replications.groupby(level=0).sum()
    present = reps["logged_time"] / reps["scheduled_time"]
    expected = 1 - float(absence.expected_loss(4 * 3600.0))
    assert present.mean() == pytest.approx(expected, abs=3 * present.std() / np.sqrt(20) + 0.01)
    # Absence varies between replications: wider intervals, lower service.
    assert (
        partial.summary().loc["service_level", "mean"]
        < full.summary().loc["service_level", "mean"]
    )
    assert full.replications["logged_time"].unstack().std().iloc[0] < present.std() * 7200
    with pytest.raises(ValueError, match="absence need shifts"):
        simulate(volume, 180.0, pd.Series(20, index), absence=0.1)


def test_shifts_in_seconds_equal_a_flat_staffing_series():
    index = pd.date_range("2025-03-03 08:00", periods=8, freq="30min")
    volume = pd.Series(300.0, index)
    # Shifts run on past the last interval, as the last staffing level does.
    shifts = pd.DataFrame({"start": np.zeros(20), "end": np.full(20, 12 * 1800.0)})
    by_shift = simulate(volume, 180.0, shifts=shifts, patience=90, replications=3, seed=8)
    by_level = simulate(volume, 180.0, pd.Series(20, index), patience=90, replications=3, seed=8)
    # Identical servers all on: the two agent models make the same calls wait.
    cols = ["offered", "answered", "abandoned", "answered_within", "wait_answered"]
    pd.testing.assert_frame_equal(by_shift.mean[cols], by_level.mean[cols])


def _day_frames():
    index = pd.date_range("2025-03-03 08:00", periods=16, freq="30min")
    day = pd.Timestamp("2025-03-03")
    hours = pd.to_timedelta
    # Counted form: 3 agents on an early shift, 2 on a late one, lunch blocks per shift.
    counted = pd.DataFrame(
        {
            "date": [day, day],
            "shift": ["E", "L"],
            "start": [day + hours("8h"), day + hours("11h")],
            "end": [day + hours("14h"), day + hours("17h")],
            "agents": [3, 2],
        }
    )
    counted_breaks = pd.DataFrame(
        {
            "date": [day, day, day],
            "shift": ["E", "E", "L"],
            "break": ["meal", "meal", "meal"],
            "start": [day + hours("11h"), day + hours("11h30min"), day + hours("14h")],
            "end": [day + hours("11h30min"), day + hours("12h"), day + hours("14h30min")],
            "agents": [2, 1, 2],
        }
    )
    # The same day named: agents 0-2 early, 3-4 late, in the order the counts are handed out.
    named = pd.DataFrame(
        {
            "agent": [0, 1, 2, 3, 4],
            "start": [day + hours("8h")] * 3 + [day + hours("11h")] * 2,
            "end": [day + hours("14h")] * 3 + [day + hours("17h")] * 2,
            "break_start": [day + hours(h) for h in ("11h", "11h", "11h30min", "14h", "14h")],
        }
    )
    named["break_end"] = named["break_start"] + hours("30min")
    return index, counted, counted_breaks, named


def test_counted_shifts_and_roster_assignments_agree():
    index, counted, counted_breaks, named = _day_frames()
    volume = pd.Series(40.0, index)
    kw = {"patience": 90.0, "replications": 3, "seed": 4}
    a = simulate(volume, 240.0, shifts=counted, breaks=counted_breaks, **kw)
    b = simulate(volume, 240.0, shifts=named, **kw)
    separate = named[["agent", "break_start", "break_end"]].rename(
        columns={"break_start": "start", "break_end": "end"}
    )
    c = simulate(
        volume,
        240.0,
        shifts=named.drop(columns=["break_start", "break_end"]),
        breaks=separate,
        **kw,
    )
    pd.testing.assert_frame_equal(a.replications, b.replications)
    pd.testing.assert_frame_equal(b.replications, c.replications)
    # Within 08-16: 3 agents 08-14 and 2 agents 11-16, minus 2.5 agent-hours of lunch.
    assert a.mean["scheduled_time"].sum() == pytest.approx((3 * 6 + 2 * 5 - 2.5) * 3600)
    # During 11:00-11:30 two of the early agents are at lunch: 1 early + 2 late on.
    assert a.mean["scheduled_time"].iloc[6] == pytest.approx(3 * 1800)


def test_counted_breaks_must_fit_their_shift():
    index, counted, counted_breaks, _ = _day_frames()
    too_many = counted_breaks.assign(agents=[3, 1, 2])
    with pytest.raises(ValueError, match="4 agents on break but 3 on the shift"):
        simulate(pd.Series(1.0, index), 240.0, shifts=counted, breaks=too_many)
    stray = counted_breaks.assign(shift=["E", "E", "N"])
    with pytest.raises(ValueError, match="match no shifts row"):
        simulate(pd.Series(1.0, index), 240.0, shifts=counted, breaks=stray)


# --- accounting, reproducibility, inputs -------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    agents=st.lists(st.integers(0, 12), min_size=4, max_size=4),
    trunks=st.sampled_from([None, 5, 15]),
    patience=st.sampled_from([None, 45.0]),
    short_abandon=st.sampled_from([None, 10.0]),
)
def test_tallies_reconcile(seed, agents, trunks, patience, short_abandon):
    index = pd.date_range("2025-03-03 08:00", periods=4, freq="30min")
    result = simulate(
        pd.Series([100.0, 300.0, 200.0, 50.0], index),
        240.0,
        pd.Series(agents, index),
        trunks=trunks,
        patience=patience,
        short_abandon=short_abandon,
        replications=2,
        seed=seed,
    )
    reps = result.replications
    resolved = reps["blocked"] + reps["answered"] + reps["abandoned"] + reps["unresolved"]
    assert (reps["offered"] == resolved).all()
    assert (reps["answered_within"] <= reps["answered_cutoff"]).all()
    assert (reps["answered_cutoff"] <= reps["answered"]).all()
    assert (reps["short_abandoned"] <= reps["abandoned"]).all()
    assert (reps["busy_time"] <= reps["logged_time"] + 1e-6).all()
    if trunks is None:
        assert (reps["blocked"] == 0).all()
    if patience is None:
        assert (reps["abandoned"] == 0).all()
    else:
        assert (reps["unresolved"] == 0).all()
    if agents[-1] > 0:
        assert (reps["unresolved"] == 0).all()
    if short_abandon is None:
        assert (reps["short_abandoned"] == 0).all()
    rates = result.mean[list(METRICS)].drop(columns="asa")
    assert ((rates >= 0) & (rates <= 1) | rates.isna()).all().all()
    assert list(result.mean.columns) == list(COUNTS) + list(METRICS)
    assert result.n_calls == reps["offered"].sum()


def test_seeded_and_reproducible():
    index = pd.date_range("2025-03-03 08:00", periods=4, freq="30min")
    args = (pd.Series(200.0, index), 200.0, pd.Series(25, index))
    a = simulate(*args, patience=60, replications=3, seed=1)
    b = simulate(*args, patience=60, replications=3, seed=1)
    c = simulate(*args, patience=60, replications=3, seed=2)
    pd.testing.assert_frame_equal(a.replications, b.replications)
    assert not a.replications.equals(c.replications)


def test_empirical_samples_are_rescaled_to_the_interval_means():
    # A quiet last interval so that all work is done within the horizon.
    index = pd.date_range("2025-03-03 08:00", periods=3, freq="30min")
    result = simulate(
        pd.Series([1000.0, 1000.0, 0.0], index),
        pd.Series([100.0, 300.0, 300.0], index),
        pd.Series(1000, index),  # nobody waits: busy time is the handle time
        handle_times=[1.0, 2.0, 3.0],
        interval=1800,
        replications=2,
        seed=4,
    )
    work = result.summary()
    assert work.loc["occupancy", "mean"] > 0
    reps = result.replications
    # Every call is answered at once; busy time over the day = sum of handle times.
    assert reps["answered_within"].sum() == reps["offered"].sum()
    mean_handle = reps.groupby(level=0)["busy_time"].sum().sum() / reps["offered"].sum()
    assert mean_handle == pytest.approx(200.0, rel=0.05)


def test_quantile_spread_widens_the_intervals():
    index = pd.date_range("2025-03-03 08:00", periods=4, freq="30min")
    quantiles = pd.DataFrame({"q0.1": 150.0, "q0.5": 200.0, "q0.9": 250.0}, index=index)
    spread = simulate(quantiles, 180.0, pd.Series(25, index), replications=40, seed=6)
    flat = simulate(quantiles["q0.5"], 180.0, pd.Series(25, index), replications=40, seed=6)
    daily = spread.replications.groupby(level=0)["offered"].sum()
    assert daily.std() > 2 * flat.replications.groupby(level=0)["offered"].sum().std()
    assert spread.mean["offered"].mean() == pytest.approx(200.0, rel=0.05)
    per_interval = simulate(quantiles, 180.0, pd.Series(25, index), spread="interval", seed=6)
    assert per_interval.mean.shape == spread.mean.shape


def test_summary_selects_intervals():
    index = pd.date_range("2025-03-03 08:00", periods=4, freq="30min")
    result = simulate(pd.Series(100.0, index), 180.0, pd.Series(15, index), replications=2, seed=0)
    whole = result.summary()
    assert whole.loc["offered", "mean"] == pytest.approx(result.mean["offered"].sum())
    part = result.summary(index[:2])
    assert part.loc["offered", "mean"] == pytest.approx(result.mean["offered"].iloc[:2].sum())
    with pytest.raises(ValueError, match="not in the result"):
        result.summary([pd.Timestamp("2030-01-01")])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"agents": None}, "exactly one of agents"),
        ({"aht": None}, "aht or handle_times"),
        ({"trunks": -1}, "trunks"),
        ({"replications": 0}, "replications"),
        ({"threshold": -5}, "threshold"),
        ({"agents": [1.5, 2, 2]}, "whole numbers"),
        ({"agents": [1, 2]}, "one value per interval"),
        ({"patience": [10, 0, 10]}, "patience"),
        ({"spread": "week"}, "spread"),
        ({"confidence": 1.0}, "confidence"),
        ({"staffing": "seats"}, "staffing"),
        ({"warmup": -1}, "warmup"),
        ({"agents": pd.Series([2, 2, 2])}, "index differs"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    index = pd.date_range("2025-03-03 08:00", periods=3, freq="30min")
    args = {"volume": pd.Series(10.0, index), "aht": 180.0, "agents": [2, 2, 2]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        simulate(**args)


def test_bad_volume_and_shifts():
    index = pd.date_range("2025-03-03 08:00", periods=3, freq="30min")
    with pytest.raises(ValueError, match="volume"):
        simulate(pd.Series([1.0, -1.0, 2.0], index), 180.0, [1, 1, 1])
    with pytest.raises(ValueError, match="quantile"):
        simulate(pd.DataFrame({"p90": [1.0, 2.0, 3.0]}, index), 180.0, [1, 1, 1])
    with pytest.raises(ValueError, match="interval is required"):
        simulate(np.ones(3), 180.0, [1, 1, 1])
    bad = pd.DataFrame({"start": [100.0], "end": [50.0]})
    with pytest.raises(ValueError, match="end must be after start"):
        simulate(pd.Series(1.0, index), 180.0, shifts=bad)
    shifts = pd.DataFrame({"agent": ["a"], "start": [0.0], "end": [3600.0]})
    stray = pd.DataFrame({"agent": ["b"], "start": [10.0], "end": [20.0]})
    with pytest.raises(ValueError, match="has no shift"):
        simulate(pd.Series(1.0, index), 180.0, shifts=shifts, breaks=stray)


def test_targets_value_gives_the_keywords_simulation():
    index = pd.date_range("2026-03-02 08:00", periods=4, freq="30min")
    volume = pd.Series([60.0, 120.0, 120.0, 60.0], index=index)
    agents = pd.Series([8, 14, 14, 8], index=index)
    t = erlang.Targets.hotline(threshold=15.0)
    kw = {"patience": 60.0, "replications": 3, "seed": 5}
    by_value = simulate(volume, 240.0, agents, targets=t, **kw)
    by_keywords = simulate(
        volume, 240.0, agents, threshold=15.0, cutoff=60.0, short_abandon=20.0, **kw
    )
    pd.testing.assert_frame_equal(by_value.mean, by_keywords.mean)
    assert by_value.threshold == 15.0 and by_value.short_abandon == 20.0
    with pytest.raises(ValueError, match="targets given twice"):
        simulate(volume, 240.0, agents, targets=t, threshold=30.0, **kw)

"""Redials: the fixed point of the attempts against plain iteration of the same map and as the
long-delay limit of the exact retrial Markov chain, its limits (no redials is Erlang A; Erlang
C loses nobody), monotonicity, the caller view, exact staffing and the errors for bad input.
The agreement with the call-level simulation is in ``tests/roster/simulation/test_redials.py``.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import erlang
from erlang import Redials
from tests.erlang.retrial_chain import retrial_chain

COLUMNS = ["service_level", "asa", "abandon_rate", "answer_rate", "occupancy", "blocking"]


def iterated_attempts(fresh, aht, agents, patience, p, trunks=None, rounds=20000):
    """``x <- λ + x p (P_ab(x) + P_bl(x))`` from ``x = λ`` by the public metric functions; the
    map is increasing, so the iterates rise monotonically to the least fixed point."""
    x = fresh
    for _ in range(rounds):
        ab = erlang.abandon_rate(x, aht, agents, patience=patience, trunks=trunks)
        bl = (
            0.0
            if trunks is None
            else erlang.blocking(x, aht, agents, patience=patience, trunks=trunks)
        )
        new = fresh + x * p * (ab + bl)
        if abs(new - x) < 1e-12 * fresh:
            return new
        x = new
    raise AssertionError("plain iteration did not settle")


@pytest.mark.parametrize(
    "fresh, agents, patience, p, trunks",
    [(100.0, 18, 60.0, 0.5, None), (600.0, 100, 300.0, 0.7, None), (100.0, 14, 60.0, 0.9, None),
     (100.0, 18, 60.0, 0.5, 23), (600.0, 100, None, 0.6, 105), (30.0, 2, 200.0, 0.3, 4)],
)  # fmt: skip
def test_fixed_point_matches_plain_iteration(fresh, agents, patience, p, trunks):
    frame = erlang.kpis(fresh, 300.0, agents, patience=patience, trunks=trunks, redials=Redials(p))
    expected = iterated_attempts(fresh, 300.0, agents, patience, p, trunks)
    assert frame["attempts"].iloc[0] == pytest.approx(expected, rel=1e-8)
    # Flow balance: fresh callers = callers served + callers lost for good.
    row = frame.iloc[0]
    lost = row["caller_abandon_rate"] + row["caller_blocking"]
    assert row["served_share"] + lost == pytest.approx(1.0, abs=1e-9)


# (fresh calls per second, agents, patience [s], p_ab, p_bl, trunks); AHT 60 s.
CHAINS = [
    (0.05, 3, 30.0, 0.6, 0.6, 14),
    (0.04, 3, 90.0, 0.5, 0.9, 4),
    (0.03, 2, 60.0, 0.3, 0.8, 3),
]


@pytest.mark.parametrize("rate, agents, patience, p_ab, p_bl, trunks", CHAINS)
def test_fixed_point_is_the_long_delay_limit_of_the_retrial_chain(
    rate, agents, patience, p_ab, p_bl, trunks
):
    """Redials that come back long after the loss find the queue in its stationary state, so
    the exact chain approaches the fixed point as the delay grows; at short delays it loses
    more, which is the fixed point's error."""
    r = Redials(p_ab, blocked_probability=p_bl)
    fp = erlang.kpis(rate * 1800.0, 60.0, agents, patience=patience, trunks=trunks, redials=r)
    fp = fp.iloc[0]
    gaps = []
    for delay in (60.0, 600.0, 6000.0):
        exact = retrial_chain(rate, 60.0, agents, patience, p_ab, p_bl, delay, trunks, 300)
        assert exact["orbit_tail"] < 1e-12
        gaps.append(exact["attempts"] / (fp["attempts"] / 1800.0) - 1.0)
        served_gap = fp["served_share"] - exact["served_share"]
        assert served_gap > -1e-6  # the fixed point is optimistic at every delay
    assert gaps[0] > gaps[1] > gaps[2] > -1e-6
    assert gaps[2] < 2e-3
    assert served_gap < 2e-3
    assert exact["abandon_rate"] == pytest.approx(fp["abandon_rate"], abs=2e-3)
    assert exact["blocking"] == pytest.approx(fp["blocking"], abs=2e-3)


# The bounds of the module notes' table: (p, delay in AHT) -> attempts low by [relative],
# abandon rate low by and served share high by [shares].
DOCUMENTED = {(0.3, 0.2): (0.006, 0.017, 0.014), (0.3, 1.0): (0.003, 0.008, 0.007),
              (0.3, 5.0): (0.001, 0.003, 0.003), (0.7, 0.2): (0.058, 0.060, 0.036),
              (0.7, 1.0): (0.030, 0.034, 0.017), (0.7, 5.0): (0.011, 0.013, 0.006)}  # fmt: skip


@pytest.mark.parametrize("load, patience, short", [(4.0, 60.0, True), (20.0, 300.0, False)])
@pytest.mark.parametrize("p", [0.3, 0.7])
def test_error_against_the_retrial_chain_is_within_the_documented_table(load, patience, short, p):
    aht = 300.0
    rate = load / aht
    n = int(erlang.required_agents(rate * 1800.0, aht, patience=patience))
    n = max(1, round(0.95 * load)) if short else n
    fp = erlang.kpis(rate * 1800.0, aht, n, patience=patience, redials=Redials(p)).iloc[0]
    for delay in (0.2, 1.0, 5.0):
        exact = retrial_chain(rate, aht, n, patience, p, p, delay * aht, n + 40, 160)
        assert exact["orbit_tail"] < 1e-12
        errors = (1.0 - fp["attempts"] / 1800.0 / exact["attempts"],
                  exact["abandon_rate"] - fp["abandon_rate"],
                  fp["served_share"] - exact["served_share"])  # fmt: skip
        for error, bound in zip(errors, DOCUMENTED[(p, delay)], strict=True):
            assert 0.0 < error <= bound  # optimistic, by no more than the table says


def test_no_redials_is_erlang_a_and_erlang_c_loses_nobody():
    volume = np.array([0.0, 50.0, 200.0, 900.0])
    for kw in ({"patience": 90.0}, {"patience": 90.0, "trunks": 60}, {"trunks": 60}):
        base = erlang.kpis(volume, 240.0, 40, **kw)
        again = erlang.kpis(volume, 240.0, 40, redials=Redials(0.0), **kw)
        pd.testing.assert_frame_equal(again[COLUMNS], base[COLUMNS])
        served = 1.0 - base["abandon_rate"] - base["blocking"]
        np.testing.assert_allclose(again["served_share"], served, atol=1e-12)
    # Without patience and without trunks nobody is lost, so nobody redials.
    patient = erlang.kpis(volume[:3], 240.0, 40, redials=Redials(0.8))
    np.testing.assert_array_equal(patient["attempts"], volume[:3])
    for targets_on in ("attempts", "callers"):
        r = Redials(0.8, targets_on=targets_on)
        np.testing.assert_array_equal(
            erlang.required_agents(volume, 240.0, redials=r), erlang.required_agents(volume, 240.0)
        )
    np.testing.assert_array_equal(
        erlang.required_agents(volume, 240.0, patience=90.0, redials=Redials(0.0)),
        erlang.required_agents(volume, 240.0, patience=90.0),
    )


@settings(max_examples=60, deadline=None)
@given(
    fresh=st.floats(1.0, 2000.0),
    aht=st.floats(60.0, 600.0),
    patience=st.floats(10.0, 600.0),
    p=st.floats(0.0, 0.95),
    spare=st.floats(-0.3, 0.3),
)
def test_monotone_in_agents_volume_and_probability(fresh, aht, patience, p, spare):
    load = fresh * aht / 1800.0
    n = max(1.0, np.round(load * (1.0 + spare)))
    kw = {"patience": patience}

    def row(volume, agents, prob):
        return erlang.kpis(volume, aht, agents, redials=Redials(prob), **kw).iloc[0]

    base, more = row(fresh, n, p), row(fresh, n + 1, p)
    tol = 1e-9
    assert more["attempts"] <= base["attempts"] * (1 + tol)
    for name in ("service_level", "caller_service_level", "answer_rate", "served_share"):
        assert more[name] >= base[name] - tol
    assert more["abandon_rate"] <= base["abandon_rate"] + tol
    busier = row(fresh * 1.1, n, p)
    assert busier["attempts"] >= base["attempts"]
    assert busier["caller_service_level"] <= base["caller_service_level"] + tol
    # More redials: more attempts, and more of the fresh callers served in the end.
    keen = row(fresh, n, min(p + 0.04, 0.99))
    assert keen["attempts"] >= base["attempts"] * (1 - tol)
    assert keen["served_share"] >= base["served_share"] - tol
    assert fresh <= base["attempts"] <= fresh / (1.0 - p) * (1 + tol)


@settings(max_examples=40, deadline=None)
@given(
    fresh=st.floats(1.0, 1500.0),
    ratio=st.floats(1.0, 4.0),
    p_ab=st.floats(0.0, 0.9),
    p_bl=st.floats(0.0, 0.95),
    spare=st.floats(-0.3, 0.3),
    room=st.integers(1, 30),
)
def test_monotone_in_agents_under_trunks_when_patience_outlasts_service(
    fresh, ratio, p_ab, p_bl, spare, room
):
    """With patience at least the handle time, each agent added below the cap improves every
    metric but abandonment: fewer callers hear busy tone, and a few more of those let in may
    hang up, so the abandon rate alone may rise a little; the callers lost either way fall."""
    aht = 300.0
    load = fresh * aht / 1800.0
    n = max(1.0, np.round(load * (1.0 + spare)))
    r = Redials(p_ab, blocked_probability=p_bl)
    kw = {"patience": aht * ratio, "trunks": n + room, "redials": r}
    base = erlang.kpis(fresh, aht, n, **kw).iloc[0]
    more = erlang.kpis(fresh, aht, n + 1, **kw).iloc[0]
    tol = 1e-9
    assert more["attempts"] <= base["attempts"] * (1 + tol)
    for name in ("service_level", "caller_service_level", "answer_rate", "served_share"):
        assert more[name] >= base[name] - tol
    for name in ("blocking", "caller_blocking"):
        assert more[name] <= base[name] + tol
    for abandon, blocked in (
        ("abandon_rate", "blocking"),
        ("caller_abandon_rate", "caller_blocking"),
    ):
        assert more[abandon] + more[blocked] <= base[abandon] + base[blocked] + tol


def brute_minimum(fresh, aht, patience, redials, targets, trunks=None, most=400):
    """The fewest agents meeting the targets, by the KPIs of every count from 1 up."""
    counts = np.arange(1.0, most + 1.0)
    if trunks is not None:
        counts = counts[counts <= trunks]
    ok = _meets(fresh, aht, counts, patience, redials, targets, trunks)
    return counts[np.argmax(ok)] if ok.any() else np.nan


@pytest.mark.parametrize("trunks", [None, 1.1, 1.6])
@pytest.mark.parametrize("on", ["attempts", "callers"])
@pytest.mark.parametrize("p", [0.3, 0.8])
def test_staffing_equals_the_brute_force_minimum_on_a_grid(trunks, on, p):
    """Every count is tried: the search may start anywhere, it must end on the fewest."""
    fresh = np.array([12.0, 150.0, 700.0, 12.0, 150.0, 700.0])
    patience = np.array([45.0, 45.0, 45.0, 300.0, 300.0, 300.0])
    aht = 240.0
    cap = None if trunks is None else np.ceil(fresh * aht / 1800.0 * trunks) + 6.0
    targets = erlang.Targets(service_level=0.8, max_abandon=0.08)
    r = Redials(p, blocked_probability=0.9, targets_on=on)
    got = erlang.required_agents(
        fresh, aht, patience=patience, trunks=cap, redials=r, targets=targets
    )
    want = [brute_minimum(fresh[i], aht, patience[i], r, targets,
                          None if cap is None else cap[i]) for i in range(fresh.size)]  # fmt: skip
    np.testing.assert_array_equal(got, want)
    plain = erlang.required_agents(fresh, aht, patience=patience, trunks=cap, targets=targets)
    if on == "attempts":  # counted per caller, a redial is a second chance and may need fewer
        assert np.all(got >= plain)


def _meets(volume, aht, agents, patience, redials, targets, trunks=None):
    frame = erlang.kpis(
        volume, aht, agents, patience=patience, trunks=trunks, redials=redials, targets=targets
    )
    return frame["meets_targets"].to_numpy()


@settings(max_examples=40, deadline=None)
@given(
    fresh=st.floats(5.0, 1500.0),
    aht=st.floats(120.0, 480.0),
    patience=st.floats(20.0, 400.0),
    p=st.floats(0.05, 0.9),
    on=st.sampled_from(["attempts", "callers"]),
    hotline=st.booleans(),
)
def test_staffing_is_the_exact_minimum(fresh, aht, patience, p, on, hotline):
    # Targets.met reads the answer rate net of short abandons (as kpis reports it) and the
    # staffing gross of them, so the check leaves short abandons out.
    targets = erlang.Targets(service_level=0.8)
    if hotline:
        targets = erlang.Targets.hotline(short_abandon=None)
    r = Redials(p, targets_on=on)
    n = erlang.required_agents(fresh, aht, patience=patience, redials=r, targets=targets)
    assert _meets(fresh, aht, n, patience, r, targets)[0]
    if n > 1:
        assert not _meets(fresh, aht, n - 1, patience, r, targets)[0]


def test_staffing_vectorized_with_series_trunks_and_per_interval_targets():
    index = pd.date_range("2026-03-02 08:00", periods=5, freq="30min")
    volume = pd.Series([0.0, 80.0, 250.0, 400.0, 120.0], index=index)
    r = Redials(0.6, blocked_probability=0.9)
    sl = np.array([0.8, 0.8, 0.9, 0.9, 0.8])
    n = erlang.required_agents(volume, 300.0, patience=60.0, trunks=120, redials=r,
                               service_level=sl, max_blocking=0.02)  # fmt: skip
    assert isinstance(n, pd.Series) and n.index.equals(index) and n.iloc[0] == 0
    for i in range(1, 5):
        targets = erlang.Targets(service_level=sl[i], max_blocking=0.02)
        assert _meets(volume.iloc[i], 300.0, n.iloc[i], 60.0, r, targets, trunks=120)[0]
        assert not _meets(volume.iloc[i], 300.0, n.iloc[i] - 1, 60.0, r, targets, trunks=120)[0]
        single = erlang.required_agents(volume.iloc[i], 300.0, patience=60.0, trunks=120,
                                        redials=r, targets=targets)  # fmt: skip
        assert single == n.iloc[i]
    with pytest.raises(erlang.TrunksTooFew):
        erlang.required_agents(volume, 300.0, patience=60.0, trunks=20, redials=r)


def test_redials_raise_staffing_on_attempts_and_callers_count_once():
    volume = np.array([100.0, 600.0])
    plain = erlang.required_agents(volume, 300.0, patience=60.0)
    on_attempts = erlang.required_agents(volume, 300.0, patience=60.0, redials=Redials(0.7))
    assert np.all(on_attempts > plain)
    frame = erlang.kpis(volume, 300.0, on_attempts, patience=60.0, redials=Redials(0.7))
    # Counted per caller, the redials that succeed are service the attempt view misses.
    assert np.all(frame["caller_service_level"] > frame["service_level"])
    assert np.all(frame["redials"] == frame["attempts"] - frame["volume"])


def test_bad_input_names_the_argument():
    for kw, word in [
        ({"probability": 1.0}, "probability"),
        ({"probability": -0.1}, "probability"),
        ({"probability": 0.5, "delay": 0.0}, "delay"),
        ({"probability": 0.5, "delay": float("inf")}, "delay"),
        ({"probability": 0.5, "blocked_probability": 1.5}, "blocked_probability"),
        ({"probability": 0.5, "targets_on": "calls"}, "targets_on"),
    ]:
        with pytest.raises(ValueError, match=word):
            Redials(**kw)
    with pytest.raises(TypeError, match="probability"):
        Redials("0.5")
    with pytest.raises(TypeError, match="delay"):
        Redials(0.5, delay="300")
    with pytest.raises(TypeError, match="redials"):
        erlang.kpis(100.0, 300.0, 20, patience=60.0, redials=0.5)
    with pytest.raises(ValueError, match="volume"):
        erlang.kpis(-1.0, 300.0, 20, patience=60.0, redials=Redials(0.5))
    with pytest.raises(ValueError, match="fractional"):
        erlang.required_agents(100.0, 300.0, patience=60.0, fractional=True, redials=Redials(0.5))
    with pytest.raises(ValueError, match="modified"):
        erlang.required_agents([100.0, 90.0], 300.0, load="modified", redials=Redials(0.5))

"""The centre's rosters simulated with skill-based routing: against the single-queue simulation
of named agents (its own kernel) where routing reduces to one queue and one group."""

import numpy as np
import pandas as pd
import pytest

from erlang.skills import AgentGroup, Centre, Queue
from erlang.targets import Targets
from roster import simulate
from roster.simulation.centre import simulate_rosters

DAY = pd.date_range("2026-03-02 08:00", periods=20, freq="30min")


def _roster(n=34, seed=0):
    """``n`` agents on eight-hour shifts starting every quarter hour from 08:00, each with a
    30-minute meal in the middle of the shift."""
    rng = np.random.default_rng(seed)
    start = DAY[0] + pd.to_timedelta(rng.integers(0, 9, n) * 900, unit="s")
    end = start + pd.Timedelta(hours=8)
    meal = start + pd.to_timedelta(rng.integers(12, 18, n) * 900, unit="s")
    agents = [f"a{k:02d}" for k in range(n)]
    shifts = pd.DataFrame({"agent": agents, "start": start, "end": end, "shift": "day"})
    meals = pd.DataFrame({"agent": agents, "start": meal, "end": meal + pd.Timedelta("30min")})
    return shifts, meals


def _both(shifts, meals, short_breaks, absence):
    """The day's summary by the centre simulation and by the named-agent simulation."""
    volume = pd.Series(np.r_[np.linspace(150, 260, 10), np.linspace(260, 120, 10)], DAY)
    targets = Targets(service_level=0.8, threshold=20.0)
    queue = Queue("q", aht=200.0, patience=120.0, targets=targets)
    centre = Centre([queue], [AgentGroup("g", ["q"])])
    kw = {"replications": 40, "seed": 3}
    mine = simulate_rosters(
        volume.to_frame("q"),
        centre,
        {"g": (shifts, meals)},
        short_breaks=None if short_breaks is None else {"day": short_breaks},
        absence=absence,
        **kw,
    ).summary()
    named = simulate(
        volume,
        200.0,
        shifts=shifts[["agent", "start", "end"]],
        breaks=meals,
        short_breaks=short_breaks,
        absence=absence,
        late_breaks="shorten",
        patience=120.0,
        targets=targets,
        **kw,
    ).summary()
    return mine, named


def test_one_queue_one_group_agrees_with_the_named_agent_simulation():
    shifts, meals = _roster()
    mine, named = _both(shifts, meals, None, 0.1)
    for metric in ("service_level", "abandon_rate", "asa"):
        a, b = mine.loc[("q", metric)], named.loc[metric]
        assert abs(a["mean"] - b["mean"]) <= 1.5 * np.hypot(a["half_width"], b["half_width"])
    # absence shows: the same roster without it serves better
    full, _ = _both(shifts, meals, None, None)
    assert full.loc[("q", "service_level"), "low"] > mine.loc[("q", "service_level"), "high"]


def test_short_breaks_as_a_pool_err_on_the_safe_side():
    """A short break that starts while its agent is busy: the named agent goes when its own
    call ends, the pool's leaver at the group's next call end, a little earlier; the pool's
    service comes out a few points lower, never higher."""
    shifts, meals = _roster()
    mine, named = _both(shifts, meals, 300.0, None)
    a, b = mine.loc[("q", "service_level")], named.loc["service_level"]
    assert a["mean"] <= b["mean"] + np.hypot(a["half_width"], b["half_width"])
    assert b["mean"] - a["mean"] <= 0.05


def test_a_group_without_a_roster_serves_nobody_and_bad_input_is_named():
    shifts, meals = _roster(n=6)
    centre = Centre(
        [Queue("x", aht=120.0), Queue("y", aht=120.0)],
        [AgentGroup("gx", ["x"]), AgentGroup("gy", ["y"])],
    )
    volume = pd.DataFrame({"x": 20.0, "y": 20.0}, index=DAY)
    sim = simulate_rosters(volume, centre, {"gx": (shifts, meals)}, replications=3)
    s = sim.summary()
    assert s.loc[("y", "service_level"), "mean"] == 0.0
    assert s.loc[("x", "service_level"), "mean"] > 0.5
    with pytest.raises(ValueError, match="not in the centre"):
        simulate_rosters(volume, centre, {"gz": (shifts, meals)})
    with pytest.raises(ValueError, match="replications"):
        simulate_rosters(volume, centre, {"gx": (shifts, meals)}, replications=1)


def test_the_forecast_spread_draws_negative_binomial_days_and_costs_service():
    """With a dispersion φ, each interval's count over the replications has the variance of a
    negative binomial, m + φ m², and the same roster serves worse than on the mean."""
    shifts, meals = _roster(n=30)
    centre = Centre(
        [Queue("x", aht=200.0, patience=120.0), Queue("y", aht=200.0)],
        [AgentGroup("g", ["x", "y"])],
    )
    volume = pd.DataFrame({"x": 120.0, "y": 60.0}, index=DAY)
    rosters = {"g": (shifts, meals)}
    spread = simulate_rosters(
        volume, centre, rosters, dispersion={"x": 0.04}, replications=200, seed=1
    )
    t = 1.972  # t quantile of 0.975 with 199 degrees of freedom
    for queue, m, phi in (("x", 120.0, 0.04), ("y", 60.0, 0.0)):
        rows = spread.queues[spread.queues["unique_id"] == queue]
        assert rows["offered"].mean() == pytest.approx(m, rel=0.02)
        variance = (rows["offered_hw"] * np.sqrt(200) / t) ** 2
        assert variance.mean() == pytest.approx(m + phi * m * m, rel=0.15)
    flat = simulate_rosters(volume, centre, rosters, replications=200, seed=1)
    s, f = spread.summary(), flat.summary()
    assert s.loc[("x", "service_level"), "mean"] < f.loc[("x", "service_level"), "mean"]
    with pytest.raises(ValueError, match=r"queues \['z'\]"):
        simulate_rosters(volume, centre, rosters, dispersion={"z": 0.1})
    with pytest.raises(ValueError, match="finite and >= 0"):
        simulate_rosters(volume, centre, rosters, dispersion={"x": -0.1})

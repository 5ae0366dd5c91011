"""The M/M/n+G formulas against call-level simulation, which shares none of their code: each
simulated caller draws a patience from the law and hangs up when the wait reaches it."""

import pandas as pd
import pytest

import erlang
from erlang.skills import AgentGroup, Centre, Queue, simulate_centre
from roster.simulation import simulate

LAWS = {
    "weibull 0.6": erlang.Weibull.from_mean(60.0, 0.6),
    "lognormal cv 1": erlang.LogNormal.from_cv(60.0, 1.0),
    "deterministic": erlang.Deterministic(60.0),
}
# (calls per half hour, agents) with AHT 180 s: light, near full and overloaded.
LOADS = [(200.0, 22), (300.0, 29), (600.0, 56)]
METRICS = ["service_level", "answer_rate", "abandon_rate", "asa", "occupancy"]
INDEX = pd.date_range("2025-03-03 08:00", periods=12, freq="30min")


@pytest.mark.parametrize("load", LOADS, ids=lambda c: f"{c[0]:g} calls on {c[1]}")
@pytest.mark.parametrize("name", LAWS)
def test_roster_simulate_agrees(name, load):
    law, (volume, agents) = LAWS[name], load
    result = simulate(
        pd.Series(volume, INDEX),
        180.0,
        pd.Series(agents, INDEX),
        patience=law,
        short_abandon=20.0,
        warmup=3600.0,
        replications=10,
        confidence=0.99,
        seed=17,
    )
    summary = result.summary()
    exact = erlang.kpis(volume, 180.0, agents, patience=law, short_abandon=20.0).iloc[0]
    for metric in METRICS:
        row = summary.loc[metric]
        assert abs(row["mean"] - exact[metric]) <= row["half_width"], (metric, row, exact)


def test_simulate_centre_draws_from_the_law():
    law = erlang.Weibull.from_mean(60.0, 0.6)
    targets = erlang.Targets(service_level=0.8, threshold=20.0)
    queue = Queue("q", aht=180.0, patience=law, targets=targets)
    centre = Centre([queue], [AgentGroup("g", ["q"])])
    day = pd.date_range("2026-03-02", periods=16, freq="30min")
    sim = simulate_centre(
        pd.DataFrame({"q": 300.0}, index=day),
        centre,
        pd.DataFrame({"g": 28}, index=day),
        replications=20,
        seed=4,
        confidence=0.99,
    )
    summary = sim.summary(slice(2, None))
    exact = erlang.kpis(300.0, 180.0, 28, patience=law).iloc[0]
    for metric in ("service_level", "abandon_rate", "asa"):
        row = summary.loc[("q", metric)]
        assert abs(row["mean"] - exact[metric]) <= row["half_width"], (metric, row, exact)
    # A law's mean alone (Erlang A) is visibly off here: the shape matters.
    erlang_a = erlang.abandon_rate(300.0, 180.0, 28, patience=60.0)
    assert abs(summary.loc[("q", "abandon_rate"), "mean"] - erlang_a) > 0.005

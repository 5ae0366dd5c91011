"""Replications of a multi-skill centre: against Erlang where routing reduces to one pool,
and the effects routing must show (pooling, priority, overflow)."""

import numpy as np
import pandas as pd
import pytest

import erlang
from erlang.skills import AgentGroup, Centre, Queue, simulate_centre

DAY = pd.date_range("2026-03-02", periods=16, freq="30min")
SL20 = erlang.Targets(service_level=0.8, threshold=20.0)


def _frame(**columns):
    return pd.DataFrame(columns, index=DAY)


def _near(summary, queue, metric, formula, k=3.0):
    row = summary.loc[(queue, metric)]
    return abs(row["mean"] - formula) <= k * row["half_width"] + 1e-12


def test_one_queue_is_erlang_c():
    centre = Centre([Queue("q", aht=90.0, targets=SL20)], [AgentGroup("g", ["q"])])
    sim = simulate_centre(_frame(q=400.0), centre, _frame(g=22), replications=20, seed=1)
    s = sim.summary(slice(2, None))  # one hour of warm-up from an empty start
    assert _near(s, "q", "service_level", erlang.service_level(400.0, 90.0, 22, threshold=20))
    assert _near(s, "q", "asa", erlang.asa(400.0, 90.0, 22))
    assert _near(s, "g", "occupancy", erlang.occupancy(400.0, 90.0, 22))


def test_two_groups_on_one_queue_are_one_pool_and_patience_is_erlang_a():
    centre = Centre(
        [Queue("q", aht=180.0, patience=60.0, targets=SL20)],
        [AgentGroup("a", ["q"]), AgentGroup("b", ["q"])],
    )
    sim = simulate_centre(_frame(q=300.0), centre, _frame(a=12, b=17), replications=20, seed=2)
    s = sim.summary(slice(2, None))
    kw = {"patience": 60.0}
    assert _near(s, "q", "service_level", erlang.service_level(300.0, 180.0, 29, **kw))
    assert _near(s, "q", "abandon_rate", erlang.abandon_rate(300.0, 180.0, 29, **kw))
    assert _near(s, "q", "asa", erlang.asa(300.0, 180.0, 29, **kw))


def test_dedicated_groups_serve_their_queues_alone():
    centre = Centre(
        [Queue("x", aht=120.0, targets=SL20), Queue("y", aht=300.0, targets=SL20)],
        [AgentGroup("gx", ["x"]), AgentGroup("gy", ["y"])],
    )
    sim = simulate_centre(
        _frame(x=600.0, y=200.0), centre, _frame(gx=44, gy=37), replications=20, seed=3
    )
    s = sim.summary(slice(2, None))
    assert _near(s, "x", "service_level", erlang.service_level(600.0, 120.0, 44, threshold=20))
    assert _near(s, "y", "service_level", erlang.service_level(200.0, 300.0, 37, threshold=20))


def test_priority_and_pooling_show():
    queues = [
        Queue("normal", aht=300.0, patience=120.0, targets=SL20),
        Queue("vip", aht=300.0, patience=120.0, priority=1, targets=SL20),
    ]
    shared = Centre(queues, [AgentGroup("all", ["normal", "vip"])])
    volume = _frame(normal=150.0, vip=150.0)
    s = simulate_centre(volume, shared, _frame(all=50), replications=10, seed=4).summary()
    assert s.loc[("vip", "asa"), "high"] < s.loc[("normal", "asa"), "low"]
    # the same 50 agents split 25/25 serve both queues worse than pooled
    split = Centre(queues, [AgentGroup("n", ["normal"]), AgentGroup("v", ["vip"])])
    t = simulate_centre(volume, split, _frame(n=25, v=25), replications=10, seed=4).summary()
    pooled = (s.loc[("normal", "asa"), "mean"] + s.loc[("vip", "asa"), "mean"]) / 2
    separate = (t.loc[("normal", "asa"), "mean"] + t.loc[("vip", "asa"), "mean"]) / 2
    assert pooled < separate


def test_overflow_helps_a_queue_and_costs_the_other():
    queues = [Queue("a", aht=300.0, targets=SL20), Queue("b", aht=300.0, targets=SL20)]
    alone = Centre(queues, [AgentGroup("ga", ["a"]), AgentGroup("gb", ["b"])])
    helped = Centre(
        queues, [AgentGroup("ga", ["a"]), AgentGroup("gb", ["b", "a"], overflow={"a": 20.0})]
    )
    volume, staff = _frame(a=200.0, b=100.0), _frame(ga=34, gb=20)
    s0 = simulate_centre(volume, alone, staff, replications=10, seed=5).summary(slice(2, None))
    s1 = simulate_centre(volume, helped, staff, replications=10, seed=5).summary(slice(2, None))
    assert s1.loc[("a", "service_level"), "mean"] > s0.loc[("a", "service_level"), "mean"]
    assert s1.loc[("gb", "occupancy"), "mean"] > s0.loc[("gb", "occupancy"), "mean"]


def test_counts_add_up_and_inputs_long_or_wide_agree():
    centre = Centre(
        [Queue("x", aht=200.0, patience=30.0), Queue("y", aht=200.0)],
        [AgentGroup("g", ["x", "y"], aht_factor={"y": 1.5})],
    )
    volume = _frame(x=100.0, y=50.0)
    wide = simulate_centre(volume, centre, _frame(g=15), replications=3, seed=6)
    q = wide.queues
    total = q["answered"] + q["abandoned"] + q["unresolved"]
    np.testing.assert_allclose(total, q["offered"])
    g = wide.groups
    assert (g["logged_time"] == 15 * 1800).all() and (g["occupancy"] <= 1).all()
    long = (
        volume.rename_axis("ds").reset_index().melt("ds", var_name="unique_id", value_name="calls")
    )
    long = long.rename(columns={"calls": "y"})
    again = simulate_centre(long, centre, _frame(g=15), replications=3, seed=6)
    pd.testing.assert_frame_equal(again.queues, wide.queues)
    assert again.calls == wide.calls > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"staffing": _frame(g=2.5)}, "whole agents, got 2.5"),
        ({"volume": _frame(x=1.0, z=1.0)}, r"columns \['z'\] are not in the centre"),
        ({"volume": _frame(x=-1.0)}, "volume must be finite and >= 0"),
        ({"interval": 0}, "interval=0"),
        ({"replications": 1}, "replications=1"),
        ({"confidence": 1.0}, "confidence=1.0"),
        ({"volume": [_frame(x=10.0)] * 3}, r"10 DataFrames \(one per replication\), got 3"),
        (
            {"volume": [_frame(x=10.0), _frame(x=10.0).iloc[1:]], "replications": 2},
            "same intervals",
        ),
    ],
)
def test_bad_input_is_named(kwargs, message):
    centre = Centre([Queue("x", aht=200.0)], [AgentGroup("g", ["x"])])
    args = {"volume": _frame(x=10.0), "staffing": _frame(g=2), **kwargs}
    volume, staffing = args.pop("volume"), args.pop("staffing")
    with pytest.raises(ValueError, match=message):
        simulate_centre(volume, centre, staffing, **args)

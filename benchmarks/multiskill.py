"""Multi-skill staffing: time, cost against separate Erlang pools, and the targets by simulation.

Two centres, each staffed for a day of 48 half-hour intervals by
:func:`erlang.skills.staff_centre` (simulation and cutting planes):

- *carrier*: pre-sales (240 s), after-sales (360 s, a tier 10% slower) and a VIP line
  (300 s, 90/15, priority), each with its own group, and a senior group taking all three, the
  VIP line first; 25 to 330 calls per half hour per queue, a two-peaked day;
- *small queues*: three 5-erlang queues (80/20, patience 120 s) with a group each and one
  cross-trained group, where pooling pays most;
- *carrier week by shifts*: the bundled carrier sample (:func:`roster.planning.carrier_sample`,
  the hotline targets on every queue, the VIP line at 90/15) over its last week of history
  (336 intervals), staffed by shift and day (the plan's shifts: 8.5 h starting every hour, 30%
  shrinkage): agents per group and shift, the separate pools scheduled by the same shifts.

Each row gives the CPU time, the candidate staffings simulated, the cutting-plane rounds and
cuts, the cost against each queue on its own Erlang pool (the saving), and per queue the
day's service level in an independent check simulation (ten replications) with its 95%
half-width and the intervals whose interval lies wholly under the target.
"""

import time

import numpy as np
import pandas as pd

import erlang
from erlang.skills import AgentGroup, Centre, Queue, staff_centre

STD = erlang.Targets(service_level=0.8, threshold=20.0)
VIP = erlang.Targets(service_level=0.9, threshold=15.0)


def carrier():
    queues = [
        Queue("presales", aht=240.0, patience=90.0, targets=STD),
        Queue("aftersales", aht=360.0, patience=120.0, targets=STD),
        Queue("vip", aht=300.0, patience=60.0, priority=1, targets=VIP),
    ]
    groups = [
        AgentGroup("pre", ["presales"]),
        AgentGroup("after", ["aftersales"], aht_factor=1.1),
        AgentGroup("vip", ["vip"]),
        AgentGroup("senior", ["presales", "aftersales", "vip"], rank={"vip": 0}),
    ]
    index = pd.date_range("2026-03-02", periods=48, freq="30min")
    h = np.arange(48) / 2.0
    shape = np.exp(-(((h - 10.5) / 3.0) ** 2)) + 0.8 * np.exp(-(((h - 15.5) / 2.5) ** 2)) + 0.05
    volume = pd.DataFrame(
        {"presales": 300 * shape, "aftersales": 200 * shape, "vip": 40 * shape}, index=index
    )
    return Centre(queues, groups), volume


def small_queues():
    queues = [Queue(n, aht=300.0, patience=120.0, targets=STD) for n in "abc"]
    groups = [AgentGroup(f"g{n}", [n]) for n in "abc"] + [AgentGroup("flex", list("abc"))]
    index = pd.date_range("2026-03-02", periods=48, freq="30min")
    volume = pd.DataFrame({n: 30.0 for n in "abc"}, index=index)
    return Centre(queues, groups), volume


def carrier_week():
    from roster.planning.centre import shift_table
    from roster.planning.pipeline import default_templates
    from roster.planning.samples import carrier_sample

    history, centre = carrier_sample()
    wide = history.pivot(index="ds", columns="unique_id", values="y")[centre.queue_names]
    volume = wide.iloc[-336:].astype(float)
    dates = pd.date_range(volume.index[0].normalize(), periods=7, freq="D")
    shifts = shift_table(default_templates(), dates, volume.index, 1800, 0.7)
    return centre, volume, shifts


def run(quick: bool = False) -> pd.DataFrame:
    """One row per centre and queue."""
    rows = []
    cases = [("carrier", carrier), ("small queues", small_queues)]
    if not quick:
        cases.append(("carrier week by shifts", carrier_week))
    for name, make in cases:
        centre, volume, *shifts = make()
        if quick:
            volume = volume.iloc[16:24]
        t0 = time.process_time()
        result = staff_centre(volume, centre, seed=1, shifts=shifts[0] if shifts else None)
        cpu = time.process_time() - t0
        summary = result.check.summary()
        for queue in centre.queues:
            target = float(queue.targets.service_level)
            per = result.check.queues.query("unique_id == @queue.name")
            row = summary.loc[(queue.name, "service_level")]
            rows.append(
                {
                    "centre": name,
                    "queue": queue.name,
                    "intervals": len(volume),
                    "cpu_s": cpu,
                    "evaluations": result.evaluations,
                    "rounds": result.rounds,
                    "cuts": result.cuts,
                    "agents": float(result.staffing.to_numpy().sum()),
                    "separate_agents": float(result.separate.to_numpy().sum()),
                    "saved": result.saved,
                    "target": target,
                    "service_level": row["mean"],
                    "half_width": row["half_width"],
                    "intervals_below": int(
                        (per.service_level + per.service_level_hw < target).sum()
                    ),
                }
            )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    import sys

    from benchmarks import print_table

    print_table(run(quick="--quick" in sys.argv))

"""Named-roster benchmark: a 24x7 hotline month at 15-minute intervals.

150 agents (a few with approved leave), default :class:`roster.Rules`, 8.5-hour shifts (a
30-minute unpaid meal, 8 h paid) starting every hour. The requirement has a daily double
peak, a weekly cycle, a month-start surge and a night floor of 2, scaled so that the team's
contracted hours can just about cover it. Reported: solve time, coverage shortfall
(agent-hours short after meals are placed), cost of the roster as modelled against the value
of the restricted master LP and the proven lower bound (the better of the Lagrangian bound of
column generation with exact pricing and the aggregate model with whole agents per shift and
day), the rule violations :func:`roster.check` finds, and the spread of big nights and
weekends worked across agents (fair shares).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roster.check import check
from roster.people.build import build_roster
from roster.rules import Rules
from roster.shifts import shift_family


def hotline_requirement(start="2025-03-01", days=31, interval=900, scale=1.0) -> pd.Series:
    """Agents required per interval of a synthetic 24x7 hotline month."""
    idx = pd.date_range(start, periods=days * 86400 // interval, freq=f"{interval}s")
    hour = idx.hour + idx.minute / 60
    daily = (
        4 + 38 * np.exp(-(((hour - 10.5) / 2.2) ** 2)) + 30 * np.exp(-(((hour - 15) / 2.5) ** 2))
    )
    daily += 10 * np.exp(-(((hour - 20) / 2.0) ** 2))
    weekly = np.where(idx.day_of_week >= 5, 0.75, 1.0)
    month_start = np.where(idx.day <= 3, 1.15, 1.0)
    req = np.maximum(np.round(scale * daily * weekly * month_start), 2)
    return pd.Series(req, index=idx, name="agents")


def run(quick: bool = False) -> pd.DataFrame:
    """Build the month and measure it; ``quick`` uses 40 agents and a week."""
    agents = 40 if quick else 150
    days = 7 if quick else 31
    templates = shift_family(
        (8 * 3600 + 1800,), step=3600, earliest="00:00", latest="23:00", short_breaks=0
    )
    req = hotline_requirement(days=days, scale=2.0 * agents / 150)
    rng = np.random.default_rng(0)
    dates = pd.date_range("2025-03-01", periods=days, freq="D")
    # a week cannot absorb 3 leave days within the prorated monthly band: leave only in
    # the full month
    on_leave = rng.choice(agents, size=0 if quick else agents // 10, replace=False)
    leave = pd.DataFrame(
        [
            {"agent": f"A{i + 1:03d}", "date": d}
            for i in on_leave
            for d in dates[rng.integers(0, days - 3) :][:3]
        ],
        columns=["agent", "date"],
    )
    rules = Rules()
    names = [f"A{i + 1:03d}" for i in range(agents)]
    roster = build_roster(
        req,
        templates,
        names,
        rules=rules,
        leave=leave,
        calendar=None,
        month_days=31,
        # a ceiling well above the build's work (68 s on a quiet 2-core machine), so that
        # the roster measured is the one its work limits give on any machine
        time_limit=180,
    )
    violations = check(
        roster.assignments,
        rules,
        dates=dates,
        agents=names,
        leave=leave,
        month_days=31,
    )
    hard = violations[violations["severity"] == "hard"]
    short = roster.coverage["gap"].clip(upper=0).abs().sum() * 0.25
    totals = roster.totals
    return pd.DataFrame(
        [
            {
                "case": f"{agents} agents x {days} days, 15-min",
                "agents": agents,
                "intervals": len(req),
                "templates": len(templates),
                "time_s": round(roster.time_s, 1),
                "time_limit_hit": roster.stats["time_limit_hit"],
                "rounds": roster.stats["rounds"],
                "columns": roster.stats["columns"],
                "converged": roster.converged,
                "cost": round(roster.cost, 1),
                "master_lp": round(float(roster.stats["lp"]), 1),
                "lower_bound": round(roster.lower_bound, 1),
                "gap_pct": round(roster.gap_pct, 2),
                "short_agent_h": round(float(short), 1),
                "required_agent_h": round(float(req.sum()) * 0.25, 1),
                "hard_violations": len(hard),
                "nights_min_max": f"{totals['nights'].min()}-{totals['nights'].max()}",
                "nights_std": round(float(totals["nights"].std()), 2),
                "weekends_min_max": f"{totals['weekends'].min()}-{totals['weekends'].max()}",
                "weekends_std": round(float(totals["weekends"].std()), 2),
            }
        ]
    )


if __name__ == "__main__":
    from benchmarks import print_table

    print_table(run())

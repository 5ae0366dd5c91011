"""The report of a multi-skill centre's plan: its tables, the roster workbook and figures per
agent group (with its skills) and per queue (with its targets)."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from roster.plots import plot_roster

__all__ = ["plot_group_coverage", "plot_queue_service", "write_centre_report"]


def plot_group_coverage(plan, *, figsize=None) -> Figure:
    """Each agent group's requirement and rostered agents by time of day, one panel a group.

    Lines are the mean over the plan's days of ``required`` and ``net`` (agents at work less
    breaks) per interval of the day; the band is the rostered ``net`` from its worst to its
    best day; where the mean falls short of the requirement it is shaded. Each panel is titled
    with the group, its skills and its agents.
    """
    cov = plan.coverage
    groups = plan.centre.groups
    fig = Figure(figsize=figsize or (12, 2.4 * len(groups) + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(groups), 1, sharex=True))
    agents = plan.totals["group"].value_counts() if len(plan.totals) else pd.Series(dtype=int)
    for ax, group in zip(axes, groups, strict=True):
        mine = cov[cov["group"] == group.name]
        ds = pd.DatetimeIndex(mine["ds"])
        hour = np.asarray((ds - ds.normalize()).total_seconds() / 3600.0)
        stats = mine.assign(hour=hour).groupby("hour")
        required = stats["required"].mean()
        net = stats["net"].agg(["mean", "min", "max"])
        x = required.index.to_numpy(float)
        ax.fill_between(x, net["min"], net["max"], step="post", color="#2b7bba", alpha=0.15,
                        label="rostered, worst to best day")  # fmt: skip
        ax.step(x, required, where="post", color="black", lw=1.2, label="required, mean")
        ax.step(x, net["mean"], where="post", color="#2b7bba", lw=1.2, label="rostered, mean")
        short = (net["mean"] < required - 1e-9).to_numpy()
        if short.any():
            ax.fill_between(x, net["mean"], required, where=short, step="post", color="#d62728",
                            alpha=0.4, label="short on average")  # fmt: skip
        ax.set_title(
            f"{group.name} ({', '.join(group.skills)}): {int(agents.get(group.name, 0))} agents",
            fontsize="medium",
        )
        ax.set_ylabel("agents")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="upper left", fontsize="small", ncols=4)
    axes[-1].set_xlabel("time of day [h]")
    axes[-1].set_xticks(range(0, 25, 2))
    fig.suptitle("Agents per group by time of day")
    return fig


def plot_queue_service(plan, *, figsize=(12, 4)) -> Figure:
    """Each queue's simulated service level per day (the day's calls over its replications),
    its confidence band and its target, from the simulation of the rosters as built."""
    if plan.simulation is None:
        raise ValueError("the plan was not simulated (replications=0): no service to plot")
    sim = plan.simulation
    ds = pd.DatetimeIndex(sim.queues["ds"].unique())
    days = ds.normalize().unique()
    # each day's service level and confidence interval from the replications' day totals
    per_day = [sim.summary(np.asarray(ds.normalize() == day)) for day in days]
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    colors = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
    for k, queue in enumerate(plan.centre.queues):
        rows = [s.loc[(queue.name, "service_level")] for s in per_day]
        mean = np.array([r["mean"] for r in rows])
        hw = np.nan_to_num(np.array([r["half_width"] for r in rows]))
        color = colors[k % len(colors)]
        ax.fill_between(days, mean - hw, np.minimum(mean + hw, 1.0), color=color, alpha=0.2)
        ax.plot(days, mean, "o-", ms=3, color=color, label=f"{queue.name}, simulated")
        target = queue.targets.service_level
        if target is not None and np.ndim(target) == 0:
            label = f"{queue.name} target ({float(queue.targets.threshold):g} s)"
            ax.axhline(float(target), color=color, ls="--", lw=0.9, label=label)
    ax.set_ylim(0.0, 1.02)
    ax.set_ylabel("service level of the day")
    ax.set_title("Service level per queue and day, rosters as built (simulated)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize="small", ncols=3)
    return fig


def write_centre_report(plan, out: str | PathLike, calendar="CN") -> dict[str, Path]:
    """Write a centre plan's tables (CSV, UTF-8 with a BOM for Excel), its roster workbook
    (``roster.xlsx``: the grid of agents by group, per-agent totals with skills, coverage of
    the whole centre) and its figures (``groups.png``, :func:`plot_group_coverage`;
    ``service_level.png``, :func:`plot_queue_service`, when simulated; ``roster.png``) into
    the folder ``out``.

    Returns
    -------
    dict of str to pathlib.Path
        The files written, by name.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "summary.csv": plan.summary().to_frame(),
        "queues.csv": plan.queues(),
        "groups.csv": plan.groups(),
        "forecast.csv": plan.forecast,
        "staffing.csv": plan.staffing.staffing.rename_axis("ds"),
        "coverage.csv": plan.coverage,
        "roster.csv": plan.roster,
        "violations.csv": plan.violations,
    }
    if plan.simulation is not None:
        tables["simulation.csv"] = plan.simulation.queues
    files = {}
    figures = {"groups.png": plot_group_coverage(plan)}
    if plan.simulation is not None:
        figures["service_level.png"] = plot_queue_service(plan)
    if len(plan.roster):
        from roster.excel import to_excel

        # agents are named by group (senior-001 ...); the totals give each one's skills; the
        # coverage sheet is the whole centre's, per group in coverage.csv
        centre = plan.coverage.drop(columns="group").groupby("ds").sum()
        files["roster.xlsx"] = to_excel(
            out / "roster.xlsx",
            plan.roster,
            totals=plan.totals,
            coverage=centre,
            calendar=calendar,
        )
        figures["roster.png"] = plot_roster(plan.roster, kind="classes", calendar=calendar)
    for name, frame in tables.items():
        path = out / name
        index = not isinstance(frame.index, pd.RangeIndex)
        frame.to_csv(path, index=index, encoding="utf-8-sig")
        files[name] = path
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=110)
        files[name] = out / name
    return files

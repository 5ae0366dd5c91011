"""A plan's report folder: tables as CSV, the roster workbook and the planner's figures."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from roster.cells import escape_csv_text
from roster.excel import to_excel
from roster.plots import plot_coverage, plot_coverage_map, plot_roster

__all__ = [
    "plot_forecast",
    "plot_service_summary",
    "plot_simulated_service",
    "write_report",
]


def plot_forecast(plan, *, weeks: int = 8, figsize=(12, 4)) -> Figure:
    """Daily contacts: the last ``weeks`` weeks of history and the forecast with its band.

    The band sums the interval quantiles of each day, which is wider than the quantiles of the
    daily total (intervals are not perfectly correlated); it shows where the uncertainty lies,
    not a calibrated daily interval.
    """
    hist = plan.history
    first_day = hist.index[-1].normalize() - pd.Timedelta(weeks=weeks) + pd.Timedelta(days=1)
    hist = hist[hist.index >= first_day]
    daily_hist = hist.groupby(hist.index.normalize()).sum(min_count=1)
    f = plan.forecast
    daily = f.groupby(f.index.normalize()).sum()
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(daily_hist.index, daily_hist.to_numpy(), color="black", lw=1.2, label="history")
    ax.plot(daily.index, daily["mean"], color="#2b7bba", lw=1.5, label="forecast (mean)")
    levels = sorted(c for c in f.columns if c.startswith("q"))
    if len(levels) >= 2:
        lo, hi = levels[0], levels[-1]
        ax.fill_between(
            daily.index,
            daily[lo],
            daily[hi],
            color="#2b7bba",
            alpha=0.2,
            label=f"{lo}-{hi} (interval quantiles summed)",
        )
    ax.set_ylabel("contacts per day")
    ax.set_title("Forecast against history")
    ax.legend(loc="upper left", fontsize="small")
    return fig


def plot_simulated_service(plan, *, figsize=(12, 4)) -> Figure:
    """Simulated service level per interval with its confidence band, the Erlang value of the
    roster as built and the target."""
    sim = plan.simulation
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    x = sim.index
    mean = sim["service_level"].to_numpy()
    hw = np.nan_to_num(sim["service_level_hw"].to_numpy())
    ax.fill_between(
        x,
        mean - hw,
        np.minimum(mean + hw, 1.0),
        color="#f4a582",
        alpha=0.5,
        label="simulated, confidence interval",
        step="post",
    )
    ax.step(x, mean, where="post", color="#b2182b", lw=0.8, label="simulated mean")
    ax.step(
        x,
        plan.kpis["service_level"],
        where="post",
        color="#2b7bba",
        lw=0.8,
        label="Erlang, roster as built",
    )
    if plan.targets.service_level is not None:
        ax.axhline(plan.targets.service_level, color="black", ls="--", lw=0.8, label="target")
    ax.set_ylim(max(0.0, float(np.nanmin(mean - hw)) - 0.05), 1.01)
    ax.set_ylabel(f"answered within {plan.targets.threshold:g} s")
    ax.set_title("Service level per interval")
    ax.legend(loc="lower left", fontsize="small", ncols=4)
    return fig


def plot_service_summary(plan, *, figsize=(12, 7)) -> Figure:
    """Service level per day and per time of day, Erlang for the roster as built and
    simulated, against the target.

    Top: each day's service level, weighted by its forecast volume, with the simulation's
    confidence band. Bottom: each half hour of the day averaged over the days, the band from
    the worst to the best day. A shortfall shows as a dip, where 1,488 interval values would
    only make a thicket.
    """
    k = plan.kpis
    weight = k["volume"].to_numpy(float)
    index = pd.DatetimeIndex(k.index)
    frame = pd.DataFrame({"erlang": k["service_level"].to_numpy(float), "w": weight}, index=index)
    sim = plan.simulation
    if len(sim):
        frame["simulated"] = sim["service_level"].reindex(index).to_numpy(float)
        frame["hw"] = sim["service_level_hw"].reindex(index).to_numpy(float)
    fig = Figure(figsize=figsize, layout="constrained")
    top, bottom = fig.subplots(2, 1)

    def weighted(group, column):
        w = group["w"].where(group[column].notna(), 0.0)
        return float((group[column].fillna(0) * w).sum() / w.sum()) if w.sum() > 0 else np.nan

    by_day = frame.groupby(index.normalize())
    days = by_day.size().index
    top.plot(days, [weighted(g, "erlang") for _, g in by_day], "o-", color="#2b7bba", ms=3,
             label="Erlang, roster as built")  # fmt: skip
    if "simulated" in frame:
        mean = np.array([weighted(g, "simulated") for _, g in by_day])
        hw = np.array([weighted(g, "hw") for _, g in by_day])
        top.fill_between(days, mean - hw, np.minimum(mean + hw, 1.0), color="#f4a582", alpha=0.5,
                         label="simulated, confidence interval")  # fmt: skip
        top.plot(days, mean, "o-", color="#b2182b", ms=3, label="simulated mean")
    top.set_ylabel("service level of the day")
    top.set_title("Service level per day (volume-weighted)")
    tod = (index - index.normalize()).total_seconds() / 3600
    by_time = frame.assign(hour=tod).groupby("hour")
    hours = by_time.size().index.to_numpy(float)
    for column, color, label in (
        ("erlang", "#2b7bba", "Erlang, roster as built"),
        ("simulated", "#b2182b", "simulated mean"),
    ):
        if column not in frame:
            continue
        stats = by_time[column].agg(["mean", "min", "max"])
        bottom.plot(hours, stats["mean"], color=color, label=f"{label}, mean over days")
        bottom.fill_between(hours, stats["min"], stats["max"], color=color, alpha=0.15,
                            label=f"{label}, worst to best day")  # fmt: skip
    bottom.set_xlabel("time of day [h]")
    bottom.set_xticks(range(0, 25, 2))
    bottom.set_ylabel("service level")
    bottom.set_title("Service level by time of day")
    for ax in (top, bottom):
        if plan.targets.service_level is not None and np.ndim(plan.targets.service_level) == 0:
            ax.axhline(plan.targets.service_level, color="black", ls="--", lw=0.8,
                       label="target")  # fmt: skip
        ax.set_ylim(0.0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", fontsize="small", ncols=3)
    title = f"Answered within {plan.targets.threshold:g} s"
    if getattr(plan, "queue_model", ""):
        title += f"; queue: {plan.queue_model}"  # the model behind the Erlang curves
    fig.suptitle(title)
    return fig


def write_report(plan, out: str | PathLike, *, calendar="CN") -> dict[str, Path]:
    """Write the plan's tables, workbook and figures into the folder ``out``.

    Files: ``summary.csv`` (headline numbers, the queue model the plan was staffed and
    checked in and its notes, e.g. how redials or chat were simulated),
    ``history_report.csv``, ``forecast.csv`` (mean, quantiles and AHT per interval),
    ``requirement.csv``, ``schedule.csv``, ``coverage.csv``, ``kpis.csv``,
    ``violations.csv``, ``simulation.csv`` (when simulated), ``work_orders.csv``,
    ``work_order_capacity.csv`` and ``work_orders_as_built.csv`` (backlog per day and class,
    and the time that closes them, when the plan has work orders), ``roster.xlsx``, and the
    figures
    ``forecast.png``, ``coverage.png``, ``roster.png`` and ``service_level.png`` (when
    simulated).

    Returns
    -------
    dict of str to pathlib.Path
        The files written, by short name.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def csv(name, frame, **kwargs):
        path = out / f"{name}.csv"
        escape_csv_text(frame).to_csv(path, **kwargs)
        files[name] = path

    csv("summary", plan.summary().to_frame("value"), index_label="item")
    csv("history_report", plan.history_report, index=False)
    csv("forecast", plan.forecast.assign(aht=plan.aht), index_label="interval_start")
    csv("requirement", plan.requirement, index_label="interval_start")
    csv("schedule", plan.schedule, index=False)
    csv("coverage", plan.coverage, index_label="interval_start")
    csv("kpis", plan.kpis, index_label="interval_start")
    csv("violations", plan.violations, index=False)
    if len(plan.simulation):
        csv("simulation", plan.simulation, index_label="interval_start")
    if getattr(plan, "work_orders", None) is not None:
        csv("work_orders", plan.work_orders.daily, index=False)
        csv("work_order_capacity", plan.work_orders.capacity, index_label="interval_start")
        if plan.work_orders.as_built is not None:
            csv("work_orders_as_built", plan.work_orders.as_built.daily, index=False)

    files["roster.xlsx"] = to_excel(
        out / "roster.xlsx",
        plan.roster,
        totals=plan.totals,
        coverage=plan.coverage.rename(columns={"at_work": "scheduled"}),
        schedule=plan.shift_schedule,
        calendar=calendar,
    )
    coverage = plan.coverage[["required", "net", "at_work", "floor"]].rename(
        columns={"at_work": "scheduled"}
    )
    gap = plan.coverage["gap"].clip(upper=0).groupby(plan.coverage.index.normalize()).sum()
    worst = gap.idxmin() if len(gap) else None
    figures = {
        "forecast.png": plot_forecast(plan),
        "coverage.png": plot_coverage_map(plan.coverage),
    }
    if worst is not None:
        # the day with the largest shortfall, interval by interval
        figures["coverage_day.png"] = plot_coverage(
            coverage, start=worst, end=worst + pd.Timedelta(days=1), figsize=(12, 4)
        )
        figures["coverage_day.png"].axes[0].set_title(
            f"{worst:%Y-%m-%d}: the day with the largest shortfall"
        )
    if len(plan.roster):
        figures["roster.png"] = plot_roster(plan.roster, kind="classes", calendar=calendar)
    if len(plan.kpis):
        figures["service_level.png"] = plot_service_summary(plan)
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=110)
        files[name] = out / name
    return files

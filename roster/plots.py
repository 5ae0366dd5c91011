"""Figures of coverage and rosters; each function returns a matplotlib Figure, never shows it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["plot_coverage", "plot_roster"]

_NIGHT_COLOR = {"none": "#4a86c5", "small": "#e6a23c", "big": "#6a4c93"}
_NIGHT_LABEL = {"none": "day shift", "small": "small night", "big": "big night"}


def plot_coverage(
    coverage: pd.DataFrame,
    *,
    start=None,
    end=None,
    figsize: tuple[float, float] = (12, 4),
) -> Figure:
    """Net agents against requirement per interval, shortfalls shaded.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Indexed by interval start with ``required`` and ``net`` (and optionally
        ``scheduled``, ``floor``), as ``ShiftSchedule.coverage``.
    start, end : date-like, optional
        Window to draw (inclusive start, exclusive end).
    figsize : (float, float)
        Figure size. [in]

    Returns
    -------
    matplotlib.figure.Figure
        One axes; lines in order required, net, then scheduled and floor when present.
    """
    missing = {"required", "net"} - set(coverage.columns)
    if missing:
        raise ValueError(f"coverage lacks columns {sorted(missing)}")
    cov = coverage.sort_index()
    if start is not None:
        cov = cov[cov.index >= pd.Timestamp(start)]
    if end is not None:
        cov = cov[cov.index < pd.Timestamp(end)]
    if len(cov) == 0:
        raise ValueError(f"no intervals between start={start!r} and end={end!r}")
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    x = cov.index
    ax.step(x, cov["required"], where="post", color="black", lw=1.2, label="required")
    ax.step(x, cov["net"], where="post", color="#2b7bba", lw=1.2, label="net")
    if "scheduled" in cov:
        ax.step(x, cov["scheduled"], where="post", color="#9ecae1", lw=0.8, label="scheduled")
    if "floor" in cov:
        ax.step(x, cov["floor"], where="post", color="grey", lw=0.8, ls=":", label="floor")
    short = (cov["net"] < cov["required"] - 1e-9).to_numpy()
    if short.any():
        ax.fill_between(
            x,
            cov["net"],
            cov["required"],
            where=short,
            step="post",
            color="#d62728",
            alpha=0.4,
            label="shortfall",
        )
    ax.set_ylabel("agents")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", ncols=5, fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def plot_roster(
    assignments: pd.DataFrame,
    *,
    kind: str = "gantt",
    agents=None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """A roster as a Gantt chart (a bar per shift, meals cut out) or a heatmap.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Columns ``agent``, ``date``, ``start``, ``end`` (Timestamps) and optionally
        ``break_start``, ``break_end``, ``night``, as ``Roster.assignments``.
    kind : {"gantt", "heatmap"}
        Gantt: one row per agent, bars coloured by night class. Heatmap: agents x days, the
        colour is the hour the shift starts, blank on rest days.
    agents : sequence, optional
        Agents to draw, in order (default: all, in order of first appearance).
    figsize : (float, float), optional
        Figure size [in]; grows with the number of agents by default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if kind not in ("gantt", "heatmap"):
        raise ValueError(f"kind={kind!r} must be 'gantt' or 'heatmap'")
    missing = {"agent", "date", "start", "end"} - set(assignments.columns)
    if missing:
        raise ValueError(f"assignments lacks columns {sorted(missing)}")
    a = assignments
    names = list(pd.unique(a["agent"])) if agents is None else list(agents)
    a = a[a["agent"].isin(names)]
    if len(a) == 0:
        raise ValueError(
            "assignments has no shifts to draw"
            + ("" if agents is None else f" for agents={list(agents)!r}")
        )
    row = {name: i for i, name in enumerate(names)}
    if figsize is None:
        figsize = (12, max(3.0, 0.22 * len(names) + 1.5))
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    if kind == "gantt":
        _gantt(ax, a, row)
    else:
        _heatmap(fig, ax, a, names)
    ax.set_yticks(range(len(names)), [str(n) for n in names], fontsize="small")
    ax.invert_yaxis()
    return fig


def _gantt(ax, a, row) -> None:
    from matplotlib.dates import date2num

    if "night" in a:
        kinds = a["night"].astype(str).to_numpy()
    else:
        from roster.check import night_class

        kinds = night_class(a["start"], a["end"]) if len(a) else np.array([], str)
    y = a["agent"].map(row).to_numpy()
    start = date2num(pd.DatetimeIndex(a["start"]).to_pydatetime())
    end = date2num(pd.DatetimeIndex(a["end"]).to_pydatetime())
    colors = [_NIGHT_COLOR.get(k, _NIGHT_COLOR["none"]) for k in kinds]
    ax.barh(y, end - start, left=start, height=0.7, color=colors)
    if {"break_start", "break_end"} <= set(a.columns):
        has = a["break_start"].notna().to_numpy()
        if has.any():
            bs = date2num(pd.DatetimeIndex(a["break_start"][has]).to_pydatetime())
            be = date2num(pd.DatetimeIndex(a["break_end"][has]).to_pydatetime())
            ax.barh(y[has], be - bs, left=bs, height=0.7, color="white")
    ax.xaxis_date()
    ax.set_xlabel("time")
    from matplotlib.patches import Patch

    used = [k for k in _NIGHT_COLOR if k in set(kinds)]
    handles = [Patch(color=_NIGHT_COLOR[k], label=_NIGHT_LABEL[k]) for k in used]
    ax.legend(handles=handles, loc="upper right", fontsize="small", ncols=len(used))


def _heatmap(fig, ax, a, names) -> None:
    days = pd.date_range(
        pd.to_datetime(a["date"]).min().normalize(), pd.to_datetime(a["date"]).max(), freq="D"
    )
    grid = np.full((len(names), len(days)), np.nan)
    r = a["agent"].map({n: i for i, n in enumerate(names)}).to_numpy()
    c = ((pd.to_datetime(a["date"]).dt.normalize() - days[0]).dt.days).to_numpy()
    st = pd.DatetimeIndex(a["start"])
    grid[r, c] = st.hour + st.minute / 60
    image = ax.imshow(grid, aspect="auto", cmap="twilight", vmin=0, vmax=24, interpolation="none")
    step = max(1, len(days) // 15)
    ax.set_xticks(range(0, len(days), step), [f"{d:%m-%d}" for d in days[::step]])
    fig.colorbar(image, ax=ax, label="shift start [h]")

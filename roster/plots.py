"""Figures of coverage and rosters; each function returns a matplotlib Figure, never shows it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["SHIFT_CLASSES", "plot_coverage", "plot_coverage_map", "plot_roster", "shift_class"]

_NIGHT_COLOR = {"none": "#4a86c5", "small": "#e6a23c", "big": "#6a4c93"}
_NIGHT_LABEL = {"none": "day shift", "small": "small night", "big": "big night"}

#: Classes of a roster day and their colours: worked shifts by when they start and end, and
#: the three kinds of day without work.
SHIFT_CLASSES = {
    "early": "#a6d854",
    "day": "#66c2a5",
    "late": "#fc8d62",
    "small night": "#8da0cb",
    "big night": "#3f2a73",
    "rest": "#f2f2f2",
    "leave": "#ffd92f",
    "holiday": "#e78ac3",
}


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


def plot_coverage_map(coverage: pd.DataFrame, *, figsize: tuple[float, float] = (12, 6)) -> Figure:
    """Net agents less the requirement, day by time of day, shortfalls red and surplus blue.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Indexed by interval start with ``required`` and ``net`` (and optionally ``floor``,
        the larger of the two being what is needed).
    figsize : (float, float)
        Figure size. [in]

    Returns
    -------
    matplotlib.figure.Figure
        One image, a row per day and a column per interval of the day, on a diverging scale
        centred at zero [agents]; intervals outside the plan are blank.
    """
    from matplotlib.colors import TwoSlopeNorm

    missing = {"required", "net"} - set(coverage.columns)
    if missing:
        raise ValueError(f"coverage lacks columns {sorted(missing)}")
    if len(coverage) == 0:
        raise ValueError("coverage has no intervals")
    need = coverage["required"]
    if "floor" in coverage:
        need = np.maximum(need, coverage["floor"])
    gap = (coverage["net"] - need).rename("gap")
    index = pd.DatetimeIndex(gap.index)
    table = pd.DataFrame(
        {"day": index.normalize(), "time": index - index.normalize(), "gap": gap.to_numpy()}
    ).pivot_table(index="day", columns="time", values="gap", aggfunc="mean")
    low, high = float(np.nanmin(table.to_numpy())), float(np.nanmax(table.to_numpy()))
    norm = TwoSlopeNorm(0.0, vmin=min(low, -1.0), vmax=max(high, 1.0))
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(
        table.to_numpy(), aspect="auto", cmap="RdBu", norm=norm, interpolation="none"
    )
    hours = [t.total_seconds() / 3600 for t in table.columns]
    ticks = [i for i, h in enumerate(hours) if float(h).is_integer() and int(h) % 2 == 0]
    ax.set_xticks(ticks, [f"{int(hours[i]):02d}:00" for i in ticks], fontsize="small")
    days = table.index
    step = max(1, len(days) // 31)
    ax.set_yticks(
        range(0, len(days), step),
        [f"{d:%m-%d} {d:%a}" for d in days[::step]],
        fontsize="small",
    )
    ax.set_xlabel("time of day")
    short = float(-np.clip(table.to_numpy(), None, 0).sum(where=np.isfinite(table.to_numpy())))
    ax.set_title(f"Coverage less requirement (shortfall: {short:,.1f} agent-intervals)")
    fig.colorbar(image, ax=ax, label="agents over (+) / short (-)")
    return fig


def shift_class(start, end) -> np.ndarray:
    """The class of each shift: ``early`` (starts before 09:00), ``day`` (09:00-11:59),
    ``late`` (from 12:00), or ``small night`` / ``big night`` by when it ends
    (:func:`roster.check.night_class`)."""
    from roster.check import night_class

    start = pd.DatetimeIndex(start)
    night = np.asarray(night_class(start, pd.DatetimeIndex(end)), dtype=object)
    hour = start.hour + start.minute / 60
    out = np.where(hour < 9, "early", np.where(hour < 12, "day", "late")).astype(object)
    out[night == "small"] = "small night"
    out[night == "big"] = "big night"
    return out


def plot_roster(
    assignments: pd.DataFrame,
    *,
    kind: str = "gantt",
    agents=None,
    figsize: tuple[float, float] | None = None,
    leave: pd.DataFrame | None = None,
    calendar=None,
) -> Figure:
    """A roster as a Gantt chart (a bar per shift, meals cut out), a grid of shift classes,
    or a heatmap of start hours.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Columns ``agent``, ``date``, ``start``, ``end`` (Timestamps) and optionally
        ``break_start``, ``break_end``, ``night``, as ``Roster.assignments``.
    kind : {"gantt", "classes", "heatmap"}
        Gantt: one row per agent, bars coloured by night class. Classes: agents x days, each
        day coloured by its class (:data:`SHIFT_CLASSES`: early, day, late, small and big
        night, rest, leave, holiday) with a legend, readable at 150 agents x 31 days.
        Heatmap: agents x days, the colour is the hour the shift starts, blank on rest days.
    agents : sequence, optional
        Agents to draw, in order (default: all, in order of first appearance).
    figsize : (float, float), optional
        Figure size [in]; grows with the number of agents by default.
    leave : pandas.DataFrame, optional
        Approved leave (``agent``, ``date``), shown as leave in the classes grid.
    calendar : str, calendar object, iterable of date-like or None
        Statutory holidays (see :func:`forecast.get_calendar`): a day off on one shows as a
        holiday in the classes grid.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if kind not in ("gantt", "classes", "heatmap"):
        raise ValueError(f"kind={kind!r} must be 'gantt', 'classes' or 'heatmap'")
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
    elif kind == "classes":
        _classes(ax, a, names, leave, calendar)
    else:
        _heatmap(fig, ax, a, names)
    # every label up to 60 agents; beyond, every k-th, so that the labels stay legible
    step = 1 if len(names) <= 60 else int(np.ceil(len(names) / 50))
    ax.set_yticks(range(0, len(names), step), [str(n) for n in names[::step]], fontsize="small")
    if kind != "classes":
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


def _classes(ax, a, names, leave, calendar) -> None:
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from forecast import get_calendar

    dates = pd.to_datetime(a["date"]).dt.normalize()
    days = pd.date_range(dates.min(), dates.max(), freq="D")
    labels = list(SHIFT_CLASSES)
    code = {c: i for i, c in enumerate(labels)}
    grid = np.full((len(names), len(days)), code["rest"])
    if calendar is not None:
        statutory = get_calendar(calendar).day_types(days)["is_statutory"].to_numpy(bool)
        grid[:, statutory] = code["holiday"]
    position = {n: i for i, n in enumerate(names)}
    if leave is not None and len(leave):
        on = leave[leave["agent"].isin(position)]
        col = (pd.to_datetime(on["date"]).dt.normalize() - days[0]).dt.days.to_numpy()
        ok = (col >= 0) & (col < len(days))
        grid[on["agent"].map(position).to_numpy()[ok], col[ok]] = code["leave"]
    classes = shift_class(a["start"], a["end"])
    grid[a["agent"].map(position).to_numpy(), (dates - days[0]).dt.days.to_numpy()] = [
        code[c] for c in classes
    ]
    cmap = ListedColormap([SHIFT_CLASSES[c] for c in labels])
    ax.imshow(grid, aspect="auto", cmap=cmap, vmin=-0.5, vmax=len(labels) - 0.5,
              interpolation="none")  # fmt: skip
    # thin white lines between days and between agents keep rows and columns apart
    ax.set_xticks(np.arange(-0.5, len(days)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(names)), minor=True)
    ax.grid(which="minor", color="white", lw=0.4)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(
        range(len(days)),
        [f"{d:%d}\n{d:%a}" for d in days],
        fontsize="x-small",
    )
    ax.set_xlabel(f"{days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d}")
    shown = [c for c in labels if (grid == code[c]).any()]
    handles = [Patch(facecolor=SHIFT_CLASSES[c], edgecolor="grey", label=c) for c in shown]
    ax.figure.legend(
        handles=handles, loc="outside lower center", ncols=len(shown), fontsize="small"
    )
    ax.set_title(f"Roster: {len(names)} agents x {len(days)} days")


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

"""Rosters and coverage as an Excel workbook, the form planners publish and edit them in."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import get_calendar
from roster.cells import as_text_cells

__all__ = ["roster_grid", "seats_grid", "to_excel"]

_NIGHT_FILL = {"small": "FFF2CC", "big": "D9D2E9"}
_HOLIDAY_FILL = "F4CCCC"
_BRIDGE_FILL = "FCE5CD"
_MAKEUP_FILL = "D9EAD3"
_SHORT_FILL = "F4CCCC"
_WEEKDAYS = "一二三四五六日"
_H = 3600.0
# Columns written for reading: header with its unit, scale from the frame's unit, decimals.
# Times are kept in seconds in every frame; the workbook is for people and shows hours.
_TOTALS_UNITS = {
    "paid": ("paid (h)", 1 / _H, 1),
    "cost": ("cost", 1.0, 2),
    "nights_dev": ("nights_dev (shifts)", 1.0, 1),
    "weekends_dev": ("weekends_dev", 1.0, 1),
    "holidays_dev": ("holidays_dev (days)", 1.0, 1),
}
_AGENT_COLUMNS = (
    "required",
    "floor",
    "scheduled",
    "at_work",
    "on_break",
    "short_break",
    "net",
    "on_phones",
    "gap",
)


def roster_grid(assignments: pd.DataFrame, *, rest: str = "休") -> pd.DataFrame:
    """Agents x days of shift codes.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Columns ``agent``, ``date`` (start day of the shift) and ``shift`` (code), as
        ``Roster.assignments``.
    rest : str
        Code written on days an agent has no shift.

    Returns
    -------
    pandas.DataFrame
        Index: agents (in order of first appearance); columns: every date from the first to
        the last. Two shifts of one agent on one day are joined by ``"/"``.
    """
    missing = {"agent", "date", "shift"} - set(assignments.columns)
    if missing:
        raise ValueError(f"assignments lacks columns {sorted(missing)}")
    a = assignments.assign(date=pd.to_datetime(assignments["date"]).dt.normalize())
    if len(a) == 0:
        return pd.DataFrame()
    days = pd.date_range(a["date"].min(), a["date"].max(), freq="D")
    agents = pd.unique(a["agent"])
    grid = (
        a.groupby(["agent", "date"], sort=False)["shift"]
        .agg(lambda s: "/".join(map(str, s)))
        .unstack("date")
        .reindex(index=agents, columns=days)
    )
    return grid.astype(object).where(grid.notna(), rest)


def seats_grid(coverage: pd.DataFrame, column: str = "scheduled") -> pd.DataFrame:
    """Time of day x date of one coverage column (the planners' seats-per-interval table).

    Parameters
    ----------
    coverage : pandas.DataFrame
        Indexed by interval start, as ``ShiftSchedule.coverage``.
    column : str
        Column to lay out, e.g. ``"scheduled"``, ``"net"``, ``"required"`` or ``"gap"``.
    """
    if column not in coverage.columns:
        raise ValueError(f"column={column!r} is not in coverage (has {list(coverage.columns)})")
    idx = pd.DatetimeIndex(coverage.index)
    frame = pd.DataFrame(
        {"time": idx.strftime("%H:%M"), "date": idx.normalize(), "v": coverage[column].to_numpy()}
    )
    return frame.pivot(index="time", columns="date", values="v")


def to_excel(
    path: str | PathLike,
    assignments: pd.DataFrame | None = None,
    *,
    totals: pd.DataFrame | None = None,
    coverage: pd.DataFrame | None = None,
    schedule=None,
    calendar=None,
    rest: str = "休",
) -> Path:
    """Write a roster workbook.

    Sheets, each present when its input is given: ``Roster`` (agents x days of shift codes,
    night shifts and holidays shaded, a legend of the shades and marks below the grid),
    ``Totals`` (per-agent totals), ``Coverage`` (per interval), ``Seats`` (time of day x
    date of agents at work) and, from a ``ShiftSchedule``, ``Shifts`` (agents per template
    per day). The workbook is for reading: headers carry their units, paid time is in hours
    (the frames keep seconds), and values are rounded (hours and deviations to 0.1, agents
    and cost to 0.01).

    Parameters
    ----------
    path : str or path-like
        Workbook to write (``.xlsx``); overwritten if it exists.
    assignments : pandas.DataFrame, optional
        Columns ``agent``, ``date``, ``shift``, ``start``, ``end`` (as ``Roster.assignments``).
    totals : pandas.DataFrame, optional
        Per-agent totals (as ``Roster.totals``), written as given.
    coverage : pandas.DataFrame, optional
        Per-interval coverage (``required``, ``scheduled``, ``net``, ``gap``...).
    schedule : ShiftSchedule, optional
        Stage-1 result; gives ``Shifts`` and, if ``coverage`` is None, the coverage.
    calendar : str, calendar object, iterable of date-like or None
        Calendar of the days, as for :func:`roster.build_roster`, made a calendar once by
        :func:`forecast.get_calendar`: statutory holidays are shaded and marked 法, bridge
        days shaded lighter and marked 休, make-up workdays shaded green and marked 班. A code
        such as ``"CN"`` or a calendar object marks all three; dates mark those days as
        statutory holidays only; None marks nothing.
    rest : str
        Code for a day off in the roster grid.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    if assignments is None and totals is None and coverage is None and schedule is None:
        raise ValueError("nothing to write: give assignments, totals, coverage or schedule")
    if coverage is None and schedule is not None:
        coverage = schedule.coverage
    calendar = get_calendar(calendar)
    hol: set = set()
    kinds: dict = {}
    if assignments is not None and len(assignments):
        days = pd.DatetimeIndex(pd.to_datetime(assignments["date"]).dt.normalize().unique())
        info = calendar.day_types(days)
        kinds = dict(zip(info.index, info["day_type"], strict=True))
        hol = set(info.index[info["is_statutory"].to_numpy(bool)])
    marks = {
        "statutory": (" 法", _HOLIDAY_FILL),
        "bridge": (" 休", _BRIDGE_FILL),
        "makeup_workday": (" 班", _MAKEUP_FILL),
    }

    def fill(color):
        return PatternFill(start_color=color, end_color=color, fill_type="solid")

    def widths(ws, first=14, other=10):
        for i in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(i)].width = first if i == 1 else other

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        if assignments is not None:
            grid = roster_grid(assignments, rest=rest)
            kind_of = {
                d: "statutory" if d in hol else kinds.get(d, "")
                for d in pd.DatetimeIndex(grid.columns)
            }
            header = [
                f"{d:%m-%d} {_WEEKDAYS[d.day_of_week]}" + marks.get(kind_of[d], ("",))[0]
                for d in grid.columns
            ]
            out = grid.copy()
            out.columns = header
            out.index.name = "agent"
            out.to_excel(writer, sheet_name="Roster")
            ws = writer.sheets["Roster"]
            night = _night_of(assignments)
            bold = Font(bold=True)
            for j, day in enumerate(grid.columns, start=2):
                cell = ws.cell(row=1, column=j)
                cell.font = bold
                cell.alignment = Alignment(horizontal="center")
                if kind_of[day] in marks:
                    cell.fill = fill(marks[kind_of[day]][1])
            for i, agent in enumerate(grid.index, start=2):
                for j, day in enumerate(grid.columns, start=2):
                    kind = night.get((agent, day))
                    if kind in _NIGHT_FILL:
                        ws.cell(row=i, column=j).fill = fill(_NIGHT_FILL[kind])
            ws.freeze_panes = "B2"
            widths(ws)
            _legend(ws, len(grid) + 3, rest, fill, bold)
        if totals is not None:
            _readable(totals, _TOTALS_UNITS).to_excel(writer, sheet_name="Totals")
            widths(writer.sheets["Totals"], 14, 13)
        if schedule is not None:
            schedule.counts.to_excel(writer, sheet_name="Shifts")
            writer.sheets["Shifts"].freeze_panes = "B2"
            widths(writer.sheets["Shifts"], 12, 11)
        if coverage is not None:
            cov = coverage.copy()
            cov.index = pd.DatetimeIndex(cov.index).tz_localize(None)
            cov.index.name = "interval"
            units = {c: (f"{c} (agents)", 1.0, 2) for c in _AGENT_COLUMNS}
            _readable(cov, units).to_excel(writer, sheet_name="Coverage")
            ws = writer.sheets["Coverage"]
            ws.freeze_panes = "B2"
            widths(ws, 19, 11)
            if "gap" in cov:
                col = list(cov.columns).index("gap") + 2
                for i in np.flatnonzero(cov["gap"].to_numpy() < -1e-9):
                    ws.cell(row=i + 2, column=col).fill = fill(_SHORT_FILL)
            if "scheduled" in cov:
                seats = seats_grid(cov, "scheduled")
                seats.columns = [f"{d:%m-%d}" for d in seats.columns]
                seats = seats.round(2)
                seats.to_excel(writer, sheet_name="Seats")
                writer.sheets["Seats"].freeze_panes = "B2"
                widths(writer.sheets["Seats"], 8, 7)
        for ws in writer.sheets.values():
            as_text_cells(ws)  # names from HR files are text, never formulas
    return path


def _readable(frame: pd.DataFrame, units: dict) -> pd.DataFrame:
    """``frame`` with the columns of ``units`` scaled, rounded and headed with their unit;
    other float columns rounded to 0.01."""
    out = frame.copy()
    names = {}
    for column in out.columns:
        if column in units:
            label, scale, decimals = units[column]
            out[column] = (out[column].astype(float) * scale).round(decimals)
            names[column] = label
        elif pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(2)
    return out.rename(columns=names)


def _legend(ws, row: int, rest: str, fill, bold) -> None:
    """What the shades and marks of the roster grid mean, from ``row`` down in column A-B."""
    entries = [
        (_NIGHT_FILL["small"], "", "small night shift (小夜班): ends 22:00-23:00"),
        (_NIGHT_FILL["big"], "", "big night shift (大夜班): ends after 23:00 or past midnight"),
        (None, rest, "no shift starts (after a night past midnight the morning is still worked)"),
        (_HOLIDAY_FILL, "法", "statutory holiday (header): paid at the holiday rate"),
        (_BRIDGE_FILL, "休", "bridge day off (header)"),
        (_MAKEUP_FILL, "班", "make-up workday (header)"),
    ]
    ws.cell(row=row, column=1, value="legend").font = bold
    for k, (color, mark, text) in enumerate(entries, start=1):
        key = ws.cell(row=row + k, column=1, value=mark or None)
        if color is not None:
            key.fill = fill(color)
        ws.cell(row=row + k, column=2, value=text)


def _night_of(assignments: pd.DataFrame) -> dict:
    """(agent, day) -> night class, from a ``night`` column or from start and end."""
    a = assignments
    if "night" in a:
        kinds = a["night"].astype(str).to_numpy()
    elif {"start", "end"} <= set(a.columns):
        from roster.check import night_class

        kinds = night_class(a["start"], a["end"])
    else:
        return {}
    days = pd.to_datetime(a["date"]).dt.normalize()
    return dict(zip(zip(a["agent"], days, strict=True), kinds, strict=True))

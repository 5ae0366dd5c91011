"""The stage-1 program: shift and break columns, coverage rows, pay, and checks before solving."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from forecast import HolidayCalendar, interval_length
from roster.seats.solve import Program, solve_lp
from roster.shifts import DAY, ShiftTemplate, parse_clock

_BOUNDARIES = ("open", "wrap", "closed")
_DEFAULT_NIGHT_PREMIUM = {"none": 0.0, "small": 0.5, "big": 1.0}


class ScheduleInfeasible(ValueError):
    """No schedule meets the hard constraints; the message says which and where.

    Attributes
    ----------
    reason : str
        Short code: ``"uncovered"``, ``"floor_above_seat_cap"``, ``"requirement_above_seat_cap"``
        or ``"constraints"``.
    intervals : pandas.DataFrame
        The offending intervals with the quantities involved.
    """

    def __init__(self, message: str, reason: str, intervals: pd.DataFrame):
        super().__init__(message)
        self.reason = reason
        self.intervals = intervals


def _check_templates(templates) -> list[ShiftTemplate]:
    templates = list(templates)
    if not templates:
        raise ValueError("templates is empty; give at least one ShiftTemplate")
    for t in templates:
        if not isinstance(t, ShiftTemplate):
            raise TypeError(f"templates must hold ShiftTemplate, got {t!r}")
    names = [t.name for t in templates]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"templates have duplicate names {dup}")
    return templates


def _ranges(stamps: pd.DatetimeIndex, step: int, limit: int = 5) -> str:
    """Compact text of runs of consecutive interval starts."""
    if len(stamps) == 0:
        return ""
    secs = stamps.as_unit("s").asi8
    breaks = np.flatnonzero(np.diff(secs) != step) + 1
    starts = np.r_[0, breaks]
    ends = np.r_[breaks, len(secs)] - 1
    parts = [
        f"{stamps[a]:%Y-%m-%d %H:%M}–{stamps[b] + pd.Timedelta(seconds=step):%H:%M}"
        for a, b in zip(starts[:limit], ends[:limit], strict=True)
    ]
    more = len(starts) - limit
    return ", ".join(parts) + (f" and {more} more runs" if more > 0 else "")


@dataclass
class SeatModel:
    """Stage-1 model of :func:`roster.seats.schedule_shifts`.

    The explicit program: one integer column per (day, template, break placement).
    """

    templates: list[ShiftTemplate]
    interval: int
    periods: int
    days: pd.DatetimeIndex  # horizon days
    grid: pd.DatetimeIndex  # interval starts over whole horizon days
    required: np.ndarray
    floor: np.ndarray
    seat_cap: int | None
    boundary: str
    under_penalty: float | None
    over_penalty: float
    col_day: np.ndarray  # day offset of each shift column (-1: the day before the horizon)
    col_t: np.ndarray  # template of each shift column
    col_cost: np.ndarray
    b_col: np.ndarray  # shift column of each break column
    b_opt: np.ndarray  # break option of each break column
    opt_slot: np.ndarray  # rule slot of each break option
    opt_start: np.ndarray  # start interval (from the start day's midnight) of each option
    rules: list[tuple[int, str, int]]  # (template, name, length in intervals) per rule slot
    present: sparse.csr_array  # grid x (shift, break) columns: share of the interval at work
    online: sparse.csr_array  # ... at work and not on a placed break
    net: sparse.csr_array  # ... online, less short breaks
    link: sparse.csr_array  # each agent takes each break of its shift once
    online_need: np.ndarray | None  # whole agents online that meet requirement, if exact

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        requirement,
        templates,
        *,
        interval,
        floors,
        day_hours,
        seat_cap,
        hourly_rate,
        holiday_multiplier,
        calendar: HolidayCalendar,
        night_premium,
        under_penalty,
        over_penalty,
        boundary,
    ) -> SeatModel:
        if not isinstance(requirement, pd.Series):
            raise TypeError(f"requirement must be a pandas Series, got {type(requirement)}")
        if not isinstance(requirement.index, pd.DatetimeIndex):
            raise TypeError("requirement must be indexed by interval start (DatetimeIndex)")
        if requirement.index.tz is not None:
            requirement = requirement.tz_localize(None)
        if len(requirement) == 0:
            raise ValueError("requirement is empty")
        if not requirement.index.is_unique:
            dup = requirement.index[requirement.index.duplicated()][0]
            raise ValueError(f"requirement index has duplicate interval {dup}")
        requirement = requirement.sort_index()
        values = pd.to_numeric(requirement, errors="coerce").to_numpy(float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            first = int(np.argmax(bad))
            raise ValueError(
                f"requirement must be finite and >= 0; {int(bad.sum())} intervals are not, "
                f"first at {requirement.index[first]} = {requirement.iloc[first]!r}"
            )
        if boundary not in _BOUNDARIES:
            raise ValueError(f"boundary={boundary!r} must be one of {_BOUNDARIES}")
        if under_penalty is not None and not under_penalty >= 0:
            raise ValueError(f"under_penalty={under_penalty!r} must be >= 0 or None")
        if not over_penalty >= 0:
            raise ValueError(f"over_penalty={over_penalty!r} must be >= 0")
        if seat_cap is not None and not seat_cap >= 0:
            raise ValueError(f"seat_cap={seat_cap!r} must be >= 0")
        if not holiday_multiplier >= 0:
            raise ValueError(f"holiday_multiplier={holiday_multiplier!r} must be >= 0")
        templates = _check_templates(templates)
        step = interval_length(requirement.index, interval, name="requirement")
        periods = DAY // step

        days = pd.date_range(
            requirement.index[0].normalize(), requirement.index[-1].normalize(), freq="D"
        )
        nd = len(days)
        grid = pd.date_range(days[0], periods=nd * periods, freq=pd.Timedelta(seconds=step))
        pos = (requirement.index - days[0]).total_seconds().to_numpy() // step
        pos = pos.astype(np.int64)
        required = np.zeros(len(grid))
        required[pos] = values
        floor = _floors(floors, day_hours, requirement.index, pos, len(grid), periods, step)

        # --- templates and break placements as two-day interval patterns -------------------
        cover = np.array([t.coverage(step) for t in templates])  # T x 2P
        rate = np.array([1.0 - t.short_breaks / 3600 for t in templates])
        opt_t, opt_slot, opt_start, opt_len, rules = _break_options(templates, step)
        crosses = np.array([t.crosses_midnight for t in templates])
        first_day = -1 if boundary == "open" else 0
        dd, tt = np.meshgrid(np.arange(first_day, nd), np.arange(len(templates)), indexing="ij")
        keep = (dd >= 0) | crosses[tt]
        col_day, col_t = dd[keep], tt[keep]
        # break columns: every option of the column's template
        per_t = np.bincount(opt_t, minlength=len(templates))
        first_opt = np.r_[0, np.cumsum(per_t)[:-1]]
        nb_of = per_t[col_t]
        b_col = np.repeat(np.arange(len(col_t)), nb_of)
        b_opt = (
            first_opt[col_t][b_col]
            + np.arange(len(b_col))
            - np.repeat(np.cumsum(nb_of) - nb_of, nb_of)
        )
        on_break = _runs(opt_start, opt_len, 2 * periods)
        x_present = _pattern_matrix(cover, col_day, col_t, periods, nd, boundary)
        b_present = _pattern_matrix(on_break, col_day[b_col], b_opt, periods, nd, boundary)
        nx, nb = len(col_t), len(b_col)
        present = sparse.hstack([x_present, sparse.csr_array((len(grid), nb))], format="csr")
        online = sparse.hstack([x_present, -b_present], format="csr")
        col_rate = np.r_[rate[col_t], rate[col_t][b_col]]
        net = sparse.csr_array(online * col_rate[None, :])
        link_key = b_col * max(len(rules), 1) + opt_slot[b_opt]
        keys, link_row = np.unique(link_key, return_inverse=True)
        link = sparse.csr_array(
            (
                np.r_[np.ones(nb), -np.ones(len(keys))],
                (
                    np.r_[link_row, np.arange(len(keys))],
                    np.r_[nx + np.arange(nb), keys // max(len(rules), 1)],
                ),
            ),
            shape=(len(keys), nx + nb),
        )

        # --- pay --------------------------------------------------------------------------------
        all_days = pd.date_range(days[0] - pd.Timedelta(days=1), days[-1] + pd.Timedelta(days=1))
        statutory = calendar.day_types(all_days)["is_statutory"].to_numpy(bool)
        mult = np.where(statutory, float(holiday_multiplier), 1.0)  # day d at d+1
        hourly = _hourly(hourly_rate, templates)
        premium = dict(_DEFAULT_NIGHT_PREMIUM)
        if night_premium is not None:
            unknown = set(night_premium) - set(premium)
            if unknown:
                raise ValueError(f"night_premium keys {sorted(unknown)} not in {sorted(premium)}")
            premium = {k: float(night_premium.get(k, 0.0)) for k in premium}
        prem = np.array([premium[t.night_class] for t in templates])
        if night_premium is None:
            prem = prem * hourly
        paid_h = np.array([t.paid_time / 3600 for t in templates])
        share_next = cover[:, periods:].sum(1) / np.maximum(cover.sum(1), 1e-12)
        ct = col_t
        col_cost = (
            hourly[ct]
            * paid_h[ct]
            * ((1 - share_next[ct]) * mult[col_day + 1] + share_next[ct] * mult[col_day + 2])
            + prem[ct]
        )
        return cls(
            templates=templates,
            interval=step,
            periods=periods,
            days=days,
            grid=grid,
            required=required,
            floor=floor,
            seat_cap=None if seat_cap is None else int(seat_cap),
            boundary=boundary,
            under_penalty=None if under_penalty is None else float(under_penalty),
            over_penalty=float(over_penalty),
            col_day=col_day,
            col_t=col_t,
            col_cost=col_cost,
            b_col=b_col,
            b_opt=b_opt,
            opt_slot=opt_slot,
            opt_start=opt_start,
            rules=rules,
            present=present,
            online=online,
            net=net,
            link=link,
            online_need=_online_need(required, cover, rate),
        )

    # -- checks before solving ----------------------------------------------------------------
    def _frame(self, mask, **cols) -> pd.DataFrame:
        return pd.DataFrame({k: v[mask] for k, v in cols.items()}, index=self.grid[mask])

    def diagnose(self) -> None:
        """Raise ScheduleInfeasible for faults visible without solving."""
        reach = np.zeros(len(self.grid))
        if self.present.shape[1]:
            reach = np.asarray(self.present.max(axis=1).todense()).ravel()
        need = np.maximum(self.required * (self.under_penalty is None), self.floor)
        uncovered = (need > 0) & (reach <= 0)
        if uncovered.any():
            where = _ranges(self.grid[uncovered], self.interval)
            raise ScheduleInfeasible(
                f"no shift template covers {int(uncovered.sum())} intervals that need agents "
                f"(requirement or floor > 0): {where}; add templates working those hours",
                "uncovered",
                self._frame(uncovered, required=self.required, floor=self.floor),
            )
        if self.seat_cap is None:
            return
        over = self.floor > self.seat_cap
        if over.any():
            raise ScheduleInfeasible(
                f"floor above seat_cap={self.seat_cap} in {int(over.sum())} intervals: "
                f"{_ranges(self.grid[over], self.interval)} (floor up to "
                f"{self.floor[over].max():g})",
                "floor_above_seat_cap",
                self._frame(over, floor=self.floor),
            )
        if self.under_penalty is None:
            best = max(1.0 - t.short_breaks / 3600 for t in self.templates) * self.seat_cap
            over = self.required > best + 1e-9
            if over.any():
                raise ScheduleInfeasible(
                    f"requirement above what seat_cap={self.seat_cap} seats can deliver "
                    f"({best:g} agents net of short breaks) in {int(over.sum())} intervals: "
                    f"{_ranges(self.grid[over], self.interval)} (requirement up to "
                    f"{self.required[over].max():g}); raise seat_cap or allow under-coverage "
                    "with under_penalty",
                    "requirement_above_seat_cap",
                    self._frame(over, required=self.required),
                )

    # -- the program -----------------------------------------------------------------------------
    def program(self, elastic: bool = False) -> Program:
        """Columns: shifts y, shortfall u, (surplus o), (floor shortfall f when elastic)."""
        ny, ng = self.net.shape[1], len(self.grid)
        step_h = self.interval / 3600
        hard = self.under_penalty is None and not elastic
        use_over = self.over_penalty > 0 and not elastic
        fl = np.flatnonzero(self.floor > 0)
        nf = len(fl) if elastic else 0
        no = ng if use_over else 0
        n = ny + ng + no + nf
        eye = sparse.eye_array(ng, format="csr")
        cover, need = self.net, self.required
        if hard and not use_over and self.online_need is not None:
            cover, need = self.online, self.online_need
        blocks = [[cover, eye] + ([-eye] if use_over else []) + ([None] if nf else [])]
        lo = [need]
        hi = [need if use_over else np.full(ng, np.inf)]
        if len(fl):
            row = [self.online[fl], None] + ([None] if use_over else [])
            if nf:
                row.append(sparse.eye_array(nf, format="csr"))
            blocks.append(row)
            lo.append(self.floor[fl])
            hi.append(np.full(len(fl), np.inf))
        pad = [None] * (1 + (1 if use_over else 0) + (1 if nf else 0))
        if self.seat_cap is not None:
            blocks.append([self.present, *pad])
            lo.append(np.full(ng, -np.inf))
            hi.append(np.full(ng, float(self.seat_cap)))
        if self.link.shape[0]:
            blocks.append([self.link, *pad])
            lo.append(np.zeros(self.link.shape[0]))
            hi.append(np.zeros(self.link.shape[0]))
        A = sparse.block_array(blocks, format="csr")
        if A.shape[1] != n:  # blocks of None-only columns are dropped by block_array
            raise AssertionError("program assembly lost columns")
        penalty = 1e3 if elastic else (self.under_penalty or 0.0)
        c = np.concatenate(
            [
                np.zeros(ny) if elastic else np.r_[self.col_cost, np.zeros(ny - len(self.col_t))],
                np.full(ng, penalty * step_h),
                np.full(no, self.over_penalty * step_h),
                np.full(nf, 1e3 * step_h),
            ]
        )
        ub = np.full(n, np.inf)
        if hard:
            ub[ny : ny + ng] = 0.0
        integrality = np.zeros(n, np.int8)
        integrality[:ny] = 1
        # which interval each row and each slack column belongs to, for rolling windows
        nl = self.link.shape[0]
        row_grid = np.concatenate(
            [np.arange(ng), fl]
            + ([np.arange(ng)] if self.seat_cap is not None else [])
            + [np.full(nl, -1)]
        )
        row_x = np.full(A.shape[0], -1)
        if nl:
            row_x[-nl:] = np.asarray((-self.link[:, : len(self.col_t)]).argmax(axis=1)).ravel()
        col_grid = np.concatenate(
            [np.full(ny, -1), np.arange(ng), np.arange(no), fl[:nf] if nf else np.zeros(0, int)]
        )
        col_day = np.concatenate([self.col_day, self.col_day[self.b_col], np.full(n - ny, -2)])
        return Program(
            c,
            A,
            np.concatenate(lo),
            np.concatenate(hi),
            ub,
            integrality,
            ny,
            ng,
            no,
            row_grid,
            row_x,
            col_grid,
            col_day,
        )

    def elastic_diagnosis(self) -> ScheduleInfeasible:
        prog = self.program(elastic=True)
        sol = solve_lp(prog)
        ny, ng = prog.ny, prog.ng
        if sol is None:
            return ScheduleInfeasible(
                "the constraints cannot be met together", "constraints", pd.DataFrame()
            )
        under = sol[ny : ny + ng]
        floor_short = np.zeros(ng)
        fl = np.flatnonzero(self.floor > 0)
        if len(fl):
            floor_short[fl] = sol[ny + ng :]
        short, fshort = under > 1e-6, floor_short > 1e-6
        parts = []
        if short.any():
            parts.append(
                f"requirement cannot be met in {int(short.sum())} intervals "
                f"({_ranges(self.grid[short], self.interval)})"
            )
        if fshort.any():
            parts.append(
                f"floors cannot be met in {int(fshort.sum())} intervals "
                f"({_ranges(self.grid[fshort], self.interval)})"
            )
        why = "; ".join(parts) or "whole agents and whole breaks cannot meet the constraints"
        cap = f" within seat_cap={self.seat_cap}" if self.seat_cap is not None else ""
        return ScheduleInfeasible(
            f"no schedule exists{cap}: {why}",
            "constraints",
            self._frame(
                short | fshort,
                required=self.required,
                floor=self.floor,
                short_of_requirement=under,
                short_of_floor=floor_short,
            ),
        )


def _online_need(required, cover, rate) -> np.ndarray | None:
    """Whole agents online each interval needs, when that is exact.

    If every template works whole intervals and loses the same share ``1 - r`` to short
    breaks, net coverage is ``r`` times a whole number of agents online, so ``net >= req``
    holds exactly when ``online >= ceil(req / r)``. Stating coverage this way changes no
    integer solution but tightens the linear relaxation (a Chvátal–Gomory rounding), which
    makes the bound honest and the program easier. None when the condition fails.
    """
    whole = np.all((cover == 0) | (cover == 1))
    if not whole or not np.all(rate == rate[0]):
        return None
    return np.ceil(required / rate[0] - 1e-9)


def _floors(floors, day_hours, index, pos, n, periods, step) -> np.ndarray:
    floor = np.zeros(n)
    if floors is None:
        return floor
    if isinstance(floors, pd.Series):
        f = floors.reindex(index)
        if f.isna().any():
            raise ValueError("floors Series must have a value for every interval of requirement")
        floor[pos] = f.to_numpy(float)
    else:
        try:
            by_day, at_night = (float(v) for v in floors)
        except (TypeError, ValueError):
            raise ValueError(f"floors={floors!r} must be (day, night), a Series or None") from None
        lo, hi = (parse_clock(v) % DAY for v in day_hours)
        tod = (np.arange(n) % periods) * step
        is_day = (tod >= lo) & (tod < hi) if lo <= hi else (tod >= lo) | (tod < hi)
        floor = np.where(is_day, by_day, at_night)
    if np.any(floor < 0) or not np.all(np.isfinite(floor)):
        raise ValueError(f"floors must be finite and >= 0, got {floors!r}")
    return floor


def _hourly(hourly_rate, templates) -> np.ndarray:
    if isinstance(hourly_rate, Mapping):
        unknown = set(hourly_rate) - {t.name for t in templates}
        if unknown:
            raise ValueError(f"hourly_rate names unknown templates {sorted(unknown)}")
        hourly = np.array([float(hourly_rate.get(t.name, 1.0)) for t in templates])
    else:
        hourly = np.full(len(templates), float(hourly_rate))
    if np.any(hourly < 0) or not np.all(np.isfinite(hourly)):
        raise ValueError(f"hourly_rate={hourly_rate!r} must be finite and >= 0")
    return hourly


def _break_options(templates, step):
    """Every allowed start of every break rule of every template.

    Returns, per option, its template, rule slot, start interval (counted from the start
    day's midnight) and length in intervals, and the rule slots ``(template, name, length)``.
    """
    rules: list[tuple[int, str, int]] = []
    opt_t, opt_slot, opt_start, opt_len = [], [], [], []
    for ti, t in enumerate(templates):
        for rule in t.breaks:
            starts = t.break_starts(rule, step)
            if len(starts) == 0:
                raise ValueError(
                    f"break {rule.name!r} of shift {t.name!r} has no start on the "
                    f"{step}-s interval grid inside its window"
                )
            opt_t.append(np.full(len(starts), ti))
            opt_slot.append(np.full(len(starts), len(rules)))
            opt_start.append(starts)
            opt_len.append(np.full(len(starts), rule.length // step))
            rules.append((ti, rule.name, rule.length // step))
    if not rules:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty, rules
    cat = [np.concatenate(a).astype(np.int64) for a in (opt_t, opt_slot, opt_start, opt_len)]
    return (*cat, rules)


def _runs(start, length, width) -> sparse.csr_array:
    """Rows with ones from ``start[i]`` for ``length[i]`` columns."""
    total = int(length.sum())
    rows = np.repeat(np.arange(len(start)), length)
    cols = (
        np.repeat(start, length) + np.arange(total) - np.repeat(np.cumsum(length) - length, length)
    )
    return sparse.csr_array((np.ones(total), (rows, cols)), shape=(len(start), width))


def _pattern_matrix(pattern, day, row, periods, ndays, boundary) -> sparse.csr_array:
    """Grid x columns matrix placing two-day pattern ``pattern[row[c]]`` at day ``day[c]``."""
    pattern = sparse.csr_array(pattern)
    ng = periods * ndays
    nnz = pattern.indptr[row + 1] - pattern.indptr[row]
    cols = np.repeat(np.arange(len(row)), nnz)
    pos = (
        np.arange(int(nnz.sum()))
        - np.repeat(np.cumsum(nnz) - nnz, nnz)
        + np.repeat(pattern.indptr[row], nnz)
    )
    g = np.repeat(day, nnz) * periods + pattern.indices[pos]
    vals = pattern.data[pos]
    if boundary == "wrap":
        g = g % ng
        keep = np.ones(len(g), bool)
    else:
        keep = (g >= 0) & (g < ng)
    # entries landing on the same cell (a one-day wrapped horizon) are summed
    return sparse.csr_array((vals[keep], (g[keep], cols[keep])), shape=(ng, len(row)))

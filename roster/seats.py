"""Stage 1 of rostering: how many agents work each shift template each day.

A mixed-integer program over a horizon of days chooses shift counts and places each shift's
breaks (implicit break variables) so that the agents on the phones cover the required agents
per interval at least pay cost.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from roster.shifts import DAY, ShiftTemplate, parse_clock

__all__ = ["ScheduleInfeasible", "ShiftSchedule", "schedule_shifts"]

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


@dataclass(frozen=True)
class ShiftSchedule:
    """Result of :func:`schedule_shifts`.

    Attributes
    ----------
    counts : pandas.DataFrame
        Agents starting each template (columns, by name) on each day (index, normalized
        dates). A day before the horizon appears when ``boundary="open"`` used one.
    shifts : pandas.DataFrame
        One row per used (date, template): ``date``, ``shift``, ``start``, ``end``
        (Timestamps), ``agents``, ``paid_hours`` (per agent), ``night_class``, ``cost`` (all
        agents of the row).
    breaks : pandas.DataFrame
        One row per placed break block: ``date``, ``shift``, ``break``, ``start``, ``end``,
        ``agents``.
    coverage : pandas.DataFrame
        Indexed by interval start over whole days of the horizon: ``required``, ``floor``,
        ``scheduled`` (agents at work, breaks included), ``on_break`` (agents on placed
        breaks), ``short_break`` (agents lost to short breaks, on average), ``net``
        (``scheduled - on_break - short_break``), ``gap`` (``net - required``; negative is a
        shortfall). Agents. Intervals absent from the requirement have ``required`` 0.
    cost : float
        Pay cost of all shifts (holiday and night premiums included). [cost units]
    objective : float
        ``cost`` plus the under- and over-coverage penalties.
    bound : float
        Best proven lower bound on ``objective`` (the MILP dual bound).
    lp_bound : float or None
        Optimal value of the linear relaxation, when computed.
    gap : float
        Relative optimality gap ``(objective - bound) / objective``.
    status : str
        ``"optimal"`` (whole horizon solved within the requested gap), ``"time_limit"``
        (whole horizon, best found in time) or ``"rolling"`` (rolling horizon; see
        :func:`schedule_shifts`).
    solve_time : float
        Wall time spent in the solver. [s]
    interval : int
        Interval length. [s]
    boundary : str
        How the horizon's edges were treated (see :func:`schedule_shifts`).
    """

    counts: pd.DataFrame
    shifts: pd.DataFrame
    breaks: pd.DataFrame
    coverage: pd.DataFrame
    cost: float
    objective: float
    bound: float
    lp_bound: float | None
    gap: float
    status: str
    solve_time: float
    interval: int
    boundary: str

    @property
    def shortfall(self) -> float:
        """Agent-hours of coverage below requirement. [h]"""
        short = (-self.coverage["gap"]).clip(lower=0).sum()
        return float(short * self.interval / 3600)

    @property
    def agent_shifts(self) -> int:
        """Number of shifts (agent-days) scheduled."""
        return int(self.shifts["agents"].sum()) if len(self.shifts) else 0


def schedule_shifts(
    requirement: pd.Series,
    templates: Sequence[ShiftTemplate],
    *,
    interval: int | None = None,
    floors: tuple[float, float] | pd.Series | None = (8, 2),
    day_hours: tuple[str | int, str | int] = ("08:00", "22:00"),
    seat_cap: int | None = None,
    hourly_cost: float | Mapping[str, float] = 1.0,
    holiday_multiplier: float = 3.0,
    holidays: Iterable | None = None,
    calendar=None,
    night_premium: Mapping[str, float] | None = None,
    under_cost: float | None = None,
    over_cost: float = 0.0,
    boundary: str = "open",
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-3,
    lp_bound: bool = True,
    window: int | None = 1,
) -> ShiftSchedule:
    """Choose how many agents work each template each day, breaks placed, at least cost.

    Parameters
    ----------
    requirement : pandas.Series
        Agents required on the phones per interval (e.g. from ``erlang.required_agents``),
        indexed by interval start (DatetimeIndex, regular spacing), over one or many days.
        Intervals of a touched day missing from the index are taken as requiring 0 agents.
    templates : sequence of ShiftTemplate
        Shifts an agent may work; each may start on any day of the horizon.
    interval : int, optional
        Interval length, inferred from the index when omitted. [s]
    floors : (float, float), pandas.Series or None
        Hard minimum of agents online (at work and not on a placed break) per interval:
        ``(by day, at night)`` with day hours ``day_hours``, or a Series on the requirement's
        index, or None for no floor. Default ``(8, 2)``: eight seats by day, two at night.
    day_hours : (str or int, str or int)
        Start and end of the "day" for ``floors``, clock text or seconds after midnight.
    seat_cap : int, optional
        Physical seats: at most this many agents at work at once, those on break included.
    hourly_cost : float or mapping of str to float
        Cost of a paid hour, per template name if a mapping (missing names cost 1). [cost/h]
    holiday_multiplier : float
        Multiplier on paid hours falling on a statutory holiday (3x in Chinese law).
    holidays : iterable of date-like, optional
        Statutory holidays.
    calendar : str or calendar object, optional
        Calendar whose ``is_statutory`` days are holidays (``forecast.calendar.get_calendar``),
        e.g. ``"CN"``; combined with ``holidays``.
    night_premium : mapping, optional
        Allowance per shift by night class, ``{"none", "small", "big"}`` -> cost units.
        Classes missing from a given mapping get 0. Default: half an hour's pay for a small
        night, an hour's pay for a big night (at ``hourly_cost``).
    under_cost : float, optional
        Penalty per agent-hour short of requirement. None (default) makes coverage hard.
    over_cost : float
        Penalty per agent-hour above requirement, on top of pay.
    boundary : {"open", "wrap", "closed"}
        Edges of the horizon. ``"open"``: shifts that started the day before the horizon and
        cross midnight may cover its first morning (they are scheduled, costed and reported on
        that day); coverage beyond the last day is not counted. ``"wrap"``: the horizon is a
        cycle, the last night covers the first morning (a representative week). ``"closed"``:
        only shifts starting inside the horizon count.
    time_limit : float
        Time limit of the whole call; the best schedule found is returned with its gap. A
        rolling solve keeps improving until a sweep gains nothing or the limit is spent. [s]
    mip_rel_gap : float
        Relative gap at which the solver stops.
    lp_bound : bool
        Report the value of the linear relaxation (always solved; it is the bound of a
        rolling solve).
    window : int or None
        Days solved together in the rolling horizon (default 1). None solves the whole horizon
        as one program, which proves optimality on small cases but stalls on long horizons.
        A horizon of at most ``window`` days is always solved whole.

    Returns
    -------
    ShiftSchedule

    Raises
    ------
    ScheduleInfeasible
        With the intervals at fault when some required interval has no template to cover it,
        floors or requirements exceed ``seat_cap``, or the constraints together cannot be met.

    Notes
    -----
    Variables ``x[d, t]`` (agents starting template ``t`` on day ``d``) and, for each break
    rule ``k`` of ``t`` and each allowed start ``s``, ``b[d, t, k, s]`` with
    ``sum_s b[d, t, k, s] = x[d, t]``: every agent of the shift takes each of its breaks once
    inside its window. This is the break-variable formulation of Aykin (1996), which, unlike
    the implicit model of Bechtold and Jacobs (1990), stays exact when break windows of
    different shifts overlap in any way. Short breaks (``ShiftTemplate.short_breaks``)
    reduce an agent's contribution in each worked interval to ``r_t = 1 - short_breaks / 3600``.
    Net coverage of interval ``i`` is
    ``sum r_t (a[t, i] x[d, t] - sum_k,s o[k, s, i] b[d, t, k, s])`` with ``a`` the
    worked share of the interval and ``o`` whether the break covers it; ``net + u >= req``
    with shortfall ``u`` (fixed at 0 when ``under_cost`` is None). When every template works
    whole intervals with the same short-break share ``r``, hard coverage is stated as
    ``online >= ceil(req / r)``, which admits the same integer solutions but a tighter
    relaxation. Solved with HiGHS (``highspy``).

    Long horizons are solved by a rolling horizon: one day's shifts at a time with earlier
    days held (night shifts kept at the whole part of their value in the relaxation of the
    whole horizon), then sweeps re-solving each pair of consecutive days with the rest held
    (the following day's intervals included, so night shifts are credited for the morning
    they cover), until a sweep gains nothing or ``time_limit`` is spent. The bound
    reported is then the linear relaxation of the whole horizon, and ``status`` is
    ``"rolling"``.

    References
    ----------
    .. [1] Aykin, T. (1996). Optimal shift scheduling with multiple break windows.
       Management Science 42(4), 591-602.
    .. [2] Bechtold, S. E., Jacobs, L. W. (1990). Implicit modeling of flexible break
       assignments in optimal shift scheduling. Management Science 36(11), 1339-1351.
    """
    model = _Model.build(
        requirement,
        templates,
        interval=interval,
        floors=floors,
        day_hours=day_hours,
        seat_cap=seat_cap,
        hourly_cost=hourly_cost,
        holiday_multiplier=holiday_multiplier,
        holidays=holidays,
        calendar=calendar,
        night_premium=night_premium,
        under_cost=under_cost,
        over_cost=over_cost,
        boundary=boundary,
    )
    model.diagnose()
    return model.solve(
        time_limit=time_limit, mip_rel_gap=mip_rel_gap, lp_bound=lp_bound, window=window
    )


# ---------------------------------------------------------------------------------------------
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


def _infer_interval(index: pd.DatetimeIndex, interval: int | None) -> int:
    if interval is not None:
        if not isinstance(interval, (int, np.integer)) or interval <= 0 or DAY % interval:
            raise ValueError(f"interval={interval!r} must be a positive int dividing 86400 s")
        step = int(interval)
    elif len(index) < 2:
        raise ValueError("interval must be given when requirement has fewer than 2 intervals")
    else:
        step = int(np.diff(index.as_unit("s").asi8).min())
        if step <= 0 or DAY % step:
            raise ValueError(f"requirement index spacing {step} s does not divide a day")
    offsets = (index.as_unit("s").asi8) % step
    if np.any(offsets):
        raise ValueError(
            f"requirement index has times off the {step}-s interval grid, "
            f"e.g. {index[offsets > 0][0]}"
        )
    return step


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


def _holiday_set(holidays, calendar, dates: pd.DatetimeIndex) -> set:
    out: set = set()
    if holidays is not None:
        try:
            out |= set(pd.DatetimeIndex(pd.to_datetime(list(holidays))).normalize())
        except (TypeError, ValueError) as exc:
            raise ValueError(f"holidays must be date-like, got {holidays!r}") from exc
    if calendar is not None:
        from forecast.calendar import get_calendar

        cal = get_calendar(calendar)
        types = cal.day_types(dates)
        out |= set(pd.DatetimeIndex(types.index[types["is_statutory"].to_numpy(bool)]))
    return out


@dataclass
class _Model:
    """The explicit program: one integer column per (day, template, break placement)."""

    templates: list[ShiftTemplate]
    interval: int
    periods: int
    days: pd.DatetimeIndex  # horizon days
    grid: pd.DatetimeIndex  # interval starts over whole horizon days
    required: np.ndarray
    floor: np.ndarray
    seat_cap: int | None
    boundary: str
    under_cost: float | None
    over_cost: float
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
        hourly_cost,
        holiday_multiplier,
        holidays,
        calendar,
        night_premium,
        under_cost,
        over_cost,
        boundary,
    ) -> _Model:
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
        if under_cost is not None and not under_cost >= 0:
            raise ValueError(f"under_cost={under_cost!r} must be >= 0 or None")
        if not over_cost >= 0:
            raise ValueError(f"over_cost={over_cost!r} must be >= 0")
        if seat_cap is not None and not seat_cap >= 0:
            raise ValueError(f"seat_cap={seat_cap!r} must be >= 0")
        if not holiday_multiplier >= 0:
            raise ValueError(f"holiday_multiplier={holiday_multiplier!r} must be >= 0")
        templates = _check_templates(templates)
        step = _infer_interval(requirement.index, interval)
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
        hol = _holiday_set(holidays, calendar, all_days)
        mult = np.where(all_days.isin(list(hol)), float(holiday_multiplier), 1.0)  # day d at d+1
        hourly = _hourly(hourly_cost, templates)
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
            under_cost=None if under_cost is None else float(under_cost),
            over_cost=float(over_cost),
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
        need = np.maximum(self.required * (self.under_cost is None), self.floor)
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
        if self.under_cost is None:
            best = max(1.0 - t.short_breaks / 3600 for t in self.templates) * self.seat_cap
            over = self.required > best + 1e-9
            if over.any():
                raise ScheduleInfeasible(
                    f"requirement above what seat_cap={self.seat_cap} seats can deliver "
                    f"({best:g} agents net of short breaks) in {int(over.sum())} intervals: "
                    f"{_ranges(self.grid[over], self.interval)} (requirement up to "
                    f"{self.required[over].max():g}); raise seat_cap or allow under-coverage "
                    "with under_cost",
                    "requirement_above_seat_cap",
                    self._frame(over, required=self.required),
                )

    # -- the program -----------------------------------------------------------------------------
    def _program(self, elastic: bool = False) -> _Program:
        """Columns: shifts y, shortfall u, (surplus o), (floor shortfall f when elastic)."""
        ny, ng = self.net.shape[1], len(self.grid)
        step_h = self.interval / 3600
        hard = self.under_cost is None and not elastic
        use_over = self.over_cost > 0 and not elastic
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
        penalty = 1e3 if elastic else (self.under_cost or 0.0)
        c = np.concatenate(
            [
                np.zeros(ny) if elastic else np.r_[self.col_cost, np.zeros(ny - len(self.col_t))],
                np.full(ng, penalty * step_h),
                np.full(no, self.over_cost * step_h),
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
        return _Program(
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

    def _elastic_diagnosis(self) -> ScheduleInfeasible:
        prog = self._program(elastic=True)
        sol = _solve_lp(prog)
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

    def solve(
        self, *, time_limit: float, mip_rel_gap: float, lp_bound: bool, window: int | None
    ) -> ShiftSchedule:
        t0 = time.perf_counter()
        prog = self._program()
        lp = _solve_lp(prog)
        if lp is None:
            raise self._elastic_diagnosis()
        lp_value = float(prog.c @ lp)
        if window is None or len(self.days) <= window:
            left = max(1.0, time_limit - (time.perf_counter() - t0))
            res = _solve_mip(prog, None, time_limit=left, mip_rel_gap=mip_rel_gap)
            if res is None:
                raise self._elastic_diagnosis()
            sol, status, bound = res
            bound = max(bound, lp_value) if np.isfinite(bound) else lp_value
        else:
            sol = self._rolling(prog, lp, window, t0, time_limit, mip_rel_gap)
            status, bound = "rolling", lp_value
        return self._result(
            sol[: prog.ny],
            status,
            bound,
            lp_value if lp_bound else None,
            time.perf_counter() - t0,
        )

    def _rolling(self, prog, lp, window, t0, time_limit, mip_rel_gap) -> np.ndarray:
        """Rolling horizon over days, then fix-and-optimize sweeps.

        First pass: solve ``window`` days at a time on their own intervals, keep the first
        day's shifts, move on a day. Shifts reaching into the next day are kept at no fewer
        than the whole part of their value in the linear relaxation of the whole horizon (a
        day alone cannot see what they are worth tomorrow); when a day's morning can only be
        covered from the night before, that night's shifts may be added to. Sweeps: re-solve
        the shifts of each pair of consecutive days with all others held, on their intervals
        and the following day's (so late shifts are credited for the hours they reach into),
        starting from the incumbent so that a sweep never makes things worse; repeat while
        they gain and time remains.
        """
        P = self.periods
        nx = len(self.col_t)
        cut = 0
        starts = np.array([t.start // self.interval for t in self.templates])
        x_op = (self.col_day * P + starts[self.col_t] - cut) // P
        col_op = np.full(len(prog.c), -(10**9))
        col_op[:nx] = x_op
        col_op[nx : prog.ny] = x_op[self.b_col]
        slack = prog.col_grid >= 0
        col_op[slack] = (prog.col_grid[slack] - cut) // P
        row_op = np.where(prog.row_grid >= 0, (prog.row_grid - cut) // P, -(10**9))
        is_link = prog.row_x >= 0
        row_op[is_link] = x_op[prog.row_x[is_link]]
        if self.boundary == "wrap":
            nd = len(self.days)
            col_op[slack] %= nd
            row_op[~is_link & (prog.row_grid >= 0)] %= nd
        days = np.unique(np.r_[x_op, row_op[prog.row_grid >= 0]])
        is_shift = np.zeros(len(prog.c), bool)
        is_shift[: prog.ny] = True
        sol = np.zeros(len(prog.c))

        def solve_part(cols, rows, start, limit, lower=None, upper=None):
            sub = prog.restrict(cols, rows, sol, lower, upper)
            try:
                res = _solve_mip(sub, start, time_limit=limit, mip_rel_gap=mip_rel_gap)
            except RuntimeError:  # nothing found in a short share of time: give it more
                res = _solve_mip(sub, start, time_limit=max(10.0, 4 * limit), mip_rel_gap=0.01)
            return None if res is None else res[0]

        crosses = np.array([t.crosses_midnight for t in self.templates])
        col_cross = np.zeros(len(prog.c), bool)
        col_cross[:nx] = crosses[self.col_t]
        col_cross[nx : prog.ny] = crosses[self.col_t[self.b_col]]
        link_cross = is_link & crosses[self.col_t[np.maximum(prog.row_x, 0)]]
        rule_len = np.array([r[2] for r in self.rules] or [0])
        b_at = self.col_day[self.b_col] * P + self.opt_start[self.b_opt] - cut
        b_ops = np.c_[b_at // P, (b_at + rule_len[self.opt_slot[self.b_opt]] - 1) // P]
        if self.boundary == "wrap":
            b_ops %= len(self.days)
        is_cap = (prog.row_grid >= 0) & ~np.isfinite(prog.row_lo)
        # the linear relaxation sees every day at once: keep at least its whole number of the
        # shifts that reach into the next day, which a day-by-day pass cannot value
        guided = np.zeros(len(prog.c), bool)
        guided[:nx] = crosses[self.col_t]
        for k, day in enumerate(days):
            ahead = list(days[k : k + window])
            left = time_limit - (time.perf_counter() - t0)
            limit = max(0.5, 0.5 * left / (len(days) - k))
            cols = np.flatnonzero(np.isin(col_op, ahead))
            # seat caps of the next day too: this window's night shifts sit in those seats
            rows = np.flatnonzero(
                np.isin(row_op, ahead)
                | (is_cap & np.isin(row_op, days[k + window : k + window + 1]))
            )
            guide = np.where(guided[cols], np.floor(lp[cols] + 1e-6), 0.0)
            part = solve_part(cols, rows, None, limit, guide)
            if part is None and guide.any():
                part = solve_part(cols, rows, None, limit)
            back = [days[k - 1]] if k > 0 else ([days[-1]] if self.boundary == "wrap" else [])
            if part is None and back:
                # the morning needs the night before: let the previous day's shifts reaching
                # into this day grow (never shrink, so that day stays covered; their breaks
                # on that day stay as they are, since its intervals are not re-checked)
                shift_in = is_shift & (
                    np.isin(col_op, ahead) | (np.isin(col_op, back) & col_cross)
                )
                cols = np.flatnonzero(shift_in | (~is_shift & np.isin(col_op, ahead)))
                rows = np.flatnonzero(
                    np.where(
                        is_link,
                        np.isin(row_op, ahead) | (np.isin(row_op, back) & link_cross),
                        np.isin(row_op, ahead) | (is_cap & np.isin(row_op, back)),
                    )
                )
                lower = np.where(is_shift[cols], sol[cols], 0.0)
                upper = prog.ub[cols].copy()
                held = cols[(cols >= nx) & (cols < prog.ny)]
                held = held[np.isin(b_ops[held - nx], back).any(axis=1)]
                upper[np.isin(cols, held)] = sol[held]
                part = solve_part(cols, rows, None, limit, lower, upper)
            if part is None:
                raise self._elastic_diagnosis()
            keep = np.isin(col_op[cols], [*back, day])
            sol[cols[keep]] = part[keep]

        best = prog.c @ sol
        while time.perf_counter() - t0 < time_limit:
            for k in range(len(days)):
                span = days[k : k + 2]
                touched = days[k : k + 3]
                if self.boundary == "wrap" and k + 2 >= len(days):
                    touched = np.r_[touched, days[0]]
                cols = np.flatnonzero(
                    (is_shift & np.isin(col_op, span)) | (~is_shift & np.isin(col_op, touched))
                )
                rows = np.flatnonzero(
                    np.where(is_link, np.isin(row_op, span), np.isin(row_op, touched))
                )
                left = time_limit - (time.perf_counter() - t0)
                if left <= 0:
                    break
                part = solve_part(cols, rows, sol[cols], max(0.5, left / len(days)))
                if part is not None:
                    sol[cols] = part
            value = prog.c @ sol
            if value > best - 1e-6 * max(1.0, abs(best)):
                break
            best = value
        return sol

    # -- result -------------------------------------------------------------------------------
    def _result(self, sol, status, bound, lp_value, elapsed) -> ShiftSchedule:
        sol = np.round(sol).astype(np.int64)
        nx = len(self.col_t)
        y, b = sol[:nx], sol[nx:]
        names = np.array([t.name for t in self.templates], dtype=object)
        ct = self.col_t
        cdate = self.days[0] + pd.to_timedelta(self.col_day, unit="D")
        by_shift = (
            pd.DataFrame({"date": cdate, "t": ct, "agents": y, "cost": self.col_cost * y})
            .groupby(["date", "t"], sort=True)[["agents", "cost"]]
            .sum()
            .reset_index()
        )
        counts = (
            by_shift.pivot(index="date", columns="t", values="agents")
            .reindex(columns=range(len(self.templates)))
            .fillna(0)
            .astype(np.int64)
        )
        counts.columns = pd.Index(names, name="shift")
        counts.index.name = "date"
        used = by_shift[by_shift["agents"] > 0]
        t_used = used["t"].to_numpy()
        starts = np.array([t.start for t in self.templates])[t_used]
        ends = np.array([t.end for t in self.templates])[t_used]
        shifts = pd.DataFrame(
            {
                "date": used["date"].to_numpy(),
                "shift": names[t_used],
                "start": used["date"].to_numpy() + pd.to_timedelta(starts, unit="s"),
                "end": used["date"].to_numpy() + pd.to_timedelta(ends, unit="s"),
                "agents": used["agents"].to_numpy(),
                "paid_hours": np.array([t.paid_time / 3600 for t in self.templates])[t_used],
                "night_class": np.array([t.night_class for t in self.templates])[t_used],
                "cost": used["cost"].to_numpy(),
            }
        )
        breaks = self._breaks_frame(b, cdate, names)
        scheduled = self.present @ sol
        online = self.online @ sol
        net = self.net @ sol
        coverage = pd.DataFrame(
            {
                "required": self.required,
                "floor": self.floor,
                "scheduled": scheduled,
                "on_break": scheduled - online,
                "short_break": online - net,
                "net": net,
                "gap": net - self.required,
            },
            index=pd.DatetimeIndex(self.grid, name="interval"),
        )
        step_h = self.interval / 3600
        cost = float(self.col_cost @ y)
        under = np.clip(self.required - net, 0, None).sum()
        over = np.clip(net - self.required, 0, None).sum()
        objective = cost + step_h * ((self.under_cost or 0.0) * under + self.over_cost * over)
        gap = (objective - bound) / objective if objective > 0 else 0.0
        return ShiftSchedule(
            counts=counts,
            shifts=shifts,
            breaks=breaks,
            coverage=coverage,
            cost=cost,
            objective=float(objective),
            bound=float(bound),
            lp_bound=lp_value,
            gap=float(max(gap, 0.0)),
            status=status,
            solve_time=float(elapsed),
            interval=self.interval,
            boundary=self.boundary,
        )

    def _breaks_frame(self, b, cdate, names) -> pd.DataFrame:
        used = np.flatnonzero(b > 0)
        opt = self.b_opt[used]
        col = self.b_col[used]
        slot = self.opt_slot[opt]
        rule_name = np.array([r[1] for r in self.rules] or [""], dtype=object)
        rule_len = np.array([r[2] for r in self.rules] or [0])
        start = cdate[col] + pd.to_timedelta(self.opt_start[opt] * self.interval, unit="s")
        frames = (
            [
                pd.DataFrame(
                    {
                        "date": cdate[col],
                        "shift": names[self.col_t[col]],
                        "break": rule_name[slot],
                        "start": start,
                        "end": start + pd.to_timedelta(rule_len[slot] * self.interval, unit="s"),
                        "agents": b[used],
                    }
                )
            ]
            if len(used)
            else []
        )
        columns = ["date", "shift", "break", "start", "end", "agents"]
        if not frames:
            return pd.DataFrame({k: [] for k in columns})
        out = pd.concat(frames, ignore_index=True)
        out = out.groupby(columns[:5], sort=True, as_index=False)["agents"].sum()
        return out[columns]


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


def _hourly(hourly_cost, templates) -> np.ndarray:
    if isinstance(hourly_cost, Mapping):
        unknown = set(hourly_cost) - {t.name for t in templates}
        if unknown:
            raise ValueError(f"hourly_cost names unknown templates {sorted(unknown)}")
        hourly = np.array([float(hourly_cost.get(t.name, 1.0)) for t in templates])
    else:
        hourly = np.full(len(templates), float(hourly_cost))
    if np.any(hourly < 0) or not np.all(np.isfinite(hourly)):
        raise ValueError(f"hourly_cost={hourly_cost!r} must be finite and >= 0")
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


# -- solving -----------------------------------------------------------------------------------
@dataclass
class _Program:
    c: np.ndarray
    A: sparse.csr_array
    row_lo: np.ndarray
    row_hi: np.ndarray
    ub: np.ndarray
    integrality: np.ndarray
    ny: int
    ng: int
    no: int
    row_grid: np.ndarray  # interval of each row (-1: a break link row)
    row_x: np.ndarray  # shift column of each link row (-1: other rows)
    col_grid: np.ndarray  # interval of each slack column (-1: shift and break columns)
    col_day: np.ndarray  # day of each shift or break column (-2: slack columns)
    lb: np.ndarray | None = None  # lower bounds of the columns (default 0)

    def restrict(
        self, cols: np.ndarray, rows: np.ndarray, fixed: np.ndarray, lower=None, upper=None
    ) -> _Program:
        """The program over ``cols`` and ``rows``, the other columns held at ``fixed``, with
        bounds ``lower`` (default 0) and ``upper`` (default as before) on ``cols``."""
        A = self.A[rows]
        held = A @ fixed - A[:, cols] @ fixed[cols]
        return _Program(
            self.c[cols],
            sparse.csr_array(A[:, cols]),
            self.row_lo[rows] - held,
            self.row_hi[rows] - held,
            self.ub[cols] if upper is None else np.asarray(upper, float),
            self.integrality[cols],
            0,
            0,
            0,
            self.row_grid[rows],
            self.row_x[rows],
            self.col_grid[cols],
            self.col_day[cols],
            None if lower is None else np.asarray(lower, float),
        )


def _highs(prog: _Program, integer: bool, options: dict):
    import highspy

    inf = highspy.kHighsInf
    A = sparse.csc_array(prog.A)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = prog.c
    lp.col_lower_ = np.zeros(A.shape[1]) if prog.lb is None else prog.lb
    lp.col_upper_ = np.where(np.isinf(prog.ub), inf, prog.ub)
    lp.row_lower_ = np.where(np.isinf(prog.row_lo), -inf, prog.row_lo)
    lp.row_upper_ = np.where(np.isinf(prog.row_hi), inf, prog.row_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    if integer:
        kinds = {0: highspy.HighsVarType.kContinuous, 1: highspy.HighsVarType.kInteger}
        lp.integrality_ = [kinds[int(i)] for i in prog.integrality]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    h.passModel(lp)
    return h


def _solve_lp(prog: _Program) -> np.ndarray | None:
    import highspy

    h = _highs(prog, integer=False, options={})
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value)


def _solve_mip(prog, start, *, time_limit, mip_rel_gap):
    """Best integer solution, status text and dual bound; None if proven infeasible."""
    import highspy

    h = _highs(
        prog,
        integer=True,
        options={"time_limit": float(time_limit), "mip_rel_gap": float(mip_rel_gap)},
    )
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    if info.primal_solution_status != 2:  # no feasible point
        if start is not None:
            return start, "time_limit", float(info.mip_dual_bound)
        raise RuntimeError(
            f"no schedule found within time_limit={time_limit:.1f} s "
            f"(solver: {h.modelStatusToString(status)}); raise time_limit"
        )
    x = np.asarray(h.getSolution().col_value)
    text = "optimal" if status == highspy.HighsModelStatus.kOptimal else "time_limit"
    return x, text, float(info.mip_dual_bound)

"""Stage 1 of rostering: how many agents work each shift template each day.

A mixed-integer program over a horizon of days chooses shift counts and places each shift's
breaks (implicit break variables) so that the agents on the phones cover the required agents
per interval at least pay cost.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast import get_calendar
from roster.seats.model import ScheduleInfeasible, SeatModel
from roster.seats.solve import rolling_solve, solve_lp, solve_mip
from roster.shifts import ShiftTemplate

__all__ = ["ScheduleInfeasible", "ShiftSchedule", "schedule_shifts"]


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
        ``"optimal"`` (whole horizon solved within the requested gap), ``"work_limit"``
        (whole horizon, best found within the node limit), ``"rolling"`` (rolling horizon;
        see :func:`schedule_shifts`) or ``"time_limit"`` (the time ceiling bound: the
        schedule is the best found by then and may differ between machines).
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
    hourly_rate: float | Mapping[str, float] = 1.0,
    holiday_multiplier: float = 3.0,
    calendar=None,
    night_premium: Mapping[str, float] | None = None,
    under_penalty: float | None = None,
    over_penalty: float = 0.0,
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
        Interval length, inferred from the index when omitted (see
        :func:`forecast.interval_length`). [s]
    floors : (float, float), pandas.Series or None
        Hard minimum of agents online (at work and not on a placed break) per interval:
        ``(by day, at night)`` with day hours ``day_hours``, or a Series on the requirement's
        index, or None for no floor. Default ``(8, 2)``: eight seats by day, two at night.
    day_hours : (str or int, str or int)
        Start and end of the "day" for ``floors``, clock text or seconds after midnight.
    seat_cap : int, optional
        Physical seats: at most this many agents at work at once, those on break included.
    hourly_rate : float or mapping of str to float
        Cost of a paid hour, per template name if a mapping (missing names cost 1). [cost/h]
    holiday_multiplier : float
        Multiplier on paid hours falling on a statutory holiday (3x in Chinese law).
    calendar : str, calendar object, iterable of date-like or None
        Which days are statutory holidays (paid ``holiday_multiplier`` times), as for
        :func:`roster.build_roster`: a code such as ``"CN"`` or a calendar object (its
        ``is_statutory`` days), or the holidays themselves as dates; None for none. Made a
        calendar once, by :func:`forecast.get_calendar`. A calendar with local holidays
        added is ``get_calendar("CN").with_overrides({"2025-03-08": "holiday"})``.
    night_premium : mapping, optional
        Allowance per shift by night class, ``{"none", "small", "big"}`` -> cost units.
        Classes missing from a given mapping get 0. Default: half an hour's pay for a small
        night, an hour's pay for a big night (at ``hourly_rate``).
    under_penalty : float, optional
        Penalty per agent-hour short of requirement. None (default) makes coverage hard.
    over_penalty : float
        Penalty per agent-hour above requirement, on top of pay.
    boundary : {"open", "wrap", "closed"}
        Edges of the horizon. ``"open"``: shifts that started the day before the horizon and
        cross midnight may cover its first morning (they are scheduled, costed and reported on
        that day); coverage beyond the last day is not counted. ``"wrap"``: the horizon is a
        cycle, the last night covers the first morning (a representative week). ``"closed"``:
        only shifts starting inside the horizon count.
    time_limit : float
        Ceiling on the whole call. The work is bounded by counts (branch-and-bound nodes,
        sweeps), so that equal inputs give equal schedules on any machine; when the ceiling
        binds first, the best schedule found is returned and ``status`` is ``"time_limit"``.
        [s]
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
    with shortfall ``u`` (fixed at 0 when ``under_penalty`` is None). When every template works
    whole intervals with the same short-break share ``r``, hard coverage is stated as
    ``online >= ceil(req / r)``, which admits the same integer solutions but a tighter
    relaxation. Solved with HiGHS (``highspy``).

    Long horizons are solved by a rolling horizon: one day's shifts at a time with earlier
    days held (night shifts kept at the whole part of their value in the relaxation of the
    whole horizon), then sweeps re-solving each pair of consecutive days with the rest held
    (the following day's intervals included, so night shifts are credited for the morning
    they cover), until a sweep gains nothing (at most four sweeps). The bound
    reported is then the linear relaxation of the whole horizon, and ``status`` is
    ``"rolling"``.

    References
    ----------
    .. [1] Aykin, T. (1996). Optimal shift scheduling with multiple break windows.
       Management Science 42(4), 591-602.
    .. [2] Bechtold, S. E., Jacobs, L. W. (1990). Implicit modeling of flexible break
       assignments in optimal shift scheduling. Management Science 36(11), 1339-1351.
    """
    model = SeatModel.build(
        requirement,
        templates,
        interval=interval,
        floors=floors,
        day_hours=day_hours,
        seat_cap=seat_cap,
        hourly_rate=hourly_rate,
        holiday_multiplier=holiday_multiplier,
        calendar=get_calendar(calendar),
        night_premium=night_premium,
        under_penalty=under_penalty,
        over_penalty=over_penalty,
        boundary=boundary,
    )
    model.diagnose()
    return _solve(
        model, time_limit=time_limit, mip_rel_gap=mip_rel_gap, lp_bound=lp_bound, window=window
    )


#: Branch-and-bound nodes of a horizon solved whole: the work that paces it.
WHOLE_NODES = 20_000


def _solve(
    model, *, time_limit: float, mip_rel_gap: float, lp_bound: bool, window: int | None
) -> ShiftSchedule:
    t0 = time.perf_counter()
    prog = model.program()
    lp = solve_lp(prog)
    if lp is None:
        raise model.elastic_diagnosis()
    lp_value = float(prog.c @ lp)
    if window is None or len(model.days) <= window:
        left = max(1.0, time_limit - (time.perf_counter() - t0))
        res = solve_mip(
            prog, None, time_limit=left, mip_rel_gap=mip_rel_gap, max_nodes=WHOLE_NODES
        )
        if res is None:
            raise model.elastic_diagnosis()
        sol, status, bound = res
        bound = max(bound, lp_value) if np.isfinite(bound) else lp_value
    else:
        sol, hit = rolling_solve(model, prog, lp, window, t0, time_limit, mip_rel_gap)
        status, bound = ("time_limit" if hit else "rolling"), lp_value
    return _result(
        model,
        sol[: prog.ny],
        status,
        bound,
        lp_value if lp_bound else None,
        time.perf_counter() - t0,
    )


def _result(model, sol, status, bound, lp_value, elapsed) -> ShiftSchedule:
    sol = np.round(sol).astype(np.int64)
    nx = len(model.col_t)
    y, b = sol[:nx], sol[nx:]
    names = np.array([t.name for t in model.templates], dtype=object)
    ct = model.col_t
    cdate = model.days[0] + pd.to_timedelta(model.col_day, unit="D")
    by_shift = (
        pd.DataFrame({"date": cdate, "t": ct, "agents": y, "cost": model.col_cost * y})
        .groupby(["date", "t"], sort=True)[["agents", "cost"]]
        .sum()
        .reset_index()
    )
    counts = (
        by_shift.pivot(index="date", columns="t", values="agents")
        .reindex(columns=range(len(model.templates)))
        .fillna(0)
        .astype(np.int64)
    )
    counts.columns = pd.Index(names, name="shift")
    counts.index.name = "date"
    used = by_shift[by_shift["agents"] > 0]
    t_used = used["t"].to_numpy()
    starts = np.array([t.start for t in model.templates])[t_used]
    ends = np.array([t.end for t in model.templates])[t_used]
    shifts = pd.DataFrame(
        {
            "date": used["date"].to_numpy(),
            "shift": names[t_used],
            "start": used["date"].to_numpy() + pd.to_timedelta(starts, unit="s"),
            "end": used["date"].to_numpy() + pd.to_timedelta(ends, unit="s"),
            "agents": used["agents"].to_numpy(),
            "paid_hours": np.array([t.paid_time / 3600 for t in model.templates])[t_used],
            "night_class": np.array([t.night_class for t in model.templates])[t_used],
            "cost": used["cost"].to_numpy(),
        }
    )
    breaks = _breaks_frame(model, b, cdate, names)
    scheduled = model.present @ sol
    online = model.online @ sol
    net = model.net @ sol
    coverage = pd.DataFrame(
        {
            "required": model.required,
            "floor": model.floor,
            "scheduled": scheduled,
            "on_break": scheduled - online,
            "short_break": online - net,
            "net": net,
            "gap": net - model.required,
        },
        index=pd.DatetimeIndex(model.grid, name="interval"),
    )
    step_h = model.interval / 3600
    cost = float(model.col_cost @ y)
    under = np.clip(model.required - net, 0, None).sum()
    over = np.clip(net - model.required, 0, None).sum()
    objective = cost + step_h * ((model.under_penalty or 0.0) * under + model.over_penalty * over)
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
        interval=model.interval,
        boundary=model.boundary,
    )


def _breaks_frame(model, b, cdate, names) -> pd.DataFrame:
    used = np.flatnonzero(b > 0)
    opt = model.b_opt[used]
    col = model.b_col[used]
    slot = model.opt_slot[opt]
    rule_name = np.array([r[1] for r in model.rules] or [""], dtype=object)
    rule_len = np.array([r[2] for r in model.rules] or [0])
    start = cdate[col] + pd.to_timedelta(model.opt_start[opt] * model.interval, unit="s")
    frames = (
        [
            pd.DataFrame(
                {
                    "date": cdate[col],
                    "shift": names[model.col_t[col]],
                    "break": rule_name[slot],
                    "start": start,
                    "end": start + pd.to_timedelta(rule_len[slot] * model.interval, unit="s"),
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

"""Inputs of the named roster, checked and turned into arrays: agents, requirement, leave,
requests, holidays, pay."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast import HolidayCalendar, interval_length
from roster.shifts import DAY, ShiftTemplate


@dataclass
class Problem:
    """A roster problem as arrays (days ``D``, shifts ``S``, agents ``A``)."""

    templates: list
    names: list
    agent_names: list
    dates: pd.DatetimeIndex
    per_shift: bool
    required: np.ndarray  # per coverage row: d*S+s (per shift) or interval slot
    periods: pd.Index
    interval: int  # per interval: the requirement's; per shift: the meal grid
    per_day: int
    vecs: np.ndarray | None  # (S, 2*per_day) coverage of a shift worked on day 0
    reach: np.ndarray | None
    lo: float
    hi: float
    max_work: int
    min_rest: int  # rest days required over the horizon
    month_days: int
    diagnosis: list
    holiday: np.ndarray
    weekend: np.ndarray
    paid: np.ndarray
    big: np.ndarray
    crosses: np.ndarray  # (S,) works past midnight: the next day is no rest day
    forced: np.ndarray  # (A, D) leave
    req_cost: np.ndarray  # (A, D, S) requests
    req_const: np.ndarray  # (A,)
    rate: np.ndarray
    allowed: np.ndarray  # (A, S)
    pay_unit: np.ndarray  # (D, S) pay per hourly rate unit
    under_pen: float
    over_pen: float

    @property
    def D(self):
        return len(self.dates)

    @property
    def S(self):
        return len(self.templates)

    @property
    def A(self):
        return len(self.agent_names)


def agents_frame(agents, names) -> pd.DataFrame:
    if isinstance(agents, bool) or agents is None:
        raise TypeError(f"agents={agents!r} must be a count, a list of names or a DataFrame")
    if isinstance(agents, int | np.integer):
        if agents < 1:
            raise ValueError(f"agents={agents!r} must be >= 1")
        width = len(str(int(agents)))
        frame = pd.DataFrame({"agent": [f"A{i + 1:0{width}d}" for i in range(int(agents))]})
    elif isinstance(agents, pd.DataFrame):
        if "agent" not in agents.columns:
            raise ValueError("agents DataFrame needs an 'agent' column")
        frame = agents.reset_index(drop=True).copy()
    else:
        frame = pd.DataFrame({"agent": list(agents)})
    if frame.empty:
        raise ValueError("agents is empty")
    dup = frame["agent"][frame["agent"].duplicated()]
    if len(dup):
        raise ValueError(f"agents: duplicate names {sorted(map(str, dup.unique()))}")
    if "shifts" in frame.columns:
        allowed = []
        for a, s in zip(frame["agent"], frame["shifts"], strict=True):
            if s is None or (isinstance(s, float) and math.isnan(s)):
                allowed.append(None)
                continue
            bad = set(s) - set(names)
            if bad:
                raise ValueError(f"agents: agent {a!r} allowed unknown shifts {sorted(bad)}")
            allowed.append(frozenset(s))
        frame["shifts"] = allowed
    else:
        frame["shifts"] = None
    if "hourly_rate" not in frame.columns:
        frame["hourly_rate"] = np.nan
    return frame


def day_list(frame, dates, what) -> pd.DataFrame:
    """Normalize an (agent, date, ...) table against the horizon."""
    if frame is None:
        return pd.DataFrame(columns=["agent", "date"])
    if not isinstance(frame, pd.DataFrame) or not {"agent", "date"} <= set(frame.columns):
        raise ValueError(f"{what} must be a DataFrame with columns 'agent' and 'date'")
    out = frame.copy()
    out["date"] = pd.to_datetime(out["date"]).dt.normalize()
    outside = ~out["date"].isin(dates)
    if outside.any():
        raise ValueError(
            f"{what}: {int(outside.sum())} rows fall outside the horizon "
            f"{dates[0].date()}..{dates[-1].date()}, e.g. {out.loc[outside, 'date'].iloc[0]}"
        )
    return out


def coverage_vectors(templates, interval) -> np.ndarray:
    """Share of each interval of two days a template covers when worked on day 0: meals
    spread evenly over their windows, short breaks as the uniform loss the template defines.
    (S, 2 * 86400 // interval)."""
    vecs = []
    for t in templates:
        v = t.coverage(interval).astype(float)
        for rule in t.breaks:
            starts = t.break_starts(rule, interval)
            k = rule.length // interval
            share = np.zeros_like(v)
            for s0 in starts:
                share[s0 : s0 + k] += 1.0 / len(starts)
            v = v - share
        v = v * (1.0 - t.short_breaks / 3600.0)
        vecs.append(v)
    return np.array(vecs)


def prepare(
    requirement,
    templates,
    agents,
    rules,
    interval: int | None,
    leave,
    requests,
    calendar: HolidayCalendar,
    month_days,
) -> Problem:
    """Check the inputs of :func:`roster.build_roster` and turn them into a Problem."""
    templates = list(templates)
    if not templates or not all(isinstance(t, ShiftTemplate) for t in templates):
        raise ValueError("templates must be a non-empty sequence of ShiftTemplate")
    names = [t.name for t in templates]
    if len(set(names)) != len(names):
        raise ValueError(f"templates: duplicate names in {names}")
    S = len(templates)
    frame = agents_frame(agents, names)
    A = len(frame)
    agent_names = frame["agent"].tolist()
    apos = {a: i for i, a in enumerate(agent_names)}

    per_shift = isinstance(requirement, pd.DataFrame)
    vecs = reach = None
    per_day = 0
    if per_shift:
        req = requirement
        if {"date", "shift", "agents"} <= set(req.columns):
            req = req.pivot_table(index="date", columns="shift", values="agents", aggfunc="sum")
        req = req.copy()
        req.index = pd.DatetimeIndex(pd.to_datetime(req.index)).normalize()
        unknown = set(req.columns) - set(names)
        if unknown:
            raise ValueError(f"requirement: shifts {sorted(map(str, unknown))} not in templates")
        req = req.reindex(columns=names).fillna(0)
        dates = pd.date_range(req.index.min(), req.index.max(), freq="D")
        req = req.reindex(dates).fillna(0)
        if (req.to_numpy() < 0).any():
            raise ValueError("requirement: negative agents per shift")
        required = req.to_numpy(dtype=float).ravel()  # row d*S + s
        interval = 900 if interval is None else interval_length(None, interval, name="meal grid")
        periods = pd.MultiIndex.from_product([dates, names], names=["date", "shift"])
    else:
        if not isinstance(requirement, pd.Series) or not isinstance(
            requirement.index, pd.DatetimeIndex
        ):
            raise TypeError("requirement must be a Series indexed by interval start Timestamps")
        if requirement.isna().any() or (requirement < 0).any():
            raise ValueError("requirement: NaN or negative agents")
        interval = interval_length(requirement.index, interval, name="requirement")
        idx = pd.DatetimeIndex(requirement.index)
        day0 = idx[0].normalize()
        offs = np.asarray((idx - day0) / pd.Timedelta(seconds=1))
        slot = (offs // interval).astype(np.int64)
        dates = pd.date_range(day0, idx[-1].normalize(), freq="D")
        per_day = DAY // interval
        n_slots = len(dates) * per_day
        vecs = coverage_vectors(templates, interval)
        required = np.zeros(n_slots)
        required[slot] = requirement.to_numpy(dtype=float)
        periods = pd.date_range(dates[0], periods=n_slots, freq=pd.Timedelta(seconds=interval))
        # intervals no template reaches on any day
        reach = np.zeros(n_slots + per_day, dtype=bool)
        for d in range(len(dates)):
            reach[d * per_day : d * per_day + 2 * per_day] |= (vecs > 0).any(axis=0)
        reach = reach[:n_slots]
    D = len(dates)

    month_days = D if month_days is None else month_days
    lo, hi = rules.monthly_target(D, month_days)
    max_work = rules.max_working_days(D, month_days)
    min_rest = rules.rest_days_needed(D, month_days)
    diagnosis = list(rules.infeasibilities(D, month_days))

    holiday = calendar.day_types(dates)["is_statutory"].to_numpy(dtype=bool)
    weekend = np.asarray(dates.day_of_week >= 5)
    paid = np.array([t.paid_time for t in templates], dtype=float)
    big = np.array([t.night_class == "big" for t in templates])
    crosses = np.array([t.crosses_midnight for t in templates])
    too_long = [t.name for t in templates if t.paid_time > rules.max_shift_paid + 1e-6]
    too_short = [t.name for t in templates if t.paid_time < rules.min_shift_paid - 1e-6]
    if too_long or too_short:
        raise ValueError(
            f"templates outside the daily paid band [{rules.min_shift_paid:g}, "
            f"{rules.max_shift_paid:g}] s: {sorted(too_long + too_short)}"
        )

    leave = day_list(leave, dates, "leave")
    requests = day_list(requests, dates, "requests")
    unknown = (set(leave["agent"]) | set(requests["agent"])) - set(agent_names)
    if unknown:
        raise ValueError(f"leave/requests name unknown agents {sorted(map(str, unknown))}")
    dpos = {d: i for i, d in enumerate(dates)}
    forced = np.zeros((A, D), dtype=bool)
    for a, d in leave[["agent", "date"]].itertuples(index=False):
        forced[apos[a], dpos[d]] = True
    req_cost = np.zeros((A, D, S))
    req_const = np.zeros(A)
    if len(requests):
        for col in ("kind", "weight"):
            if col not in requests.columns:
                raise ValueError(f"requests needs a {col!r} column")
        for row in requests.itertuples(index=False):
            i, d = apos[row.agent], dpos[row.date]
            shift = getattr(row, "shift", None)
            mask = np.ones(S, dtype=bool) if shift is None or shift != shift else None
            if mask is None:
                if shift not in names:
                    raise ValueError(f"requests: unknown shift {shift!r}")
                mask = np.array([n == shift for n in names])
            w = float(row.weight)
            if not w >= 0:
                raise ValueError(f"requests: weight={row.weight!r} must be a cost >= 0")
            if row.kind == "off":
                req_cost[i, d, mask] += w
            elif row.kind == "on":
                req_const[i] += w
                req_cost[i, d, mask] -= w
            else:
                raise ValueError(f"requests: kind={row.kind!r} must be 'on' or 'off'")

    rate = frame["hourly_rate"].fillna(rules.hourly_rate).to_numpy(dtype=float)
    allowed = np.ones((A, S), dtype=bool)
    for i, s in enumerate(frame["shifts"]):
        if s is not None:
            allowed[i] = [n in s for n in names]
    mult = np.where(holiday, rules.holiday_multiplier, 1.0)
    pay_unit = mult[:, None] * (paid[None, :] / 3600.0) + big[None, :] * rules.night_premium
    if per_shift:
        under_pen, over_pen = rules.under_penalty, rules.over_penalty
    else:
        ipf = interval / 3600.0  # penalties are per agent-hour short
        under_pen, over_pen = rules.under_penalty * ipf, rules.over_penalty * ipf
    return Problem(
        templates=templates,
        names=names,
        agent_names=agent_names,
        dates=dates,
        per_shift=per_shift,
        required=required,
        periods=periods,
        interval=interval,
        per_day=per_day,
        vecs=vecs,
        reach=reach,
        lo=lo,
        hi=hi,
        max_work=max_work,
        min_rest=min_rest,
        month_days=month_days,
        diagnosis=diagnosis,
        holiday=holiday,
        weekend=weekend,
        paid=paid,
        big=big,
        crosses=crosses,
        forced=forced,
        req_cost=req_cost,
        req_const=req_const,
        rate=rate,
        allowed=allowed,
        pay_unit=pay_unit,
        under_pen=under_pen,
        over_pen=over_pen,
    )

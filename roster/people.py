"""Stage 2: named agents on shifts over a month, by column generation.

A whole-month model with a binary per agent, day and shift stalls in a MIP solver beyond a few
dozen agents. :func:`build_roster` decomposes it (Dantzig–Wolfe): each agent chooses one
monthly *pattern* (a shift or a day off on each day) from a set grown by pricing. The master
LP picks a convex combination of patterns per agent that covers the requirement at least cost;
its duals price coverage, and a dynamic programme over the days finds, for each agent, the
pattern of least reduced cost that meets the agent's rules (consecutive working days, rest
between shifts, a day off after a big night, monthly paid time, rest days, leave). When no
pattern prices out, the LP value is a lower bound on any roster; the integer master over the
generated patterns (price-and-branch) then gives the roster, and the gap to the bound is
reported.

References
----------
.. [1] G. B. Dantzig and P. Wolfe, "Decomposition principle for linear programs",
   Operations Research 8(1), 1960.
.. [2] A. T. Ernst, H. Jiang, M. Krishnamoorthy and D. Sier, "Staff scheduling and rostering:
   a review of applications, methods and models", EJOR 153(1), 2004.
.. [3] M. E. Lübbecke and J. Desrosiers, "Selected topics in column generation",
   Operations Research 53(6), 2005.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd

from roster.rules import Rules
from roster.shifts import DAY, ShiftTemplate

__all__ = ["Roster", "build_roster"]

_INF = np.inf


@dataclass(frozen=True)
class Roster:
    """A monthly roster of named agents.

    Attributes
    ----------
    assignments : pandas.DataFrame
        One row per shift worked: ``agent``, ``date`` (start day), ``shift`` (template name),
        ``start``, ``end`` (Timestamps), ``break_start``, ``break_end`` (first placed meal,
        NaT if none), ``paid`` [s], ``night`` (night class), ``holiday`` (statutory holiday).
    totals : pandas.DataFrame
        Per agent: ``shifts``, ``paid`` [s], ``nights`` (big nights), ``rest_days``,
        ``weekend_days``, ``holidays_worked``, ``cost``.
    coverage : pandas.DataFrame
        Per interval (or per date and shift when the requirement is per shift): ``required``,
        ``scheduled``, ``on_break``, ``net``, ``gap`` (``net - required``).
    cost : float
        Objective of the roster as modelled: pay, penalties and uncovered requirement (meals
        counted as spread over their windows, as in the bound).
    lower_bound : float
        Lower bound on any roster's objective (the column-generation LP value; exact when
        pricing converged, see ``converged``).
    converged : bool
        Whether column generation proved no pattern could lower the LP.
    unmet : pandas.DataFrame
        Requirement the roster leaves uncovered: ``period``, ``required``, ``net``,
        ``short``. Empty when all is covered.
    diagnosis : tuple of str
        Why requirement or rules could not be met (empty when everything was met).
    time_s : float
        Wall time [s].
    """

    assignments: pd.DataFrame
    totals: pd.DataFrame
    coverage: pd.DataFrame
    cost: float
    lower_bound: float
    converged: bool
    unmet: pd.DataFrame
    diagnosis: tuple = ()
    time_s: float = 0.0
    stats: dict = field(default_factory=dict, repr=False)

    @property
    def gap_pct(self) -> float:
        """Relative gap of ``cost`` to ``lower_bound`` [%]."""
        if self.lower_bound <= 0:
            return 0.0 if self.cost <= 1e-9 else math.inf
        return 100.0 * (self.cost - self.lower_bound) / self.lower_bound


# --------------------------------------------------------------------------------------------
# inputs


def _agents_frame(agents, names) -> pd.DataFrame:
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


def _holiday_days(holidays, dates: pd.DatetimeIndex) -> np.ndarray:
    if holidays is None:
        return np.zeros(len(dates), dtype=bool)
    if isinstance(holidays, str) or hasattr(holidays, "day_types"):
        from forecast.calendar import get_calendar

        table = get_calendar(holidays).day_types(dates)
        return table["is_statutory"].to_numpy(dtype=bool)
    try:
        days = pd.DatetimeIndex(pd.to_datetime(list(holidays))).normalize()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"holidays={holidays!r} is not a calendar code or dates") from exc
    return dates.isin(days)


def _day_list(frame, dates, what) -> pd.DataFrame:
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


# --------------------------------------------------------------------------------------------
# pricing


@dataclass
class _Pricer:
    """Dynamic programme over days for one agent's least-cost pattern.

    State after a day: (last shift or off, working-day run, working days, extra paid units).
    Paid time = working days * min paid + extra units * unit, exact for any mix of paid
    times that are multiples of ``unit``.
    """

    compat: np.ndarray  # (S+1, S) may shift s follow `last` on the next day
    paid: np.ndarray  # (S,) [s]
    nights: np.ndarray  # (S,) big night
    rules: Rules
    days: int
    lo: float
    hi: float
    max_work: int

    def __post_init__(self):
        p = self.paid
        pmin = float(p.min())
        unit = np.gcd.reduce(np.round(p - pmin).astype(np.int64)) if len(p) > 1 else 0
        self.pmin = pmin
        self.unit = int(unit) if unit > 0 else 1
        self.extra = np.round((p - pmin) / self.unit).astype(np.int64)
        max_extra_total = int(self.extra.max()) * self.max_work
        cap = math.floor((self.hi - pmin * 0) / self.unit) if unit > 0 else 0
        self.E = min(max_extra_total, cap) + 1 if unit > 0 else 1
        self.C = int(self.rules.max_consecutive_days)
        self.soft = int(self.rules.soft_max_consecutive_days)

    def solve(self, cost: np.ndarray, forced_off: np.ndarray, allowed: np.ndarray, k: int = 1):
        """Least-cost pattern.

        Parameters
        ----------
        cost : ndarray (days, S)
            Cost of working shift s on day d (pay, requests, minus coverage duals).
        forced_off : ndarray of bool (days,)
        allowed : ndarray of bool (S,)

        k : int
            Number of patterns wanted: the best path into each of the ``k`` cheapest end
            states (distinct patterns).

        Returns
        -------
        (value, pattern) with pattern an int array (days,), -1 for off; (inf, None) if the
        rules admit no pattern. With ``k > 1`` a list of such pairs, cheapest first.
        """
        S, C, W, E, D = len(self.paid), self.C, self.max_work, self.E, self.days
        shape = (S + 1, C + 1, W + 1, E)
        V = np.full(shape, _INF)
        V[0, 0, 0, 0] = 0.0
        run_pen = np.zeros(C + 1)
        run_pen[self.soft + 1 :] = self.rules.consecutive_penalty
        back = []
        # mask[last, s]: may s follow last; padded so that masked entries never win
        mask = self.compat[:, :, None, None, None]
        extras = np.unique(self.extra)
        for d in range(D):
            new = np.full(shape, _INF)
            flat = V.reshape((S + 1) * (C + 1), W + 1, E)
            arg_off = np.argmin(flat, axis=0)
            new[0, 0] = np.take_along_axis(flat, arg_off[None], axis=0)[0]
            arg_work = np.zeros((S, C + 1, W + 1, E), dtype=np.int16)
            ok = allowed & np.isfinite(cost[d])
            if not forced_off[d] and ok.any():
                # best predecessor for every shift at once: (S+1, S, C, W+1, E) -> (S, ...)
                cand = np.where(mask, V[:, None, :C], _INF)
                j = np.argmin(cand, axis=0)
                best = np.take_along_axis(cand, j[None], axis=0)[0]
                best = best + cost[d][:, None, None, None] + run_pen[None, 1 : C + 1, None, None]
                best[~ok] = _INF
                for es in extras:
                    sel = np.flatnonzero((self.extra == es) & ok)
                    if len(sel) == 0:
                        continue
                    es = int(es)
                    new[sel + 1, 1:, 1:, es:] = best[sel, :, :W, : E - es]
                    arg_work[sel, 1:, 1:, es:] = j[sel, :, :W, : E - es]
            back.append((arg_off, arg_work))
            V = new
        # terminal: paid time in [lo, hi], rest days
        wd = np.arange(W + 1)[:, None]
        ex = np.arange(E)[None, :]
        paid = wd * self.pmin + ex * self.unit
        ok = (paid >= self.lo - 1e-6) & (paid <= self.hi + 1e-6)
        ok &= D - wd >= 0
        ok &= wd <= self.max_work
        term = np.where(ok[None, None], V, _INF)
        order = np.argsort(term, axis=None)[:k]
        out = []
        for flat_k in order:
            value = float(term.flat[flat_k])
            if not np.isfinite(value):
                break
            out.append((value, self._backtrack(back, np.unravel_index(flat_k, shape))))
        if k == 1:
            return out[0] if out else (_INF, None)
        return out

    def admits(self, pattern, forced_off, allowed) -> bool:
        """Whether a pattern meets the rules the pricing enforces."""
        work = pattern >= 0
        if np.any(work & forced_off) or not np.all(allowed[pattern[work]]):
            return False
        run, last = 0, 0
        for p in pattern:
            if p >= 0:
                if not self.compat[last, p]:
                    return False
                run += 1
                if run > self.C:
                    return False
                last = p + 1
            else:
                run, last = 0, 0
        paid = float(self.paid[pattern[work]].sum())
        return self.lo - 1e-6 <= paid <= self.hi + 1e-6 and work.sum() <= self.max_work

    def _backtrack(self, back, state):
        last, run, w, e = (int(v) for v in state)
        C = self.C
        pattern = np.full(self.days, -1, dtype=np.int64)
        for d in range(self.days - 1, -1, -1):
            arg_off, arg_work = back[d]
            if last == 0:
                last, run = divmod(int(arg_off[w, e]), C + 1)
            else:
                s = last - 1
                pattern[d] = s
                prev = int(arg_work[s, run, w, e])  # index of `last` in 0..S
                run, w, e = run - 1, w - 1, e - int(self.extra[s])
                last = prev
            if last == 0 and run != 0:
                raise AssertionError("pricing backtrack reached an inconsistent state")
        return pattern


def _rotations(days, S, rules, big, paid, lo, hi):
    """Patterns of one shift on a weekly rhythm (5 on 2 off, or alternate days for big
    nights) at every phase, kept when their paid time fits the band."""
    out = []
    for s in range(S):
        week = [1, 0] * 4 if big[s] else [1, 1, 1, 1, 1, 0, 0]
        period = 2 if big[s] else 7
        for phase in range(period):
            on = np.array([week[(d + phase) % period] for d in range(days)], dtype=bool)
            pat = np.where(on, s, -1).astype(np.int64)
            total = paid[s] * on.sum()
            if lo - 1e-6 <= total <= hi + 1e-6:
                out.append(pat)
            else:
                # trim or extend the last working days to land in the band
                need = int(np.ceil((lo - 1e-6) / paid[s]))
                work = np.flatnonzero(on)
                if len(work) > need and total > hi:
                    pat = pat.copy()
                    pat[work[need:]] = -1
                    out.append(pat)
    return out


def _compat(templates, rules: Rules) -> np.ndarray:
    S = len(templates)
    out = np.ones((S + 1, S), dtype=bool)
    for i, a in enumerate(templates):
        for j, b in enumerate(templates):
            rest = DAY + b.start - a.end
            ok = rest >= rules.min_rest_between_shifts
            if rules.rest_after_big_night and a.night_class == "big":
                ok = False
            if b.name in rules.forbidden_next.get(a.name, ()):
                ok = False
            out[i + 1, j] = ok
    return out


# --------------------------------------------------------------------------------------------
# requirement -> coverage rows


def _coverage_matrix(templates, requirement, interval):
    """Per-template coverage of each interval of the horizon, as (dates, rows, row index)."""
    idx = pd.DatetimeIndex(requirement.index)
    day0 = idx[0].normalize()
    offs = (idx - day0) / pd.Timedelta(seconds=1)
    if np.any(np.asarray(offs) % interval):
        raise ValueError(f"requirement index is not aligned to interval={interval} s")
    slot = (np.asarray(offs) // interval).astype(np.int64)
    dates = pd.date_range(day0, idx[-1].normalize(), freq="D")
    per_day = DAY // interval
    n_slots = len(dates) * per_day
    # template coverage vectors over two days, breaks spread over their windows and short
    # breaks taken off as the uniform loss the templates define
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
    return dates, slot, n_slots, per_day, np.array(vecs)


# --------------------------------------------------------------------------------------------
# master


class _Master:
    """LP / MIP over patterns with highspy: one row per group of interchangeable agents
    (patterns used = group size), one equality row per covered period with under- and
    over-coverage slacks."""

    def __init__(self, sizes, required, under_pen, over_pen):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        # new columns leave the basis primal feasible: primal simplex resumes from it
        h.setOptionValue("simplex_strategy", 4)
        self.h = h
        self.G = len(sizes)
        self.R = len(required)
        self.sizes = np.asarray(sizes, dtype=float)
        h.addRows(self.G, self.sizes, self.sizes, 0, [], [], [])
        req = np.asarray(required, dtype=float)
        h.addRows(self.R, req, req, 0, [], [], [])
        rows = (self.G + np.arange(self.R)).astype(np.int32)
        starts = np.arange(self.R, dtype=np.int32)
        for pen, sign in ((under_pen, 1.0), (over_pen, -1.0)):
            h.addCols(
                self.R,
                np.full(self.R, float(pen)),
                np.zeros(self.R),
                np.full(self.R, _INF),
                self.R,
                starts,
                rows,
                np.full(self.R, sign),
            )
        self.n_slack = 2 * self.R
        self.columns = []  # (group, pattern, cost)
        self.cov = []  # (rows, values) of each column
        self.required = req
        self.pen = (float(under_pen), float(over_pen))

    def add(self, group, pattern, cost, cov_rows, cov_vals):
        rows = np.concatenate([[group], self.G + np.asarray(cov_rows, dtype=np.int64)])
        vals = np.concatenate([[1.0], np.asarray(cov_vals, dtype=float)])
        self.h.addCols(
            1,
            np.array([cost]),
            np.zeros(1),
            np.array([self.sizes[group]]),
            len(rows),
            np.array([0], dtype=np.int32),
            rows.astype(np.int32),
            vals,
        )
        self.columns.append((group, pattern, cost))
        self.cov.append((np.asarray(cov_rows, dtype=np.int64), np.asarray(cov_vals, float)))

    def lp_values(self):
        x = np.asarray(self.h.getSolution().col_value)
        return x[self.n_slack :]

    def solve_lp(self):
        self.h.run()
        duals = np.asarray(self.h.getSolution().row_dual)
        return self.h.getInfo().objective_function_value, duals

    def solve_mip(self, time_limit):
        h = self.h
        n = len(self.columns)
        idx = np.arange(self.n_slack, self.n_slack + n, dtype=np.int32)
        h.changeColsIntegrality(n, idx, np.full(n, highspy.HighsVarType.kInteger))
        # HiGHS measures its limit on a clock that runs across calls
        h.setOptionValue("time_limit", float(h.getRunTime() + max(time_limit, 1.0)))
        h.setOptionValue("mip_rel_gap", 1e-4)
        # a restart re-runs the root with its own clock and overshoots the limit
        h.setOptionValue("mip_allow_restart", False)
        h.setOptionValue("mip_heuristic_effort", 0.3)
        h.run()
        x = np.asarray(h.getSolution().col_value)
        return np.round(x[self.n_slack :]).astype(np.int64), h.getInfo().objective_function_value


# --------------------------------------------------------------------------------------------


def build_roster(
    requirement,
    templates,
    agents,
    *,
    rules: Rules | None = None,
    interval: int | None = None,
    leave: pd.DataFrame | None = None,
    requests: pd.DataFrame | None = None,
    holidays="CN",
    month_days: int | None = None,
    time_limit: float = 60.0,
    max_rounds: int = 60,
) -> Roster:
    """Named agents on shifts over a horizon (usually a month), covering a requirement.

    Parameters
    ----------
    requirement : pandas.Series or pandas.DataFrame
        Either agents required per interval (Series indexed by interval start Timestamps,
        e.g. from ``erlang.required_agents``), or agents per shift and day from stage 1
        (``roster.schedule_shifts``): a DataFrame indexed by date with one column per template
        name, or a long frame with columns ``date``, ``shift``, ``agents``.
    templates : sequence of ShiftTemplate
        Shifts agents may work.
    agents : int, list of str or pandas.DataFrame
        A head count, names, or a frame with column ``agent`` and optional ``shifts`` (the
        template names the agent may work: skills / groups) and ``hourly_rate``.
    rules : Rules, optional
        Labour rules (defaults of :class:`Rules`).
    interval : int, optional
        Interval length [s] of a per-interval requirement; inferred from its index.
    leave : pandas.DataFrame, optional
        Approved leave: ``agent``, ``date``; those days are fixed off.
    requests : pandas.DataFrame, optional
        Shift-on/off requests: ``agent``, ``date``, ``shift`` (template name, or None for
        "any shift"), ``kind`` ("on" or "off"), ``weight`` (cost if not honoured).
    holidays : "CN", calendar, iterable of dates or None
        Statutory holidays (paid ``rules.holiday_multiplier`` times): a calendar code or object
        for ``forecast.calendar.get_calendar``, or the dates themselves.
    month_days : int, optional
        Days of the month the monthly rules refer to (default: the horizon's length).
    time_limit : float
        Wall-clock budget [s] for the whole build.
    max_rounds : int
        Most column-generation rounds.

    Returns
    -------
    Roster

    Notes
    -----
    Pricing enforces per agent: leave, allowed shifts, rest between shifts
    (``min_rest_between_shifts``), ``forbidden_next``, a day off after a big night, runs of at
    most ``max_consecutive_days`` (penalised beyond ``soft_max_consecutive_days``), paid time
    within the monthly band and at least ``min_rest_days`` days off. Agents with the same
    leave, requests, allowed shifts and rate are interchangeable and share one master row.
    Caps on nights, weekends and per-shift counts hold for every generated pattern; when one
    binds, pricing prices the capped resource up until the pattern complies, which is no
    longer exact, so no lower bound is claimed (``converged`` is False). The horizon is taken
    to start after a rest day (no carry-in from the previous month). ``min_consecutive_days``
    and ``min_consecutive_days_off`` above 1 are not modelled here and are reported by
    :func:`roster.check`.

    The integer phase rounds the final LP (whole parts kept, groups filled greedily) and
    improves it by moving single agents to better generated patterns; masters small enough
    also go to the HiGHS MIP, and the better roster is returned.
    """
    t0 = time.perf_counter()
    rules = Rules() if rules is None else rules
    if not isinstance(rules, Rules):
        raise TypeError(f"rules={rules!r} must be a roster.Rules")
    templates = list(templates)
    if not templates or not all(isinstance(t, ShiftTemplate) for t in templates):
        raise ValueError("templates must be a non-empty sequence of ShiftTemplate")
    names = [t.name for t in templates]
    if len(set(names)) != len(names):
        raise ValueError(f"templates: duplicate names in {names}")
    if time_limit <= 0:
        raise ValueError(f"time_limit={time_limit!r} must be positive")
    S = len(templates)
    frame = _agents_frame(agents, names)
    A = len(frame)
    agent_names = frame["agent"].tolist()
    apos = {a: i for i, a in enumerate(agent_names)}

    # requirement
    per_shift = isinstance(requirement, pd.DataFrame)
    if per_shift:
        req = requirement
        if {"date", "shift", "agents"} <= set(req.columns):
            req = req.pivot_table(index="date", columns="shift", values="agents", aggfunc="sum")
        req.index = pd.DatetimeIndex(pd.to_datetime(req.index)).normalize()
        unknown = set(req.columns) - set(names)
        if unknown:
            raise ValueError(f"requirement: shifts {sorted(map(str, unknown))} not in templates")
        req = req.reindex(columns=names).fillna(0)
        dates = pd.date_range(req.index.min(), req.index.max(), freq="D")
        req = req.reindex(dates).fillna(0)
        if (req.to_numpy() < 0).any():
            raise ValueError("requirement: negative agents per shift")
        D = len(dates)
        required = req.to_numpy(dtype=float).ravel()  # row d*S + s
        periods = pd.MultiIndex.from_product([dates, names], names=["date", "shift"])
    else:
        if not isinstance(requirement, pd.Series) or not isinstance(
            requirement.index, pd.DatetimeIndex
        ):
            raise TypeError("requirement must be a Series indexed by interval start Timestamps")
        if requirement.isna().any() or (requirement < 0).any():
            raise ValueError("requirement: NaN or negative agents")
        if interval is None:
            if len(requirement) < 2:
                raise ValueError("requirement: give interval= for a single-interval series")
            steps = np.diff(requirement.index) / pd.Timedelta(seconds=1)
            interval = int(np.min(steps))
        dates, slot, n_slots, per_day, vecs = _coverage_matrix(templates, requirement, interval)
        D = len(dates)
        full = np.zeros(n_slots)
        full[slot] = requirement.to_numpy(dtype=float)
        required = full
        periods = pd.date_range(dates[0], periods=n_slots, freq=pd.Timedelta(seconds=interval))
        # uncoverable requirement: intervals no template reaches on any day
        reach = np.zeros(n_slots + per_day, dtype=bool)
        for d in range(D):
            reach[d * per_day : d * per_day + 2 * per_day] |= (vecs > 0).any(axis=0)
        reach = reach[:n_slots]

    month_days = D if month_days is None else month_days
    lo, hi = rules.monthly_target(D, month_days)
    max_work = rules.max_working_days(D, month_days)
    diagnosis = list(rules.infeasibilities(D, month_days))

    holiday = _holiday_days(holidays, dates)
    weekend = dates.day_of_week >= 5
    paid = np.array([t.paid_time for t in templates], dtype=float)
    big = np.array([t.night_class == "big" for t in templates])
    too_long = [t.name for t in templates if t.paid_time > rules.max_shift_paid + 1e-6]
    too_short = [t.name for t in templates if t.paid_time < rules.min_shift_paid - 1e-6]
    if too_long or too_short:
        raise ValueError(
            f"templates outside the daily paid band [{rules.min_shift_paid:g}, "
            f"{rules.max_shift_paid:g}] s: {sorted(too_long + too_short)}"
        )

    leave = _day_list(leave, dates, "leave")
    requests = _day_list(requests, dates, "requests")
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
    # pay per agent-day-shift [cost units]
    mult = np.where(holiday, rules.holiday_multiplier, 1.0)
    pay_unit = mult[:, None] * (paid[None, :] / 3600.0) + big[None, :] * rules.night_premium
    compat = _compat(templates, rules)
    pricer = _Pricer(compat, paid, big, rules, D, lo, hi, max_work)

    def _shift_value(y_cov):
        """Dual value of working each shift on each day: sum of its coverage rows."""
        if per_shift:
            return y_cov.reshape(D, S)
        out = np.zeros((D, S))
        padded = np.concatenate([y_cov, np.zeros(per_day)])
        two = 2 * per_day
        for d in range(D):
            out[d] = vecs[:, :two] @ padded[d * per_day : d * per_day + two]
        return out

    if per_shift:
        under_pen, over_pen = rules.under_penalty, rules.over_penalty
    else:
        ipf = interval / 3600.0  # penalties are per agent-hour short
        under_pen, over_pen = rules.under_penalty * ipf, rules.over_penalty * ipf

    # interchangeable agents share one master row and their patterns
    keys = {}
    group_of = np.zeros(A, dtype=np.int64)
    for i in range(A):
        key = (forced[i].tobytes(), allowed[i].tobytes(), req_cost[i].tobytes(), rate[i])
        group_of[i] = keys.setdefault(key, len(keys))
    G = len(keys)
    members = [np.flatnonzero(group_of == g) for g in range(G)]
    master = _Master([len(m) for m in members], required, under_pen, over_pen)
    week = dates.isocalendar().week.to_numpy()
    name_pos = {n: k for k, n in enumerate(names)}
    nz = [] if per_shift else [np.flatnonzero(v) for v in vecs]

    def column(g, pattern):
        i = members[g][0]
        work = pattern >= 0
        dd = np.flatnonzero(work)
        ss = pattern[work]
        cost = float(np.sum(pay_unit[dd, ss]) * rate[i] + np.sum(req_cost[i, dd, ss]))
        cost += req_const[i] + _run_penalty(work, rules)
        if per_shift:
            rows = dd * S + ss
            vals = np.ones(len(rows))
        elif len(dd) == 0:
            rows, vals = np.zeros(0, dtype=np.int64), np.zeros(0)
        else:
            r = np.concatenate([d * per_day + nz[s] for d, s in zip(dd, ss, strict=True)])
            v = np.concatenate([vecs[s][nz[s]] for s in ss])
            keep = r < n_slots
            rows, inv = np.unique(r[keep], return_inverse=True)
            vals = np.bincount(inv, weights=v[keep])
        return cost, rows, vals

    def violates_caps(pattern):
        work = pattern >= 0
        ss = pattern[work]
        if rules.max_nights is not None and big[ss].sum() > rules.max_nights:
            return True
        if rules.max_weekends is not None and len(set(week[work & weekend])) > rules.max_weekends:
            return True
        return any(
            nm in name_pos and np.sum(ss == name_pos[nm]) > cap
            for nm, cap in rules.max_shifts.items()
        )

    exact = True  # whether every pricing answer was the true least reduced cost

    def price(g, c):
        """Least-cost pattern for group g; caps the DP does not carry are met by pricing
        their resource up until the pattern complies (then pricing is no longer exact)."""
        nonlocal exact
        i = members[g][0]
        val, pat = pricer.solve(c, forced[i], allowed[i])
        if pat is None or not violates_caps(pat):
            return val, pat
        exact = False
        extra = np.zeros_like(c)
        step = float(np.abs(c).max()) / 10 + 1.0
        for _ in range(40):
            extra = extra + step * big[None, :]
            for nm in rules.max_shifts:
                if nm in name_pos:
                    extra[:, name_pos[nm]] += step
            if rules.max_weekends is not None:
                extra[weekend] += step
            _, pat = pricer.solve(c + extra, forced[i], allowed[i])
            if pat is None:
                return _INF, None
            if not violates_caps(pat):
                work = pat >= 0
                dd = np.flatnonzero(work)
                return float(np.sum(c[dd, pat[work]])) + _run_penalty(work, rules), pat
        return _INF, None

    seen = set()
    infeasible_agents = []
    for g in range(G):
        i = members[g][0]
        val, pat = price(g, pay_unit * rate[i] + req_cost[i])
        if pat is None:
            infeasible_agents += [agent_names[j] for j in members[g]]
            pat = np.full(D, -1, dtype=np.int64)
        cost, rows, vals = column(g, pat)
        master.add(g, pat, cost, rows, vals)
        seen.add((g, pat.tobytes()))
        if pat.max() < 0:
            continue
        # warm start: regular rotations (one shift, a fixed weekly on/off rhythm at every
        # offset) that meet the agent's rules shorten column generation a lot
        for pat_r in _rotations(D, S, rules, big, paid, lo, hi):
            ok = pricer.admits(pat_r, forced[i], allowed[i]) and not violates_caps(pat_r)
            if ok and (g, pat_r.tobytes()) not in seen:
                cost, rows, vals = column(g, pat_r)
                master.add(g, pat_r, cost, rows, vals)
                seen.add((g, pat_r.tobytes()))
    if infeasible_agents:
        diagnosis.append(
            f"{len(infeasible_agents)} agents cannot meet the monthly paid band "
            f"[{lo / 3600:g}, {hi / 3600:g}] h with at least {rules.min_rest_days} rest days "
            f"under their leave and rules (e.g. {infeasible_agents[:5]}); they are left off "
            "the roster"
        )

    lp_value, converged, rounds = math.inf, False, 0
    best_bound = -math.inf
    budget_lp = 0.7 * time_limit
    while rounds < max_rounds and time.perf_counter() - t0 < budget_lp:
        rounds += 1
        lp_value, duals = master.solve_lp()
        pi = duals[:G]
        value = _shift_value(duals[G : G + master.R])
        added = 0
        lagr = 0.0
        for g in range(G):
            i = members[g][0]
            if agent_names[i] in infeasible_agents:
                continue
            c = pay_unit * rate[i] + req_cost[i] - value
            val, pat = price(g, c)
            if pat is None:
                continue
            rc = val + req_const[i] - pi[g]
            lagr += len(members[g]) * min(rc, 0.0)
            if rc >= -1e-6:
                continue
            found = [(val, pat)]
            if len(members[g]) > 1:
                # a large group needs many patterns: the best path into each of the
                # cheapest end states, all of negative reduced cost
                found += pricer.solve(c, forced[i], allowed[i], k=min(len(members[g]), 30))
            for val_k, pat_k in found:
                if val_k + req_const[i] - pi[g] >= -1e-6 or violates_caps(pat_k):
                    continue
                if (g, pat_k.tobytes()) in seen:
                    continue
                cost, rows, vals = column(g, pat_k)
                master.add(g, pat_k, cost, rows, vals)
                seen.add((g, pat_k.tobytes()))
                added += 1
        if exact:
            # Lagrangian (Farley) bound: restricted LP value plus every agent's most
            # negative reduced cost; valid at every round
            best_bound = max(best_bound, lp_value + lagr)
        if added == 0:
            converged = exact
            break
    if not converged:
        lp_value, _ = master.solve_lp()
    lower = lp_value if converged else best_bound

    t_lp = time.perf_counter() - t0
    # integer phase: round the LP and improve by local search over the generated
    # patterns; small masters also go to the MIP solver, the better roster wins
    lam = master.lp_values()
    counts, value = _round_and_improve(master, lam, members, deadline=t0 + 0.85 * time_limit)
    nnz = sum(len(r) for r, _ in master.cov)
    if nnz < 100_000:
        mip_counts, mip_value = master.solve_mip(max(time_limit - (time.perf_counter() - t0), 1))
        if mip_value < value - 1e-9 and np.all(mip_counts >= 0):
            counts, value = mip_counts, mip_value
    mip_value = value
    grid = np.full((A, D), -1, dtype=np.int64)
    fill = [0] * G
    for k, (g, pat, _cost) in enumerate(master.columns):
        for _ in range(int(counts[k])):
            if fill[g] < len(members[g]):
                grid[members[g][fill[g]]] = pat
                fill[g] += 1

    roster = _assemble(
        grid=grid,
        agent_names=agent_names,
        templates=templates,
        dates=dates,
        holiday=holiday,
        weekend=weekend,
        big=big,
        pay_unit=pay_unit,
        rate=rate,
        req_cost=req_cost,
        req_const=req_const,
        rules=rules,
        per_shift=per_shift,
        required=required,
        periods=periods,
        interval=interval,
        lower=lower,
        converged=converged,
        diagnosis=diagnosis,
        t0=t0,
        reach=None if per_shift else reach,
    )
    roster.stats.update(
        {
            "rounds": rounds,
            "columns": len(master.columns),
            "lp": lp_value,
            "groups": G,
            "time_lp_s": t_lp,
        }
    )
    return dataclasses.replace(roster, cost=float(mip_value))


def _round_and_improve(master, lam, members, deadline):
    """Integer pattern counts from the LP values: keep the whole parts, fill each group
    greedily with the pattern that lowers the objective most, then move single agents to
    better patterns of their group until no move helps (or the deadline).

    Returns (counts per column, objective).
    """
    R = master.R
    n = len(master.columns)
    group = np.array([g for g, _, _ in master.columns])
    cost = np.array([c for _, _, c in master.columns])
    lens = np.array([len(r) for r, _ in master.cov])
    ptr = np.concatenate([[0], np.cumsum(lens)])
    idx = np.concatenate([r for r, _ in master.cov]) if n else np.zeros(0, np.int64)
    val = np.concatenate([v for _, v in master.cov]) if n else np.zeros(0)
    col_of = np.repeat(np.arange(n), lens)
    req = master.required
    under, over = master.pen

    def f(x, r):
        return under * np.maximum(r - x, 0.0) + over * np.maximum(x - r, 0.0)

    def gains(cov):
        """Objective change of adding each column to coverage ``cov``."""
        base = f(cov[idx], req[idx])
        delta = f(cov[idx] + val, req[idx]) - base
        return np.bincount(col_of, weights=delta, minlength=n) + cost

    def add(cov, k, sign):
        cov[idx[ptr[k] : ptr[k + 1]]] += sign * val[ptr[k] : ptr[k + 1]]

    counts = np.floor(lam + 1e-6).astype(np.int64)
    cov = np.zeros(R)
    for k in np.flatnonzero(counts):
        for _ in range(counts[k]):
            add(cov, k, 1.0)
    sizes = np.array([len(m) for m in members])
    used = np.bincount(group, weights=counts, minlength=len(members)).astype(np.int64)
    for g in range(len(members)):
        mine = np.flatnonzero(group == g)
        while used[g] < sizes[g]:
            k = mine[np.argmin(gains(cov)[mine])]
            counts[k] += 1
            used[g] += 1
            add(cov, k, 1.0)
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for k in np.flatnonzero(counts):
            if time.perf_counter() > deadline:
                break
            while counts[k] > 0:
                add(cov, k, -1.0)
                g_all = gains(cov)
                mine = np.flatnonzero(group == group[k])
                best = mine[np.argmin(g_all[mine])]
                if g_all[best] < g_all[k] - 1e-9:
                    counts[k] -= 1
                    counts[best] += 1
                    add(cov, best, 1.0)
                    improved = True
                else:
                    add(cov, k, 1.0)
                    break
    value = float(counts @ cost + f(cov, req).sum())
    return counts, value


def _run_penalty(work: np.ndarray, rules: Rules) -> float:
    """Penalty of working days beyond ``soft_max_consecutive_days`` in a run."""
    run = 0
    extra = 0
    for w in work:
        run = run + 1 if w else 0
        extra += run > rules.soft_max_consecutive_days
    return float(extra) * rules.consecutive_penalty


def _weekends_worked(work: np.ndarray, dates: pd.DatetimeIndex) -> int:
    """Weekends (Saturday-Sunday pairs, by ISO week) with at least one day worked."""
    wk = dates.isocalendar().week.to_numpy()
    we = dates.day_of_week >= 5
    return len(set(wk[we & work]))


def _assemble(
    *,
    grid,
    agent_names,
    templates,
    dates,
    holiday,
    weekend,
    big,
    pay_unit,
    rate,
    req_cost,
    req_const,
    rules,
    per_shift,
    required,
    periods,
    interval,
    lower,
    converged,
    diagnosis,
    t0,
    reach,
):
    A, D = grid.shape
    S = len(templates)
    names = [t.name for t in templates]
    ii, dd = np.nonzero(grid >= 0)
    ss = grid[ii, dd]
    starts = dates[dd] + pd.to_timedelta([templates[s].start for s in ss], unit="s")
    ends = dates[dd] + pd.to_timedelta([templates[s].end for s in ss], unit="s")

    # coverage and break placement
    brk_start = pd.Series(pd.NaT, index=range(len(ii)), dtype="datetime64[ns]")
    brk_end = brk_start.copy()
    if per_shift:
        sched = np.zeros(D * S)
        np.add.at(sched, dd * S + ss, 1.0)
        on_break = np.zeros_like(sched)
    else:
        per_day = DAY // interval
        n = len(required)
        sched = np.zeros(n + 2 * per_day)
        on_break = np.zeros(n + 2 * per_day)
        lost = np.zeros(n + 2 * per_day)
        frac = np.zeros(n + 2 * per_day)
        for d, s in zip(dd, ss, strict=True):
            t = templates[s]
            cov = t.coverage(interval)
            sched[d * per_day : d * per_day + len(cov)] += cov
            frac[d * per_day : d * per_day + len(cov)] += cov * (1.0 - t.short_breaks / 3600.0)
        surplus = frac.copy()
        surplus[:n] -= required
        # meals go, shift by shift, where the surplus left is largest
        for k in np.argsort(ss, kind="stable"):
            d, s = dd[k], ss[k]
            t = templates[s]
            keep = 1.0 - t.short_breaks / 3600.0
            base = d * per_day
            for r_i, rule in enumerate(t.breaks):
                st = t.break_starts(rule, interval)
                m = rule.length // interval
                scores = surplus[base + st[:, None] + np.arange(m)[None, :]].min(axis=1)
                a = int(st[int(np.argmax(scores))])
                surplus[base + a : base + a + m] -= keep
                lost[base + a : base + a + m] += keep
                on_break[base + a : base + a + m] += 1.0
                if r_i == 0:
                    brk_start.iloc[k] = dates[d] + pd.Timedelta(seconds=int(a * interval))
                    brk_end.iloc[k] = dates[d] + pd.Timedelta(
                        seconds=int(a * interval + rule.length)
                    )
        sched, on_break = sched[:n], on_break[:n]
        net = frac[:n] - lost[:n]

    assignments = pd.DataFrame(
        {
            "agent": np.asarray(agent_names, dtype=object)[ii],
            "date": dates[dd],
            "shift": np.asarray(names, dtype=object)[ss],
            "start": starts,
            "end": ends,
            "break_start": brk_start.to_numpy(),
            "break_end": brk_end.to_numpy(),
            "paid": np.array([templates[s].paid_time for s in ss], dtype=np.int64),
            "night": np.asarray([templates[s].night_class for s in ss], dtype=object),
            "holiday": holiday[dd],
        }
    )

    # totals and cost
    work = grid >= 0
    paid_t = np.zeros(A)
    nights = np.zeros(A, dtype=np.int64)
    cost = np.zeros(A)
    np.add.at(paid_t, ii, [templates[s].paid_time for s in ss])
    np.add.at(nights, ii, big[ss].astype(np.int64))
    np.add.at(cost, ii, pay_unit[dd, ss] * rate[ii] + req_cost[ii, dd, ss])
    cost += req_const
    for i in range(A):
        run = 0
        for d in range(D):
            run = run + 1 if work[i, d] else 0
            if run > rules.soft_max_consecutive_days:
                cost[i] += rules.consecutive_penalty
    totals = pd.DataFrame(
        {
            "shifts": work.sum(axis=1),
            "paid": paid_t,
            "nights": nights,
            "rest_days": D - work.sum(axis=1),
            "weekend_days": (work & weekend[None, :]).sum(axis=1),
            "holidays_worked": (work & holiday[None, :]).sum(axis=1),
            "cost": cost,
        },
        index=pd.Index(agent_names, name="agent"),
    )

    if per_shift:
        coverage = pd.DataFrame(
            {"required": required, "scheduled": sched, "on_break": on_break, "net": sched},
            index=periods,
        )
        under_pen, over_pen = rules.under_penalty, rules.over_penalty
    else:
        coverage = pd.DataFrame(
            {"required": required, "scheduled": sched, "on_break": on_break, "net": net},
            index=pd.Index(periods, name="interval"),
        )
        ipf = interval / 3600.0
        under_pen, over_pen = rules.under_penalty * ipf, rules.over_penalty * ipf
    coverage["gap"] = coverage["net"] - coverage["required"]
    # objective counts the model's coverage (breaks spread over windows); the reported
    # gap uses the placed breaks
    short = np.clip(-coverage["gap"].to_numpy(), 0, None)
    excess = np.clip(coverage["gap"].to_numpy(), 0, None)
    total = float(cost.sum() + under_pen * short.sum() + over_pen * excess.sum())
    unmet_mask = short > 1e-6
    unmet = pd.DataFrame(
        {
            "period": coverage.index[unmet_mask],
            "required": coverage["required"].to_numpy()[unmet_mask],
            "net": coverage["net"].to_numpy()[unmet_mask],
            "short": short[unmet_mask],
        }
    )
    diagnosis = list(diagnosis)
    if reach is not None:
        dead = (~reach) & (np.asarray(required) > 0)
        if dead.any():
            first = coverage.index[dead][0]
            diagnosis.append(
                f"{int(dead.sum())} intervals with requirement are covered by no template "
                f"(first {first}); add a template spanning them"
            )
    if unmet_mask.any():
        diagnosis.append(
            f"requirement not met in {int(unmet_mask.sum())} periods, "
            f"{short.sum():.1f} agent-periods short in total"
        )
    return Roster(
        assignments=assignments,
        totals=totals,
        coverage=coverage,
        cost=total,
        lower_bound=float(lower),
        converged=converged,
        unmet=unmet,
        diagnosis=tuple(diagnosis),
        time_s=time.perf_counter() - t0,
        stats={},
    )

"""Stage 2: named agents on shifts over a month, by column generation (branch-and-price
heuristic with a proven bound).

A whole-month model with a binary per agent, day and shift stalls in a MIP solver beyond a few
dozen agents. :func:`build_roster` decomposes it (Dantzig–Wolfe): each agent works one
monthly *pattern* (a shift or a day off on each day). The master LP
(:mod:`roster.people_master`) chooses patterns per group of interchangeable agents so as to
cover the requirement at least cost; its duals price coverage, and an exact labelled dynamic
programme (:mod:`roster.people_pricing`) finds each group's least reduced-cost pattern among
all that meet the rules. The Lagrangian bound evaluated at every pricing point and the
aggregate model with whole agents per shift and day (:mod:`roster.people_bound`) are lower
bounds on any roster.

The same exact pricer also improves whole rosters (:mod:`roster.people_polish`): each agent
in turn takes the best month against everyone else's, which first builds a roster from an
empty month (its months start the master near a good cost) and at the end repairs the
rounded master LP. Small masters are rounded by diving with pricing, a local search and the
MIP over the generated patterns; large ones by systematic rounding within each group
(:mod:`roster.people_integer`). The roster is then laid out with its breaks
(:mod:`roster.people_assemble`).

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

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from roster.people_assemble import assemble
from roster.people_bound import aggregate_bound
from roster.people_inputs import prepare
from roster.people_integer import integer_roster, systematic_round
from roster.people_master import Master, column_generation
from roster.people_polish import CoverageLedger, best_response
from roster.people_pricing import PatternPricer, Resource, compat_matrix
from roster.rules import Rules

__all__ = ["Roster", "build_roster"]

# shares of the time limit by which column generation and the integer phase end; the
# best-response sweeps take the rest
_CG_SHARE = 0.6
_INTEGER_SHARE = 0.92
_DIVE_STEPS = 500
_SEED_SHARE = 0.2
_SEED_SWEEPS = 8
_BOUND_SHARE = 0.07  # the integer aggregate bound
# first agents' positions of the systematic roundings the best response starts from
_OFFSETS = (0.5, 0.9, 0.3, 0.7, 0.1)
_K_BEST = 80  # patterns per group and pricing round at most


@dataclass(frozen=True)
class Roster:
    """A monthly roster of named agents.

    Attributes
    ----------
    assignments : pandas.DataFrame
        One row per shift worked: ``agent``, ``date`` (start day), ``shift`` (template name),
        ``start``, ``end`` (Timestamps), ``break_start``, ``break_end`` (first placed meal,
        NaT if the shift has none), ``paid`` [s], ``night`` (night class), ``holiday``
        (statutory holiday), ``meals`` (number of meals placed, all in ``breaks``),
        ``short_breaks`` (paid short-break allowance of the shift [s]).
    totals : pandas.DataFrame
        Per agent: ``shifts``, ``paid`` [s], ``nights`` (big nights), ``rest_days``,
        ``weekend_days``, ``weekends`` (weekends with a day worked), ``holidays_worked``,
        ``cost``, and ``nights_dev``, ``weekends_dev``, ``holidays_dev`` (count minus the
        team's mean share).
    coverage : pandas.DataFrame
        Per interval (or per date and shift when the requirement is per shift): ``required``,
        ``scheduled``, ``on_break``, ``net``, ``gap`` (``net - required``).
    cost : float
        Objective of the roster as modelled: pay, penalties (runs, fair shares, requests)
        and uncovered requirement (meals counted as spread over their windows, as in the
        bound).
    lower_bound : float
        Proven lower bound on the objective of any roster: the better of the Lagrangian
        bound of column generation (exact pricing, valid at every round) and the bound of
        the aggregate relaxation (:mod:`roster.people_bound`: its LP value, raised by the
        dual bound of its model with whole agents per shift and day).
    converged : bool
        Whether column generation closed its LP on the bound (the LP is then optimal).
    unmet : pandas.DataFrame
        Requirement the roster leaves uncovered: ``period``, ``required``, ``net``,
        ``short``. Empty when all is covered.
    diagnosis : tuple of str
        Why requirement or rules could not be met (empty when everything was met).
    time_s : float
        Wall time [s].
    breaks : pandas.DataFrame
        Every placed meal: ``agent``, ``date``, ``shift``, ``break`` (rule name), ``start``,
        ``end``, ``paid``.
    shifts : pandas.DataFrame
        Agents per date (rows) and shift (columns) as rostered.
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
    breaks: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    shifts: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def gap_pct(self) -> float:
        """Relative gap of ``cost`` to ``lower_bound`` [%]."""
        if self.lower_bound <= 0:
            return 0.0 if self.cost <= 1e-9 else math.inf
        return 100.0 * (self.cost - self.lower_bound) / self.lower_bound


# --------------------------------------------------------------------------------------------


class _Group:
    """Interchangeable agents: same leave, allowed shifts, requests and rate."""

    def __init__(self, members, pricer, base, const, forced, allowed, columnize, k):
        self.members = members
        self.size = len(members)
        self.pricer = pricer
        self.base = base
        self.const = const
        self.forced = forced
        self.allowed = allowed
        self._columnize = columnize
        self.k = k

    def price(self, value, k=1):
        found = self.pricer.solve(self.base - value, self.forced, self.allowed, k=k)
        if not found:
            # agents no pattern fits are left off: the all-off column is their only choice
            off = np.full(len(self.forced), -1, dtype=np.int64)
            return [(self.const + self.pricer.extras(off), off)]
        return [(v + self.const, p) for v, p in found]

    def column(self, pattern):
        work = pattern >= 0
        dd = np.flatnonzero(work)
        cost = float(self.base[dd, pattern[work]].sum()) + self.const
        cost += self.pricer.extras(pattern)
        rows, vals = self._columnize(dd, pattern[work])
        return cost, rows, vals


def _rotations(days, S, big, paid, lo, hi):
    """Patterns of one shift on a weekly rhythm (5 on 2 off, or alternate days for big
    nights) at every phase, trimmed to the paid band."""
    out = []
    for s in range(S):
        week = [1, 0] if big[s] else [1, 1, 1, 1, 1, 0, 0]
        for phase in range(len(week)):
            on = np.array([week[(d + phase) % len(week)] for d in range(days)], dtype=bool)
            pat = np.where(on, s, -1).astype(np.int64)
            if paid[s] * on.sum() > hi + 1e-6:
                need = int(np.ceil((lo - 1e-6) / paid[s]))
                pat[np.flatnonzero(on)[need:]] = -1
            out.append(pat)
    return out


def _resources(p, rules, fair_means, eligible):
    """Counted resources of the pricing state: big nights, capped shift names, holidays."""
    D, S = p.D, p.S
    res = []
    tol = rules.fair_tolerance

    def penalty(cap, weight, mean):
        n = np.arange(cap + 1)
        if mean is None or weight == 0:
            return np.zeros(cap + 1)
        return weight * np.clip(np.abs(n - mean) - tol, 0, None)

    top = p.max_work
    if p.big.any():
        cap = top if rules.max_nights is None else min(rules.max_nights, top)
        weight = rules.fair_nights_weight if eligible["nights"] else 0.0
        if cap < top or (weight and fair_means is not None):
            use = np.broadcast_to(p.big.astype(np.int64), (D, S)).copy()
            mean = None if fair_means is None else fair_means["nights"]
            res.append(Resource("nights", use, cap, penalty(cap, weight, mean)))
    for name, cap in rules.max_shifts.items():
        if name in p.names and cap < top:
            use = np.zeros((D, S), dtype=np.int64)
            use[:, p.names.index(name)] = 1
            res.append(Resource(f"shift {name}", use, int(cap), np.zeros(int(cap) + 1)))
    n_hol = int(p.holiday.sum())
    if n_hol and rules.fair_holidays_weight and fair_means is not None:
        use = np.repeat(p.holiday.astype(np.int64)[:, None], S, axis=1)
        res.append(
            Resource(
                "holidays",
                use,
                min(n_hol, top),
                penalty(min(n_hol, top), rules.fair_holidays_weight, fair_means["holidays"]),
            )
        )
    return res


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
    max_rounds: int = 80,
    meal_blocks: pd.DataFrame | None = None,
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
        Interval length [s] of a per-interval requirement; inferred from its index. With a
        per-shift requirement it sets the grid on which meals are staggered (default 900).
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
        Wall-clock budget [s] for the whole build. The work is bounded by counts
        (``max_rounds``, sweeps, node limits) so that on small inputs a given input gives the
        same roster; on large ones the shares of this budget (see Notes) bind first.
    max_rounds : int
        Most column-generation rounds.
    meal_blocks : pandas.DataFrame or "stagger", optional
        With a per-shift requirement: meal blocks placed by stage 1 (``date``, ``shift``,
        ``break``, ``start``, ``end``, ``agents``, as ``ShiftSchedule.breaks``), handed out
        to the agents working that shift, meals without a block staggered evenly over their
        windows; ``"stagger"`` staggers every meal. Left None, a per-shift roster leaves its
        meals to the caller (``break_start`` NaT). A per-interval roster always places its
        meals where the surplus over the requirement is largest.

    Returns
    -------
    Roster

    Notes
    -----
    Pricing is exact: it enforces per agent leave, allowed shifts, rest between shifts
    (``min_rest_between_shifts``), ``forbidden_next``, a day off after a big night, runs of at
    most ``max_consecutive_days`` (penalised beyond ``soft_max_consecutive_days``), paid time
    within the monthly band, at least ``min_rest_days`` days off, and the caps on big nights,
    weekends and shifts of a name, each carried as a resource of its state. Fair shares are
    a cost ``fair_*_weight`` per count beyond ``fair_tolerance`` from the team's mean share;
    the mean is taken from a first roster built before the penalty is switched on and then
    held fixed, so the bound is a bound for that objective. Agents with the same leave, requests,
    allowed shifts and rate are interchangeable and share one master row. The horizon is taken
    to start after a rest day (no carry-in from the previous month).
    ``min_consecutive_days`` and ``min_consecutive_days_off`` above 1 are not modelled here
    and are reported by :func:`roster.check`.

    The time limit is shared out: the integer aggregate bound 7%, the first roster up to
    20%, column generation up to 60%, the rest for rounding, best responses and the layout.
    Every step also has a count limit (sweeps, rounds); where the time share binds first,
    a slower machine gives a different roster or a weaker (still valid) bound.
    """
    t0 = time.perf_counter()
    rules = Rules() if rules is None else rules
    if not isinstance(rules, Rules):
        raise TypeError(f"rules={rules!r} must be a roster.Rules")
    if time_limit <= 0:
        raise ValueError(f"time_limit={time_limit!r} must be positive")
    if isinstance(meal_blocks, str) and meal_blocks != "stagger":
        raise ValueError(f"meal_blocks={meal_blocks!r} must be a DataFrame, 'stagger' or None")
    p = prepare(
        requirement, templates, agents, rules, interval, leave, requests, holidays, month_days
    )
    D, S, A = p.D, p.S, p.A
    compat = compat_matrix(p.templates, rules)
    saturday = np.asarray(p.dates.day_of_week == 5)
    sunday = np.asarray(p.dates.day_of_week == 6)
    n_weekends = len(set(p.dates.isocalendar().week.to_numpy()[p.weekend]))

    # interchangeable agents share one master row and their patterns
    keys = {}
    group_of = np.zeros(A, dtype=np.int64)
    for i in range(A):
        key = (
            p.forced[i].tobytes(),
            p.allowed[i].tobytes(),
            p.req_cost[i].tobytes(),
            p.rate[i],
            p.req_const[i],
        )
        group_of[i] = keys.setdefault(key, len(keys))
    G = len(keys)
    members = [np.flatnonzero(group_of == g) for g in range(G)]

    nz = [] if p.per_shift else [np.flatnonzero(v) for v in p.vecs]
    n_rows = len(p.required)

    def columnize(dd, ss):
        if p.per_shift:
            return dd * S + ss, np.ones(len(dd))
        if len(dd) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        r = np.concatenate([d * p.per_day + nz[s] for d, s in zip(dd, ss, strict=True)])
        v = np.concatenate([p.vecs[s][nz[s]] for s in ss])
        keep = r < n_rows
        rows, inv = np.unique(r[keep], return_inverse=True)
        return rows, np.bincount(inv, weights=v[keep])

    def shift_value(y):
        """Dual value of working each shift on each day: the sum of its coverage rows."""
        if p.per_shift:
            return y.reshape(D, S)
        two = 2 * p.per_day
        padded = np.concatenate([y, np.zeros(p.per_day)])
        windows = np.lib.stride_tricks.sliding_window_view(padded, two)[:: p.per_day][:D]
        return windows @ p.vecs[:, :two].T

    eligible_night = p.allowed[:, p.big].any(axis=1) if p.big.any() else np.zeros(A, bool)
    weekend_fair = rules.fair_weekends_weight > 0 and n_weekends > 0

    def make_groups(fair_means):
        pricers = {}
        groups = []
        for g in range(G):
            i = members[g][0]
            night_ok = bool(eligible_night[i])
            if night_ok not in pricers:
                res = _resources(p, rules, fair_means, {"nights": night_ok})
                wk_cap = None
                wk_cost = None
                if rules.max_weekends is not None and rules.max_weekends < n_weekends:
                    wk_cap = int(rules.max_weekends)
                if weekend_fair and fair_means is not None:
                    wk_cap = n_weekends if wk_cap is None else wk_cap
                    n = np.arange(wk_cap + 1)
                    wk_cost = rules.fair_weekends_weight * np.clip(
                        np.abs(n - fair_means["weekends"]) - rules.fair_tolerance, 0, None
                    )
                pricers[night_ok] = PatternPricer(
                    compat,
                    p.paid,
                    rules,
                    D,
                    p.lo,
                    p.hi,
                    p.max_work,
                    resources=res,
                    saturday=saturday,
                    sunday=sunday,
                    weekend_cap=wk_cap,
                    weekend_cost=wk_cost,
                )
            base = p.pay_unit * p.rate[i] + p.req_cost[i]
            groups.append(
                _Group(
                    members[g],
                    pricers[night_ok],
                    base,
                    float(p.req_const[i]),
                    p.forced[i],
                    p.allowed[i],
                    columnize,
                    k=min(len(members[g]), _K_BEST),
                )
            )
        return groups

    shift_cov = [columnize(np.array([d]), np.array([s])) for d in range(D) for s in range(S)]
    groups = make_groups(None)
    infeasible = []
    for grp in groups:
        if not grp.pricer.solve(grp.base, grp.forced, grp.allowed):
            infeasible += [p.agent_names[j] for j in grp.members]
    feasible = ~np.isin(np.asarray(p.agent_names, dtype=object), infeasible)
    agg_bound, y_agg, _ = aggregate_bound(
        p,
        rules,
        shift_cov,
        feasible,
        integer_time=_BOUND_SHARE * time_limit,
    )
    diagnosis = list(p.diagnosis)
    if infeasible:
        diagnosis.append(
            f"{len(infeasible)} agents cannot meet the monthly paid band "
            f"[{p.lo / 3600:g}, {p.hi / 3600:g}] h with at least {rules.min_rest_days} rest "
            f"days under their leave and rules (e.g. {infeasible[:5]}); they are left off "
            "the roster"
        )
    fair = (
        (rules.fair_nights_weight > 0 and p.big.any())
        or weekend_fair
        or (rules.fair_holidays_weight > 0 and p.holiday.any())
    )

    # a first roster by best response from an empty month: agents one after another take
    # their best month against the others'; without fair shares first, whose team means
    # it then supplies
    grid = np.full((A, D), -1, dtype=np.int64)
    ledger = CoverageLedger(shift_cov, p.required, p.under_pen, p.over_pen)
    seed_deadline = t0 + _SEED_SHARE * time_limit
    sweeps_a = _SEED_SWEEPS // 2 if fair else _SEED_SWEEPS
    seed_value, seed_moves, seed_sweeps = best_response(
        grid,
        group_of,
        groups,
        ledger,
        S,
        movable=feasible,
        deadline=seed_deadline,
        max_sweeps=sweeps_a,
    )
    seed_grids = [grid.copy()]
    fair_means = None
    if fair:
        fair_means = _roster_means(grid, p, eligible_night)
        groups = make_groups(fair_means)
        ledger = CoverageLedger(shift_cov, p.required, p.under_pen, p.over_pen)
        seed_value, moves_b, sweeps_b = best_response(
            grid,
            group_of,
            groups,
            ledger,
            S,
            movable=feasible,
            deadline=seed_deadline,
            max_sweeps=_SEED_SWEEPS - sweeps_a,
        )
        seed_moves += moves_b
        seed_sweeps += sweeps_b
        seed_grids.append(grid.copy())
    seed_grid = grid.copy()
    t_seed = time.perf_counter() - t0

    master = Master([len(m) for m in members], p.required, p.under_pen, p.over_pen, shift_cov)
    zero = np.zeros((D, S))
    for g, grp in enumerate(groups):
        pat = grp.price(zero)[0][1]
        master.add(g, pat, *grp.column(pat))
        if not feasible[grp.members[0]]:
            continue
        # regular rotations that meet the agent's rules
        for pat_r in _rotations(D, S, p.big, p.paid, p.lo, p.hi):
            if grp.pricer.admits(pat_r, grp.forced, grp.allowed):
                master.add(g, pat_r, *grp.column(pat_r))
    # the first roster's months: the restricted LP starts near that roster's cost
    for sg in seed_grids:
        for i in np.flatnonzero(feasible):
            master.add(group_of[i], sg[i].copy(), *groups[group_of[i]].column(sg[i]))
    if y_agg is not None:
        # the aggregate duals are a good first dual point: price there before the first LP
        y_agg = np.clip(y_agg, -p.over_pen, p.under_pen)
        value = shift_value(y_agg)
        for g, grp in enumerate(groups):
            for _, pat in grp.price(value, k=grp.k):
                master.add(g, pat, *grp.column(pat))
    # from scratch the barrier method is several times faster than simplex here; its
    # crossover leaves the basis that the simplex re-solves start from
    master.solve_lp(solver="ipm")

    gen = column_generation(
        master,
        groups,
        shift_value,
        max_rounds=max_rounds,
        deadline=t0 + _CG_SHARE * time_limit,
        bound=agg_bound,
        center=y_agg,
    )
    rounds = gen.rounds
    history = list(gen.history)
    t_lp = time.perf_counter() - t0

    counts, info = integer_roster(
        master,
        groups,
        shift_value,
        deadline=t0 + _INTEGER_SHARE * time_limit,
        t0=t0,
        max_dive=_DIVE_STEPS,
    )
    lam = master.values()
    info["integer_objective"] = info["objective"]
    info["lp_pattern_cost"] = float(lam @ np.asarray(master.cost))

    def grid_of(counts):
        grid = np.full((A, D), -1, dtype=np.int64)
        fill = [0] * G
        for k in np.flatnonzero(counts):
            g = master.group[k]
            for _ in range(int(counts[k])):
                if fill[g] < len(members[g]):
                    grid[members[g][fill[g]]] = master.patterns[k]
                    fill[g] += 1
        return grid

    # every agent's month re-priced against the others' until none improves; from a
    # systematic rounding, again from other offsets while the time allows one more run
    grid, objective = seed_grid, seed_value
    br_end = t0 + 0.97 * time_limit
    moves = sweeps = starts = 0
    run_time = 0.0
    for j, offset in enumerate(_OFFSETS):
        started = time.perf_counter()
        if j and (not info["systematic"] or br_end - started < 1.2 * run_time):
            break
        if j:
            counts = systematic_round(np.asarray(master.group), lam, master.sizes, offset)
        trial = grid_of(counts)
        ledger = CoverageLedger(shift_cov, p.required, p.under_pen, p.over_pen)
        value, n_moves, n_sweeps = best_response(
            trial, group_of, groups, ledger, S, movable=feasible, deadline=br_end
        )
        run_time = time.perf_counter() - started
        moves, sweeps, starts = moves + n_moves, sweeps + n_sweeps, starts + 1
        if j == 0:
            info["rounded_objective"] = value
            info["coverage_penalty"] = ledger.penalty()
        if value < objective - 1e-9:
            grid, objective = trial, value
    info["objective"] = objective
    info["seed_objective"] = seed_value
    info["seed_moves"] = seed_moves
    info["seed_sweeps"] = seed_sweeps
    info["time_seed_s"] = t_seed
    info["best_response_moves"] = moves
    info["best_response_sweeps"] = sweeps
    info["best_response_starts"] = starts
    pricer_of = [groups[g].pricer for g in group_of]
    roster = assemble(
        p,
        rules,
        grid,
        pricer_of,
        fair_means,
        diagnosis,
        meal_blocks=meal_blocks,
        interval=interval,
    )
    bound = max(gen.bound, agg_bound)
    stats = {
        "aggregate_bound": agg_bound,
        "lagrangian_bound": gen.bound,
        "history": history,
        "rounds": rounds,
        "columns": len(master),
        "lp": gen.lp,
        "groups": G,
        "time_lp_s": t_lp,
        "fair_means": fair_means,
        "lp_solves": master.lp_solves,
        "lp_time_s": master.lp_time,
        "lp_iterations": master.lp_iterations,
        **info,
    }
    return Roster(
        assignments=roster["assignments"],
        totals=roster["totals"],
        coverage=roster["coverage"],
        cost=float(info["objective"]),
        lower_bound=float(bound),
        converged=bool(gen.converged),
        unmet=roster["unmet"],
        diagnosis=tuple(roster["diagnosis"]),
        time_s=time.perf_counter() - t0,
        stats=stats,
        breaks=roster["breaks"],
        shifts=roster["shifts"],
    )


def _roster_means(grid, p, eligible_night):
    """Mean big nights, weekends and holidays per agent of a roster (nights over the agents
    who may work them)."""
    work = grid >= 0
    nights = (work & p.big[np.maximum(grid, 0)]).sum()
    week = p.dates.isocalendar().week.to_numpy()
    weekends = sum(len(set(week[w & p.weekend])) for w in work)
    holidays = (work & p.holiday[None, :]).sum()
    A = len(grid)
    return {
        "nights": float(nights) / max(int(eligible_night.sum()), 1),
        "weekends": float(weekends) / A,
        "holidays": float(holidays) / A,
    }

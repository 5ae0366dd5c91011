"""Stage 2: named agents on shifts over a month, by column generation (branch-and-price
heuristic with a proven bound).

A whole-month model with a binary per agent, day and shift stalls in a MIP solver beyond a few
dozen agents. :func:`build_roster` decomposes it (Dantzig–Wolfe): each agent works one
monthly *pattern* (a shift or a day off on each day). The master LP
(:mod:`roster.people.master`) chooses patterns per group of interchangeable agents
(:mod:`roster.people.groups`) so as to cover the requirement at least cost; its duals price
coverage, and an exact labelled dynamic programme (:mod:`roster.people.pricing`) finds each
group's least reduced-cost pattern among all that meet the rules. The Lagrangian bound
evaluated at every pricing point and the aggregate model with whole agents per shift and day
(:mod:`roster.people.bound`) are lower bounds on any roster.

The same exact pricer also improves whole rosters (:mod:`roster.people.polish`): each agent
in turn takes the best month against everyone else's, which first builds a roster from an
empty month (its months start the master near a good cost: :mod:`roster.people.seed`) and
at the end repairs the rounded master LP. Small masters are rounded by diving with pricing,
a local search and the MIP over the generated patterns; large ones by systematic rounding
within each group (:mod:`roster.people.integer`). Where single agents can no longer
improve, windows of two days are re-rostered for all agents at once by MIP
(:mod:`roster.people.window`), alternating with best responses. The roster is then laid
out with its breaks (:mod:`roster.people.assemble`).

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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast import get_calendar
from roster.people.assemble import assemble
from roster.people.bound import aggregate_bound
from roster.people.groups import infeasible_agents, make_groups, roster_context
from roster.people.inputs import prepare
from roster.people.integer import integer_roster, systematic_round
from roster.people.master import column_generation
from roster.people.polish import best_response
from roster.people.pricing import compile_pricing
from roster.people.seed import first_roster, initial_master
from roster.people.window import improve_windows
from roster.rules import Rules

__all__ = ["Roster", "build_roster"]

# shares of the time limit by which the first roster, column generation, the integer phase,
# the repair by best response and the windows re-chosen by MIP end; the layout takes the rest
_SEED_SHARE = 0.2
_CG_SHARE = 0.42
_INTEGER_SHARE = 0.46
_REPAIR_SHARE = 0.5
_WINDOW_SHARE = 0.96
_WINDOW_DAYS = 2
_BOUND_SHARE = 0.07  # the integer aggregate bound, within the first roster's share
_SEED_SWEEPS = 8
_DIVE_STEPS = 500
# first agents' positions of the systematic roundings the best response starts from
_OFFSETS = (0.5, 0.9, 0.3, 0.7, 0.1)


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
        the aggregate relaxation (:mod:`roster.people.bound`: its LP value, raised by the
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


def build_roster(
    requirement,
    templates,
    agents,
    *,
    rules: Rules | None = None,
    interval: int | None = None,
    leave: pd.DataFrame | None = None,
    requests: pd.DataFrame | None = None,
    calendar="CN",
    month_days: int | None = None,
    time_limit: float = 60.0,
    max_rounds: int = 80,
    meal_blocks: pd.DataFrame | None = None,
    workers: int = 2,
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
        Interval length [s] of a per-interval requirement; inferred from its index (see
        :func:`forecast.interval_length`). With a per-shift requirement it sets the grid on
        which meals are staggered (default 900).
    leave : pandas.DataFrame, optional
        Approved leave: ``agent``, ``date``; those days are fixed off.
    requests : pandas.DataFrame, optional
        Shift-on/off requests: ``agent``, ``date``, ``shift`` (template name, or None for
        "any shift"), ``kind`` ("on" or "off"), ``weight`` (cost if not honoured).
    calendar : str, calendar object, iterable of date-like or None, default ``"CN"``
        Which days are statutory holidays (paid ``rules.holiday_multiplier`` times): a code
        such as ``"CN"`` or a calendar object (its ``is_statutory`` days), or the holidays
        themselves as dates; None for none. Made a calendar once, by
        :func:`forecast.get_calendar`.
    month_days : int, optional
        Days of the month the monthly rules refer to (default: the horizon's length).
    time_limit : float
        Wall-clock budget [s] for the whole build (the first call after installation first
        compiles the pricing kernels, before the clock starts). The work is bounded by counts
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
    workers : {1, 2}
        Threads: with 2, column generation prices the groups side by side and windows of
        days are re-rostered two at a time (the labelling and HiGHS release the GIL).

    Returns
    -------
    Roster

    Notes
    -----
    Pricing is exact: it enforces per agent leave, allowed shifts, rest between shifts
    (``min_rest_between_shifts``), ``forbidden_next``, a day off after a big night, runs of at
    most ``max_consecutive_days`` (penalised beyond ``soft_max_consecutive_days``), paid time
    within the monthly band, at least ``min_rest_days`` rest days (whole calendar days by
    ``Rules.whole_rest_days``: the day after a night past midnight is none), and the caps on
    big nights, weekends and shifts of a name, each carried as a resource of its state. Fair
    shares are a cost ``fair_*_weight`` per count beyond ``fair_tolerance`` from the team's
    mean share; the mean is taken from a first roster built before the penalty is switched
    on and then held fixed, so the bound is a bound for that objective. Agents with the same
    leave, requests, allowed shifts and rate are interchangeable and share one master row.
    The horizon is taken to start after a rest day (no carry-in from the previous month).

    The time limit is shared out: the integer aggregate bound 7%, the first roster up to
    20%, column generation up to 42%, rounding and best responses up to 50%, windows of
    days re-rostered by MIP (two at a time with two workers), each pass followed by a sweep
    of best responses, up to 96%, the rest for the layout.
    Every step also has a count limit (sweeps, rounds); where the time share binds first,
    a slower machine gives a different roster or a weaker (still valid) bound.
    """
    compile_pricing()
    t0 = time.perf_counter()
    rules = Rules() if rules is None else rules
    if not isinstance(rules, Rules):
        raise TypeError(f"rules={rules!r} must be a roster.Rules")
    if time_limit <= 0:
        raise ValueError(f"time_limit={time_limit!r} must be positive")
    if workers not in (1, 2):
        raise ValueError(f"workers={workers!r} must be 1 or 2")
    if isinstance(meal_blocks, str) and meal_blocks != "stagger":
        raise ValueError(f"meal_blocks={meal_blocks!r} must be a DataFrame, 'stagger' or None")
    p = prepare(
        requirement,
        templates,
        agents,
        rules,
        interval,
        leave,
        requests,
        get_calendar(calendar),
        month_days,
    )
    ctx = roster_context(p, rules, t0, time_limit)
    groups = make_groups(ctx, None)
    infeasible = infeasible_agents(ctx, groups)
    feasible = ~np.isin(np.asarray(p.agent_names, dtype=object), infeasible)
    agg_bound, y_agg, _ = aggregate_bound(
        p, rules, ctx.shift_cov, feasible, integer_time=_BOUND_SHARE * time_limit
    )
    if y_agg is not None:
        y_agg = np.clip(y_agg, -p.over_pen, p.under_pen)
    diagnosis = list(p.diagnosis) + _infeasible_diagnosis(p, rules, infeasible)

    first = first_roster(
        ctx, groups, feasible, deadline=ctx.deadline(_SEED_SHARE), max_sweeps=_SEED_SWEEPS
    )
    groups = first.groups
    master = initial_master(ctx, groups, feasible, first.grids, y_agg)
    # the groups priced side by side on two workers
    with ThreadPoolExecutor(max_workers=workers) as threads:
        gen = column_generation(
            master,
            groups,
            ctx.shift_value,
            max_rounds=max_rounds,
            deadline=ctx.deadline(_CG_SHARE),
            bound=agg_bound,
            center=y_agg,
            pool=threads if workers > 1 else None,
        )
    t_lp = time.perf_counter() - t0
    counts, info = integer_roster(
        master,
        groups,
        ctx.shift_value,
        deadline=ctx.deadline(_INTEGER_SHARE),
        t0=t0,
        max_dive=_DIVE_STEPS,
    )
    lam = master.values()
    info["integer_objective"] = info["objective"]
    info["lp_pattern_cost"] = float(lam @ np.asarray(master.cost))
    grid, repair_stats = _repair(
        ctx, master, lam, groups, counts, feasible, first, systematic=info["systematic"]
    )
    info.update(repair_stats)
    info["repair_objective"] = info["objective"]
    info.update(_windows(ctx, groups, grid, feasible, info["objective"], workers))

    roster = assemble(
        p,
        rules,
        grid,
        [groups[g].pricer for g in ctx.group_of],
        first.fair_means,
        diagnosis,
        meal_blocks=meal_blocks,
    )
    stats = {
        "aggregate_bound": agg_bound,
        "lagrangian_bound": gen.bound,
        "history": list(gen.history),
        "rounds": gen.rounds,
        "columns": len(master),
        "lp": gen.lp,
        "groups": len(groups),
        "time_lp_s": t_lp,
        "fair_means": first.fair_means,
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
        lower_bound=float(max(gen.bound, agg_bound)),
        converged=bool(gen.converged),
        unmet=roster["unmet"],
        diagnosis=tuple(roster["diagnosis"]),
        time_s=time.perf_counter() - t0,
        stats=stats,
        breaks=roster["breaks"],
        shifts=roster["shifts"],
    )


def _infeasible_diagnosis(p, rules, infeasible) -> list[str]:
    if not infeasible:
        return []
    return [
        f"{len(infeasible)} agents cannot meet the monthly paid band "
        f"[{p.lo / 3600:g}, {p.hi / 3600:g}] h with at least {rules.min_rest_days} rest "
        f"days under their leave and rules (e.g. {infeasible[:5]}); they are left off "
        "the roster"
    ]


def _repair(ctx, master, lam, groups, counts, feasible, first, *, systematic):
    """The best of best-response runs from roundings of the master, or the first roster where
    none beats it, and the statistics of this phase.

    Rounding leaves agents on months that no longer fit the others'; re-pricing each month
    against the rest until none improves repairs that. The first run starts from the
    integer phase's ``counts``; where that was a ``systematic`` rounding of the LP values
    ``lam`` and the time allows one more run as long as the last, further runs start from
    other offsets of it.
    """
    grid, objective = first.grid.copy(), first.value
    end = ctx.deadline(_REPAIR_SHARE)
    stats = {}
    moves = sweeps = starts = 0
    run_time = 0.0
    for j, offset in enumerate(_OFFSETS):
        started = time.perf_counter()
        if j and (not systematic or end - started < 1.2 * run_time):
            break
        if j:
            counts = systematic_round(np.asarray(master.group), lam, master.sizes, offset)
        trial = _grid_of(ctx, master, counts)
        ledger = ctx.ledger()
        value, n_moves, n_sweeps = best_response(
            trial, ctx.group_of, groups, ledger, ctx.p.S, movable=feasible, deadline=end
        )
        run_time = time.perf_counter() - started
        moves, sweeps, starts = moves + n_moves, sweeps + n_sweeps, starts + 1
        if j == 0:
            stats["rounded_objective"] = value
            stats["coverage_penalty"] = ledger.penalty()
        if value < objective - 1e-9:
            grid, objective = trial, value
    stats |= {
        "objective": objective,
        "seed_objective": first.value,
        "seed_moves": first.moves,
        "seed_sweeps": first.sweeps,
        "time_seed_s": first.time_s,
        "best_response_moves": moves,
        "best_response_sweeps": sweeps,
        "best_response_starts": starts,
    }
    return grid, stats


def _windows(ctx, groups, grid, movable, objective, workers):
    """Passes of windows re-chosen by MIP (:mod:`roster.people.window`), two at a time
    with two ``workers``, each pass followed by one sweep of best responses (a window
    pass gains several times more per second than further sweeps), while a pass improves
    the roster; ``grid`` changes in place."""
    end = ctx.deadline(_WINDOW_SHARE)
    passes = solved = improved = moves = 0
    with ThreadPoolExecutor(max_workers=workers) as threads:
        pool = threads if workers > 1 else None
        while time.perf_counter() < end:
            value, n, k = improve_windows(
                ctx,
                groups,
                grid,
                movable=movable,
                deadline=end,
                width=_WINDOW_DAYS,
                offset=passes % _WINDOW_DAYS,
                pool=pool,
            )
            passes, solved, improved = passes + 1, solved + n, improved + k
            if k:
                value, n_moves, _ = best_response(
                    grid,
                    ctx.group_of,
                    groups,
                    ctx.ledger(),
                    ctx.p.S,
                    movable=movable,
                    deadline=end,
                    max_sweeps=1,
                )
                moves += n_moves
            if not value < objective - 1e-9 * max(1.0, abs(objective)):
                break
            objective = value
    return {
        "objective": objective,
        "window_passes": passes,
        "windows_solved": solved,
        "windows_improved": improved,
        "window_best_response_moves": moves,
    }


def _grid_of(ctx, master, counts) -> np.ndarray:
    """Patterns of the master's columns handed to the members of their groups, ``counts[k]``
    agents on column ``k``."""
    grid = np.full((ctx.p.A, ctx.p.D), -1, dtype=np.int64)
    fill = [0] * len(ctx.members)
    for k in np.flatnonzero(counts):
        g = master.group[k]
        members = ctx.members[g]
        for _ in range(int(counts[k])):
            if fill[g] < len(members):
                grid[members[fill[g]]] = master.patterns[k]
                fill[g] += 1
    return grid

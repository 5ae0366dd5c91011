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
from roster.people.groups import Ceiling, infeasible_agents, make_groups, roster_context
from roster.people.inputs import prepare
from roster.people.integer import integer_roster, systematic_round
from roster.people.master import column_generation
from roster.people.polish import best_response
from roster.people.pricing import compile_pricing
from roster.people.seed import first_roster, initial_master
from roster.people.window import improve_windows
from roster.rules import Rules

__all__ = ["Roster", "build_roster"]

# work limits at ``effort=1``, each multiplied by ``effort``: nodes of the integer aggregate
# bound, best-response sweeps (first roster, repair), column-generation rounds, diving steps
# (and those that price), nodes of the MIP over the patterns, best-response runs of the
# repair, passes of windows and nodes of each window's MIP
_WORK = {
    "bound_nodes": 1,
    "seed_sweeps": 4,
    "rounds": 60,
    "dive_steps": 500,
    "dive_pricing": 30,
    "mip_nodes": 5,
    "repair_starts": 2,
    "repair_sweeps": 4,
    "window_passes": 2,
    "window_nodes": 100,
}
_WINDOW_DAYS = 2
# first agents' positions of the systematic roundings the best response starts from
_OFFSETS = (0.5, 0.9, 0.3, 0.7, 0.1)


def _work(effort: float) -> dict:
    """The work limits at ``effort``, each at least one."""
    return {k: max(1, round(v * effort)) for k, v in _WORK.items()}


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
        Whether column generation proved its LP optimal over all patterns (its Lagrangian
        bound met the LP, or no pattern priced out) within its rounds. Where whole agents
        matter, the bound of the aggregate model with whole agents lies above the LP, and
        the LP falls below it (``stats["lp_met_aggregate_bound"]``).
    unmet : pandas.DataFrame
        Requirement the roster leaves uncovered: ``period``, ``required``, ``net``,
        ``short``. Empty when all is covered.
    diagnosis : tuple of str
        Why requirement or rules could not be met (empty when everything was met).
    time_s : float
        Wall time [s].
    stats : dict
        What each phase did (rounds, sweeps, windows, objectives, times [s]), with
        ``work`` (the work limits used), ``time_limit_hit`` (whether the time limit bound,
        so that the roster depends on the machine's speed) and ``time_limit_phases``
        (where it bound).
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
        """Relative gap of ``cost`` to ``lower_bound`` [%].

        An upper limit on how far the roster is from the best one, not the distance itself.
        Meals count as spread over their windows and short breaks over the shift (a
        fraction of an agent in each slot), so whole agents cannot meet a whole requirement
        exactly; the model with whole agents then lies well above its LP, and the bound,
        which proves only part of that rise, can leave most of the gap.
        """
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
    effort: float = 1.0,
    meal_blocks: pd.DataFrame | None = None,
    workers: int = 2,
    rel_gap: float = 0.005,
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
        Wall-clock ceiling [s] of the whole build (the first call after installation first
        compiles the pricing kernels, before the clock starts). The work is bounded by
        ``effort``, not by time; when the ceiling binds first, the build stops at the next
        point where it holds a valid roster, returns the best roster found so far and says
        so (``stats["time_limit_hit"]``, a line in ``diagnosis``): that roster then
        depends on the machine's speed and load.
    effort : float
        Multiplies every work limit (see Notes): 1 is the default, 0.5 about half the work,
        2 about twice. With the same inputs and ``effort`` (and ``workers``) the roster is
        the same on any machine whenever the time limit does not bind.
    meal_blocks : pandas.DataFrame or "stagger", optional
        With a per-shift requirement: meal blocks placed by stage 1 (``date``, ``shift``,
        ``break``, ``start``, ``end``, ``agents``, as ``ShiftSchedule.breaks``), handed out
        to the agents working that shift, meals without a block staggered evenly over their
        windows; ``"stagger"`` staggers every meal. Left None, a per-shift roster leaves its
        meals to the caller (``break_start`` NaT). A per-interval roster always places its
        meals where the surplus over the requirement is largest.
    workers : {1, 2}
        Threads: with 2, column generation prices the groups side by side and windows of
        days are re-rostered two at a time (the labelling and HiGHS release the GIL). The
        results are taken in a fixed order, so two runs with 2 workers agree; the windows
        are paired, so the roster differs from that of one worker.
    rel_gap : float
        Relative gap to the lower bound at which the build stops improving: the windows
        re-rostered by MIP (the last and dearest phase) are skipped, and their passes end,
        once ``(cost - lower_bound) / lower_bound`` is at most this (0 runs them all).
        The gap is computed from the roster, not the clock, so the roster stays the same
        on every run.

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

    Every phase is bounded by work, not time; at ``effort=1``: the integer aggregate bound
    its root node (cuts, no branching); the first roster 4 sweeps of best responses;
    column generation 60 pricing rounds, or fewer once its Lagrangian bound proves the LP
    optimal (rounds past the aggregate bound still serve the rounding: see
    :func:`roster.people.master.column_generation`); on small
    masters 500 diving steps (30 of them pricing), and on very small ones 5 nodes of the
    MIP over the patterns; the repair 4 sweeps of best responses from the rounding (on
    large masters from two systematic roundings per unit of effort, up to 5, two at a time
    with two workers); then up to 2 passes over windows of two days re-rostered by MIP (two at a
    time with two workers), 100 nodes each, each pass followed by a sweep of best
    responses, while a pass improves. A sweep prices every agent whose bound does not
    prove that it keeps its month, and a pass covers every day, so the work grows about
    linearly with agents and days. Every HiGHS run has one thread, a
    fixed ``random_seed`` and the time left as its own limit; no step reads the clock
    except to stop at the ceiling.
    """
    compile_pricing()
    t0 = time.perf_counter()
    rules = Rules() if rules is None else rules
    if not isinstance(rules, Rules):
        raise TypeError(f"rules={rules!r} must be a roster.Rules")
    if not time_limit > 0:
        raise ValueError(f"time_limit={time_limit!r} must be positive")
    if not (effort > 0 and math.isfinite(effort)):
        raise ValueError(f"effort={effort!r} must be positive and finite")
    if workers not in (1, 2):
        raise ValueError(f"workers={workers!r} must be 1 or 2")
    if not (0 <= rel_gap < 1):
        raise ValueError(f"rel_gap={rel_gap!r} must lie in [0, 1)")
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
    work = _work(effort)
    ceiling = Ceiling(time_limit, t0)
    ctx = roster_context(p, rules, ceiling)
    groups = make_groups(ctx, None)
    infeasible = infeasible_agents(ctx, groups)
    feasible = ~np.isin(np.asarray(p.agent_names, dtype=object), infeasible)
    diagnosis = list(p.diagnosis) + _infeasible_diagnosis(p, rules, infeasible)

    def bound_job():
        return aggregate_bound(
            p, rules, ctx.shift_cov, feasible, integer_nodes=work["bound_nodes"], ceiling=ceiling
        )

    # the aggregate bound (HiGHS) and the first roster (pricing) need nothing of each
    # other: with two workers they run side by side. Past the ceiling the first roster
    # still gives every agent a month: the roster returned when the ceiling binds later
    with ThreadPoolExecutor(max_workers=1) as side:
        pending = side.submit(bound_job) if workers > 1 else None
        first = first_roster(
            ctx, groups, feasible, deadline=ceiling.end, max_sweeps=work["seed_sweeps"]
        )
        agg_bound, y_agg, _ = pending.result() if pending is not None else bound_job()
    if y_agg is not None:
        y_agg = np.clip(y_agg, -p.over_pen, p.under_pen)
    groups = first.groups
    grid = first.grid.copy()
    info = _repair_stats(first, first.value, {})
    stats = {
        "aggregate_bound": agg_bound,
        "lagrangian_bound": -np.inf,
        "groups": len(groups),
        "rounds": 0,
        "columns": 0,
        "lp": np.nan,
    }
    bound = agg_bound
    converged = False
    if not ceiling.reached("first roster"):
        master = initial_master(ctx, groups, feasible, first.grids, y_agg)
        # the groups priced side by side on two workers
        with ThreadPoolExecutor(max_workers=workers) as threads:
            gen = column_generation(
                master,
                groups,
                ctx.shift_value,
                max_rounds=work["rounds"],
                ceiling=ceiling,
                bound=agg_bound,
                center=y_agg,
                pool=threads if workers > 1 else None,
            )
        bound, converged = max(gen.bound, agg_bound), gen.converged
        stats |= {
            "lagrangian_bound": gen.lagrangian,
            "lp_met_aggregate_bound": gen.met_given_bound,
            "history": list(gen.history),
            "rounds": gen.rounds,
            "columns": len(master),
            "lp": gen.lp,
            "time_lp_s": time.perf_counter() - t0,
            "lp_solves": master.lp_solves,
            "lp_time_s": master.lp_time,
            "lp_iterations": master.lp_iterations,
        }
        if not ceiling.reached("column generation"):
            grid, info = _integer_and_repair(
                ctx, master, groups, feasible, first, work, workers=workers
            )
            info["time_repair_s"] = time.perf_counter() - t0
    # within the gap asked for, the windows are not worth their cost (on the 1,000-agent
    # month at effort 0.5 one pass takes 52 s, more than everything before it, and takes
    # the gap from 0.34% to 0.20%)
    target = bound + rel_gap * abs(bound)
    info["stopped_at_gap"] = bool(info["objective"] <= target)
    info |= {"window_passes": 0, "windows_solved": 0, "windows_improved": 0}
    if not ceiling.reached("repair") and not info["stopped_at_gap"]:
        info.update(
            _windows(ctx, groups, grid, feasible, info["objective"], workers, work, target)
        )
        info["time_windows_s"] = time.perf_counter() - t0

    hit = list(ceiling.hit)
    if hit:
        diagnosis.append(
            f"time_limit={time_limit:g} s bound (first in the {hit[0]}): the roster is the "
            "best found by then and depends on the machine's speed and load; raise "
            "time_limit or lower effort for a roster that does not"
        )
    roster = assemble(
        p,
        rules,
        grid,
        [groups[g].pricer for g in ctx.group_of],
        first.fair_means,
        diagnosis,
        meal_blocks=meal_blocks,
    )
    stats |= {
        "fair_means": first.fair_means,
        "effort": float(effort),
        "work": work,
        "time_limit_hit": bool(hit),
        "time_limit_phases": hit,
        **info,
    }
    return Roster(
        assignments=roster["assignments"],
        totals=roster["totals"],
        coverage=roster["coverage"],
        cost=float(info["objective"]),
        lower_bound=float(bound),
        converged=bool(converged),
        unmet=roster["unmet"],
        diagnosis=tuple(roster["diagnosis"]),
        time_s=time.perf_counter() - t0,
        stats=stats,
        breaks=roster["breaks"],
        shifts=roster["shifts"],
    )


def _integer_and_repair(ctx, master, groups, feasible, first, work, workers=1):
    """Integer pattern counts from the master (:mod:`roster.people.integer`) repaired by
    best response; the roster and the statistics of both phases."""
    counts, info = integer_roster(
        master,
        groups,
        ctx.shift_value,
        ceiling=ctx.ceiling,
        max_dive=work["dive_steps"],
        price_steps=work["dive_pricing"],
        mip_nodes=work["mip_nodes"],
    )
    lam = master.values()
    info["integer_objective"] = info["objective"]
    info["lp_pattern_cost"] = float(lam @ np.asarray(master.cost))
    grid, repair_stats = _repair(
        ctx,
        master,
        lam,
        groups,
        counts,
        feasible,
        first,
        work,
        systematic=info["systematic"],
        workers=workers,
    )
    info.update(repair_stats)
    info["repair_objective"] = info["objective"]
    return grid, info


def _infeasible_diagnosis(p, rules, infeasible) -> list[str]:
    if not infeasible:
        return []
    return [
        f"{len(infeasible)} agents cannot meet the monthly paid band "
        f"[{p.lo / 3600:g}, {p.hi / 3600:g}] h with at least {rules.min_rest_days} rest "
        f"days under their leave and rules (e.g. {infeasible[:5]}); they are left off "
        "the roster"
    ]


def _repair(ctx, master, lam, groups, counts, feasible, first, work, *, systematic, workers=1):
    """The best of best-response runs from roundings of the master, or the first roster where
    none beats it, and the statistics of this phase.

    Rounding leaves agents on months that no longer fit the others'; re-pricing each month
    against the rest until none improves repairs that. The first run starts from the
    integer phase's ``counts``; where that was a ``systematic`` rounding of the LP values
    ``lam``, up to ``work["repair_starts"]`` runs start from other offsets of it. With two
    ``workers`` the runs go two at a time (each run is sequential: an agent's best month
    depends on the months of those before it); they are taken in their fixed order, so
    the roster does not depend on which finishes first.
    """
    grid, objective = first.grid.copy(), first.value
    stats = {}
    moves = sweeps = starts = 0
    tally = {}
    n_starts = min(work["repair_starts"], len(_OFFSETS)) if systematic else 1

    def run_start(j):
        trial_counts = counts
        if j:
            offset = _OFFSETS[j]
            trial_counts = systematic_round(np.asarray(master.group), lam, master.sizes, offset)
        trial = _grid_of(ctx, master, trial_counts)
        ledger = ctx.ledger()
        mine = {}
        out = best_response(
            trial,
            ctx.group_of,
            groups,
            ledger,
            ctx.p.S,
            movable=feasible,
            deadline=ctx.ceiling.end,
            max_sweeps=work["repair_sweeps"],
            tally=mine,
        )
        return trial, out, ledger.penalty(), mine

    width = 2 if workers > 1 else 1
    with ThreadPoolExecutor(max_workers=width) as threads:
        for first_j in range(0, n_starts, width):
            # a run cut by the ceiling still leaves every agent a month; none starts after it
            if first_j and ctx.ceiling.reached("repair"):
                break
            batch = range(first_j, min(first_j + width, n_starts))
            runs = (threads.map if len(batch) > 1 else map)(run_start, batch)
            for j, (trial, (value, n_moves, n_sweeps), penalty, mine) in zip(
                batch, runs, strict=True
            ):
                moves, sweeps, starts = moves + n_moves, sweeps + n_sweeps, starts + 1
                for key, n in mine.items():
                    tally[key] = tally.get(key, 0) + n
                if j == 0:
                    stats["rounded_objective"] = value
                    stats["coverage_penalty"] = penalty
                if value < objective - 1e-9:
                    grid, objective = trial, value
    stats |= {
        "best_response_moves": moves,
        "best_response_sweeps": sweeps,
        "best_response_starts": starts,
        "best_response_priced": tally.get("priced", 0),
        "best_response_skipped": tally.get("skipped", 0),
    }
    return grid, _repair_stats(first, objective, stats)


def _repair_stats(first, objective, stats):
    """The statistics of the first roster and the repair, ``objective`` the best so far."""
    return {
        "objective": objective,
        "seed_objective": first.value,
        "seed_moves": first.moves,
        "seed_sweeps": first.sweeps,
        "time_seed_s": first.time_s,
        "seed_priced": first.tally.get("priced", 0),
        "seed_skipped": first.tally.get("skipped", 0),
        **stats,
    }


def _windows(ctx, groups, grid, movable, objective, workers, work, target=-np.inf):
    """Up to ``work["window_passes"]`` passes of windows re-chosen by MIP
    (:mod:`roster.people.window`), two at a time with two ``workers``, each pass followed
    by one sweep of best responses (a window pass gains several times more per second than
    further sweeps), while a pass improves the roster and its objective is above
    ``target``; ``grid`` changes in place."""
    ceiling = ctx.ceiling
    passes = solved = improved = moves = 0
    tally = {}
    with ThreadPoolExecutor(max_workers=workers) as threads:
        pool = threads if workers > 1 else None
        while passes < work["window_passes"] and not ceiling.reached("windows"):
            value, n, k = improve_windows(
                ctx,
                groups,
                grid,
                movable=movable,
                ceiling=ceiling,
                width=_WINDOW_DAYS,
                offset=passes % _WINDOW_DAYS,
                mip_nodes=work["window_nodes"],
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
                    deadline=ceiling.end,
                    max_sweeps=1,
                    tally=tally,
                )
                moves += n_moves
            if not value < objective - 1e-9 * max(1.0, abs(objective)):
                break
            objective = value
            if objective <= target:
                break
    return {
        "objective": objective,
        "window_passes": passes,
        "windows_solved": solved,
        "windows_improved": improved,
        "window_best_response_moves": moves,
        "window_best_response_priced": tally.get("priced", 0),
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

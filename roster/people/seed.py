"""Where column generation starts: a first roster by best response from an empty month, and
the restricted master seeded with its months, regular rotations and the patterns priced at
the aggregate duals."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from roster.people.groups import Group, RosterContext, make_groups
from roster.people.master import Master
from roster.people.polish import best_response


@dataclass(frozen=True)
class FirstRoster:
    """A first roster and what it fixed for the rest of the build.

    Attributes
    ----------
    grid : numpy.ndarray
        Shift index per agent and day, -1 off.
    value : float
        Its objective (with the fair-share penalties when they apply).
    grids : list of numpy.ndarray
        The roster after each pass (one, or two with fair shares); all seed the master.
    groups : list of Group
        Groups priced with the fair-share penalties around ``fair_means``.
    fair_means : dict or None
        Team means of big nights, weekends and holidays per agent, held fixed from here on.
    moves, sweeps : int
        Best-response moves and sweeps taken.
    time_s : float
        Time since the start of the build when the roster was done [s].
    tally : dict
        Agents ``priced`` and ``skipped`` (their bound proved they keep their month) by
        the best responses.
    """

    grid: np.ndarray
    value: float
    grids: list
    groups: list
    fair_means: dict | None
    moves: int
    sweeps: int
    time_s: float
    tally: dict = field(default_factory=dict)


def first_roster(ctx, groups, feasible, *, deadline, max_sweeps) -> FirstRoster:
    """Agents one after another take their best month against the others', from an empty
    month, until none improves or ``max_sweeps`` is reached; past ``deadline`` (the time
    ceiling) only agents without a month yet are priced, so that everyone has one.

    With fair shares the first pass runs without them (half the sweeps) and its team means
    fix the fair-share penalties of the second pass and of everything after: the mean must
    be held fixed for the bound to be a bound.
    """
    p = ctx.p
    grid = np.full((p.A, p.D), -1, dtype=np.int64)
    tally = {}

    def sweep(groups, budget):
        return best_response(
            grid,
            ctx.group_of,
            groups,
            ctx.ledger(),
            p.S,
            movable=feasible,
            deadline=deadline,
            max_sweeps=budget,
            tally=tally,
        )

    # each pass sweeps at least once: the fair means are taken from a whole roster
    sweeps_a = max(max_sweeps // 2, 1) if ctx.fair else max_sweeps
    value, moves, sweeps = sweep(groups, sweeps_a)
    grids = [grid.copy()]
    fair_means = None
    if ctx.fair:
        fair_means = _roster_means(grid, p, ctx.eligible_night)
        groups = make_groups(ctx, fair_means)
        value, moves_b, sweeps_b = sweep(groups, max(max_sweeps - sweeps_a, 1))
        moves += moves_b
        sweeps += sweeps_b
        grids.append(grid.copy())
    return FirstRoster(
        grid=grid.copy(),
        value=value,
        grids=grids,
        groups=groups,
        fair_means=fair_means,
        moves=moves,
        sweeps=sweeps,
        time_s=time.perf_counter() - ctx.ceiling.t0,
        tally=tally,
    )


def initial_master(ctx: RosterContext, groups: list[Group], feasible, grids, y_agg) -> Master:
    """The restricted master before column generation, its first LP solved.

    Its columns: each group's best pattern at zero duals (the all-off one where nothing
    fits), the regular rotations the group's rules admit, every feasible agent's month of
    the first roster (so the LP starts near that roster's cost), and, given the duals
    ``y_agg`` of the aggregate relaxation, each group's best patterns priced there, a good
    first dual point.
    """
    p = ctx.p
    sizes = [len(m) for m in ctx.members]
    master = Master(sizes, p.required, p.under_pen, p.over_pen, ctx.shift_cov, ctx.ceiling)
    zero = np.zeros((p.D, p.S))
    for g, grp in enumerate(groups):
        pat = grp.price(zero)[0][1]
        master.add(g, pat, *grp.column(pat))
        if not feasible[grp.members[0]]:
            continue
        for pat_r in _rotations(p.D, p.S, p.big, p.paid, p.lo, p.hi):
            if grp.pricer.admits(pat_r, grp.forced, grp.allowed):
                master.add(g, pat_r, *grp.column(pat_r))
    for sg in grids:
        for i in np.flatnonzero(feasible):
            g = ctx.group_of[i]
            master.add(g, sg[i].copy(), *groups[g].column(sg[i]))
    if y_agg is not None:
        value = ctx.shift_value(y_agg)
        for g, grp in enumerate(groups):
            for _, pat in grp.price(value, k=grp.k):
                master.add(g, pat, *grp.column(pat))
    # from scratch the barrier method is several times faster than simplex here; its
    # crossover leaves the basis that the simplex re-solves start from
    master.solve_lp(solver="ipm")
    return master


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

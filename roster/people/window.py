"""Re-rostering all agents at once over a window of days, by MIP.

Best responses (:mod:`roster.people.polish`) move one agent at a time, so they stop where
every single move loses although several agents moving together would gain: one agent
starting an hour later lets another start earlier the next day, or two agents trade a day
off, and the peak between them is covered. This neighbourhood frees every movable agent on
a window of a few days, each keeping as many working days in the window as before (so rest
days and, with equal paid shifts, hours are kept), and re-rosters the window jointly:

    min  sum_{a,d,s} base_a[d, s] z_ads + sum runs, counts + sum_q (under u_q + over o_q)
    s.t. sum_s z_ads <= 1,  sum_{d,s} z_ads = working days of a in the window
         x_ds = sum_a z_ads                                 (agents on shift s on day d)
         sum_{d,s} cov_q[d, s] x_ds + u_q - o_q = required_q - fixed_q
         successions: cliques of the shifts a rest rule forbids after one another
         runs: at most C of any C + 1 days worked; a day beyond the soft limit paid for
         counts (big nights, capped shifts, holidays, weekends) within their caps, their
         convex fair-share cost through epigraph columns; the paid band

with the days outside the window as constants. Every rule the pricing enforces holds and
the objective is the roster's own (:func:`roster_value`), so a window is kept only when
that falls. Windows slide over the horizon, the worst covered first (large neighbourhood
search, Shaw 1998; Pisinger and Ropke 2010). Each MIP keeps what its LP relaxation decides
and chooses among the shifts the LP uses for the rest (relaxation-induced neighbourhood,
Danna, Rothberg and Le Pape 2005), about a second per window of two days and 150 agents.

References
----------
.. [1] P. Shaw, "Using constraint programming and local search methods to solve vehicle
   routing problems", CP 1998, LNCS 1520, pp. 417-431.
.. [2] D. Pisinger and S. Ropke, "Large neighborhood search", in Handbook of Metaheuristics,
   2nd ed., Springer, 2010, pp. 399-419.
.. [3] E. Danna, E. Rothberg and C. Le Pape, "Exploring relaxation induced neighborhoods to
   improve MIP solutions", Math. Program. 102 (2005), pp. 71-90.
"""

from __future__ import annotations

import itertools
import time

import highspy
import numpy as np
import scipy.sparse as sp

_INF = highspy.kHighsInf


def roster_value(ctx, groups, grid, ledger=None) -> float:
    """Objective of a roster: every agent's pattern cost and the coverage penalty (of
    ``ledger`` when it already holds the roster's coverage)."""
    if ledger is None:
        ledger = ctx.ledger()
        ledger.add_grid(grid, ctx.p.S)
    costs = sum(groups[ctx.group_of[i]].column(pat)[0] for i, pat in enumerate(grid))
    return costs + ledger.penalty()


def _convex(f) -> bool:
    d = np.diff(np.asarray(f, float))
    return bool(np.all(np.diff(d) >= -1e-9))


def _succession_cliques(compat, today, nxt):
    """Rows ``sum(lhs) + sum(rhs) <= 1`` forbidding every succession ``compat`` rules out
    between the shifts ``today`` and the shifts ``nxt`` of the next day (positions in those).

    Rest rules make the sets of shifts forbidden after each shift nested (a later end
    forbids more of the next day's early starts); then one clique per distinct set, holding
    every shift that forbids at least that set, is both fewer rows and a tighter
    relaxation than a row per shift. Otherwise a row per shift."""
    forbid = {}
    for i, s in enumerate(today):
        bad = frozenset(k for k, s2 in enumerate(nxt) if not compat[s + 1, s2])
        if bad:
            forbid[i] = bad
    sets = sorted(set(forbid.values()), key=len)
    if all(a <= b for a, b in itertools.pairwise(sets)):
        return [([i for i, bad in forbid.items() if f <= bad], sorted(f)) for f in sets]
    return [([i], sorted(bad)) for i, bad in forbid.items()]


def _weekends(saturday, sunday):
    """Days of each weekend (a Saturday and the Sunday after it, or a lone first Sunday)."""
    D = len(saturday)
    out = []
    for d in range(D):
        if saturday[d]:
            out.append(np.array([d, d + 1]) if d + 1 < D and sunday[d + 1] else np.array([d]))
        elif sunday[d] and (d == 0 or not saturday[d - 1]):
            out.append(np.array([d]))
    return out


def _count(new_col, new_row, cap, final_cost, n0, now, cols, vals):
    """A count ``n0 + sum(vals * cols)`` of at most ``cap`` whose cost ``final_cost[n]``
    (convex: fair shares) is carried by an epigraph column."""
    new_row(-_INF, cap - n0, list(cols), list(vals))
    fc = np.asarray(final_cost, dtype=float)
    if not fc.any():
        return
    if not _convex(fc):
        raise ValueError("a counted cost that is not convex cannot be modelled")
    t = new_col(1.0, 0.0, _INF, fc[min(now, cap)])
    # only the pieces the count can reach from n0 bind
    for k in range(max(n0 - 1, 0), min(n0 + int(np.sum(vals)), cap)):
        slope = fc[k + 1] - fc[k]
        new_row(fc[k] + slope * (n0 - k), _INF, [t, *cols], [1.0, *(-slope * v for v in vals)])


def _window_model(ctx, groups, grid, days, movable):
    """The MIP of the module docstring for the window ``days`` of the ``movable``
    agents, as ``(lp, start, zmap)``: a HiGHS LP (integrality not set), the current roster
    as a solution of it, and (column, agent, day, shift) of every choice variable."""
    p = ctx.p
    A, D = grid.shape
    S = p.S
    days = np.asarray(days, dtype=np.int64)
    in_w = np.zeros(D, dtype=bool)
    in_w[days] = True
    compat = ctx.compat
    cols_cost, col_lo, col_hi = [], [], []
    rows_lo, rows_hi = [], []
    trip_r, trip_c, trip_v = [], [], []
    start = []
    zmap = []  # (column, agent, day, shift) of every choice variable
    cliques = {}  # by the shifts open on two days: most agents share them

    def new_col(cost, lo, hi, value):
        cols_cost.append(float(cost))
        col_lo.append(float(lo))
        col_hi.append(float(hi))
        start.append(float(value))
        return len(cols_cost) - 1

    def new_row(lo, hi, cols, vals):
        r = len(rows_lo)
        rows_lo.append(float(lo))
        rows_hi.append(float(hi))
        trip_r.extend([r] * len(cols))
        trip_c.extend(cols)
        trip_v.extend(vals)
        return r

    # x[d, s] for the window's days, linked to the agents' choices below
    x_col = {}
    x_terms = {}
    for d in days:
        for s in range(S):
            x_col[d, s] = new_col(0.0, 0.0, _INF, 0.0)
            x_terms[d, s] = []

    free = [a for a in range(A) if movable[a] and (grid[a, days] >= 0).any()]
    for a in free:
        grp = groups[ctx.group_of[a]]
        pricer = grp.pricer
        pat = grid[a]
        work = pat >= 0
        zvar = {}
        on_day = {}  # columns whose sum is whether the agent works day d of the window
        for d in days:
            if grp.forced[d]:
                continue
            ok = grp.allowed & np.isfinite(grp.base[d])
            if d > 0 and work[d - 1] and not in_w[d - 1]:
                ok &= compat[pat[d - 1] + 1]
            if d + 1 < D and work[d + 1] and not in_w[d + 1]:
                ok &= compat[1:, pat[d + 1]]
            if work[d]:
                ok[pat[d]] = True  # the current shift keeps its rules
            for s in np.flatnonzero(ok):
                j = new_col(grp.base[d, s], 0.0, 1.0, float(s == pat[d]))
                zvar[d, s] = j
                zmap.append((j, a, d, s))
                x_terms[d, s].append(j)
            on_day[d] = [zvar[d, s] for s in np.flatnonzero(ok)]
            if on_day[d]:
                new_row(-_INF, 1.0, on_day[d], [1.0] * len(on_day[d]))
        # as many working days as before in the window: rest days and hours keep
        cols = list(zvar.values())
        n_work = float(work[days].sum())
        new_row(n_work, n_work, cols, [1.0] * len(cols))

        def worked(first, last, on_day=on_day, work=work):
            """Columns and constant of the days worked in ``first..last``."""
            cols, const = [], 0
            for d in range(first, last + 1):
                if in_w[d]:
                    cols += on_day.get(d, [])
                else:
                    const += int(work[d])
            return cols, const

        # rest and forbidden successions between two days of the window
        for d in days:
            if d + 1 < D and in_w[d + 1]:
                today = [(s, j) for (dd, s), j in zvar.items() if dd == d]
                nxt = [(s, j) for (dd, s), j in zvar.items() if dd == d + 1]
                key = (tuple(s for s, _ in today), tuple(s for s, _ in nxt))
                if key not in cliques:
                    cliques[key] = _succession_cliques(compat, *key)
                for lhs, rhs in cliques[key]:
                    cols = [today[i][1] for i in lhs] + [nxt[i][1] for i in rhs]
                    new_row(-_INF, 1.0, cols, [1.0] * len(cols))
        # runs: no C + 1 days in a row worked; each day beyond the soft limit paid for
        C = pricer.C
        for e in range(max(days[0] - C, 0), min(days[-1], D - C - 1) + 1):
            cols, const = worked(e, e + C)
            if cols:
                new_row(-_INF, C - const, cols, [1.0] * len(cols))
        pen_days = np.flatnonzero(pricer.run_pen > 0)
        if len(pen_days):
            soft = int(pen_days[0]) - 1
            for e in range(max(days[0] - soft, 0), min(days[-1], D - soft - 1) + 1):
                cols, const = worked(e, e + soft)
                if not cols:
                    continue
                now = int(work[e : e + soft + 1].sum())
                q = new_col(pricer.run_pen[soft + 1], 0.0, _INF, max(now - soft, 0))
                new_row(-_INF, soft - const, [*cols, q], [1.0] * len(cols) + [-1.0])
        # counted resources: caps and convex fair-share costs
        fixed_days = np.flatnonzero(work & ~in_w)
        for res in pricer.resources:
            n0 = int(res.use[fixed_days, pat[fixed_days]].sum())
            terms = [(j, float(res.use[d, s])) for (d, s), j in zvar.items() if res.use[d, s]]
            if terms:
                now = int(res.use[np.flatnonzero(work), pat[work]].sum())
                cj, cv = zip(*terms, strict=True)
                _count(new_col, new_row, res.cap, res.final_cost, n0, now, cj, cv)
        # weekends worked (a Saturday or Sunday), capped and with their fair-share cost
        if pricer.weekend_cap is not None:
            n0, terms = 0, []
            for unit in _weekends(pricer.saturday, pricer.sunday):
                if not in_w[unit].any():
                    n0 += int(work[unit].any())
                    continue
                cols, const = worked(unit[0], unit[-1])
                w = new_col(0.0, 0.0, 1.0, float(work[unit].any()))
                new_row(-_INF, const, [w, *cols], [1.0] + [-1.0] * len(cols))
                for d in unit:
                    if in_w[d]:
                        new_row(
                            0.0,
                            _INF,
                            [w, *on_day.get(d, [])],
                            [1.0] + [-1.0] * len(on_day.get(d, [])),
                        )
                    elif work[d]:
                        col_lo[w] = 1.0
                terms.append(w)
            if terms:
                now = pricer.weekends(work)
                cost = pricer.weekend_cost
                _count(
                    new_col, new_row, pricer.weekend_cap, cost, n0, now, terms, [1.0] * len(terms)
                )
        # the paid band, where the shifts' paid times differ
        if np.ptp(pricer.paid[grp.allowed]) > 0:
            paid0 = float(pricer.paid[pat[fixed_days]].sum())
            cj = list(zvar.values())
            cv = [float(pricer.paid[s]) for (_, s) in zvar]
            new_row(pricer.lo - paid0 - 1e-6, pricer.hi - paid0 + 1e-6, cj, cv)

    # links and coverage
    ledger = ctx.ledger()
    is_free = np.zeros(A, dtype=bool)
    is_free[free] = True
    ledger.add_grid(grid, S, keep=~(is_free[:, None] & in_w[None, :]))
    fixed_cover = ledger.cover
    current = np.zeros((D, S))
    for a in free:
        for d in days:
            if grid[a, d] >= 0:
                current[d, grid[a, d]] += 1
    cov_rows = {}
    cover_now = fixed_cover.copy()
    for d in days:
        for s in range(S):
            j = x_col[d, s]
            start[j] = current[d, s]
            terms = x_terms[d, s]
            new_row(0.0, 0.0, [j, *terms], [1.0] + [-1.0] * len(terms))
            rows, vals = ctx.shift_cov[d * S + s]
            cover_now[rows] += current[d, s] * np.asarray(vals)
            for r, v in zip(rows, vals, strict=True):
                cov_rows.setdefault(int(r), []).append((j, float(v)))
    under, over = p.under_pen, p.over_pen
    for r, terms in cov_rows.items():
        need = float(p.required[r] - fixed_cover[r])
        gap = float(p.required[r] - cover_now[r])
        u = new_col(under, 0.0, _INF, max(gap, 0.0))
        o = new_col(over, 0.0, _INF, max(-gap, 0.0))
        cj, cv = zip(*terms, strict=True)
        new_row(need, need, [*cj, u, o], [*cv, 1.0, -1.0])

    n, m = len(cols_cost), len(rows_lo)
    a_mat = sp.csc_matrix((trip_v, (trip_r, trip_c)), shape=(m, n))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = np.asarray(cols_cost)
    lp.col_lower_ = np.asarray(col_lo)
    lp.col_upper_ = np.asarray(col_hi)
    lp.row_lower_ = np.asarray(rows_lo)
    lp.row_upper_ = np.asarray(rows_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a_mat.indptr
    lp.a_matrix_.index_ = a_mat.indices
    lp.a_matrix_.value_ = a_mat.data
    return lp, np.asarray(start), np.asarray(zmap, dtype=np.int64).reshape(-1, 4)


def window_mip(ctx, groups, grid, days, movable, *, time_limit, seed=0, fix=True):
    """A better choice of shifts on the working days ``days`` of the ``movable`` agents.

    The LP relaxation is solved first; the choices it makes whole are kept and the MIP
    decides the rest among the shifts the LP uses (Danna et al. 2005).

    Parameters
    ----------
    ctx : roster.people.groups.RosterContext
    groups : list of roster.people.groups.Group
    grid : ndarray of int (A, D)
        The roster (shift index, -1 off); not changed.
    days : ndarray of int
        Consecutive days of the window.
    movable : ndarray of bool (A,)
    time_limit : float
        HiGHS time limit of the MIP [s].
    seed : int
    fix : bool
        Keep what the LP decides (False: the whole MIP, exact when it closes in time).

    Returns
    -------
    ndarray of int (A, D) or None
        The roster with the new choices, when the MIP found one cheaper by its objective
        (the caller re-scores it), else None.
    """
    lp, start, zmap = _window_model(ctx, groups, grid, days, movable)
    if not len(zmap):
        return None
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", int(seed))
    h.passModel(lp)
    z = zmap[:, 0].astype(np.int32)
    lo, hi = np.zeros(len(z)), np.ones(len(z))
    if fix:
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        relaxed = np.asarray(h.getSolution().col_value)[z]
        # keep what the LP decides, forbid what it leaves unused
        lo = np.where(relaxed > 1 - 1e-6, 1.0, 0.0)
        hi = np.where(relaxed < 1e-6, 0.0, 1.0)
        h.changeColsBounds(len(z), z, lo, hi)
    h.changeColsIntegrality(len(z), z, np.full(len(z), highspy.HighsVarType.kInteger))
    h.setOptionValue("time_limit", float(max(time_limit, 0.1)))
    h.setOptionValue("mip_rel_gap", 1e-6)
    if np.all((start[z] >= lo) & (start[z] <= hi)):
        sol = highspy.HighsSolution()
        sol.col_value = list(start)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    if h.getInfo().primal_solution_status != 2:  # no feasible solution
        return None
    before = float(np.dot(lp.col_cost_, start))
    if not h.getInfo().objective_function_value < before - 1e-6:
        return None
    chosen = np.asarray(h.getSolution().col_value)[z] > 0.5
    out = grid.copy()
    free = np.unique(zmap[:, 1])
    out[np.ix_(free, np.asarray(days))] = -1
    out[zmap[chosen, 1], zmap[chosen, 2]] = zmap[chosen, 3]
    return out


def improve_windows(
    ctx, groups, grid, *, movable, deadline, width=2, offset=0, mip_time=2.0, pool=None
):
    """One pass of windows of ``width`` days, from day ``offset``, each re-chosen by
    :func:`window_mip` and kept when the roster's own objective falls; ``grid`` changes in
    place.

    With a thread ``pool`` (HiGHS releases the GIL while it solves), windows are solved two
    at a time, the second at least a window apart from the first, both from the same roster.
    The second is then taken onto the roster the first left only where that still keeps
    every rule: an agent moved by both windows must still have a month the pricing admits
    (monthly caps, runs and rest), and the roster's objective must fall again.

    Returns
    -------
    (objective, windows solved, windows that improved)
    """
    p, S, D = ctx.p, ctx.p.S, ctx.p.D
    ledger = ctx.ledger()
    ledger.add_grid(grid, S)
    value = roster_value(ctx, groups, grid, ledger)
    solved = improved = 0
    if offset >= D:
        return value, solved, improved
    # the windows where coverage falls shortest first, in case time runs out
    gap = p.required - ledger.cover
    penalty = p.under_pen * np.clip(gap, 0, None) + p.over_pen * np.clip(-gap, 0, None)
    short = np.array(
        [
            penalty[
                np.unique(np.concatenate([ctx.shift_cov[d * S + s][0] for s in range(S)]))
            ].sum()
            for d in range(D)
        ]
    )
    starts = np.arange(offset, D, width)
    pending = list(
        starts[np.argsort(-np.add.reduceat(short, starts)[: len(starts)], kind="stable")]
    )
    while pending:
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        batch = [pending.pop(0)]
        if pool is not None:
            # a partner a full window away: rest and succession rules never join the two
            apart = [d0 for d0 in pending if abs(d0 - batch[0]) > width]
            if apart:
                batch.append(apart[0])
                pending.remove(apart[0])
        windows = [np.arange(d0, min(d0 + width, D)) for d0 in batch]
        limit = min(mip_time, left)
        if len(batch) == 1:
            found = [window_mip(ctx, groups, grid, windows[0], movable, time_limit=limit)]
        else:
            futures = [
                pool.submit(window_mip, ctx, groups, grid, days, movable, time_limit=limit)
                for days in windows
            ]
            found = [f.result() for f in futures]
        solved += len(batch)
        before = grid.copy()
        for days, new in zip(windows, found, strict=True):
            if new is None:
                continue
            trial = grid.copy()
            trial[:, days] = new[:, days]
            if not _admitted(ctx, groups, before, grid, trial):
                continue
            trial_value = roster_value(ctx, groups, trial)
            if trial_value < value - 1e-9 * max(1.0, abs(value)):
                grid[:] = trial
                value = trial_value
                improved += 1
    return value, solved, improved


def _admitted(ctx, groups, before, current, trial) -> bool:
    """Whether every agent that ``trial`` moves and whose month already differs from
    ``before`` (moved by another window) still has a month its pricing admits; an agent
    moved by one window alone keeps the month that window's MIP chose under every rule."""
    both = np.flatnonzero((trial != current).any(axis=1) & (current != before).any(axis=1))
    for i in both:
        grp = groups[ctx.group_of[i]]
        if not grp.pricer.admits(trial[i], grp.forced, grp.allowed):
            return False
    return True

"""Integer patterns from the master of the roster decomposition.

Three steps, each keeping every hard rule (only generated patterns are used, and each meets
the rules):

1. diving with pricing: fix the whole parts of the LP solution, round up the most decided
   fractional patterns, re-solve the LP and price new patterns against its duals, until the
   LP solution is integral;
2. local search: move single agents to a better pattern of their group while that lowers
   the objective;
3. on very small masters, the MIP over all generated patterns, started from the best roster
   so far, within a node limit.

References
----------
.. [1] R. Sadykov, F. Vanderbeck, A. Pessoa, I. Tahiri and E. Uchoa, "Primal heuristics for
   branch-and-price: the assets of diving methods", INFORMS Journal on Computing 31(2), 2019.
"""

from __future__ import annotations

import numpy as np

_SMALL_MASTER = 2_000_000  # coverage rows x columns
# the MIP over the patterns only on masters this small: on a month of 24 shifts (744 rows,
# 2,000 columns) its root alone took longer than the rest of the build and never improved
# on the dive and local search
_MIP_MASTER = 250_000


def integer_roster(
    master, groups, shift_value, *, ceiling=None, max_dive=500, price_steps=30, mip_nodes=200
):
    """Integer pattern counts per column of ``master`` and a dict of statistics.

    Parameters
    ----------
    master : roster.people.master.Master
    groups : sequence
        As for :func:`roster.people.master.column_generation`.
    shift_value : callable
    ceiling : roster.people.groups.Ceiling, optional
        Time ceiling: the dive and the local search stop at it with what they hold, and
        the MIP gets the time left.
    max_dive : int
        Most diving steps.
    price_steps : int
        Diving steps that price new patterns.
    mip_nodes : int
        Node limit of the final MIP.
    """
    sizes = master.sizes
    # diving, the local search over columns and the MIP pay on small masters only; on large
    # ones the rounded LP solution goes straight to the agent-by-agent best response
    small = master.R * len(master) <= _SMALL_MASTER
    if not small:
        max_dive = 0
    lower = np.zeros(len(master))
    steps = priced = 0
    x = None
    while steps < max_dive and not _reached(ceiling, "diving"):
        steps += 1
        _, pi, y = master.solve_lp()
        if master.stopped:
            break
        # pricing in the first steps only
        if steps <= price_steps:
            # new patterns that fit beside the fixed ones
            value = shift_value(y)
            added = 0
            fixed = np.bincount(np.asarray(master.group), weights=lower, minlength=len(sizes))
            for g, grp in enumerate(groups):
                if sizes[g] - fixed[g] < 0.5:
                    continue
                for _, pat in grp.price(value, k=grp.k):
                    cost, rows, vals = grp.column(pat)
                    rc = cost - float(vals @ y[rows]) - pi[g]
                    if rc < -1e-6 and master.add(g, pat, cost, rows, vals):
                        added += 1
            priced += 1
            if added:
                lower = np.concatenate([lower, np.zeros(added)])
                master.set_lower(lower)
                _lp, pi, y = master.solve_lp()
        x = master.values()
        frac = x - np.floor(x + 1e-7)
        open_ = frac > 1e-6
        if not open_.any():
            break
        lower = np.maximum(lower, np.floor(x + 1e-7))
        group = np.asarray(master.group)
        room = sizes - np.bincount(group, weights=lower, minlength=len(sizes))
        order = np.flatnonzero(open_)
        order = order[np.argsort(-frac[order], kind="stable")]
        fixed = 0
        for k in order:
            if fixed and frac[k] < 0.7:
                break
            g = group[k]
            if room[g] >= 1 - 1e-9:
                lower[k] += 1
                room[g] -= 1
                fixed += 1
        if fixed == 0:
            break
        master.set_lower(lower)
    x = master.values()
    counts = np.round(x).astype(np.int64)
    if not small:
        counts = systematic_round(np.asarray(master.group), x, sizes)
    elif np.abs(x - counts).max(initial=0.0) > 1e-6 or not _group_sums(master, counts):
        # the dive stopped at its limit: keep what it fixed, fill the rest
        counts = _fill(master, np.maximum(lower, np.floor(x + 1e-7)))
    dive_value = master.objective(counts)
    if small:
        counts, moves = improve(master, counts, ceiling=ceiling)
    else:
        moves = 0
    ls_value = master.objective(counts)
    best, best_value = counts, ls_value
    mip_value = np.nan
    # the MIP over every generated pattern only pays on very small masters
    mip_small = master.R * len(master) <= _MIP_MASTER
    if mip_small and mip_nodes > 0 and not _reached(ceiling, "pattern MIP"):
        mip = master.solve_mip(counts, mip_nodes)
        if _group_sums(master, mip):
            mip_value = master.objective(mip)
            if mip_value < best_value - 1e-9:
                best, best_value = mip, mip_value
    return best, {
        "objective": best_value,
        "dive_steps": steps,
        "dive_pricing": priced,
        "dive_objective": dive_value,
        "local_search_moves": moves,
        "local_search_objective": ls_value,
        "systematic": not small,
        "mip_objective": mip_value,
    }


def systematic_round(group, x, sizes, offset=0.5):
    """Whole pattern counts with the LP's group totals: per group, the columns' values laid
    end to end on [0, size) and one agent at every half-integer point, so each count is the
    floor or the ceiling of its LP value and the coverage stays close to the LP's.

    Parameters
    ----------
    group : ndarray of int (n,)
        Group of each column.
    x : ndarray (n,)
        LP values of the columns (summing to each group's size).
    sizes : ndarray (G,)
    offset : float
        Position of the first agent in [0, 1) (0.5: the half-integer points).

    Returns
    -------
    ndarray of int (n,)

    References
    ----------
    .. [1] W. G. Madow, "On the theory of systematic sampling, II", Annals of Mathematical
       Statistics 20(3), 1949.
    """
    counts = np.zeros(len(x), dtype=np.int64)
    x = np.clip(np.asarray(x, dtype=float), 0.0, None)
    for g, size in enumerate(np.asarray(sizes)):
        mine = np.flatnonzero(group == g)
        n = round(float(size))
        if n == 0 or len(mine) == 0:
            continue
        v = x[mine]
        total = v.sum()
        if total <= 1e-9:
            counts[mine[0]] = n
            continue
        ends = np.cumsum(v) * (n / total)
        # agents at offset, offset + 1, ...: column k takes those in [ends[k-1], ends[k])
        taken = np.floor(ends + (1.0 - offset) - 1e-9).astype(np.int64)
        taken[-1] = n
        counts[mine] = np.diff(np.concatenate([[0], taken]))
    return counts


def _reached(ceiling, phase) -> bool:
    return ceiling is not None and ceiling.reached(phase)


def _group_sums(master, counts) -> bool:
    if np.any(counts < 0):
        return False
    used = np.bincount(np.asarray(master.group), weights=counts, minlength=master.G)
    return bool(np.allclose(used, master.sizes))


def _fill(master, lower):
    """Counts from fixed lower bounds, no group above its size (``improve`` tops up)."""
    counts = np.floor(lower + 1e-9).astype(np.int64)
    group = np.asarray(master.group)
    for g in range(master.G):
        mine = np.flatnonzero(group == g)
        while counts[mine].sum() > master.sizes[g]:
            counts[mine[np.argmax(counts[mine])]] -= 1
    return counts


def improve(master, counts, ceiling=None):
    """Top up groups short of their size with the pattern that lowers the objective most,
    then move single agents to the pattern of their group that lowers the objective most,
    until no move helps (or the time ``ceiling``). Returns (counts, moves)."""
    R = master.R
    n = len(master)
    counts = counts.copy()
    group = np.asarray(master.group)
    cost = np.asarray(master.cost)
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

    cov = np.zeros(R)
    for k in np.flatnonzero(counts):
        cov[idx[ptr[k] : ptr[k + 1]]] += counts[k] * val[ptr[k] : ptr[k + 1]]
    moves = 0
    improved = True
    members = {g: np.flatnonzero(group == g) for g in range(master.G)}
    for g, mine in members.items():
        for _ in range(int(master.sizes[g] - counts[mine].sum())):
            k = mine[np.argmin(gains(cov)[mine])]
            counts[k] += 1
            add(cov, k, 1.0)
    while improved and not _reached(ceiling, "local search"):
        improved = False
        for k in np.flatnonzero(counts):
            if _reached(ceiling, "local search"):
                break
            while counts[k] > 0:
                add(cov, k, -1.0)
                g_all = gains(cov)
                mine = members[group[k]]
                best = mine[np.argmin(g_all[mine])]
                if g_all[best] < g_all[k] - 1e-9:
                    counts[k] -= 1
                    counts[best] += 1
                    add(cov, best, 1.0)
                    moves += 1
                    improved = True
                else:
                    add(cov, k, 1.0)
                    break
    return counts, moves

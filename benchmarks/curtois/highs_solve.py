"""HiGHS on the compact programme of :mod:`benchmarks.curtois.model`: the whole programme, or
a block of its integer columns re-optimised with the rest held (the repair operator of the
large-neighbourhood search)."""

from __future__ import annotations

import time

import highspy
import numpy as np

from benchmarks.curtois.instance import CurtoisInstance
from benchmarks.curtois.model import (
    CurtoisModel,
    build_model,
    cover_counts,
    shift_codes,
    shift_grid,
    window_instance,
)
from roster.highs import highs_model, run

_OPTIMAL = highspy.HighsModelStatus.kOptimal


def solve_mip(
    c,
    A,
    lo,
    hi,
    lower,
    upper,
    integrality,
    start=None,
    *,
    time_limit,
    node_limit,
    seed=0,
    heuristics=True,
    handles=None,
):
    """``min c @ z`` s.t. ``lo <= A z <= hi``, ``lower <= z <= upper`` by HiGHS on one thread.

    ``start`` is a feasible point HiGHS takes as its first incumbent. HiGHS releases the GIL
    while it runs, so two calls solve in parallel on two threads. The HiGHS object is
    appended to the list ``handles`` if given, so that another thread can interrupt it.

    Returns ``(z or None, proved_optimal, dual_bound, simplex_iterations)``; the iteration
    count measures the work done, independent of the machine and its load.
    """
    options = {
        "threads": 1,
        "mip_rel_gap": 0.0,
        "time_limit": float(max(time_limit, 0.01)),
        "mip_max_nodes": int(node_limit),
        "random_seed": int(seed),
    }
    if not heuristics:
        # on the small per-employee programmes they cost more than they find
        for name in ("feasibility_jump", "rins", "rens", "root_reduced_cost"):
            options[f"mip_heuristic_run_{name}"] = False
    h = highs_model(c, A, lo, hi, lower, upper, integrality, options=options, start=start)
    if handles is not None:
        # another thread may stop the run (h.cancelSolve) once the search proves optimality
        h.HandleUserInterrupt = True
        handles.append(h)
    run(h)
    info = h.getInfo()
    work = int(info.simplex_iteration_count)
    if info.primal_solution_status != 2:  # no feasible point
        return None, False, -np.inf, work
    z = np.asarray(h.getSolution().col_value)
    reported = float(info.objective_function_value)
    left = time_limit - h.getRunTime()
    if (
        start is not None
        and np.dot(c, z) > reported + 1e-6 * (1.0 + abs(reported))
        and left > 0.01
    ):
        # HiGHS can report the optimum of a problem its presolve reduced to nothing and
        # still hand back the start as the solution: solved again without the start, in
        # the time left, it returns the optimum it found
        return solve_mip(
            c, A, lo, hi, lower, upper, integrality, None,
            time_limit=left, node_limit=node_limit, seed=seed,
            heuristics=heuristics, handles=handles,
        )  # fmt: skip
    return z, h.getModelStatus() == _OPTIMAL, float(info.mip_dual_bound), work


def solve_model(model: CurtoisModel, start=None, **options):
    lower = np.zeros(model.n)
    return solve_mip(
        model.c, model.A, model.lo, model.hi, lower, model.ub, model.integrality, start, **options
    )


def repair(model: CurtoisModel, z: np.ndarray, free: np.ndarray, **options):
    """Re-optimise the integer columns ``free`` of ``model``, the rest held at ``z``.

    Only the rows that touch a freed column, and the cover slacks of those rows, go to
    HiGHS; the fixed columns move into the row bounds. Returns ``(z' or None, closed,
    simplex_iterations)``.
    """
    if not len(free):
        # nothing to move: the held roster is the block's optimum
        return z.copy(), True, 0
    A = model.A
    n_int = model.nx + model.nk
    rows = np.flatnonzero(np.diff(A[:, free].tocsr().indptr) > 0)
    nc = (model.n - n_int) // 2
    first_cover = A.shape[0] - nc
    q = rows[rows >= first_cover] - first_cover
    cols = np.concatenate([free, n_int + q, n_int + nc + q])
    kept = np.zeros(model.n, dtype=bool)
    kept[cols] = True
    fixed = A[:, ~kept] @ z[~kept]
    sub = A[rows][:, cols]
    lo = model.lo[rows] - fixed[rows]
    hi = model.hi[rows] - fixed[rows]
    zs, closed, _, work = solve_mip(
        model.c[cols],
        sub,
        lo,
        hi,
        np.zeros(len(cols)),
        model.ub[cols],
        model.integrality[cols],
        z[cols],
        **options,
    )
    if zs is None:
        return None, False, work
    out = z.copy()
    out[cols] = zs
    return out, closed, work


def solve_block(
    instance: CurtoisInstance,
    codes: np.ndarray,
    members,
    days,
    *,
    time_limit: float,
    deadline: float,
    node_limit: int,
    seed: int = 0,
):
    """Re-optimise ``members`` over ``days`` (consecutive) of roster ``codes`` (type codes,
    -1 off), their cells outside the window held.

    The programme (:func:`build_model`) has the members alone, the rest of the staff a
    constant cover, and spans only the window's weeks widened on each side by more than the
    longest block rule of the members (:func:`window_instance`): the held days there carry
    every sequencing rule across the window's edges, and the members' work beyond counts
    against their limits over the horizon. On a long horizon it is a fraction of the size.

    HiGHS gets ``time_limit`` or what is left before ``deadline`` once the programme is
    built, whichever is less. Returns ``(new type codes of members, or None if HiGHS found
    nothing better; whether HiGHS closed the block; seconds the programme took to build)``.
    """
    tick = time.perf_counter()
    H, T = instance.horizon, len(instance.shift_ids)
    members = np.asarray(members, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    staff = instance.staff.iloc[members]
    margin = 1 + int(
        staff[["max_consecutive", "min_consecutive", "min_consecutive_off"]].to_numpy().max()
    )
    start = max(0, (int(days[0]) - margin) // 7 * 7)
    end = min(H, -(-(int(days[-1]) + 1 + margin) // 7) * 7)
    window = window_instance(instance, codes, members, start, end)
    grid = shift_grid(instance, codes[:, start:end])
    others = np.ones(len(codes), dtype=bool)
    others[members] = False
    base = cover_counts(window, grid[others])
    model = build_model(window, range(len(members)), base)
    z = model.encode(window, grid[members], base)
    span = end - start
    inside = np.zeros(span, dtype=bool)
    inside[days - start] = True
    x = np.arange(model.nx).reshape(len(members), span, T)
    k = model.nx + np.arange(model.nk).reshape(len(members), span // 7)
    # a weekend's column is freed with either of its days
    free = np.concatenate([x[:, inside].ravel(), k[:, inside[5::7] | inside[6::7]].ravel()])
    free = free[model.ub[free] > 0]
    build = time.perf_counter() - tick
    time_limit = min(time_limit, deadline - time.perf_counter())
    if time_limit < 0.05:
        return None, False, build
    out, closed, _ = repair(
        model, z, free, time_limit=time_limit, node_limit=node_limit, seed=seed
    )
    if out is None or not model.c @ out < model.c @ z - 1e-9:
        return None, closed, build
    new = codes[members].copy()
    new[:, start:end] = shift_codes(instance, model.decode(out, instance.shift_ids))
    return new, closed, build

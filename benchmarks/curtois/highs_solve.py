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
    """Re-optimise ``members`` over ``days`` of roster ``codes`` (type codes, -1 off) on a
    programme of their own employees (:func:`build_model`, the rest of the staff a constant
    cover), their cells outside the window held.

    HiGHS gets ``time_limit`` or what is left before ``deadline`` once the programme is
    built, whichever is less. Returns ``(new type codes of members, or None if HiGHS found
    nothing better; whether HiGHS closed the block; seconds the programme took to build)``.
    """
    tick = time.perf_counter()
    H, T = instance.horizon, len(instance.shift_ids)
    grid = shift_grid(instance, codes)
    others = np.ones(len(codes), dtype=bool)
    others[members] = False
    base = cover_counts(instance, grid[others])
    model = build_model(instance, members, base)
    z = model.encode(instance, grid, base)
    inside = np.zeros(H, dtype=bool)
    inside[days] = True
    x = np.arange(model.nx).reshape(len(members), H, T)
    k = model.nx + np.arange(model.nk).reshape(len(members), H // 7)
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
    return shift_codes(instance, model.decode(out, instance.shift_ids)), closed, build

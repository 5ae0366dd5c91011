"""Solving the stage-1 program with HiGHS: whole, or by a rolling horizon over days."""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from roster.highs import highs_model, run


@dataclass
class Program:
    """``min c x`` subject to ``row_lo <= A x <= row_hi``, ``lb <= x <= ub``, some integer.

    Columns are the shift and break counts (the first ``ny``), then per-interval slacks; the
    bookkeeping arrays say which interval or day each row and column belongs to, so that a
    rolling horizon can cut out one window of days.
    """

    c: np.ndarray
    A: sparse.csr_array
    row_lo: np.ndarray
    row_hi: np.ndarray
    ub: np.ndarray
    integrality: np.ndarray
    ny: int
    ng: int
    no: int
    row_grid: np.ndarray  # interval of each row (-1: a break link row)
    row_x: np.ndarray  # shift column of each link row (-1: other rows)
    col_grid: np.ndarray  # interval of each slack column (-1: shift and break columns)
    col_day: np.ndarray  # day of each shift or break column (-2: slack columns)
    lb: np.ndarray | None = None  # lower bounds of the columns (default 0)

    def restrict(
        self, cols: np.ndarray, rows: np.ndarray, fixed: np.ndarray, lower=None, upper=None
    ) -> Program:
        """The program over ``cols`` and ``rows``, the other columns held at ``fixed``, with
        bounds ``lower`` (default 0) and ``upper`` (default as before) on ``cols``."""
        A = self.A[rows]
        held = A @ fixed - A[:, cols] @ fixed[cols]
        return Program(
            self.c[cols],
            sparse.csr_array(A[:, cols]),
            self.row_lo[rows] - held,
            self.row_hi[rows] - held,
            self.ub[cols] if upper is None else np.asarray(upper, float),
            self.integrality[cols],
            0,
            0,
            0,
            self.row_grid[rows],
            self.row_x[rows],
            self.col_grid[cols],
            self.col_day[cols],
            None if lower is None else np.asarray(lower, float),
        )


def _highs(prog: Program, integer: bool, options: dict, start=None):
    lower = np.zeros(prog.A.shape[1]) if prog.lb is None else prog.lb
    integrality = prog.integrality if integer else None
    return highs_model(
        prog.c,
        prog.A,
        prog.row_lo,
        prog.row_hi,
        lower,
        prog.ub,
        integrality,
        options=options,
        start=start,
    )


def solve_lp(prog: Program) -> np.ndarray | None:
    h = _highs(prog, integer=False, options={})
    run(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value)


def solve_mip(prog, start, *, time_limit, mip_rel_gap, max_nodes=None):
    """Best integer solution, status text and dual bound; None if proven infeasible.

    ``max_nodes`` bounds the branch-and-bound work, so that a run gives the same answer on
    any machine; ``time_limit`` is a ceiling (status ``"time_limit"`` when it binds, and the
    answer then depends on the machine's speed).
    """
    options = {"time_limit": float(time_limit), "mip_rel_gap": float(mip_rel_gap)}
    if max_nodes is not None:
        options["mip_max_nodes"] = int(max_nodes)
    h = _highs(prog, integer=True, options=options, start=start)
    run(h)
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    if info.primal_solution_status != 2:  # no feasible point
        if start is not None:
            ran_out = status == highspy.HighsModelStatus.kTimeLimit
            return start, "time_limit" if ran_out else "work_limit", float(info.mip_dual_bound)
        raise RuntimeError(
            f"no schedule found within time_limit={time_limit:.1f} s "
            f"(solver: {h.modelStatusToString(status)}); raise time_limit"
        )
    x = np.asarray(h.getSolution().col_value)
    text = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
    }.get(status, "work_limit")
    return x, text, float(info.mip_dual_bound)


#: Branch-and-bound nodes of one part of the rolling horizon, and sweeps over the days: the
#: work that paces the rolling solve (a part of one or two days closes in a few nodes).
PART_NODES = 400
SWEEPS = 4


def rolling_solve(model, prog, lp, window, t0, time_limit, mip_rel_gap):
    """Rolling horizon over days, then fix-and-optimize sweeps.

    First pass: solve ``window`` days at a time on their own intervals, keep the first
    day's shifts, move on a day. Shifts reaching into the next day are kept at no fewer
    than the whole part of their value in the linear relaxation of the whole horizon (a
    day alone cannot see what they are worth tomorrow); when a day's morning can only be
    covered from the night before, that night's shifts may be added to. Sweeps: re-solve
    the shifts of each pair of consecutive days with all others held, on their intervals
    and the following day's (so late shifts are credited for the hours they reach into),
    starting from the incumbent so that a sweep never makes things worse; repeat while
    they gain and time remains.
    """
    P = model.periods
    nx = len(model.col_t)
    cut = 0
    starts = np.array([t.start // model.interval for t in model.templates])
    x_op = (model.col_day * P + starts[model.col_t] - cut) // P
    col_op = np.full(len(prog.c), -(10**9))
    col_op[:nx] = x_op
    col_op[nx : prog.ny] = x_op[model.b_col]
    slack = prog.col_grid >= 0
    col_op[slack] = (prog.col_grid[slack] - cut) // P
    row_op = np.where(prog.row_grid >= 0, (prog.row_grid - cut) // P, -(10**9))
    is_link = prog.row_x >= 0
    row_op[is_link] = x_op[prog.row_x[is_link]]
    if model.boundary == "wrap":
        nd = len(model.days)
        col_op[slack] %= nd
        row_op[~is_link & (prog.row_grid >= 0)] %= nd
    days = np.unique(np.r_[x_op, row_op[prog.row_grid >= 0]])
    is_shift = np.zeros(len(prog.c), bool)
    is_shift[: prog.ny] = True
    sol = np.zeros(len(prog.c))

    hit = False

    def solve_part(cols, rows, start, lower=None, upper=None):
        nonlocal hit
        sub = prog.restrict(cols, rows, sol, lower, upper)
        # past the ceiling a part still gets a second to find its first schedule: every
        # day needs one
        limit = max(1.0, time_limit - (time.perf_counter() - t0))
        try:
            res = solve_mip(
                sub, start, time_limit=limit, mip_rel_gap=mip_rel_gap, max_nodes=PART_NODES
            )
        except RuntimeError:  # nothing found within the nodes: give it more
            res = solve_mip(
                sub, start, time_limit=max(10.0, limit), mip_rel_gap=0.01,
                max_nodes=8 * PART_NODES,
            )  # fmt: skip
        if res is not None and res[1] == "time_limit":
            hit = True
        return None if res is None else res[0]

    crosses = np.array([t.crosses_midnight for t in model.templates])
    col_cross = np.zeros(len(prog.c), bool)
    col_cross[:nx] = crosses[model.col_t]
    col_cross[nx : prog.ny] = crosses[model.col_t[model.b_col]]
    link_cross = is_link & crosses[model.col_t[np.maximum(prog.row_x, 0)]]
    rule_len = np.array([r[2] for r in model.rules] or [0])
    b_at = model.col_day[model.b_col] * P + model.opt_start[model.b_opt] - cut
    b_ops = np.c_[b_at // P, (b_at + rule_len[model.opt_slot[model.b_opt]] - 1) // P]
    if model.boundary == "wrap":
        b_ops %= len(model.days)
    is_cap = (prog.row_grid >= 0) & ~np.isfinite(prog.row_lo)
    # the linear relaxation sees every day at once: keep at least its whole number of the
    # shifts that reach into the next day, which a day-by-day pass cannot value
    guided = np.zeros(len(prog.c), bool)
    guided[:nx] = crosses[model.col_t]
    for k, day in enumerate(days):
        ahead = list(days[k : k + window])
        cols = np.flatnonzero(np.isin(col_op, ahead))
        # seat caps of the next day too: this window's night shifts sit in those seats
        rows = np.flatnonzero(
            np.isin(row_op, ahead) | (is_cap & np.isin(row_op, days[k + window : k + window + 1]))
        )
        guide = np.where(guided[cols], np.floor(lp[cols] + 1e-6), 0.0)
        part = solve_part(cols, rows, None, guide)
        if part is None and guide.any():
            part = solve_part(cols, rows, None)
        back = [days[k - 1]] if k > 0 else ([days[-1]] if model.boundary == "wrap" else [])
        if part is None and back:
            # the morning needs the night before: let the previous day's shifts reaching
            # into this day grow (never shrink, so that day stays covered; their breaks
            # on that day stay as they are, since its intervals are not re-checked)
            shift_in = is_shift & (np.isin(col_op, ahead) | (np.isin(col_op, back) & col_cross))
            cols = np.flatnonzero(shift_in | (~is_shift & np.isin(col_op, ahead)))
            rows = np.flatnonzero(
                np.where(
                    is_link,
                    np.isin(row_op, ahead) | (np.isin(row_op, back) & link_cross),
                    np.isin(row_op, ahead) | (is_cap & np.isin(row_op, back)),
                )
            )
            lower = np.where(is_shift[cols], sol[cols], 0.0)
            upper = prog.ub[cols].copy()
            held = cols[(cols >= nx) & (cols < prog.ny)]
            held = held[np.isin(b_ops[held - nx], back).any(axis=1)]
            upper[np.isin(cols, held)] = sol[held]
            part = solve_part(cols, rows, None, lower, upper)
        if part is None:
            raise model.elastic_diagnosis()
        keep = np.isin(col_op[cols], [*back, day])
        sol[cols[keep]] = part[keep]

    best = prog.c @ sol
    for _ in range(SWEEPS):
        if time.perf_counter() - t0 >= time_limit:
            hit = True
            break
        for k in range(len(days)):
            span = days[k : k + 2]
            touched = days[k : k + 3]
            if model.boundary == "wrap" and k + 2 >= len(days):
                touched = np.r_[touched, days[0]]
            cols = np.flatnonzero(
                (is_shift & np.isin(col_op, span)) | (~is_shift & np.isin(col_op, touched))
            )
            rows = np.flatnonzero(
                np.where(is_link, np.isin(row_op, span), np.isin(row_op, touched))
            )
            if time.perf_counter() - t0 >= time_limit:
                hit = True
                break
            part = solve_part(cols, rows, sol[cols])
            if part is not None:
                sol[cols] = part
        value = prog.c @ sol
        if value > best - 1e-6 * max(1.0, abs(best)):
            break
        best = value
    return sol, hit

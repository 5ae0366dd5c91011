"""An aggregate relaxation of the named roster: agents per shift and day under the team's
totals only.

Every roster gives agent counts ``x[d, s]`` that meet: coverage with priced slacks; per day,
no more agents than are available (leave and skills); the team's paid time within the sum of
the agents' monthly bands; working days and the rest days lost to nights past midnight within
what the rest days leave; no more than ``max_consecutive_days`` working days in any window
of one more day, per agent and so in total; a day off after a big night; the team's cap on
big nights. Its LP value, with pay at the lowest hourly rate and penalties dropped, is a
lower bound on any roster's objective; its coverage duals are a good first dual point for
column generation (they meet the slack bounds, so the Lagrangian bound holds there too).
"""

from __future__ import annotations

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from roster.highs import run


def aggregate_bound(p, rules, shift_cov, feasible, *, integer_nodes=0, ceiling=None):
    """(bound, coverage duals, agents per day and shift) of the aggregate relaxation, or
    (-inf, None, None) on failure.

    The bound is the LP value, or with ``integer_nodes > 0`` the better of it and the dual
    bound HiGHS proves for the aggregate model with whole agents per shift and day (every
    roster has whole counts, so that bound holds too). Coverage rows with fractional
    coefficients (meals spread over their windows) make the integer model markedly
    stronger than its LP.

    Parameters
    ----------
    p : roster.people.inputs.Problem
    rules : Rules
    shift_cov : list of (rows, values)
        Coverage of shift s worked on day d, at index ``d * S + s``.
    feasible : ndarray of bool (A,)
        Agents that can meet the rules at all (the others work nothing).
    integer_nodes : int
        Branch-and-bound nodes given to the integer model (0 skips it). Its dual bound
        grows with them (cuts at the root, then branching); it is valid wherever it stops.
    ceiling : roster.people.groups.Ceiling, optional
        Time ceiling of the integer model (its run then noted as bound by it).
    """
    D, S, R = p.D, p.S, len(p.required)
    n = D * S
    rate = float(p.rate[feasible].min()) if feasible.any() else 0.0
    c = np.concatenate(
        [p.pay_unit.ravel() * rate, np.full(R, p.under_pen), np.full(R, p.over_pen)]
    )
    # coverage equalities
    rows = np.concatenate([np.asarray(r, np.int64) for r, _ in shift_cov])
    cols = np.repeat(np.arange(n), [len(r) for r, _ in shift_cov])
    vals = np.concatenate([np.asarray(v, float) for _, v in shift_cov])
    a_eq = sp.hstack(
        [
            sp.csr_matrix((vals, (rows, cols)), shape=(R, n)),
            sp.eye(R, format="csr"),
            -sp.eye(R, format="csr"),
        ],
        format="csr",
    )
    ub_rows, ub = [], []

    def add(coeff, bound):
        ub_rows.append(sp.csr_matrix(np.concatenate([coeff, np.zeros(2 * R)])))
        ub.append(bound)

    on = feasible[:, None] & ~p.forced  # (A, D)
    avail = on.sum(axis=0)
    day = np.zeros((D, n))
    for d in range(D):
        day[d, d * S : (d + 1) * S] = 1.0
        add(day[d], avail[d])
        # skills: agents allowed each shift that day
        for s in range(S):
            cap = int((on[:, d] & p.allowed[:, s]).sum())
            if cap < avail[d]:
                coeff = np.zeros(n)
                coeff[d * S + s] = 1.0
                add(coeff, cap)
    paid = np.tile(p.paid, D)
    team = int(feasible.sum())
    add(paid, team * p.hi)
    add(-paid, -team * p.lo)
    C = rules.max_consecutive_days
    for d0 in range(max(D - C, 0)):
        add(day[d0 : d0 + C + 1].sum(axis=0), C * team)
    if rules.rest_after_big_night and p.big.any():
        for d in range(D - 1):
            coeff = day[d + 1].copy()
            coeff[d * S : (d + 1) * S] += p.big
            add(coeff, team)
    if rules.whole_rest_days and rules.rest_after_big_night and p.crosses.any():
        # whole rest days: a night past midnight before the last day takes the next day
        # off (a big night), which then is no rest day
        coeff = np.tile(1.0 + p.crosses, D)
        coeff[(D - 1) * S :] = 1.0
        add(coeff, team * (D - p.min_rest))
    if rules.max_nights is not None and p.big.any():
        add(np.tile(p.big.astype(float), D), team * rules.max_nights)
    a_ub = sp.vstack(ub_rows, format="csr")
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=np.asarray(ub, float),
        A_eq=a_eq,
        b_eq=p.required,
        bounds=(0, None),
        method="highs",
    )
    if res.status != 0:
        return -np.inf, None, None
    # linprog's marginals are d(objective)/d(b): the duals of the coverage rows
    duals = np.asarray(res.eqlin.marginals, dtype=float)
    bound = float(res.fun)
    if integer_nodes > 0 and not (ceiling is not None and ceiling.reached("aggregate bound")):
        b_ub = np.asarray(ub, float)
        h = _integer_model(c, a_ub, b_ub, a_eq, p.required, n, integer_nodes)
        if ceiling is not None:
            ceiling.limit(h)
        run(h)
        if ceiling is not None:
            ceiling.check(h, "aggregate bound")
        dual = h.getInfo().mip_dual_bound
        if np.isfinite(dual):
            bound = max(bound, float(dual))
    return bound, duals, np.asarray(res.x[:n]).reshape(D, S)


def _integer_model(c, a_ub, b_ub, a_eq, b_eq, n_int, max_nodes) -> highspy.Highs:
    """The model with the first ``n_int`` variables integer, for HiGHS to prove a dual bound
    within ``max_nodes`` nodes."""
    a = sp.vstack([a_ub, a_eq], format="csr")
    lo = np.concatenate([np.full(len(b_ub), -np.inf), b_eq])
    hi = np.concatenate([b_ub, b_eq])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    # the bound is wanted, not a solution: no primal heuristics
    h.setOptionValue("mip_heuristic_effort", 0.0)
    h.setOptionValue("mip_max_nodes", int(max_nodes))
    m = len(c)
    h.addVars(m, np.zeros(m), np.full(m, np.inf))
    h.changeColsCost(m, np.arange(m, dtype=np.int32), np.asarray(c, float))
    h.addRows(
        a.shape[0],
        lo,
        hi,
        a.nnz,
        a.indptr[:-1].astype(np.int32),
        a.indices.astype(np.int32),
        a.data.astype(float),
    )
    idx = np.arange(n_int, dtype=np.int32)
    h.changeColsIntegrality(n_int, idx, np.full(n_int, highspy.HighsVarType.kInteger))
    return h

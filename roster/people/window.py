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
search, Shaw 1998; Pisinger and Ropke 2010). Each MIP keeps the choices on which its LP
relaxation and the roster agree and decides the rest (relaxation-induced neighbourhood,
Danna, Rothberg and Le Pape 2005), started from the roster, so a window never gets worse;
about a second per window of two days and 150 agents.

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

import highspy
import numpy as np
import scipy.sparse as sp

from roster.highs import run

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


def _window_model(ctx, groups, grid, days, movable):
    """The MIP of the module docstring for the window ``days`` of the ``movable``
    agents, as ``(lp, start, zmap)``: a HiGHS LP (integrality not set), the current roster
    as a solution of it, and (column, agent, day, shift) of every choice variable."""
    model = _WindowModel(ctx, grid, days)
    model.add_shift_counts()
    free = [a for a in range(model.A) if movable[a] and (grid[a, model.days] >= 0).any()]
    for a in free:
        model.add_agent(groups[ctx.group_of[a]], a)
    model.add_coverage(free)
    zmap = np.asarray(model.zmap, dtype=np.int64).reshape(-1, 4)
    return model.lp(), np.asarray(model.start), zmap


class _AgentWindow:
    """One movable agent in the window: its choice columns and the days fixed around them.

    Parameters
    ----------
    grp : roster.people.groups.Group
        The agent's group (pricer, base costs, forced and allowed shifts).
    pattern : ndarray of int (D,)
        The agent's current month (shift index, -1 off).
    in_w : ndarray of bool (D,)
        Days of the window.
    """

    def __init__(self, grp, pattern, in_w):
        self.grp = grp
        self.pricer = grp.pricer
        self.pat = pattern
        self.work = pattern >= 0
        self.in_w = in_w
        self.fixed_days = np.flatnonzero(self.work & ~in_w)  # worked outside the window
        self.zvar = {}  # (day, shift) -> choice column
        self.on_day = {}  # columns whose sum is whether the agent works day d of the window

    def choices_on(self, d):
        """(shift, column) of every choice on day ``d``."""
        return [(s, j) for (dd, s), j in self.zvar.items() if dd == d]

    def worked(self, first, last):
        """Columns and constant of the days worked in ``first..last``."""
        cols, const = [], 0
        for d in range(first, last + 1):
            if self.in_w[d]:
                cols += self.on_day.get(d, [])
            else:
                const += int(self.work[d])
        return cols, const


class _WindowModel:
    """The window MIP gathered column by column and row by row, one method per family of
    rows; :meth:`lp` hands it to HiGHS.

    Parameters
    ----------
    ctx : roster.people.groups.RosterContext
    grid : ndarray of int (A, D)
        The roster (shift index, -1 off); not changed.
    days : array_like of int
        Consecutive days of the window.
    """

    def __init__(self, ctx, grid, days):
        self.ctx, self.grid = ctx, grid
        self.A, self.D = grid.shape
        self.S = ctx.p.S
        self.days = np.asarray(days, dtype=np.int64)
        self.in_w = np.zeros(self.D, dtype=bool)
        self.in_w[self.days] = True
        self.cost, self.col_lo, self.col_hi, self.start = [], [], [], []
        self.row_lo, self.row_hi = [], []
        self.trip_r, self.trip_c, self.trip_v = [], [], []
        self.zmap = []  # (column, agent, day, shift) of every choice variable
        self.cliques = {}  # by the shifts open on two days: most agents share them
        self.x_col = {}  # (day, shift) -> column of the agents on that shift
        self.x_terms = {}  # (day, shift) -> the agents' choice columns summed into it

    def add_column(self, cost, lo, hi, value) -> int:
        """A column of ``cost`` within ``[lo, hi]``, ``value`` in the current roster."""
        self.cost.append(float(cost))
        self.col_lo.append(float(lo))
        self.col_hi.append(float(hi))
        self.start.append(float(value))
        return len(self.cost) - 1

    def add_row(self, lo, hi, cols, vals) -> int:
        """A row ``lo <= sum(vals * cols) <= hi``."""
        r = len(self.row_lo)
        self.row_lo.append(float(lo))
        self.row_hi.append(float(hi))
        self.trip_r.extend([r] * len(cols))
        self.trip_c.extend(cols)
        self.trip_v.extend(vals)
        return r

    def add_count(self, cap, final_cost, n0, now, cols, vals):
        """A count ``n0 + sum(vals * cols)`` of at most ``cap`` whose cost ``final_cost[n]``
        (convex: fair shares) is carried by an epigraph column; ``now`` is its current
        value."""
        self.add_row(-_INF, cap - n0, list(cols), list(vals))
        fc = np.asarray(final_cost, dtype=float)
        if not fc.any():
            return
        if not _convex(fc):
            raise ValueError("a counted cost that is not convex cannot be modelled")
        t = self.add_column(1.0, 0.0, _INF, fc[min(now, cap)])
        # only the pieces the count can reach from n0 bind
        for k in range(max(n0 - 1, 0), min(n0 + int(np.sum(vals)), cap)):
            slope = fc[k + 1] - fc[k]
            coefs = [1.0, *(-slope * v for v in vals)]
            self.add_row(fc[k] + slope * (n0 - k), _INF, [t, *cols], coefs)

    def add_shift_counts(self):
        """Columns ``x[d, s]`` of the agents on each shift of the window's days (linked to
        the choices by :meth:`add_coverage`)."""
        for d in self.days:
            for s in range(self.S):
                self.x_col[d, s] = self.add_column(0.0, 0.0, _INF, 0.0)
                self.x_terms[d, s] = []

    def add_agent(self, grp, a):
        """Every column and row of the movable agent ``a`` of group ``grp``."""
        agent = _AgentWindow(grp, self.grid[a], self.in_w)
        for d in self.days:
            if not grp.forced[d]:
                self._add_day(agent, a, d)
        self._add_working_days(agent)
        self._add_successions(agent)
        self._add_run_caps(agent)
        self._add_run_penalties(agent)
        self._add_resource_counts(agent)
        self._add_weekend_count(agent)
        self._add_paid_band(agent)
        self._add_whole_rest_days(agent)

    def _open_shifts(self, agent, d):
        """Shifts ``agent`` may work on day ``d`` next to its fixed days outside the
        window."""
        grp, pat, work, compat = agent.grp, agent.pat, agent.work, self.ctx.compat
        ok = grp.allowed & np.isfinite(grp.base[d])
        if d > 0 and work[d - 1] and not self.in_w[d - 1]:
            ok &= compat[pat[d - 1] + 1]
        if d + 1 < self.D and work[d + 1] and not self.in_w[d + 1]:
            ok &= compat[1:, pat[d + 1]]
        if work[d]:
            ok[pat[d]] = True  # the current shift keeps its rules
        return np.flatnonzero(ok)

    def _add_day(self, agent, a, d):
        """The choice columns of agent ``a`` on day ``d`` and its row of one shift a day."""
        base, pat = agent.grp.base, agent.pat
        cols = agent.on_day[d] = []
        for s in self._open_shifts(agent, d):
            j = self.add_column(base[d, s], 0.0, 1.0, float(s == pat[d]))
            agent.zvar[d, s] = j
            cols.append(j)
            self.zmap.append((j, a, d, s))
            self.x_terms[d, s].append(j)
        if cols:
            self.add_row(-_INF, 1.0, cols, [1.0] * len(cols))

    def _add_working_days(self, agent):
        """As many working days as before in the window: rest days and hours keep."""
        cols = list(agent.zvar.values())
        n_work = float(agent.work[self.days].sum())
        self.add_row(n_work, n_work, cols, [1.0] * len(cols))

    def _add_successions(self, agent):
        """Rest and forbidden successions between two days of the window, as cliques."""
        for d in self.days:
            if not (d + 1 < self.D and self.in_w[d + 1]):
                continue
            today, nxt = agent.choices_on(d), agent.choices_on(d + 1)
            key = (tuple(s for s, _ in today), tuple(s for s, _ in nxt))
            if key not in self.cliques:
                self.cliques[key] = _succession_cliques(self.ctx.compat, *key)
            for lhs, rhs in self.cliques[key]:
                cols = [today[i][1] for i in lhs] + [nxt[i][1] for i in rhs]
                self.add_row(-_INF, 1.0, cols, [1.0] * len(cols))

    def _add_run_caps(self, agent):
        """No ``C + 1`` days in a row worked, over every run that meets the window."""
        C, days = agent.pricer.C, self.days
        for e in range(max(days[0] - C, 0), min(days[-1], self.D - C - 1) + 1):
            cols, const = agent.worked(e, e + C)
            if cols:
                self.add_row(-_INF, C - const, cols, [1.0] * len(cols))

    def _add_run_penalties(self, agent):
        """Each day of a run beyond the soft limit paid for, through a surplus column."""
        pricer, days = agent.pricer, self.days
        pen_days = np.flatnonzero(pricer.run_pen > 0)
        if not len(pen_days):
            return
        soft = int(pen_days[0]) - 1
        for e in range(max(days[0] - soft, 0), min(days[-1], self.D - soft - 1) + 1):
            cols, const = agent.worked(e, e + soft)
            if not cols:
                continue
            now = int(agent.work[e : e + soft + 1].sum())
            q = self.add_column(pricer.run_pen[soft + 1], 0.0, _INF, max(now - soft, 0))
            self.add_row(-_INF, soft - const, [*cols, q], [1.0] * len(cols) + [-1.0])

    def _add_resource_counts(self, agent):
        """Counted resources (big nights, holidays, shifts of a name): caps and convex
        fair-share costs."""
        pat, work, fixed = agent.pat, agent.work, agent.fixed_days
        for res in agent.pricer.resources:
            n0 = int(res.use[fixed, pat[fixed]].sum())
            use = res.use
            terms = [(j, float(use[d, s])) for (d, s), j in agent.zvar.items() if use[d, s]]
            if terms:
                now = int(res.use[np.flatnonzero(work), pat[work]].sum())
                cj, cv = zip(*terms, strict=True)
                self.add_count(res.cap, res.final_cost, n0, now, cj, cv)

    def _add_weekend_count(self, agent):
        """Weekends worked (a Saturday or Sunday), capped and with their fair-share cost."""
        pricer = agent.pricer
        if pricer.weekend_cap is None:
            return
        n0, terms = 0, []
        for unit in _weekends(pricer.saturday, pricer.sunday):
            if self.in_w[unit].any():
                terms.append(self._weekend_column(agent, unit))
            else:
                n0 += int(agent.work[unit].any())
        if terms:
            now = pricer.weekends(agent.work)
            cost = pricer.weekend_cost
            self.add_count(pricer.weekend_cap, cost, n0, now, terms, [1.0] * len(terms))

    def _weekend_column(self, agent, unit):
        """A column that is 1 exactly when ``agent`` works a day of the weekend ``unit``."""
        cols, const = agent.worked(unit[0], unit[-1])
        w = self.add_column(0.0, 0.0, 1.0, float(agent.work[unit].any()))
        # at most the days worked ...
        self.add_row(-_INF, const, [w, *cols], [1.0] + [-1.0] * len(cols))
        for d in unit:
            if self.in_w[d]:
                # ... and at least each day of the window worked
                on = agent.on_day.get(d, [])
                self.add_row(0.0, _INF, [w, *on], [1.0] + [-1.0] * len(on))
            elif agent.work[d]:
                self.col_lo[w] = 1.0  # a fixed day worked already makes it a weekend
        return w

    def _add_paid_band(self, agent):
        """The monthly paid band, where the shifts' paid times differ."""
        pricer, pat = agent.pricer, agent.pat
        if not np.ptp(pricer.paid[agent.grp.allowed]) > 0:
            return
        paid0 = float(pricer.paid[pat[agent.fixed_days]].sum())
        cj = list(agent.zvar.values())
        cv = [float(pricer.paid[s]) for (_, s) in agent.zvar]
        self.add_row(pricer.lo - paid0 - 1e-6, pricer.hi - paid0 + 1e-6, cj, cv)

    def _add_whole_rest_days(self, agent):
        """Whole rest days: the days off lost to shifts past midnight (``Rules.rest_days``)
        stay within what the working days leave, through a column per pair of days the
        window touches that is at least ``night on d - worked on d + 1``."""
        pricer, pat, work = agent.pricer, agent.pat, agent.work
        if not pricer.whole:
            return
        night = np.zeros(self.D, dtype=bool)
        night[work] = pricer.crosses[pat[work]]
        lost = night[:-1] & ~work[1:]
        pairs = range(max(self.days[0] - 1, 0), min(self.days[-1], self.D - 2) + 1)
        cap = pricer.rest_cap - int(work.sum()) - int(np.delete(lost, list(pairs)).sum())
        cols = []
        for d in pairs:
            if self.in_w[d]:
                c_night = [j for s, j in agent.choices_on(d) if pricer.crosses[s]]
                k_night = 0
            else:
                c_night, k_night = [], int(night[d])
            if not (c_night or k_night):
                continue
            c_work, k_work = agent.worked(d + 1, d + 1)
            t = self.add_column(0.0, 0.0, 1.0, float(lost[d]))
            lhs = [t, *c_night, *c_work]
            vals = [1.0] + [-1.0] * len(c_night) + [1.0] * len(c_work)
            self.add_row(k_night - k_work, _INF, lhs, vals)
            cols.append(t)
        if cols:
            self.add_row(-_INF, cap, cols, [1.0] * len(cols))

    def add_coverage(self, free):
        """The links ``x[d, s] = sum of the choices`` and a coverage row with its shortfall
        and surplus columns for every requirement row the window's shifts meet."""
        fixed_cover = self._fixed_cover(free)
        current = self._current_counts(free)
        cov_rows, cover_now = self._add_links(current, fixed_cover)
        p = self.ctx.p
        for r, terms in cov_rows.items():
            need = float(p.required[r] - fixed_cover[r])
            gap = float(p.required[r] - cover_now[r])
            u = self.add_column(p.under_pen, 0.0, _INF, max(gap, 0.0))
            o = self.add_column(p.over_pen, 0.0, _INF, max(-gap, 0.0))
            cj, cv = zip(*terms, strict=True)
            self.add_row(need, need, [*cj, u, o], [*cv, 1.0, -1.0])

    def _fixed_cover(self, free):
        """Coverage of the roster without the ``free`` agents' days in the window."""
        ledger = self.ctx.ledger()
        is_free = np.zeros(self.A, dtype=bool)
        is_free[free] = True
        ledger.add_grid(self.grid, self.S, keep=~(is_free[:, None] & self.in_w[None, :]))
        return ledger.cover

    def _current_counts(self, free):
        """Agents of ``free`` on each shift of each day, as the roster has them now."""
        current = np.zeros((self.D, self.S))
        for a in free:
            for d in self.days:
                if self.grid[a, d] >= 0:
                    current[d, self.grid[a, d]] += 1
        return current

    def _add_links(self, current, fixed_cover):
        """The rows ``x[d, s] = sum of the choices``; the terms of each coverage row and
        the roster's coverage now (``fixed_cover`` and ``current``)."""
        cov_rows = {}
        cover_now = fixed_cover.copy()
        for d in self.days:
            for s in range(self.S):
                j = self.x_col[d, s]
                self.start[j] = current[d, s]
                terms = self.x_terms[d, s]
                self.add_row(0.0, 0.0, [j, *terms], [1.0] + [-1.0] * len(terms))
                rows, vals = self.ctx.shift_cov[d * self.S + s]
                cover_now[rows] += current[d, s] * np.asarray(vals)
                for r, v in zip(rows, vals, strict=True):
                    cov_rows.setdefault(int(r), []).append((j, float(v)))
        return cov_rows, cover_now

    def lp(self):
        """The model as a HiGHS LP, its matrix by columns."""
        n, m = len(self.cost), len(self.row_lo)
        a_mat = sp.csc_matrix((self.trip_v, (self.trip_r, self.trip_c)), shape=(m, n))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = np.asarray(self.cost)
        lp.col_lower_ = np.asarray(self.col_lo)
        lp.col_upper_ = np.asarray(self.col_hi)
        lp.row_lower_ = np.asarray(self.row_lo)
        lp.row_upper_ = np.asarray(self.row_hi)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a_mat.indptr
        lp.a_matrix_.index_ = a_mat.indices
        lp.a_matrix_.value_ = a_mat.data
        return lp


def window_mip(
    ctx, groups, grid, days, movable, *, max_nodes=None, ceiling=None, seed=0, fix=True
):
    """A better choice of shifts on the working days ``days`` of the ``movable`` agents.

    The LP relaxation is solved first; the choices on which it and the roster agree (a shift
    both work, or one both leave unused) are fixed and the MIP, started from the roster,
    decides the rest (Danna et al. 2005).

    Parameters
    ----------
    ctx : roster.people.groups.RosterContext
    groups : list of roster.people.groups.Group
    grid : ndarray of int (A, D)
        The roster (shift index, -1 off); not changed.
    days : ndarray of int
        Consecutive days of the window.
    movable : ndarray of bool (A,)
    max_nodes : int, optional
        Branch-and-bound nodes at most (the work budget; None: no limit).
    ceiling : roster.people.groups.Ceiling, optional
        Time ceiling: HiGHS gets the time left as its limit, and a run stopped by it is
        noted there.
    seed : int
    fix : bool
        Fix what the LP and the roster agree on (False: the whole MIP, exact when it closes
        in time).

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
    if max_nodes is not None:
        h.setOptionValue("mip_max_nodes", int(max_nodes))
    h.passModel(lp)
    z = zmap[:, 0].astype(np.int32)
    if fix:
        _run(h, ceiling)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        relaxed = np.asarray(h.getSolution().col_value)[z]
        now = start[z] > 0.5
        # keep the choices the LP and the roster agree on, free the others: the roster
        # stays a solution, so the MIP can only improve on it (fixing what the LP alone
        # decides cut the roster off, and on a month of 150 agents no window improved)
        lo = np.where((relaxed > 1 - 1e-6) & now, 1.0, 0.0)
        hi = np.where((relaxed < 1e-6) & ~now, 0.0, 1.0)
        h.changeColsBounds(len(z), z, lo, hi)
    h.changeColsIntegrality(len(z), z, np.full(len(z), highspy.HighsVarType.kInteger))
    h.setOptionValue("mip_rel_gap", 1e-6)
    # the roster is within the bounds either way: the MIP starts from it
    sol = highspy.HighsSolution()
    sol.col_value = list(start)
    sol.value_valid = True
    h.setSolution(sol)
    _run(h, ceiling)
    if h.getInfo().primal_solution_status != 2:  # no feasible solution
        return None
    before = float(np.dot(lp.col_cost_, start))
    if not h.getInfo().objective_function_value < before - 1e-6:
        return None
    x = np.asarray(h.getSolution().col_value)
    objective = h.getInfo().objective_function_value
    if abs(float(np.dot(lp.col_cost_, x)) - objective) > 1e-6 * max(1.0, abs(objective)):
        # after presolve, HiGHS may hand back the start given instead of the solution it
        # reports: solve again without presolve, which returns the solution itself
        h.setOptionValue("presolve", "off")
        run(h)
        x = np.asarray(h.getSolution().col_value)
        if not float(np.dot(lp.col_cost_, x)) < before - 1e-6:
            return None
    chosen = x[z] > 0.5
    out = grid.copy()
    free = np.unique(zmap[:, 1])
    out[np.ix_(free, np.asarray(days))] = -1
    out[zmap[chosen, 1], zmap[chosen, 2]] = zmap[chosen, 3]
    return out


def _run(h, ceiling):
    """Run ``h`` within the time ``ceiling`` (when given), noting where it bound."""
    if ceiling is not None:
        ceiling.limit(h)
    run(h)
    if ceiling is not None:
        ceiling.check(h, "window MIP")


def improve_windows(
    ctx, groups, grid, *, movable, ceiling=None, width=2, offset=0, mip_nodes=None, pool=None
):
    """One pass of windows of ``width`` days, from day ``offset``, each re-chosen by
    :func:`window_mip` (within ``mip_nodes`` nodes) and kept when the roster's own
    objective falls; ``grid`` changes in place. The pass stops early at the time
    ``ceiling`` (a :class:`roster.people.groups.Ceiling`), if given.

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
    # the windows where coverage falls shortest first, in case the ceiling stops the pass
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
        if ceiling is not None and ceiling.reached("windows"):
            break
        batch = [pending.pop(0)]
        if pool is not None:
            # a partner a full window away: rest and succession rules never join the two
            apart = [d0 for d0 in pending if abs(d0 - batch[0]) > width]
            if apart:
                batch.append(apart[0])
                pending.remove(apart[0])
        windows = [np.arange(d0, min(d0 + width, D)) for d0 in batch]
        limits = {"max_nodes": mip_nodes, "ceiling": ceiling}
        if len(batch) == 1:
            found = [window_mip(ctx, groups, grid, windows[0], movable, **limits)]
        else:
            futures = [
                pool.submit(window_mip, ctx, groups, grid, days, movable, **limits)
                for days in windows
            ]
            # taken in the order of the batch, whichever thread finished first
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

"""Pricing of monthly patterns: an exact labelled dynamic programme over the days.

A *pattern* is one agent's month: a shift index or ``-1`` (off) on each day. The pricer finds
the patterns of least cost (pay, requests and penalties minus the master's dual values) among
all that meet the agent's rules. Every rule is part of the state or a resource, so the answer
is the true minimum and the Lagrangian bound built on it is valid:

- the last shift worked (rest between shifts, ``forbidden_next``, a day off after a big night);
- the run of working days (``max_consecutive_days``, penalty beyond the soft limit);
- working days and paid time (monthly band, rest days);
- rest days lost to shifts working past midnight, when rest days are whole days (below);
- one axis per counted resource (big nights, shifts of a name, holidays), capped and/or given a
  cost on its final count (fair shares);
- weekends worked (a Saturday or Sunday of the same ISO week counts once).

The predecessor minimum is taken with a running minimum along an ordering of the previous
shifts in which every shift's allowed predecessors form a prefix (true for rest rules based on
clock times); otherwise a dense masked minimum is used.

Whole rest days (``Rules.whole_rest_days``): a day off after a shift working past midnight
is not a rest day, so a pattern needs ``w + lost <= days - rest days required`` where
``lost`` counts those days (:meth:`roster.rules.Rules.rest_days`). The programme is first
solved without ``lost`` (a relaxation: every admissible pattern is a path of it, so its
minimum is a lower bound); when its best pattern meets the rule it is the exact optimum and
is returned with those of the other cheapest end states that meet it too. Otherwise the
programme is solved again with one more digit of the resource axis counting ``lost`` (raised
on the day off after a shift past midnight, capped at the slack ``days - rest - w_need``
beyond which no paid band can be reached) and the end states with ``w + lost`` over the
limit priced out. The larger programme (the axis times ``slack + 1``: four on a 31-day month
with 8-hour shifts, about five times the time) is solved only where the rule changes the
answer: where nights past midnight pay. Agents who may not work them, and duals that do not
favour them, cost the smaller one alone; on a 24x7 month whose late evenings only such
nights cover, about three calls in four need the larger one.

A digit counted on the day off keeps the programme exact where a night past midnight may be
followed by a shift the next day (``rest_after_big_night=False``, no day lost) and where the
last day's night reaches past the horizon (nothing lost); a count of the nights themselves
would not.

References
----------
.. [1] S. Irnich and G. Desaulniers, "Shortest path problems with resource constraints", in
   *Column Generation*, Springer, 2005.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from roster.people import pricing_kernel as kernel
from roster.rules import Rules
from roster.shifts import DAY

_INF = np.inf


@dataclass(frozen=True)
class Resource:
    """A per-pattern count carried by the pricing state.

    Attributes
    ----------
    name : str
    use : ndarray of int (days, S)
        1 where working shift s on day d adds one to the count.
    cap : int
        Largest count allowed.
    final_cost : ndarray (cap + 1,)
        Cost of ending the month with each count (fair-share penalty), zeros if none.
    """

    name: str
    use: np.ndarray
    cap: int
    final_cost: np.ndarray


def compat_matrix(templates, rules: Rules) -> np.ndarray:
    """``out[last, s]``: may shift ``s`` follow ``last`` (0 = off, else shift index + 1) on
    the next day."""
    S = len(templates)
    out = np.ones((S + 1, S), dtype=bool)
    for i, a in enumerate(templates):
        for j, b in enumerate(templates):
            ok = DAY + b.start - a.end >= rules.min_rest_between_shifts
            if rules.rest_after_big_night and a.night_class == "big":
                ok = False
            if b.name in rules.forbidden_next.get(a.name, ()):
                ok = False
            out[i + 1, j] = ok
    return out


def _classes(compat, crosses):
    """Each shift's predecessor class (1-based: 0 is the day off) and one shift of each
    class: shifts with the same allowed next shifts and the same crossing of midnight lead
    to the same futures, so the labelling keeps only the cheapest way into each class (and
    which shift it was, for the backtrack)."""
    S = len(crosses)
    klass = np.empty(S, np.int64)
    seen = {}
    for s in range(S):
        key = (compat[s + 1].tobytes(), bool(crosses[s]))
        klass[s] = seen.setdefault(key, len(seen) + 1)
    reps = np.array([klass.tolist().index(k) for k in range(1, len(seen) + 1)], np.int64)
    return klass, reps


def _prefix_order(compat):
    """An order of predecessors in which every shift's allowed set is a prefix, with the
    prefix lengths; None if no such order exists."""
    order = np.argsort(-compat.sum(axis=1), kind="stable")
    sorted_ = compat[order]
    k = sorted_.sum(axis=0)
    prefix = np.arange(len(order))[:, None] < k[None, :]
    if not np.array_equal(prefix, sorted_):
        return None
    return order, k


class Tables:
    """Labelling tables lent to pricers for one solve at a time.

    The pricers of one build share them: a table is allocated once for as many solves as
    run at once, not once per thread, programme and phase (the larger programme's takes
    200 MB on a 31-day month of 24 shifts, and the system zeroes every page it hands out).
    A table too small for a solve is dropped for a larger one, so at most as many tables
    are held as solves ran side by side.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._free = []

    def take(self, n_store: int, n_scratch: int) -> tuple:
        """A table (values, shifts, scratch) of at least these sizes, for one solve."""
        with self._lock:
            fits = [
                i
                for i, t in enumerate(self._free)
                if t[0].size >= n_store and t[2].size >= n_scratch
            ]
            if fits:
                return self._free.pop(min(fits, key=lambda i: self._free[i][0].size))
            if self._free:
                # none fits: the largest gives way to one that holds its sizes and these
                old = self._free.pop(
                    max(range(len(self._free)), key=lambda i: self._free[i][0].size)
                )
                n_store, n_scratch = max(n_store, old[0].size), max(n_scratch, old[2].size)
        return (np.empty(n_store), np.empty(n_store, np.int16), np.empty(n_scratch))

    def give(self, table: tuple) -> None:
        """Return a table taken by :meth:`take`."""
        with self._lock:
            self._free.append(table)


@dataclass
class _Layout:
    """The labelling state of one programme (relaxed or with rest days lost): its shape,
    the moves of the resource axis and the cost of each end state."""

    shape: tuple
    maps: np.ndarray
    inv: np.ndarray
    sun_src: np.ndarray
    final: np.ndarray
    crossl: np.ndarray
    lost_up: np.ndarray
    lost_src: np.ndarray


class PatternPricer:
    """Least-cost patterns for one agent's rules over a horizon.

    Parameters
    ----------
    compat : ndarray of bool (S + 1, S)
        From :func:`compat_matrix`.
    paid : ndarray (S,)
        Paid time per shift [s].
    rules : Rules
    days : int
    lo, hi : float
        Band of paid time over the horizon [s].
    max_work : int
        Most working days.
    resources : sequence of Resource
    saturday, sunday : ndarray of bool (days,)
        Weekend days, for the weekends-worked axis.
    weekend_cap : int or None
        Most weekends worked (axis carried when not None).
    weekend_cost : ndarray or None
        Cost of ending with each number of weekends worked (length ``weekend_cap + 1``).
    crosses : ndarray of bool (S,), optional
        Shifts working past midnight (:attr:`roster.ShiftTemplate.crosses_midnight`); none
        by default.
    min_rest : int, optional
        Rest days required over the horizon (default ``days - max_work``), counted as
        ``rules.rest_days`` counts them.
    tables : Tables, optional
        Labelling tables shared with other pricers (default: this pricer's own).
    """

    def __init__(
        self,
        compat,
        paid,
        rules: Rules,
        days: int,
        lo: float,
        hi: float,
        max_work: int,
        resources=(),
        saturday=None,
        sunday=None,
        weekend_cap=None,
        weekend_cost=None,
        crosses=None,
        min_rest=None,
        tables=None,
    ):
        self.tables = Tables() if tables is None else tables
        self.compat = np.asarray(compat, dtype=bool)
        self.paid = np.asarray(paid, dtype=float)
        self.rules = rules
        self.days = D = int(days)
        self.lo, self.hi = float(lo), float(hi)
        self.max_work = int(max_work)
        p = self.paid
        S = len(p)
        pmin = float(p.min())
        steps = np.round(p - pmin).astype(np.int64)
        unit = int(np.gcd.reduce(steps)) if S > 1 else 0
        self.pmin = pmin
        self.unit = unit if unit > 0 else 1
        self.extra = (steps // self.unit).astype(np.int64) if unit > 0 else np.zeros(S, np.int64)
        E = int(self.extra.max()) * self.max_work + 1
        if unit > 0:
            E = min(E, math.floor(max(self.hi, 0.0) / self.unit) + 1)
        self.E = max(E, 1)
        self.C = int(rules.max_consecutive_days)
        self.run_pen = np.zeros(self.C + 1)
        self.run_pen[rules.soft_max_consecutive_days + 1 :] = rules.consecutive_penalty
        self.resources = list(resources)
        self.saturday = np.zeros(D, bool) if saturday is None else np.asarray(saturday, bool)
        self.sunday = np.zeros(D, bool) if sunday is None else np.asarray(sunday, bool)
        self.weekend_cap = weekend_cap
        if weekend_cap is not None and weekend_cost is None:
            weekend_cost = np.zeros(weekend_cap + 1)
        self.weekend_cost = weekend_cost
        self.crosses = np.zeros(S, bool) if crosses is None else np.asarray(crosses, bool)
        # shifts that allow the same next shifts and lose the same rest day are one state
        self.klass, reps = _classes(self.compat, self.crosses)
        self.class_compat = np.vstack([self.compat[:1], self.compat[1 + reps]])
        self._class_crosses = np.concatenate([[False], self.crosses[reps]])
        prefix = _prefix_order(self.class_compat)
        self.prefix = prefix is not None
        K = len(self.class_compat)
        if prefix is None:
            self.order, self.kpre = np.arange(K), np.ones(S, np.int64)
        else:
            self.order, self.kpre = (np.asarray(v, np.int64) for v in prefix)

        # counted resources as one mixed-radix axis (weekends last)
        sizes = [r.cap + 1 for r in self.resources]
        uses = [np.asarray(r.use, np.int64) for r in self.resources]
        finals = [np.asarray(r.final_cost, float) for r in self.resources]
        if weekend_cap is not None:
            sizes.append(weekend_cap + 1)
            uses.append(np.repeat(self.saturday.astype(np.int64)[:, None], S, axis=1))
            finals.append(np.asarray(weekend_cost, float))
        R = int(np.prod(sizes)) if sizes else 1
        digits = np.array(np.unravel_index(np.arange(R), sizes)).T if sizes else np.zeros((1, 0))
        digits = digits.astype(np.int64)
        use = np.stack(uses, axis=2) if uses else np.zeros((D, S, 0), np.int64)
        sigs, sig = np.unique(use.reshape(D * S, -1), axis=0, return_inverse=True)
        self._sig = sig.reshape(D, S).astype(np.int64)
        self._maps = np.full((len(sigs), R), -1, dtype=np.int64)
        self._inv = np.full((len(sigs), R), -1, dtype=np.int64)
        for m, u in enumerate(sigs):
            to = digits + u[None, :]
            fits = np.all(to < np.asarray(sizes, np.int64)[None, :], axis=1) if sizes else [True]
            src = np.flatnonzero(fits)
            dst = np.ravel_multi_index(to[src].T, sizes) if sizes else np.zeros(1, np.int64)
            self._maps[m, src] = dst
            self._inv[m, dst] = src
        self._sun_src = np.full(R, -1, dtype=np.int64)
        if weekend_cap is not None:
            up = digits[:, -1] >= 1
            self._sun_src[up] = np.flatnonzero(up) - 1
        self._sunday = self.sunday if weekend_cap is not None else np.zeros(D, bool)
        W1 = self.max_work + 1
        self.shape = (K, self.C + 1, W1, self.E, R)
        # cost of each end state: outside the paid band infinite, plus final resource costs
        wd = np.arange(W1)[:, None]
        ex = np.arange(self.E)[None, :]
        paid_end = wd * self.pmin + ex * self.unit
        ok = (paid_end >= self.lo - 1e-6) & (paid_end <= self.hi + 1e-6)
        final = np.zeros(R)
        for j, fc in enumerate(finals):
            final += fc[digits[:, j]]
        self._final = np.where(ok[:, :, None], final[None, None, :], _INF)
        # fewest working days that can reach the paid band
        self._w_need = int(max(0, math.ceil((self.lo - 1e-6) / max(p.max(), 1.0))))
        # whole rest days: working days plus days lost to nights past midnight
        self.min_rest = D - self.max_work if min_rest is None else int(min_rest)
        self.rest_cap = D - self.min_rest
        none = np.zeros(K, bool)
        self._relaxed = _Layout(self.shape, self._maps, self._inv, self._sun_src, self._final,
                                none, np.arange(R), np.arange(R))  # fmt: skip
        self._exact = None
        self.whole = bool(rules.whole_rest_days and self.crosses.any())
        if self.whole:
            lost = max(0, self.rest_cap - self._w_need)
            self._exact = self._lost_layout(lost)

    def _lost_layout(self, lost: int) -> _Layout:
        """The layout with a leading digit of rest days lost, ``0..lost``."""
        R = self.shape[-1]
        n = lost + 1
        base = (np.arange(n) * R)[:, None]

        def shift(a):
            # the same move on every value of the lost digit
            a = np.asarray(a)
            out = np.where((a >= 0)[..., None, :], a[..., None, :] + base, -1)
            return out.reshape(*a.shape[:-1], n * R)

        up = np.where(np.arange(n)[:, None] < lost, base + R + np.arange(R)[None, :], -1)
        down = np.where(np.arange(n)[:, None] > 0, base - R + np.arange(R)[None, :], -1)
        l_of = np.repeat(np.arange(n), R)
        w = np.arange(self.shape[2])[:, None, None]
        over = w + l_of[None, None, :] > self.rest_cap
        final = np.where(over, _INF, np.tile(self._final, (1, 1, n)))
        return _Layout(
            (*self.shape[:-1], n * R),
            shift(self._maps),
            shift(self._inv),
            shift(self._sun_src),
            final,
            self._class_crosses,
            up.ravel(),
            down.ravel(),
        )

    def solve(self, cost, forced_off, allowed, k=1):
        """The ``k`` least-cost patterns (best path into each of the ``k`` cheapest end
        states), cheapest first.

        Parameters
        ----------
        cost : ndarray (days, S)
            Cost of working shift s on day d.
        forced_off : ndarray of bool (days,)
        allowed : ndarray of bool (S,)
        k : int

        Returns
        -------
        list of (value, pattern); empty when the rules admit no pattern. ``value`` includes
        run penalties and final resource costs.
        """
        cost, okd = self._masked(cost, forced_off, allowed)
        found = self._solve(self._relaxed, cost, okd, k)
        if not self.whole or not found or self.rest_ok(found[0][1]):
            # the relaxed optimum meets the rule: it is the exact optimum
            return [(v, pat) for v, pat in found if self.rest_ok(pat)]
        return self._solve(self._exact, cost, okd, k)

    def best(self, cost, forced_off, allowed, cutoff=_INF, relaxed_first=True, tally=None):
        """The least-cost pattern, or only a lower bound on its cost where that bound
        already reaches ``cutoff``.

        The relaxed programme's minimum bounds every admissible pattern from below (see the
        module notes), so where it is at least ``cutoff`` and its pattern breaks the
        rest-day rule, no pattern costs less than ``cutoff`` and the larger programme is
        not run. A caller that only wants a pattern cheaper than ``cutoff`` (a best
        response wants one that beats the current month) skips it that way.

        Parameters
        ----------
        cost, forced_off, allowed
            As for :meth:`solve`.
        cutoff : float
            Cost at or above which the pattern itself is not wanted.
        relaxed_first : bool
            Solve the relaxed programme first (True) or go straight to the larger one
            where the rest-day rule needs it: a caller whose relaxed solves seldom prove
            anything saves their time. Either way the value is the least cost; among
            patterns of equal cost the one returned may differ.
        tally : dict, optional
            ``relaxed`` (relaxed programmes solved) and ``proved`` (those that settled the
            call alone) are added to it.

        Returns
        -------
        (value, pattern)
            With ``pattern`` the least-cost pattern, ``value`` its cost (as :meth:`solve`
            with ``k=1``); with ``pattern`` None, ``value`` a lower bound on the cost of
            every pattern, at least ``cutoff``, or infinite where the rules admit none.
        """
        cost, okd = self._masked(cost, forced_off, allowed)
        if relaxed_first or not self.whole:
            found = self._solve(self._relaxed, cost, okd, 1)
            if not found:
                return _INF, None
            value, pattern = found[0]
            exact = not self.whole or self.rest_ok(pattern)
            if tally is not None:
                tally["relaxed"] = tally.get("relaxed", 0) + 1
                tally["proved"] = tally.get("proved", 0) + int(exact or value >= cutoff)
            if exact:
                return value, pattern
            if value >= cutoff:
                return value, None
        found = self._solve(self._exact, cost, okd, 1)
        return found[0] if found else (_INF, None)

    @staticmethod
    def _masked(cost, forced_off, allowed):
        """Cost with the cells that may not be worked zeroed, and where work is allowed."""
        cost = np.asarray(cost, dtype=float)
        okd = np.isfinite(cost) & np.asarray(allowed, bool)[None, :]
        okd &= ~np.asarray(forced_off, bool)[:, None]
        return np.where(okd, cost, 0.0), okd

    def _solve(self, lay, cost, okd, k):
        L, C1, W1, E, R = lay.shape
        shape, scratch_shape = (self.days + 1, *lay.shape), (L, C1 - 1, W1, E, R)
        n, n_scratch = math.prod(shape), math.prod(scratch_shape)
        table = self.tables.take(n, n_scratch)
        values, shifts, scratch = table
        try:
            return self._label(
                lay,
                cost,
                okd,
                k,
                values[:n].reshape(shape),
                shifts[:n].reshape(shape),
                scratch[:n_scratch].reshape(scratch_shape),
            )
        finally:
            self.tables.give(table)

    def _label(self, lay, cost, okd, k, store, arg, pm):
        """The labelling on the lent tables ``store`` (values), ``arg`` (the shift of each
        work state) and ``pm`` (scratch): the ``k`` best patterns."""
        store[0] = _INF
        store[0, 0, 0, 0, 0, 0] = 0.0
        kernel.forward(
            store,
            arg,
            self.klass,
            cost,
            okd,
            self.order,
            self.kpre,
            self.prefix,
            self.class_compat,
            self.extra,
            self._sig,
            lay.maps,
            lay.sun_src,
            self._sunday,
            self.run_pen,
            pm,
            self._w_need,
            lay.crossl,
            lay.lost_up,
        )
        term = store[self.days] + lay.final[None, None]
        flat_term = term.ravel()
        if k == 1:
            # the first least-cost end state: a single pass where a partition takes several
            flat = np.argmin(flat_term)[None]
        elif k < flat_term.size:
            part = np.argpartition(flat_term, k - 1)[:k]
            flat = part[np.lexsort((part, flat_term[part]))]
        else:
            flat = np.lexsort((np.arange(flat_term.size), flat_term))
        out = []
        for f in flat:
            value = float(term.flat[f])
            if not np.isfinite(value):
                break
            state = np.array(np.unravel_index(f, term.shape), dtype=np.int64)
            pattern = kernel.backtrack(
                store,
                arg,
                state,
                self.class_compat,
                self.extra,
                self._sig,
                lay.inv,
                lay.sun_src,
                self._sunday,
                lay.crossl,
                lay.lost_src,
            )
            out.append((value, pattern))
        return out

    def rest_ok(self, pattern) -> bool:
        """Whether a pattern keeps the rest days required (``rules.rest_days``)."""
        work = np.asarray(pattern) >= 0
        night = np.zeros(len(work), bool)
        night[work] = self.crosses[pattern[work]]
        return self.rules.rest_days(work, night) >= self.min_rest

    # ----------------------------------------------------------------------------------
    def extras(self, pattern) -> float:
        """Run penalties and final resource costs of a pattern."""
        work = pattern >= 0
        total = 0.0
        run = 0
        for w in work:
            run = run + 1 if w else 0
            total += self.run_pen[min(run, self.C)] if w else 0.0
        for r in self.resources:
            n = int(r.use[np.flatnonzero(work), pattern[work]].sum())
            total += float(r.final_cost[min(n, r.cap)])
        if self.weekend_cap is not None:
            n = self.weekends(work)
            total += float(self.weekend_cost[min(n, self.weekend_cap)])
        return total

    def weekends(self, work) -> int:
        """Weekends worked: Saturdays worked plus Sundays worked after a day off."""
        n = 0
        for d in range(self.days):
            if work[d] and (self.saturday[d] or (self.sunday[d] and (d == 0 or not work[d - 1]))):
                n += 1
        return n

    def admits(self, pattern, forced_off, allowed) -> bool:
        """Whether a pattern meets every rule the pricing enforces."""
        work = pattern >= 0
        if np.any(work & forced_off) or not np.all(allowed[pattern[work]]):
            return False
        run, last = 0, 0
        for p in pattern:
            if p >= 0:
                if not self.compat[last, p]:
                    return False
                run += 1
                if run > self.C:
                    return False
                last = p + 1
            else:
                run, last = 0, 0
        for r in self.resources:
            if int(r.use[np.flatnonzero(work), pattern[work]].sum()) > r.cap:
                return False
        if self.weekend_cap is not None and self.weekends(work) > self.weekend_cap:
            return False
        paid = float(self.paid[pattern[work]].sum())
        if not self.lo - 1e-6 <= paid <= self.hi + 1e-6 or work.sum() > self.max_work:
            return False
        return self.rest_ok(pattern)


def compile_pricing() -> None:
    """Compile the labelling kernels, or load them from numba's on-disk cache, on a one-day
    problem with the argument types of :meth:`PatternPricer.solve`.

    :func:`roster.build_roster` calls this before starting its clock, so that its time
    limit measures rostering: the first compilation after installation takes several
    seconds.
    """
    pricer = PatternPricer(np.ones((2, 1), dtype=bool), np.ones(1), Rules(), 1, 0.0, 1.0, 1)
    pricer.solve(np.zeros((1, 1)), np.zeros(1, dtype=bool), np.ones(1, dtype=bool))

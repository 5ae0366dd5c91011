"""The cheapest month of one Curtois & Qu employee under all of that employee's hard rules.

Every hard constraint of the benchmark concerns one employee; only cover ties employees
together, and cover is soft. So given a price per (day, shift type) — the employee's own
shift-on and shift-off request weights plus whatever the rest of the roster makes a shift
worth (the change of cover penalty, or the dual of a cover row) — the best month of one
employee is a resource-constrained shortest path over the days, solved exactly by labelling
(:mod:`benchmarks.curtois.pricing_kernel`). It is the pricing problem of column generation over
per-employee schedules (Curtois and Qu 2014 report branch-and-price as the strongest method on
these instances) and an exact one-employee move for local search.

Costs are measured against "off every day": working type ``t`` on day ``d`` costs
``prices[d, t]``; an employee's shift-on requests add a constant (``request_constant``) and
take their weight off the requested (day, type).

References
----------
.. [1] T. Curtois and R. Qu, "Computational results on new staff scheduling benchmark
   instances", Technical report, ASAP group, University of Nottingham, 2014.
.. [2] S. Irnich and G. Desaulniers, "Shortest path problems with resource constraints", in
   Column Generation, Springer, 2005, pp. 33-65.
.. [3] G. Righini and M. Salani, "New dynamic programming algorithms for the resource
   constrained elementary shortest path problem", Networks 51(3), 2008.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import gcd

import numpy as np

from benchmarks.curtois.instance import CurtoisInstance
from benchmarks.curtois.pricing_kernel import cheapest_schedules

#: Label extensions and dominance tests an exact labelling may spend (tens of seconds)
#: before it gives way to the heuristic one: with many capped types the labels of a
#: bucket can multiply beyond any time limit, while the heuristic keeps one per bucket.
MAX_WORK = 1_000_000_000


@dataclass(frozen=True)
class EmployeeRules:
    """Every employee's hard rules and request costs as arrays (``E`` employees, ``H`` days,
    ``T`` types), ready for the compiled labelling.

    Attributes
    ----------
    units : ndarray of int, shape (T,)
        Shift lengths in units of ``unit`` minutes.
    unit : int
        Greatest common divisor of the shift lengths [min].
    caps : ndarray of int, shape (E, T)
    min_units, max_units, max_run, min_run, min_off, max_weekends : ndarray of int, shape (E,)
    day_off : ndarray of bool, shape (E, H)
    forbid : ndarray of bool, shape (T, T)
    request_cost : ndarray of float, shape (E, H, T)
        Off-request weights minus on-request weights per worked (day, type).
    request_constant : ndarray of float, shape (E,)
        Sum of the employee's on-request weights (paid when every day is off).
    type_classes : tuple
        Per employee, ``(members, units, caps, forbid)`` of the classes of interchangeable
        types (see :func:`type_classes`).
    ran_over : ndarray of bool, shape (E,)
        Employees whose exact labelling ran over a generous work budget once (set by the
        local moves, which give them little room afterwards); shared by copies.
    """

    units: np.ndarray
    unit: int
    caps: np.ndarray
    min_units: np.ndarray
    max_units: np.ndarray
    max_run: np.ndarray
    min_run: np.ndarray
    min_off: np.ndarray
    max_weekends: np.ndarray
    day_off: np.ndarray
    forbid: np.ndarray
    request_cost: np.ndarray
    request_constant: np.ndarray
    type_classes: tuple
    ran_over: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @classmethod
    def of(cls, instance: CurtoisInstance) -> EmployeeRules:
        shifts, emps, H = instance.shift_ids, instance.employees, instance.horizon
        E, T = len(emps), len(shifts)
        sidx = {s: t for t, s in enumerate(shifts)}
        eidx = {e: i for i, e in enumerate(emps)}
        minutes = (instance.shifts["length"].to_numpy() // 60).astype(np.int64)
        st = instance.staff
        # total minutes are a multiple of the shift lengths' divisor, so the minute band
        # rounds inwards to whole units without changing which schedules are feasible
        unit = 0
        for v in minutes:
            unit = gcd(unit, int(v))
        unit = max(unit, 1)
        forbid = np.zeros((T, T), dtype=bool)
        for s, fs in instance.shifts["forbidden_next"].items():
            forbid[sidx[s], [sidx[f] for f in fs]] = True
        caps = np.array([[st["max_shifts"].iloc[i].get(s, H) for s in shifts] for i in range(E)])
        day_off = np.zeros((E, H), dtype=bool)
        for e, days in instance.days_off.items():
            day_off[eidx[e], list(days)] = True
        request_cost = np.zeros((E, H, T))
        request_constant = np.zeros(E)
        for e, d, s, w in instance.on_requests.itertuples(index=False):
            request_cost[eidx[e], d, sidx[s]] -= w
            request_constant[eidx[e]] += w
        for e, d, s, w in instance.off_requests.itertuples(index=False):
            request_cost[eidx[e], d, sidx[s]] += w
        units = minutes // unit
        caps = np.minimum(caps, H).astype(np.int64)
        max_units = st["max_minutes"].to_numpy().astype(np.int64) // unit
        return cls(
            units=units,
            unit=unit,
            caps=caps,
            # ceil for the lower band: worked minutes are whole units
            min_units=-(-st["min_minutes"].to_numpy().astype(np.int64) // unit),
            max_units=max_units,
            max_run=st["max_consecutive"].to_numpy().astype(np.int64),
            min_run=st["min_consecutive"].to_numpy().astype(np.int64),
            min_off=st["min_consecutive_off"].to_numpy().astype(np.int64),
            max_weekends=st["max_weekends"].to_numpy().astype(np.int64),
            day_off=day_off,
            forbid=forbid,
            request_cost=request_cost,
            request_constant=request_constant,
            type_classes=tuple(
                type_classes(units, caps[i], forbid, H, max_units[i]) for i in range(E)
            ),
            ran_over=np.zeros(E, dtype=bool),
        )

    def cheapest(
        self,
        i: int,
        prices: np.ndarray,
        k: int = 1,
        upper: float = np.inf,
        exact: bool = True,
        *,
        max_work: int = MAX_WORK,
        report: bool = False,
        only=None,
        fallback_work: int | None = None,
        day_off=None,
    ):
        """Up to ``k`` cheapest schedules of employee ``i`` at ``prices`` (shape (H, T)).

        ``upper`` is the cost of a schedule known to be feasible (e.g. the employee's current
        one): only schedules no dearer than it are sought, which prunes most of the search.
        ``exact=False`` is a fast heuristic: dominance ignores weekends and capped counts, so
        the schedules are feasible but perhaps not the cheapest. An exact labelling that
        spends ``max_work`` label extensions and dominance tests gives way to the heuristic,
        which may spend ``fallback_work`` (without limit by default: its work is bounded by
        its buckets, but those grow with the horizon and the minute units, to seconds on a
        year of shifts of many lengths); one that runs out of it too finds no schedule.
        ``only`` (type codes) restricts the schedules to those types: the labelling's work
        grows with the number of classes of types, so a few types cost a fraction of all.
        ``day_off`` (shape (H,)), when given, replaces the employee's fixed days off (it
        must include them).

        Returns
        -------
        costs : ndarray of float, shape (n,)
            ``sum prices[d, schedule[d]]`` over worked days, cheapest first.
        schedules : ndarray of int, shape (n, H)
            Type code per day, -1 off; ``n == 0`` when the rules admit no schedule.
        exact : bool
            Only with ``report``: whether the labelling was exact to its end.
        work : int
            Only with ``report``: label extensions and dominance tests spent, a measure of
            the labelling's time that does not depend on the machine.
        """
        members, units, caps, forbid = self.type_classes[i]
        lo_units, hi_units = int(self.min_units[i]), int(self.max_units[i])
        if only is not None:
            keep = [c for c, m in enumerate(members) if np.isin(m, only).any()]
            members = [members[c][np.isin(members[c], only)] for c in keep]
            units, caps, forbid = units[keep], caps[keep], forbid[np.ix_(keep, keep)]
            # the time worked is then a multiple of the kept classes' common unit: counted
            # in it, the labelling has that many times fewer buckets (a class of 405-minute
            # shifts among others on a 15-minute grid: 27 times fewer)
            g = int(np.gcd.reduce(units[units > 0])) if (units > 0).any() else 1
            if g > 1:
                units = units // g
                lo_units, hi_units = -(-lo_units // g), hi_units // g
        H = prices.shape[0]
        reduced = np.empty((H, len(members)))
        choice = np.empty((H, len(members)), dtype=np.int64)
        rows = np.arange(H)
        for c, m in enumerate(members):
            # any member of a class serves alike: the cheapest on each day stands for it
            pick = np.argmin(prices[:, m], axis=1)
            choice[:, c] = m[pick]
            reduced[:, c] = prices[rows, m[pick]]
        fixed = (
            lo_units,
            hi_units,
            int(self.max_run[i]),
            int(self.min_run[i]),
            int(self.min_off[i]),
        )
        wk = int(self.max_weekends[i])
        day_off = self.day_off[i] if day_off is None else np.asarray(day_off, dtype=bool)
        tail = (day_off, forbid, int(k), float(upper))
        if exact:
            costs, schedules, done, work = _relaxed_first(
                reduced, units, caps, fixed, wk, tail, int(max_work)
            )
        else:
            costs, schedules, done, work = cheapest_schedules(
                reduced, units, caps, *fixed, wk, *tail, False, int(max_work)
            )
        if not done:
            # the heuristic keeps one label per bucket: its work is bounded by the buckets
            limit = np.iinfo(np.int64).max if fallback_work is None else int(fallback_work)
            costs, schedules, _, more = cheapest_schedules(
                reduced, units, caps, *fixed, wk, *tail, False, limit
            )
            work += more
        exact = bool(exact and done)
        worked = schedules >= 0
        full = np.full_like(schedules, -1)
        days = np.broadcast_to(rows, schedules.shape)
        full[worked] = choice[days[worked], schedules[worked]]
        return (costs, full, exact, int(work)) if report else (costs, full)


def _relaxed_first(reduced, units, caps, fixed, max_weekends, tail, max_work):
    """The exact labelling by decremental state-space relaxation (Righini and Salani [3]):
    first with the type caps and the weekend limit relaxed, which leaves one label per
    bucket; one resource the cheapest schedule breaks (the one with the fewest values) is
    restored and the labelling run again. The cheapest schedule that breaks nothing is the
    cheapest of all, since every run relaxes the problem. Only schedules that keep every
    rule are returned.

    On a long horizon a capped type multiplies the labels of a bucket by its count (56 on a
    16-week stretch of Instance 5: seconds a labelling); at the duals of column generation
    the relaxed cheapest month mostly keeps the caps anyway. The runs share ``max_work``;
    returns ``(costs, schedules, done, work spent)``.
    """
    H = reduced.shape[0]
    # the caps the labelling counts; the weekend limit binds below the horizon's weekends
    binding = cap_binds(units, caps, H, fixed[1]) & (units > 0)
    n_weekends_all = len(range(5, H, 7))
    relaxed_caps = np.where(binding, H, caps)
    relax_weekends = max_weekends < n_weekends_all
    left = int(max_work)  # the runs share the budget
    while True:
        wk = n_weekends_all if relax_weekends else max_weekends
        costs, schedules, done, spent = cheapest_schedules(
            reduced, units, relaxed_caps, *fixed, wk, *tail, True, max(left, 0)
        )
        left -= spent
        relaxed = relax_weekends or bool((relaxed_caps != caps).any())
        if not done or not len(costs) or not relaxed:
            # out of work, no schedule at all (a relaxation has none only where none
            # exists), or nothing relaxed: the exact answer
            return costs, schedules, done, max_work - left
        over_cap, over_weekends = _broken(schedules, caps, max_weekends)
        keeps = ~over_cap.any(axis=1) & ~over_weekends
        if keeps[0]:
            return costs[keeps], schedules[keeps], True, max_work - left
        # restore one resource the cheapest breaks, the one with the fewest values (the
        # labels of a bucket multiply by them); a restored one it cannot break again
        sizes = np.where(over_cap[0], caps + 1, np.iinfo(np.int64).max)
        if over_weekends[0] and max_weekends + 1 <= sizes.min():
            relax_weekends = False
        else:
            c = int(np.argmin(sizes))
            relaxed_caps = relaxed_caps.copy()
            relaxed_caps[c] = caps[c]


def _broken(schedules, caps, max_weekends):
    """Per schedule (class codes, -1 off): which caps it breaks (n, C) and whether it works
    more weekends than allowed (n,)."""
    # (n, C) even with no class at all (an employee allowed no type works no day)
    counts = (schedules[:, :, None] == np.arange(len(caps))).sum(axis=1)
    works = schedules >= 0
    # the horizon is whole weeks (the reader checks), so each Saturday has its Sunday
    weekends = (works[:, 5::7] | works[:, 6::7]).sum(axis=1)
    return counts > caps[None, :], weekends > max_weekends


def cap_binds(units, caps, horizon: int, max_units: int) -> np.ndarray:
    """Which caps on the shifts of each type can bind: allowed, and below both the horizon
    and the shifts of that type the minute band ``max_units`` allows."""
    units, caps = np.asarray(units), np.asarray(caps)
    return (caps > 0) & (caps < np.minimum(horizon, max_units // np.maximum(units, 1)))


def type_classes(units, caps, forbid, horizon, max_units):
    """Classes of shift types one employee may use interchangeably.

    Two types are interchangeable when they have the same length, neither has a cap that can
    bind (below both the horizon and the shifts the minute band allows), and they forbid and
    are forbidden by the same types. The cheapest month then only needs, per day, the
    cheapest member of each class, which shrinks the labelling. Types the employee may not
    work (cap 0) are left out.

    Returns
    -------
    members : list of ndarray of int
        Type codes of each class.
    units, caps : ndarray of int, shape (C,)
    forbid : ndarray of bool, shape (C, C)
    """
    allowed = np.flatnonzero(caps > 0)
    binding = cap_binds(units, caps, horizon, max_units)
    groups: dict = {}
    for t in allowed:
        key = (
            ("own", int(t))
            if binding[t]
            else (int(units[t]), forbid[t, allowed].tobytes(), forbid[allowed, t].tobytes())
        )
        groups.setdefault(key, []).append(int(t))
    members = [np.asarray(g, dtype=np.int64) for g in groups.values()]
    rep = np.array([m[0] for m in members], dtype=np.int64)
    class_caps = np.array([caps[m[0]] if len(m) == 1 else horizon for m in members])
    return (
        members,
        np.asarray(units)[rep].astype(np.int64),
        class_caps.astype(np.int64),
        np.ascontiguousarray(forbid[np.ix_(rep, rep)]),
    )


def compile_pricing() -> None:
    """Compile the labelling kernel, or load it from numba's on-disk cache, on a one-day
    problem with the argument types of :meth:`EmployeeRules.cheapest`.

    A solver calls this before starting its clock, so that its time limit measures solving:
    the first compilation after installation takes some 15 s.
    """
    cheapest_schedules(
        np.zeros((1, 1)),
        np.ones(1, dtype=np.int64),
        np.ones(1, dtype=np.int64),
        0,
        1,
        1,
        1,
        1,
        1,
        np.zeros(1, dtype=bool),
        np.zeros((1, 1), dtype=bool),
        1,
        float(np.inf),
        True,
        1000,
    )


def schedule_cost(prices: np.ndarray, codes: np.ndarray) -> float:
    """``sum prices[d, codes[d]]`` over the worked days of a code row (-1 off)."""
    days = np.flatnonzero(codes >= 0)
    return float(prices[days, codes[days]].sum())

"""Local search over whole employee months of a Curtois & Qu roster.

With the rest of the roster fixed, one employee's best month is exact: each (day, type) is
priced at the employee's request weights plus the change of cover penalty one more worker
makes there (the under-cover weight saved while the cover is short, the over-cover weight paid
once it is met), and :mod:`benchmarks.curtois.pricing` finds the cheapest feasible month at those
prices. Two moves use it:

* *best response*: replace one employee's month by the best given the others; sweeping the
  employees until none improves is a descent;
* *ruin and recreate* (Schrimpf et al. 2000): take a few employees off the roster, put them back
  one at a time in random order, each by its best response, and keep the result if it is no
  worse. Several employees move together, so it leaves the descent's local optima.

The roster lives as type codes (-1 off) with per-(day, type) head counts kept in step, so a
move costs one labelling run and no re-evaluation.

References
----------
.. [1] G. Schrimpf, J. Schneider, H. Stamm-Wilbrandt and G. Dueck, "Record breaking
   optimization results using the ruin and recreate principle", J. Comput. Phys. 159 (2000),
   pp. 139-171.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import linear_sum_assignment

from benchmarks.curtois.instance import CurtoisInstance
from benchmarks.curtois.pricing import MAX_WORK, EmployeeRules, schedule_cost

#: Labelling work [label extensions and dominance tests] taken as one second's worth when a
#: move sizes its exact labelling to the time left; a slower machine only gets the heuristic
#: labelling sooner, every roster stays feasible.
WORK_PER_S = 20_000_000


def work_until(deadline: float | None, share: int = 1) -> int:
    """Work an exact labelling may spend: its ``1 / share`` of the time left before
    ``deadline`` (a ``time.perf_counter`` value [s]); ``MAX_WORK`` without one, a token
    amount once it has passed (the heuristic labelling then answers, its work bounded by its
    buckets)."""
    if deadline is None:
        return MAX_WORK
    left = (deadline - time.perf_counter()) / max(share, 1)
    return int(np.clip(left * WORK_PER_S, 10_000, MAX_WORK))


def cover_arrays(instance: CurtoisInstance):
    """Requirement, under- and over-cover weights as (H, T) arrays (0 where no cover row)."""
    H, T = instance.horizon, len(instance.shift_ids)
    sidx = {s: t for t, s in enumerate(instance.shift_ids)}
    req, wu, wo = np.zeros((H, T)), np.zeros((H, T)), np.zeros((H, T))
    for d, s, r, u, o in instance.cover.itertuples(index=False):
        req[d, sidx[s]], wu[d, sidx[s]], wo[d, sidx[s]] = r, u, o
    return req, wu, wo


def head_counts(codes: np.ndarray, types: int) -> np.ndarray:
    """(H, T) number of employees working each (day, type) in a code grid."""
    H = codes.shape[1]
    counts = np.zeros((H, types))
    ii, dd = np.nonzero(codes >= 0)
    np.add.at(counts, (dd, codes[ii, dd]), 1.0)
    return counts


class EmployeeMoves:
    """A roster as type codes, with the exact one-employee moves above.

    Parameters
    ----------
    instance : CurtoisInstance
    codes : ndarray of int, shape (E, H)
        A roster keeping every hard rule (type code per day, -1 off); copied.
    rules : EmployeeRules, optional
        Built from ``instance`` when not given.
    """

    def __init__(self, instance: CurtoisInstance, codes: np.ndarray, rules=None):
        self.rules = rules if rules is not None else EmployeeRules.of(instance)
        self.req, self.wu, self.wo = cover_arrays(instance)
        self.codes = np.array(codes, dtype=np.int64)
        self.types = len(instance.shift_ids)
        self.counts = head_counts(self.codes, self.types)
        self.objective = self.evaluate()
        # labellings run and their work (label extensions and dominance tests)
        self.labellings = self.labelling_work = 0

    @classmethod
    def greedy(
        cls,
        instance: CurtoisInstance,
        rng: np.random.Generator,
        rules=None,
        deadline: float | None = None,
        pool=None,
        descend: bool = True,
    ):
        """A roster built one employee at a time in random order, each taking its best month
        given those placed before, then, with ``descend``, improved by :meth:`descent` until
        ``deadline`` (two employees at a time on the thread pool ``pool`` if given).

        Every employee is placed whatever the deadline (the roster must keep every hard
        rule). When the pace so far would not place everyone by then, each employee left
        takes its cheapest month of one class of types (:meth:`cheapest_of_one_class`), which
        costs a fraction of the labelling over all types; so does an employee whose exact
        labelling runs over its share of the time. An employee the heuristic finds no month
        for gets the exact labelling, however long: only it can tell that none exists."""
        rules = rules if rules is not None else EmployeeRules.of(instance)
        E, H = len(instance.employees), instance.horizon
        moves = cls(instance, np.full((E, H), -1), rules)
        began = time.perf_counter()
        for n, i in enumerate(rng.permutation(E)):
            i = int(i)
            now = time.perf_counter()
            pace = (now - began) / n if n else 0.0
            # whether the exact labelling ran to its end (an empty answer then proves that
            # no month exists)
            proven = False
            if deadline is not None and now + pace * (E - n) > deadline:
                costs, schedules = moves.cheapest_of_one_class(i)
            else:
                # each employee's share of the time left
                share = None if deadline is None else now + (deadline - now) / (E - n)
                costs, schedules, proven, _ = rules.cheapest(
                    i,
                    moves.prices(i),
                    max_work=work_until(share),
                    report=True,
                    fallback_work=None if deadline is None else 0,
                )
                if deadline is not None and not len(costs) and not proven:
                    # the labelling ran over its share: the heuristic over all types at
                    # once can take seconds on a year of shifts of several lengths, one
                    # class at a time a fraction of that
                    costs, schedules = moves.cheapest_of_one_class(i)
            if not len(costs) and deadline is not None and not proven:
                # the heuristic can miss every month that keeps the weekend limit and the
                # caps (its dominance ignores them): only the exact labelling, whatever its
                # work, proves that none exists (without a deadline it already had that work)
                costs, schedules = rules.cheapest(i, moves.prices(i))
            if not len(costs):
                raise RuntimeError(
                    f"{instance.name}: no schedule of employee {instance.employees[i]!r} "
                    "meets the hard rules"
                )
            moves.codes[i] = schedules[0]
            moves._shift(i, 1.0)
        moves.objective = moves.evaluate()
        if descend:
            moves.descent(rng, deadline=deadline, pool=pool)
        return moves

    def evaluate(self) -> float:
        """Objective of the current roster from the head counts and request costs."""
        r = self.rules
        cover = float(self.cover_penalty().sum())
        requests = sum(
            schedule_cost(r.request_cost[i], self.codes[i]) for i in range(len(self.codes))
        )
        return cover + requests + float(r.request_constant.sum())

    def cover_penalty(self) -> np.ndarray:
        """(H, T) cost of the under- and over-cover of each (day, type) as rostered."""
        short = np.clip(self.req - self.counts, 0, None)
        excess = np.clip(self.counts - self.req, 0, None)
        return self.wu * short + self.wo * excess

    def _shift(self, i: int, sign: float):
        days = np.flatnonzero(self.codes[i] >= 0)
        self.counts[days, self.codes[i, days]] += sign

    def replace_months(self, members, codes: np.ndarray):
        """Give ``members`` the months ``codes`` (type codes, -1 off) and re-evaluate."""
        for i in members:
            self._shift(int(i), -1.0)
        self.codes[members] = codes
        for i in members:
            self._shift(int(i), 1.0)
        self.objective = self.evaluate()

    def prices(self, i: int) -> np.ndarray:
        """(H, T) cost of employee ``i`` working each (day, type), the others as they are;
        ``i`` must be off the head counts."""
        gain = np.where(self.counts < self.req, -self.wu, self.wo)
        return self.rules.request_cost[i] + gain

    def cheapest_of_one_class(self, i: int):
        """Cheapest month of employee ``i`` (off the head counts) at its current prices
        working one class of interchangeable types only (the heuristic labelling): the
        classes are tried cheapest on average first, and all together should none do alone.

        Returns ``(costs, schedules)`` as :meth:`EmployeeRules.cheapest`."""
        prices = self.prices(i)
        members = self.rules.type_classes[i][0]
        mean = [prices[:, m].min(axis=1).mean() for m in members]
        for c in np.argsort(mean, kind="stable"):
            costs, schedules = self.rules.cheapest(i, prices, exact=False, only=members[c])
            if len(costs):
                return costs, schedules
        return self.rules.cheapest(i, prices, exact=False)

    def work(self, i: int, deadline: float | None, share: int = 1) -> int:
        """Labelling work for employee ``i``: its ``1 / share`` of a quarter of the time
        left, divided by ``(1 + k) ** 2`` once ``k`` employees ran over, and of a sweep's
        share of it once its own exact labelling ran over (many capped types can multiply
        the labels beyond any time limit; one employee must not stall a descent, nor all of
        them in turn)."""
        over = self.rules.ran_over
        if len(over) and over[i]:
            return work_until(deadline, share * 4 * len(self.codes))
        return work_until(deadline, share * 4 * (1 + int(over.sum())) ** 2)

    def _cheapest(self, i: int, prices: np.ndarray, deadline, share: int = 1, **kw):
        """The cheapest months of ``i`` within :meth:`work`, noting a labelling that ran
        over a generous budget."""
        budget = self.work(i, deadline, share)
        # every caller keeps the employee's month when no schedule comes back, so the
        # heuristic that takes over from a labelling run over gets only half the time left:
        # work is converted to seconds at a nominal pace, which a large labelling (its
        # buckets allocated, memory-bound) may not reach
        costs, schedules, exact, work = self.rules.cheapest(
            i,
            prices,
            max_work=budget,
            report=True,
            fallback_work=None if deadline is None else work_until(deadline, 2),
            **kw,
        )
        # what the labellings cost, for the callers that size their windows by it (from
        # two threads at once a count may be lost, which a pace can bear)
        self.labellings += 1
        self.labelling_work += work
        if not exact and budget >= 10 * WORK_PER_S // 100 and len(self.rules.ran_over):
            self.rules.ran_over[i] = True
        return costs, schedules

    def best_response(self, i: int, deadline: float | None = None, window=None) -> float:
        """Give employee ``i`` its best month given the others (or a better one, when the
        exact labelling runs over its :meth:`work` before ``deadline``), held as it is
        outside the days ``window`` if given; returns the objective drop."""
        return self._best_responses([i], deadline, None, [window])[0]

    def descent(
        self,
        rng: np.random.Generator,
        max_sweeps: int = 50,
        deadline: float | None = None,
        pool=None,
    ) -> int:
        """Best responses over all employees in random order until a sweep improves none,
        or ``deadline`` (a ``time.perf_counter`` value [s]) passes; returns the number of
        improving moves.

        With a thread pool ``pool`` the employees go in pairs, labelled side by side (the
        labelling releases the GIL), each at the prices before either moves; the second
        month is then kept only if it still lowers the objective at the prices after the
        first, so every move kept is an improvement.
        """
        moves = 0
        for _ in range(max_sweeps):
            improved = self.responses(rng.permutation(len(self.codes)), deadline, pool)
            moves += improved
            if not improved or (deadline is not None and time.perf_counter() > deadline):
                break
        return moves

    def responses(self, order, deadline: float | None = None, pool=None, windows=None) -> int:
        """Best responses of the employees ``order`` in turn, in pairs on the thread pool
        ``pool`` as in :meth:`descent`, until ``deadline``; with ``windows`` (one array of
        days per employee of ``order``, or ``None`` for the whole horizon) each month held
        as it is outside its days. Returns the number that improved.

        On a long horizon a best response over the whole of it keeps many labels on every
        day; held outside a few weeks, the labelling branches only inside them, for a
        fraction of the work. The days need not be consecutive: over two windows far apart
        a month can move what it spends of its limits over the horizon (minutes, weekends,
        shifts of a type) from one part of it to the other.
        """
        width = 1 if pool is None else 2
        windows = [None] * len(order) if windows is None else list(windows)
        improved = 0
        for a in range(0, len(order), width):
            if deadline is not None and time.perf_counter() > deadline:
                break
            group = [int(i) for i in order[a : a + width]]
            drops = self._best_responses(
                group, deadline, None if width == 1 else pool.map, windows=windows[a : a + width]
            )
            improved += sum(drop > 0 for drop in drops)
        return improved

    def _held_outside(self, i: int, prices: np.ndarray, days):
        """Prices and days off under which every month of employee ``i`` the labelling
        keeps equals its current one outside ``days``: a day it is off there becomes a fixed
        day off; on a day it works there, the other types cost ``inf`` and its own type
        ``big`` less, more than the window's prices can ever give back, so that leaving it
        is pruned. Returns ``(prices, day_off, cost of the current month at them)``."""
        codes = self.codes[i]
        held = np.ones(len(codes), dtype=bool)
        held[days] = False
        # leaving a held day gives back big - prices[d]: more than the window can ever gain
        big = 2.0 * (np.abs(prices).max() + np.abs(prices[~held]).sum() + 1.0)
        works = np.flatnonzero(held & (codes >= 0))
        forced = np.full_like(prices, np.inf)
        forced[~held] = prices[~held]
        forced[works, codes[works]] = prices[works, codes[works]] - big
        day_off = self.rules.day_off[i] | (held & (codes < 0))
        return forced, day_off, schedule_cost(forced, codes)

    def _best_responses(self, group: list, deadline: float | None, mapper, windows) -> list:
        """Best responses of the employees ``group``, each labelled at the prices before any
        of them moves (side by side when ``mapper`` is a thread pool's ``map``) and kept in
        turn where it still improves; returns each one's objective drop (0 if not kept).
        Each month is held outside its days in ``windows`` (one entry per employee of
        ``group``; ``None`` for the whole horizon)."""
        prices, now, asked = [], [], []
        for i, window in zip(group, windows, strict=True):
            self._shift(i, -1.0)
            prices.append(self.prices(i))
            now.append(schedule_cost(prices[-1], self.codes[i]))
            self._shift(i, 1.0)
            if window is None:
                asked.append((prices[-1], None, now[-1]))
            else:
                asked.append(self._held_outside(i, prices[-1], window))

        def label(k):
            forced, day_off, upper = asked[k]
            return self._cheapest(group[k], forced, deadline, upper=upper, day_off=day_off)

        drops = []
        found = (mapper or map)(label, range(len(group)))
        for k, (i, (costs, schedules)) in enumerate(zip(group, found, strict=True)):
            drop = 0.0
            if len(costs):
                self._shift(i, -1.0)
                if any(drops):
                    # an employee before moved: this month must still improve at the prices
                    # after that move
                    here = self.prices(i)
                    gain = schedule_cost(here, self.codes[i]) - schedule_cost(here, schedules[0])
                else:
                    # at the prices asked, a held month's cost carries the hold's bonus
                    gain = now[k] - schedule_cost(prices[k], schedules[0])
                if gain > 1e-9:
                    self.codes[i] = schedules[0]
                    self.objective -= gain
                    drop = gain
                self._shift(i, 1.0)
            drops.append(drop)
        return drops

    def reassign_types(self, deadline: float | None = None) -> float:
        """Re-choose every worked shift's type inside its employee's class of
        interchangeable types (:func:`benchmarks.curtois.pricing.type_classes`), the days worked
        and classes kept; returns the objective drop.

        Within a class the type changes no hard rule of the employee, so with the classes
        fixed the days are independent, and each is an assignment of the day's workers to
        cover places: the first ``requirement`` places of a type each save its under-cover
        weight, any further place costs its over-cover weight (a convex cost, so the cheap
        places fill first). Solved exactly per day (Hungarian method, Kuhn 1955).
        """
        r = self.rules
        H, T = self.req.shape
        E = len(self.codes)
        allowed = np.zeros((E, T, T), dtype=bool)  # allowed[e, t, u]: e may swap t for u
        for e in range(E):
            for m in r.type_classes[e][0]:
                allowed[e][np.ix_(m, m)] = True
        for d in range(H):
            # each day is mended on its own: stopping early leaves a valid roster
            if deadline is not None and time.perf_counter() > deadline:
                break
            who = np.flatnonzero(self.codes[:, d] >= 0)
            if not len(who):
                continue
            now = self.codes[who, d]
            types = np.flatnonzero(allowed[who, now].any(axis=0))
            # places: per type, `requirement` under-cover ones, then one over-cover per worker
            place_type, place_cost = [], []
            for t in types:
                need = int(self.req[d, t])
                place_type += [t] * (need + len(who))
                place_cost += [-self.wu[d, t]] * need + [self.wo[d, t]] * len(who)
            place_type = np.asarray(place_type)
            cost = r.request_cost[who, d][:, place_type] + np.asarray(place_cost)[None, :]
            ok = allowed[who, now][:, place_type]
            big = np.abs(cost[ok]).sum() + 1.0
            rows, cols = linear_sum_assignment(np.where(ok, cost, big))
            new = place_type[cols[np.argsort(rows)]]
            if np.array_equal(new, now):
                continue
            self.codes[who, d] = new
        before = self.objective
        self.counts = head_counts(self.codes, self.types)
        self.objective = self.evaluate()
        return before - self.objective

    def ruin_recreate(
        self,
        members,
        rng: np.random.Generator,
        accept: float = 0.0,
        deadline: float | None = None,
    ) -> bool:
        """Take ``members`` off, put them back by best responses in random order; keep the
        result if the objective rises by at most ``accept`` (else restore). Returns whether
        it was kept. Near ``deadline`` the labellings get only the time left; one that
        finds nothing leaves the employee's month as it was."""
        members = np.asarray(members, dtype=np.int64)
        saved = self.codes[members].copy()
        before = self.objective
        for i in members:
            self._shift(int(i), -1.0)
        for i in rng.permutation(members):
            i = int(i)
            prices = self.prices(i)
            costs, schedules = self._cheapest(i, prices, deadline)
            # the employee was off the counts: its own month is still a feasible fallback
            if len(costs):
                self.codes[i] = schedules[0]
            self._shift(i, 1.0)
        after = self.evaluate()
        if after <= before + accept:
            self.objective = after
            return True
        for i in members:
            self._shift(int(i), -1.0)
        self.codes[members] = saved
        for i in members:
            self._shift(int(i), 1.0)
        self.objective = before
        return False

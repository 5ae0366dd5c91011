"""The cheapest month of one Curtois & Qu employee under all of that employee's hard rules.

Every hard constraint of the benchmark concerns one employee; only cover ties employees
together, and cover is soft. So given a price per (day, shift type) — the employee's own
shift-on and shift-off request weights plus whatever the rest of the roster makes a shift
worth (the change of cover penalty, or the dual of a cover row) — the best month of one
employee is a resource-constrained shortest path over the days, solved exactly by labelling
(:mod:`roster.curtois_pricing_kernel`). It is the pricing problem of column generation over
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
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

import numpy as np

from roster.curtois import CurtoisInstance
from roster.curtois_pricing_kernel import cheapest_schedules


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
        return cls(
            units=minutes // unit,
            unit=unit,
            caps=np.minimum(caps, H).astype(np.int64),
            # ceil for the lower band: worked minutes are whole units
            min_units=-(-st["min_minutes"].to_numpy().astype(np.int64) // unit),
            max_units=st["max_minutes"].to_numpy().astype(np.int64) // unit,
            max_run=st["max_consecutive"].to_numpy().astype(np.int64),
            min_run=st["min_consecutive"].to_numpy().astype(np.int64),
            min_off=st["min_consecutive_off"].to_numpy().astype(np.int64),
            max_weekends=st["max_weekends"].to_numpy().astype(np.int64),
            day_off=day_off,
            forbid=forbid,
            request_cost=request_cost,
            request_constant=request_constant,
        )

    def cheapest(self, i: int, prices: np.ndarray, k: int = 1, upper: float = np.inf):
        """Up to ``k`` cheapest schedules of employee ``i`` at ``prices`` (shape (H, T)).

        ``upper`` is the cost of a schedule known to be feasible (e.g. the employee's current
        one): only schedules no dearer than it are sought, which prunes most of the search.

        Returns
        -------
        costs : ndarray of float, shape (n,)
            ``sum prices[d, schedule[d]]`` over worked days, cheapest first.
        schedules : ndarray of int, shape (n, H)
            Type code per day, -1 off; ``n == 0`` when the rules admit no schedule.
        """
        return cheapest_schedules(
            np.ascontiguousarray(prices, dtype=np.float64),
            self.units,
            self.caps[i],
            int(self.min_units[i]),
            int(self.max_units[i]),
            int(self.max_run[i]),
            int(self.min_run[i]),
            int(self.min_off[i]),
            int(self.max_weekends[i]),
            self.day_off[i],
            self.forbid,
            int(k),
            float(upper),
        )


def schedule_cost(prices: np.ndarray, codes: np.ndarray) -> float:
    """``sum prices[d, codes[d]]`` over the worked days of a code row (-1 off)."""
    days = np.flatnonzero(codes >= 0)
    return float(prices[days, codes[days]].sum())

"""What every phase of :func:`roster.build_roster` shares: the prepared inputs with the
coverage of each shift and the time ceiling (:class:`RosterContext`, :class:`Ceiling`), and
the groups of interchangeable agents with their exact pricers (:class:`Group`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from roster.people.inputs import Problem
from roster.people.polish import CoverageLedger
from roster.people.pricing import PatternPricer, Resource, Tables, compat_matrix
from roster.rules import Rules

_K_BEST = 80  # patterns per group and pricing round at most


class Ceiling:
    """The time limit of a build as a ceiling, and where it bound.

    The work of every phase is bounded by counts (rounds, sweeps, passes, node limits), so
    that a given input gives the same roster on any machine; the ceiling only stops a phase
    early when the time limit is spent. Each phase asks :meth:`reached` at its safe points
    (where what it holds is a valid roster) and gives every HiGHS run the time left as its
    own limit (:meth:`limit`). Where it bound is kept in ``hit``: the roster is then the
    best found by that time and depends on the machine's speed.

    Parameters
    ----------
    time_limit : float
        Wall-clock ceiling of the build [s].
    t0 : float, optional
        ``time.perf_counter()`` at the start of the build (default: now).
    """

    def __init__(self, time_limit: float, t0: float | None = None):
        self.t0 = time.perf_counter() if t0 is None else t0
        self.time_limit = float(time_limit)
        self.end = self.t0 + self.time_limit
        self.hit: list[str] = []

    def left(self) -> float:
        """Time left before the ceiling [s] (negative once past)."""
        return self.end - time.perf_counter()

    def reached(self, phase: str) -> bool:
        """Whether the ceiling is reached; if so ``phase`` is noted as where it bound."""
        if time.perf_counter() < self.end:
            return False
        self.note(phase)
        return True

    def note(self, phase: str) -> None:
        """Note that the ceiling bound in ``phase``."""
        if phase not in self.hit:
            self.hit.append(phase)

    def limit(self, h: highspy.Highs) -> None:
        """Give the HiGHS instance ``h`` the time left as its limit; HiGHS measures it on a
        clock that runs across the instance's runs, so the limit is set on that clock."""
        h.setOptionValue("time_limit", float(h.getRunTime() + max(self.left(), 1e-3)))

    def check(self, h: highspy.Highs, phase: str) -> bool:
        """Whether the last run of ``h`` stopped at its time limit (noted as ``phase``)."""
        if h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
            self.note(phase)
            return True
        return False


@dataclass(frozen=True)
class RosterContext:
    """Inputs of one build, fixed once prepared.

    Attributes
    ----------
    p : Problem
        Prepared inputs (:func:`roster.people.inputs.prepare`).
    rules : Rules
        Labour rules.
    compat : numpy.ndarray
        Which shift may follow which on the next day (:func:`compat_matrix`).
    group_of : numpy.ndarray
        Group of each agent.
    members : list of numpy.ndarray
        Agents of each group.
    shift_cov : list of (rows, values)
        Coverage rows of each shift worked on each day, ``d * S + s``.
    eligible_night : numpy.ndarray of bool
        Agents allowed a big night.
    n_weekends : int
        Weekends of the horizon.
    ceiling : Ceiling
        The build's time limit and where it bound.
    nonzero : list of numpy.ndarray
        Per interval requirement: the slots each shift covers within its two-day window.
    tables : Tables
        Labelling tables the build's pricers share.
    """

    p: Problem
    rules: Rules
    compat: np.ndarray
    group_of: np.ndarray
    members: list
    shift_cov: list
    eligible_night: np.ndarray
    n_weekends: int
    ceiling: Ceiling
    nonzero: list
    tables: Tables = field(default_factory=Tables)

    @property
    def weekend_fair(self) -> bool:
        return self.rules.fair_weekends_weight > 0 and self.n_weekends > 0

    @property
    def fair(self) -> bool:
        """Whether any fair-share penalty applies (the first roster then takes two passes)."""
        p, rules = self.p, self.rules
        return bool(
            (rules.fair_nights_weight > 0 and p.big.any())
            or self.weekend_fair
            or (rules.fair_holidays_weight > 0 and p.holiday.any())
        )

    def ledger(self) -> CoverageLedger:
        """An empty coverage ledger for a best-response run."""
        p = self.p
        return CoverageLedger(self.shift_cov, p.required, p.under_pen, p.over_pen)

    def columnize(self, dd, ss):
        """Coverage rows and values of shifts ``ss`` worked on days ``dd``."""
        return _columnize(self.p, self.nonzero, dd, ss)

    def shift_value(self, y):
        """Dual value of working each shift on each day: the sum of its coverage rows."""
        p = self.p
        if p.per_shift:
            return y.reshape(p.D, p.S)
        two = 2 * p.per_day
        padded = np.concatenate([y, np.zeros(p.per_day)])
        windows = np.lib.stride_tricks.sliding_window_view(padded, two)[:: p.per_day][: p.D]
        return windows @ p.vecs[:, :two].T


def roster_context(p: Problem, rules: Rules, ceiling: Ceiling) -> RosterContext:
    """Group the agents of ``p`` and fix the coverage of each shift.

    Agents with the same leave, allowed shifts, requests and rate are interchangeable: they
    share one master row and their patterns, which keeps the master small on large teams.
    """
    keys = {}
    group_of = np.zeros(p.A, dtype=np.int64)
    for i in range(p.A):
        key = (
            p.forced[i].tobytes(),
            p.allowed[i].tobytes(),
            p.req_cost[i].tobytes(),
            p.rate[i],
            p.req_const[i],
        )
        group_of[i] = keys.setdefault(key, len(keys))
    members = [np.flatnonzero(group_of == g) for g in range(len(keys))]
    eligible_night = p.allowed[:, p.big].any(axis=1) if p.big.any() else np.zeros(p.A, dtype=bool)
    nonzero = [] if p.per_shift else [np.flatnonzero(v) for v in p.vecs]
    return RosterContext(
        p=p,
        rules=rules,
        compat=compat_matrix(p.templates, rules),
        group_of=group_of,
        members=members,
        shift_cov=[
            _columnize(p, nonzero, np.array([d]), np.array([s]))
            for d in range(p.D)
            for s in range(p.S)
        ],
        eligible_night=eligible_night,
        n_weekends=len(set(p.dates.isocalendar().week.to_numpy()[p.weekend])),
        ceiling=ceiling,
        nonzero=nonzero,
    )


def _columnize(p, nonzero, dd, ss):
    if p.per_shift:
        return dd * p.S + ss, np.ones(len(dd))
    if len(dd) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    r = np.concatenate([d * p.per_day + nonzero[s] for d, s in zip(dd, ss, strict=True)])
    v = np.concatenate([p.vecs[s][nonzero[s]] for s in ss])
    # a shift crossing midnight on the last day reaches past the horizon
    keep = r < len(p.required)
    rows, inv = np.unique(r[keep], return_inverse=True)
    return rows, np.bincount(inv, weights=v[keep])


class Group:
    """Interchangeable agents: same leave, allowed shifts, requests and rate."""

    def __init__(self, members, pricer, base, const, forced, allowed, columnize, k):
        self.members = members
        self.size = len(members)
        self.pricer = pricer
        self.base = base
        self.const = const
        self.forced = forced
        self.allowed = allowed
        self._columnize = columnize
        self.k = k

    def price(self, value, k=1):
        """The ``k`` least reduced-cost patterns at dual value ``value`` of each day and
        shift, as ``(reduced cost, pattern)``."""
        found = self.pricer.solve(self.base - value, self.forced, self.allowed, k=k)
        if not found:
            # agents no pattern fits are left off: the all-off column is their only choice
            off = np.full(len(self.forced), -1, dtype=np.int64)
            return [(self.const + self.pricer.extras(off), off)]
        return [(v + self.const, p) for v, p in found]

    def best(self, value, cutoff=np.inf, relaxed_first=True, tally=None):
        """The least reduced-cost pattern at dual value ``value`` as ``(reduced cost,
        pattern)``, or ``(lower bound, None)`` where no pattern costs less than ``cutoff``
        (:meth:`roster.people.pricing.PatternPricer.best`, which takes ``relaxed_first``
        and ``tally``)."""
        bound, pattern = self.pricer.best(
            self.base - value,
            self.forced,
            self.allowed,
            cutoff - self.const,
            relaxed_first=relaxed_first,
            tally=tally,
        )
        if pattern is None and not np.isfinite(bound):
            return self.price(value)[0]
        return bound + self.const, pattern

    def column(self, pattern):
        """Master column of ``pattern``: its cost and its coverage rows and values."""
        work = pattern >= 0
        dd = np.flatnonzero(work)
        cost = float(self.base[dd, pattern[work]].sum()) + self.const
        cost += self.pricer.extras(pattern)
        rows, vals = self._columnize(dd, pattern[work])
        return cost, rows, vals


def make_groups(ctx: RosterContext, fair_means: dict | None) -> list[Group]:
    """One :class:`Group` per group of ``ctx``, priced with the fair-share penalties around
    ``fair_means`` (none when None).

    Agents who may work big nights and those who may not count different resources, so at
    most two pricers are built and shared by the groups.
    """
    p = ctx.p
    pricers = {}
    groups = []
    for members in ctx.members:
        i = members[0]
        night_ok = bool(ctx.eligible_night[i])
        if night_ok not in pricers:
            pricers[night_ok] = _pricer(ctx, fair_means, night_ok)
        base = p.pay_unit * p.rate[i] + p.req_cost[i]
        groups.append(
            Group(
                members,
                pricers[night_ok],
                base,
                float(p.req_const[i]),
                p.forced[i],
                p.allowed[i],
                ctx.columnize,
                k=min(len(members), _K_BEST),
            )
        )
    return groups


def infeasible_agents(ctx: RosterContext, groups: list[Group]) -> list:
    """Names of the agents no pattern fits (leave and rules leave the monthly band out of
    reach); the roster leaves them off and says so."""
    out = []
    for grp in groups:
        if not grp.pricer.solve(grp.base, grp.forced, grp.allowed):
            out += [ctx.p.agent_names[j] for j in grp.members]
    return out


def _pricer(ctx, fair_means, night_ok):
    p, rules = ctx.p, ctx.rules
    res = _resources(p, rules, fair_means, {"nights": night_ok})
    wk_cap = None
    wk_cost = None
    if rules.max_weekends is not None and rules.max_weekends < ctx.n_weekends:
        wk_cap = int(rules.max_weekends)
    if ctx.weekend_fair and fair_means is not None:
        wk_cap = ctx.n_weekends if wk_cap is None else wk_cap
        n = np.arange(wk_cap + 1)
        wk_cost = rules.fair_weekends_weight * np.clip(
            np.abs(n - fair_means["weekends"]) - rules.fair_tolerance, 0, None
        )
    return PatternPricer(
        ctx.compat,
        p.paid,
        rules,
        p.D,
        p.lo,
        p.hi,
        p.max_work,
        resources=res,
        saturday=np.asarray(p.dates.day_of_week == 5),
        sunday=np.asarray(p.dates.day_of_week == 6),
        weekend_cap=wk_cap,
        weekend_cost=wk_cost,
        crosses=p.crosses,
        min_rest=p.min_rest,
        tables=ctx.tables,
    )


def _resources(p, rules, fair_means, eligible):
    """Counted resources of the pricing state: big nights, capped shift names, holidays."""
    D, S = p.D, p.S
    res = []
    tol = rules.fair_tolerance

    def penalty(cap, weight, mean):
        n = np.arange(cap + 1)
        if mean is None or weight == 0:
            return np.zeros(cap + 1)
        return weight * np.clip(np.abs(n - mean) - tol, 0, None)

    top = p.max_work
    if p.big.any():
        cap = top if rules.max_nights is None else min(rules.max_nights, top)
        weight = rules.fair_nights_weight if eligible["nights"] else 0.0
        if cap < top or (weight and fair_means is not None):
            use = np.broadcast_to(p.big.astype(np.int64), (D, S)).copy()
            mean = None if fair_means is None else fair_means["nights"]
            res.append(Resource("nights", use, cap, penalty(cap, weight, mean)))
    for name, cap in rules.max_shifts.items():
        if name in p.names and cap < top:
            use = np.zeros((D, S), dtype=np.int64)
            use[:, p.names.index(name)] = 1
            res.append(Resource(f"shift {name}", use, int(cap), np.zeros(int(cap) + 1)))
    n_hol = int(p.holiday.sum())
    if n_hol and rules.fair_holidays_weight and fair_means is not None:
        use = np.repeat(p.holiday.astype(np.int64)[:, None], S, axis=1)
        res.append(
            Resource(
                "holidays",
                use,
                min(n_hol, top),
                penalty(min(n_hol, top), rules.fair_holidays_weight, fair_means["holidays"]),
            )
        )
    return res

"""Agents of each group per interval that meet every queue's targets at least cost, by simulation.

The method is the simulation-and-cutting-plane method of Cezik & L'Ecuyer (2008). A linear
program chooses the agents of each group per interval at least cost; it starts from a fluid
model (each queue's load shared among the groups that may answer it, at once or by overflow,
no group loaded beyond its agents) and a pooled Erlang bound on the whole team. A simulation
judges its answer, rounded to whole agents; for every queue and target the answer misses,
finite differences (one agent more in each group, on the same calls) give a linear cut, a
tangent plane of the target's metric, that the next answer must satisfy. Once every target
holds, integer programs under all the cuts found look for cheaper whole staffings in the
intervals where the linear bound leaves room, with further cuts where they miss; then agents
are removed while the targets still hold (the local search with which Cezik & L'Ecuyer
finish, since the metrics are not concave everywhere and a cut may ask more than needed).

Every candidate is judged in every interval at once by one run of the routing kernel
(:class:`~erlang.skills.judge.Judge`), and only the intervals whose staffing changed are judged
again; the programs of the intervals are solved together as one block-diagonal program.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from ..metrics import kpis
from ..staffing import required_agents
from .centre import AgentGroup, Centre
from .judge import METRICS, SENSE, Judge
from .program import Program
from .simulation import CentreSimulation, _wide, simulate_centre

__all__ = ["CentreStaffing", "staff_centre"]


@dataclass(frozen=True)
class CentreStaffing:
    """Agents per group and interval for a multi-skill centre.

    Attributes
    ----------
    staffing : pandas.DataFrame
        Agents of each group (columns) per interval (index).
    shifts : pandas.DataFrame or None
        When staffed by shifts: agents of each group (index) on each shift (columns).
    separate : pandas.DataFrame
        The queues planned as separate pools with exact Erlang staffing: each queue's agents in
        the cheapest group that answers it at once, serving that queue only.
    cost : pandas.Series
        Cost per interval of ``staffing`` (agents times group cost).
    separate_cost : pandas.Series
        Cost per interval of ``separate``.
    check : CentreSimulation
        An independent simulation of ``staffing`` (its own random numbers), whose confidence
        intervals judge the result.
    evaluations : int
        Candidate staffings simulated (each over every interval at once).
    rounds : int
        Cutting-plane rounds (integer programs solved after the first).
    cuts : int
        Linear cuts added.
    """

    staffing: pd.DataFrame
    shifts: pd.DataFrame | None
    separate: pd.DataFrame
    cost: pd.Series
    separate_cost: pd.Series
    check: CentreSimulation
    evaluations: int
    rounds: int
    cuts: int

    @property
    def saved(self) -> float:
        """Share of the separate pools' cost saved by pooling (0.15 = 15%)."""
        total = float(self.separate_cost.sum())
        return 0.0 if total <= 0 else 1.0 - float(self.cost.sum()) / total


def staff_centre(
    volume: pd.DataFrame,
    centre: Centre,
    *,
    cost=None,
    interval: int = 1800,
    segment: float = 6 * 3600.0,
    warmup: float = 3600.0,
    seed: int | None = 0,
    margin: float = 1.0,
    max_rounds: int = 30,
    smooth: float = 0.5,
    shifts: pd.DataFrame | None = None,
    shift_cost=None,
    check_replications: int = 10,
) -> CentreStaffing:
    """Fewest-cost agents of each group per interval meeting every queue's targets.

    Parameters
    ----------
    volume : pandas.DataFrame
        Contacts per interval, one column per queue (or long ``unique_id``, ``ds``, ``y``).
    centre : Centre
        Queues with their targets (service level, answer rate, ASA and abandonment are judged;
        occupancy and blocking targets are not), groups and routing.
    cost : mapping of str to float, optional
        Cost of one agent of each group per interval (default 1 each: fewest agents). Between
        equal costs the search prefers agents with fewer skills.
    interval : int
        Interval length. [s]
    segment : float
        Simulated time judging each interval in its steady state. [s]
    warmup : float
        Start of each segment left out of the estimates. [s]
    seed : int or None
        Seed of the calls; the same seed gives the same staffing.
    margin : float
        Standard errors (batch means over ten batches of each segment, and never less than the
        binomial error of the target itself) by which a queue's simulated metrics must clear
        their targets. Every candidate is judged on the same calls; without a margin the search
        would keep whatever that sample's luck allows.
    max_rounds : int
        Most cutting-plane rounds; if targets are still missed after them, agents are added
        where they are missed until they hold.
    smooth : float
        Cost of changing a group's agents by one between consecutive intervals, as a share of
        the group's cost per agent and interval. Agents come in shifts of many intervals: a mix
        of groups that jumps from one interval to the next (equal in cost by the interval, as
        cross-trained agents can stand in for others) asks for shifts that cover each jump,
        and rosters far above the requirement. 0 judges each interval on its own.
    shifts : pandas.DataFrame, optional
        Staff by shifts (the scheduling problem of Cezik & L'Ecuyer, 2008): one column per
        shift an agent may work (a template on a day), indexed like ``volume``, giving the
        share of each interval an agent of that shift is on the phones (0 outside it, less
        than 1 where breaks fall). The program then chooses agents of each group per shift,
        and ``CentreStaffing.shifts`` gives them; the staffing per interval is what the shifts
        put on the phones (targets missed after the rounds are met by agents added per
        interval). ``smooth`` is not used.
    shift_cost : array-like, optional
        Cost of an agent on each shift, in units of the group's cost (default: the intervals
        it spends on the phones).
    check_replications : int
        Replications of the independent check simulation of the result (``interval`` long
        each, calls drawn as :func:`simulate_centre` draws them).

    Returns
    -------
    CentreStaffing

    Notes
    -----
    Steady-state estimates from a few hours of simulation are noisy (waits are correlated
    within a busy spell). Each estimate is corrected with a control variate (Lavenberg &
    Welch, 1981): the same calls served by each queue's own Erlang pool, whose exact metrics are
    known. The check simulation (independent random numbers) states how near the boundary the
    result sits.

    References
    ----------
    Cezik, M. T. and L'Ecuyer, P. (2008). Staffing multiskill call centers via linear
    programming and simulation. Management Science 54(2), 310-323.
    Atlason, J., Epelman, M. A. and Henderson, S. G. (2004). Call center staffing with
    simulation and cutting plane methods. Annals of Operations Research 127, 333-358.
    Lavenberg, S. S. and Welch, P. D. (1981). A perspective on the use of control variables to
    increase the efficiency of Monte Carlo simulations. Management Science 27(3), 322-335.
    """
    volume = _wide(volume, "volume", centre.queue_names)
    if not segment > warmup >= 0:
        raise ValueError(f"segment={segment!r} must exceed warmup={warmup!r} >= 0")
    if isinstance(max_rounds, bool) or int(max_rounds) != max_rounds or max_rounds < 0:
        raise ValueError(f"max_rounds={max_rounds!r} must be a whole number >= 0")
    if not margin >= 0:
        raise ValueError(f"margin={margin!r} must be >= 0")
    if not smooth >= 0:
        raise ValueError(f"smooth={smooth!r} must be >= 0")
    if shifts is not None:
        shifts = _checked_shifts(shifts, volume.index)
        shift_cost = (
            shifts.to_numpy(float).sum(axis=0)
            if shift_cost is None
            else np.asarray(shift_cost, float)
        )
        if shift_cost.shape != (shifts.shape[1],) or not (shift_cost > 0).all():
            raise ValueError(
                f"shift_cost must give a positive cost for each of the {shifts.shape[1]} shifts"
            )
    price = _prices(cost, centre.group_names)
    separate, chosen = _separate_pools(volume, centre, price, interval)
    start = separate.to_numpy(np.int64)
    alone = _alone(centre, chosen)
    control = (
        alone.routing(),
        start[:, chosen],
        _exact(volume, alone, start[:, chosen], interval),
    )
    judge = Judge(volume, centre, interval, segment, warmup, seed, control)
    goal = _Goal(centre, judge, margin)
    if shifts is not None:
        y, x, rounds, program = _by_shifts(
            judge, goal, volume, centre, price, interval, shifts, shift_cost, max_rounds
        )
    else:
        y, rounds, program = _by_intervals(
            judge, goal, volume, centre, price, interval, smooth, max_rounds
        )
    staffing = pd.DataFrame(y, index=volume.index, columns=centre.group_names)
    compared = start
    if shifts is not None:
        # the separate pools scheduled by the same shifts, so that both sides pay for them
        compared = _covered_by_shifts(start, shifts.to_numpy(float), shift_cost)
        separate = pd.DataFrame(compared, index=volume.index, columns=centre.group_names)
    check = simulate_centre(
        volume,
        centre,
        staffing,
        interval=interval,
        replications=check_replications,
        seed=None if seed is None else seed + 1,
    )
    return CentreStaffing(
        staffing=staffing,
        shifts=None
        if shifts is None
        else pd.DataFrame(x, index=centre.group_names, columns=shifts.columns),
        separate=separate,
        cost=pd.Series(y @ price, index=volume.index, name="cost"),
        separate_cost=pd.Series(compared @ price, index=volume.index, name="cost"),
        check=check,
        evaluations=judge.evaluations,
        rounds=rounds,
        cuts=program.cut_count,
    )


def _by_intervals(judge, goal, volume, centre, price, interval, smooth, max_rounds):
    """Agents per group and interval by cutting planes over the intervals' own programs."""
    program = Program(volume, centre, price, interval, smooth)
    y = _round(program.solve(np.arange(len(volume))), None)
    rounds = 0
    # only the intervals whose answer changed are judged again: the others keep theirs
    where = np.arange(len(volume))
    while True:
        value, error = judge.estimate(y, where)
        room = goal.room(value, error, where)
        missed = room < 0
        if not missed.any() or rounds >= max_rounds:
            break
        rounds += 1
        gain = _differences(judge, y, value, where)
        program.add_cuts(y, room, missed, gain, where)
        where = where[missed.any(axis=(0, 2))]
        y[where] = _round(program.solve(where, y), y[where])
    y = _add_until_met(judge, goal, y, centre, where)
    y = _integer_where_better(judge, goal, program, y, price, max_rounds)
    y = _remove_while_met(judge, goal, y, price)
    return y, rounds, program


def _by_shifts(judge, goal, volume, centre, price, interval, shifts, shift_cost, max_rounds):
    """Agents per group and shift by cutting planes over the whole horizon's program; the
    agents on the phones per interval follow from the shifts."""
    every = np.arange(len(volume))
    program = Program(
        volume, centre, price, interval, shifts=shifts.to_numpy(float), shift_cost=shift_cost
    )
    program.solve(every)
    x = np.floor(program.x + 0.5)
    y = program.on_phones(x)
    rounds = 0
    where = every
    while True:
        value, error = judge.estimate(y, where)
        room = goal.room(value, error, where)
        missed = room < 0
        if not missed.any() or rounds >= max_rounds:
            break
        rounds += 1
        program.add_cuts(y, room, missed, _differences(judge, y, value, where), where)
        short = where[missed.any(axis=(0, 2))]
        program.solve(every)
        new_x = np.floor(program.x + 0.5)
        new_y = program.on_phones(new_x)
        # an interval judged short whose agents would not change: in each group, the shift
        # covering it that was rounded down the most gets its agent
        stuck = short[(new_y[short] == y[short]).all(axis=1)]
        if stuck.size:
            cover = program.shifts[stuck].toarray() > 0  # (stuck, shifts)
            lost = program.x - np.floor(program.x)  # (G, shifts)
            lost = np.where(new_x < program.x - 1e-7, lost, -1.0)
            for row in cover:
                best = np.argmax(np.where(row[None, :], lost, -np.inf), axis=1)
                ok = lost[np.arange(len(best)), best] > 0
                new_x[np.flatnonzero(ok), best[ok]] += 1
                lost[np.flatnonzero(ok), best[ok]] = -1.0
                # the agent stays: the next programs start from it
                program.x_floor[np.flatnonzero(ok), best[ok]] = new_x[np.flatnonzero(ok), best[ok]]
            new_y = program.on_phones(new_x)
        where = np.union1d(np.flatnonzero((new_y != y).any(axis=1)), short)
        x, y = new_x, new_y
    y = _add_until_met(judge, goal, y, centre, where)
    return y, x.astype(np.int64), rounds, program


class _Goal:
    """Each queue's targets as room above them: ``SENSE * (value - target) - margin * error``
    (Q, T, 4), ``inf`` where a metric has no target."""

    def __init__(self, centre, judge, margin):
        Q = len(centre.queues)
        self.target = np.full((Q, 4), np.nan)
        for q, queue in enumerate(centre.queues):
            t = queue.targets
            for m, name in enumerate(("service_level", "answer_rate", "asa", "max_abandon")):
                value = getattr(t, name)
                if value is not None:
                    # the strictest of a target given per interval
                    value = np.max(value) if SENSE[m] > 0 else np.min(value)
                    self.target[q, m] = float(value)
        p = self.target.copy()
        p[:, 2] = np.nan  # ASA has no binomial error
        with np.errstate(invalid="ignore"):
            # the binomial error of the target itself: a floor on any error estimate, so that
            # a lucky run of calls with no spread cannot pass a target by a hair
            self.floor = np.nan_to_num(
                np.sqrt(
                    p[:, None, :]
                    * (1 - p[:, None, :])
                    / np.maximum(judge.counted_calls, 1.0)[..., None]
                )
            )
        self.margin = float(margin)
        best = np.array([1.0, 1.0, 0.0, 0.0])
        self.reach = np.nan_to_num(0.5 * np.abs(best - self.target))

    def room(self, value, error, where):
        # the margin never asks more than half the way from the target to the best value
        # (1 for rates, 0 for ASA and abandonment), which a queue with few calls could not reach
        doubt = np.fmin(self.margin * np.fmax(error, self.floor[:, where]), self.reach[:, None, :])
        room = SENSE * (value - self.target[:, None, :]) - doubt
        return np.where(np.isnan(self.target)[:, None, :], np.inf, room)


def _differences(judge, y, value, where) -> np.ndarray:
    """(G, Q, len(where), 4): the gain in room of each metric from one agent more in each group,
    on the same calls; never negative (one agent more never hurts a queue, so a negative
    difference is noise)."""
    G = y.shape[1]
    out = np.empty((G, *value.shape))
    for g in range(G):
        more = y.copy()
        more[where, g] += 1
        out[g] = SENSE * (judge.estimate(more, where)[0] - value)
    return np.maximum(out, 0.0)


def _add_until_met(judge, goal, y, centre, where, most=200) -> np.ndarray:
    """One agent more in each group answering at once a queue that misses a target in the
    intervals ``where``, until none does (a safety net when the rounds run out)."""
    ready = (centre.routing()[0] == 0.0).astype(np.int64)  # (G, Q)
    y = y.copy()
    for _ in range(most):
        if not where.size:
            return y
        missed = (goal.room(*judge.estimate(y, where), where) < 0).any(axis=2)  # (Q, S)
        y[where] += np.minimum(missed.T.astype(np.int64) @ ready.T, 1)
        where = where[missed.any(axis=0)]
    raise RuntimeError(f"targets still missed after adding agents {most} times")


def _round(x, before) -> np.ndarray:
    """Whole agents from the linear program's answer ``x``: to the nearest, which keeps the
    search near the program's optimum; rounded up where that repeats the staffing ``before``
    (judged short already), which keeps every cut, since agents enter the cuts and the bound
    with nonnegative coefficients and the capacity rows with -1."""
    y = np.floor(x + 0.5).astype(np.int64)
    if before is not None:
        again = (y == before).all(axis=1)
        y[again] = np.ceil(x[again] - 1e-7).astype(np.int64)
    return y


def _integer_where_better(judge, goal, program, y, price, rounds) -> np.ndarray:
    """Cutting-plane rounds at the integer program's answers, in the intervals where the
    linear program's bound leaves room for a cheaper whole staffing than ``y``: where the
    integer answer under every cut found costs less than ``y`` and meets every target in
    simulation it is taken; where it misses, its cuts are added and it is solved again (at
    most ``rounds`` times)."""
    y = y.copy()
    every = np.arange(len(y))
    bound = program.solve(every, y) @ price
    # equal prices: the cost is whole, so a bound within one agent of it leaves nothing
    step = price.min() if np.all(price == price[0]) else 0.0
    where = every[y @ price > bound + step - 1e-6]
    for _ in range(rounds):
        if not where.size:
            break
        ip = np.rint(program.solve(where, y, integer=True)).astype(np.int64)
        cheaper = ip @ price < y[where] @ price - 1e-9
        where, ip = where[cheaper], ip[cheaper]
        if not where.size:
            break
        value, error = judge.estimate(_put(y, where, ip), where)
        room = goal.room(value, error, where)
        missed = room < 0
        met = ~missed.any(axis=(0, 2))
        y[where[met]] = ip[met]
        trial = _put(y, where, ip)
        program.add_cuts(trial, room, missed, _differences(judge, trial, value, where), where)
        where = where[~met]
    return y


def _put(y, where, rows) -> np.ndarray:
    """``y`` with the rows ``where`` replaced by ``rows``."""
    out = y.copy()
    out[where] = rows
    return out


def _remove_while_met(judge, goal, y, price) -> np.ndarray:
    """Remove agents per interval while every target still holds: each round removes ``step``
    agents of the dearest removable group (then the one standing most above the neighbouring
    intervals, then the one leaving the most room); the step
    doubles after a success and halves when no group can give that many up, so that an
    interval staffed far above its need comes down in a few rounds."""
    y = y.copy()
    G = y.shape[1]
    where = np.arange(len(y))
    step = np.ones(len(y), np.int64)
    while where.size:
        s = step[where]
        room = np.full((G, where.size), -np.inf)
        for g in np.argsort(-price, kind="stable"):
            can = y[where, g] >= s
            if not can.any():
                continue
            trial = y.copy()
            trial[where[can], g] -= s[can]
            least = goal.room(*judge.estimate(trial, where[can]), where[can]).min(axis=(0, 2))
            room[g, can] = np.where(least >= 0, least, -np.inf)
        feasible = np.isfinite(room)
        # between equal costs, the group that stands most above its neighbouring intervals
        above = (
            y[where] - 0.5 * (y[np.maximum(where - 1, 0)] + y[np.minimum(where + 1, len(y) - 1)])
        ).T
        score = price[:, None] * 1e9 + np.clip(above, -1e3, 1e3) * 1e5 + np.clip(room, -1, 1e4)
        best = np.argmax(np.where(feasible, score, -np.inf), axis=0)
        take = feasible.any(axis=0)
        y[where[take], best[take]] -= s[take]
        step[where] = np.where(take, 2 * s, s // 2)
        where = where[step[where] > 0]
    return y


def _checked_shifts(shifts, index) -> pd.DataFrame:
    """The shifts' shares on the phones, aligned to the intervals; one-line errors."""
    if not isinstance(shifts, pd.DataFrame):
        raise TypeError(f"shifts must be a DataFrame, got {type(shifts).__name__}")
    if not shifts.index.equals(index):
        raise ValueError("shifts must be indexed like volume (one row per interval)")
    values = shifts.to_numpy(float)
    if not np.all(np.isfinite(values)) or (values < 0).any() or (values > 1).any():
        raise ValueError("shifts must hold shares on the phones in [0, 1]")
    empty = shifts.columns[values.sum(axis=0) <= 0]
    if len(empty):
        raise ValueError(f"shifts {list(empty[:5])} cover no interval")
    return shifts


def _covered_by_shifts(need, shifts, shift_cost) -> np.ndarray:
    """Agents on the phones (T, G) of the cheapest whole shifts putting at least ``need``
    (T, G) on the phones in every interval, group by group."""
    A = sparse.csr_array(shifts)
    out = np.zeros_like(need)
    for g in range(need.shape[1]):
        if not need[:, g].any():
            continue
        result = milp(
            shift_cost,
            integrality=np.ones(A.shape[1]),
            constraints=LinearConstraint(A, need[:, g] - 1e-9, np.inf),
            bounds=Bounds(0, np.inf),
            options={"mip_rel_gap": 0.01},
        )
        if result.x is None:
            raise RuntimeError(f"covering the separate pools by shifts failed: {result.message}")
        out[:, g] = np.floor(A @ np.rint(result.x) + 0.5).astype(np.int64)
    return out


def _prices(cost, names) -> np.ndarray:
    price = np.ones(len(names))
    if cost is None:
        return price
    unknown = sorted(set(cost) - set(names))
    if unknown:
        raise ValueError(f"cost names unknown groups {unknown}")
    price = np.array([float(cost.get(g, 1.0)) for g in names])
    if not np.all(np.isfinite(price)) or (price <= 0).any():
        raise ValueError(f"cost must be positive, got {dict(zip(names, price, strict=True))}")
    return price


def _exact(volume, alone, staffing, interval) -> np.ndarray:
    """(queues, intervals, 4): Erlang metrics of each queue on its own pool (the control
    variate's known means)."""
    out = np.empty((len(alone.queues), len(volume), 4))
    for q, queue in enumerate(alone.queues):
        k = kpis(
            volume[queue.name].to_numpy(float),
            queue.aht * alone.groups[q].factor(queue.name),
            staffing[:, q],
            interval=interval,
            patience=queue.patience,
            targets=queue.targets,
        )
        out[q] = k[list(METRICS)].to_numpy(float)
    return out


def _alone(centre, chosen) -> Centre:
    """The centre with each queue served by its own pool: a copy of its chosen group that
    takes that queue only."""
    groups = []
    for q, g in enumerate(chosen):
        queue, group = centre.queues[q].name, centre.groups[g]
        groups.append(AgentGroup(f"{group.name}/{queue}", [queue], aht_factor=group.factor(queue)))
    return Centre(centre.queues, groups)


def _separate_pools(volume, centre, price, interval):
    """Erlang staffing of each queue on its own, its agents in the cheapest group that takes
    it at once (the fewest skills breaking ties); the staffing and each queue's group."""
    delay, _, factor, _ = centre.routing()
    out = np.zeros((len(volume), len(centre.groups)), np.int64)
    chosen = []
    for q, queue in enumerate(centre.queues):
        ready = np.flatnonzero(delay[:, q] == 0.0)
        if not ready.size:
            raise ValueError(f"queue {queue.name!r}: no group answers it without an overflow wait")
        skills = np.array([len(centre.groups[g].skills) for g in ready])
        g = ready[np.lexsort((skills, price[ready]))[0]]
        chosen.append(int(g))
        n = required_agents(
            volume[queue.name].to_numpy(float),
            queue.aht * factor[g, q],
            interval=interval,
            patience=queue.patience,
            targets=queue.targets.without("max_occupancy", "max_blocking"),
        )
        out[:, g] += np.asarray(n, np.int64)
    return pd.DataFrame(out, index=volume.index, columns=centre.group_names), chosen

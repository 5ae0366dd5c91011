"""Agents of each group per interval that meet every queue's targets at least cost, by simulation.

The method is the simulation-based search of Avramidis, Chan & L'Ecuyer (2009): start from a
staffing that meets the targets, the queues planned as separate pools with exact Erlang
staffing, then remove agents one at a time, each time the agent whose removal saves the most
while every queue still meets its targets in simulation, until no agent can go. Each interval
is judged in its steady state: the intervals are laid side by side as long segments of
constant load and staffing, so that one run of the routing kernel judges a candidate in every
interval at once, and every candidate sees the same calls (common random numbers), which makes
the comparisons between candidates sharp.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..metrics import kpis
from ..staffing import required_agents
from .centre import AgentGroup, Centre
from .kernel import ABANDONED, ANSWERED, route_calls
from .simulation import CentreSimulation, _wide, simulate_centre

__all__ = ["CentreStaffing", "staff_centre"]

_BATCHES = 10


@dataclass(frozen=True)
class CentreStaffing:
    """Agents per group and interval for a multi-skill centre.

    Attributes
    ----------
    staffing : pandas.DataFrame
        Agents of each group (columns) per interval (index).
    separate : pandas.DataFrame
        The queues planned as separate pools: each queue's agents in the cheapest group that
        takes it at once, serving that queue only, found by the same search from Erlang
        staffing per queue (so that the saving compares like with like).
    cost : pandas.Series
        Cost per interval of ``staffing`` (agents times group cost).
    separate_cost : pandas.Series
        Cost per interval of ``separate``.
    check : CentreSimulation
        An independent simulation of ``staffing`` (its own random numbers), whose confidence
        intervals judge the result.
    evaluations : int
        Candidate staffings simulated in the search (each over every interval at once).
    """

    staffing: pd.DataFrame
    separate: pd.DataFrame
    cost: pd.Series
    separate_cost: pd.Series
    check: CentreSimulation
    evaluations: int

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
    flexible: float = 0.15,
    check_replications: int = 10,
) -> CentreStaffing:
    """Fewest-cost agents of each group per interval meeting every queue's targets.

    Parameters
    ----------
    volume : pandas.DataFrame
        Contacts per interval, one column per queue (or long ``unique_id``, ``ds``, ``y``).
    centre : Centre
        Queues with their targets (service level, answer rate, ASA, abandonment are judged;
        occupancy and blocking targets are not), groups and routing.
    cost : mapping of str to float, optional
        Cost of one agent of each group per interval (default 1 each: fewest agents).
    interval : int
        Interval length. [s]
    segment : float
        Simulated time judging each interval in its steady state. [s]
    warmup : float
        Start of each segment left out: the queue starts from the previous segment's state,
        and the segments run from the busiest interval to the quietest, so that what is left
        of that state errs on the side of a fuller queue. [s]
    seed : int or None
        Seed of the calls; the same seed gives the same staffing.
    margin : float
        Standard errors (batch means over ten batches of each segment) by which a queue's
        simulated service level and answer rate must clear their targets for a removal to be
        accepted: every candidate is judged on the same calls, and without a margin the search
        would keep whatever that sample's luck allows.
    flexible : float
        Share of the separate pools' agents of each queue added to the groups that take
        several queues at once, before the search removes agents (so that it can keep
        cross-trained agents where pooling pays).
    check_replications : int
        Replications of the independent check simulation of the result (``interval`` long
        each, calls as :func:`simulate_centre` draws them).

    Returns
    -------
    CentreStaffing

    Notes
    -----
    Steady-state estimates from a few hours of simulation are noisy (waits are correlated
    within a busy spell). Each estimate is therefore corrected with a control variate
    (Lavenberg & Welch, 1981): the same calls served by each queue's own Erlang pool, whose
    exact metrics are known; the simulation's error on the control is taken off the estimate,
    and most of the sampling noise goes with it. A removal is accepted when every queue's
    corrected estimate meets its targets, service level and answer rate by ``margin``
    batch-means standard errors of the corrected estimate; the check simulation (independent
    random numbers) states how near the boundary the result sits.

    References
    ----------
    Avramidis, A. N., Chan, W. and L'Ecuyer, P. (2009). Staffing multi-skill call centers via
    search methods and a performance approximation. IIE Transactions 41(6), 483-497.
    Cezik, M. T. and L'Ecuyer, P. (2008). Staffing multiskill call centers via linear
    programming and simulation. Management Science 54(2), 310-323.
    Lavenberg, S. S. and Welch, P. D. (1981). A perspective on the use of control variables to
    increase the efficiency of Monte Carlo simulations. Management Science 27(3), 322-335.
    """
    volume = _wide(volume, "volume", centre.queue_names)
    if not segment > warmup >= 0:
        raise ValueError(f"segment={segment!r} must exceed warmup={warmup!r} >= 0")
    names = centre.group_names
    price = np.ones(len(names))
    if cost is not None:
        unknown = sorted(set(cost) - set(names))
        if unknown:
            raise ValueError(f"cost names unknown groups {unknown}")
        price = np.array([float(cost.get(g, 1.0)) for g in names])
        if not np.all(np.isfinite(price)) or (price <= 0).any():
            raise ValueError(f"cost must be positive, got {dict(zip(names, price, strict=True))}")
    erlang_pools, chosen = _separate_pools(volume, centre, price, interval)
    start = erlang_pools.to_numpy(np.int64)
    alone = _alone(centre, chosen)
    control = (
        alone.routing(),
        start[:, chosen],
        _exact(volume, alone, start[:, chosen], interval),
    )
    args = (volume, interval, segment, warmup, seed, margin, control)
    y, evaluations = _search(
        centre, start + _flexible_start(erlang_pools, centre, flexible), price, *args
    )
    # the same search with each queue on its own pool judges the saving on equal terms
    y_alone, more = _search(alone, start[:, chosen], price[chosen], *args)
    evaluations += more
    separate = np.zeros_like(y)
    for q, g in enumerate(chosen):
        separate[:, g] += y_alone[:, q]
    separate = pd.DataFrame(separate, index=volume.index, columns=names)
    staffing = pd.DataFrame(y, index=volume.index, columns=names)
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
        separate=separate,
        cost=pd.Series(y @ price, index=volume.index, name="cost"),
        separate_cost=pd.Series(separate.to_numpy() @ price, index=volume.index, name="cost"),
        check=check,
        evaluations=evaluations,
    )


def _search(centre, y, price, volume, interval, segment, warmup, seed, margin, control):
    """Agents added where targets are missed, then removed one at a time while they hold;
    the staffing and the number of candidates simulated."""
    judge = _Judge(volume, centre, interval, segment, warmup, seed, margin, control)
    y = np.array(y, dtype=np.int64)
    # where Erlang's pools miss (slower tiers, overflow rules, the margin), add agents first
    while True:
        add = judge.helpers(y)
        if not add.any():
            break
        y += add
    G = y.shape[1]
    open_ = np.ones(len(y), bool)
    while open_.any():
        slack = np.full((G, len(y)), -np.inf)
        for g in range(G):
            trial = y.copy()
            can = open_ & (y[:, g] > 0)
            trial[can, g] -= 1
            room = judge.slack(trial)
            slack[g] = np.where(can & (room >= 0), room, -np.inf)
        # per interval the removable group that saves most; between equal savings the one
        # whose removal leaves the most room under the targets
        feasible = np.isfinite(slack)
        score = np.where(feasible, price[:, None] * 1e6 + np.minimum(slack, 1e5), -np.inf)
        best = np.argmax(score, axis=0)
        take = feasible.any(axis=0) & open_
        y[take, best[take]] -= 1
        open_ &= take
    return y, judge.evaluations


def _exact(volume, alone, staffing, interval) -> np.ndarray:
    """(queues, intervals, 4): Erlang service level, answer rate, ASA [s] and abandon rate of
    each queue on its own pool (the control variate's known means)."""
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
        out[q] = k[["service_level", "answer_rate", "asa", "abandon_rate"]].to_numpy(float)
    return out


def _alone(centre, chosen) -> Centre:
    """The centre with each queue served by its own pool: a copy of its chosen group that
    takes that queue only."""
    groups = []
    for q, g in enumerate(chosen):
        queue, group = centre.queues[q].name, centre.groups[g]
        groups.append(AgentGroup(f"{group.name}/{queue}", [queue], aht_factor=group.factor(queue)))
    return Centre(centre.queues, groups)


def _flexible_start(separate, centre, share) -> np.ndarray:
    """Agents added to the groups that take several queues at once: ``share`` of each such
    queue's separate agents, split among those groups."""
    delay = centre.routing()[0]
    flex = (delay == 0.0).sum(axis=1) >= 2
    add = np.zeros(separate.shape, np.int64)
    if not flex.any() or share <= 0:
        return add
    per_queue = np.zeros((len(separate), delay.shape[1]))
    for q in range(delay.shape[1]):
        dedicated = (delay[:, q] == 0.0) & ~flex
        per_queue[:, q] = separate.to_numpy()[:, dedicated].sum(axis=1) if dedicated.any() else 0
    takers = ((delay == 0.0) & flex[:, None]).sum(axis=0)  # flexible groups per queue
    for g in np.flatnonzero(flex):
        mine = (delay[g] == 0.0) & (takers > 0)
        add[:, g] = np.ceil(share * (per_queue[:, mine] / takers[mine]).sum(axis=1))
    return add


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


class _Judge:
    """Judges staffings of every interval at once on one fixed set of calls."""

    def __init__(self, volume, centre, interval, segment, warmup, seed, margin, control):
        self.margin = float(margin)
        rng = np.random.default_rng(seed)
        self.centre = centre
        self.routing = centre.routing()
        T, Q = volume.shape
        rates = volume.to_numpy(float) / interval * segment  # calls per segment
        # segment j judges interval place[j]: the busiest first (see ``warmup``)
        place = np.argsort(
            -(rates * np.array([q.aht for q in centre.queues])).sum(axis=1), kind="stable"
        )
        self.place = place
        counts = rng.poisson(rates[place])
        k = np.repeat(np.arange(T), counts.sum(axis=1))
        queue = np.concatenate([np.repeat(np.arange(Q), row) for row in counts]).astype(np.int64)
        arrival = (k + rng.random(k.size)) * segment
        order = np.argsort(arrival, kind="stable")
        self.arrival, self.queue, self.k = arrival[order], queue[order], k[order]
        aht = np.array([q.aht for q in centre.queues])
        mean_patience = np.array(
            [np.inf if q.patience is None else q.patience for q in centre.queues]
        )
        self.service = rng.exponential(1.0, k.size) * aht[self.queue]
        self.patience = rng.exponential(1.0, k.size) * mean_patience[self.queue]
        since = self.arrival - self.k * segment - warmup
        self.counted = since >= 0
        # batches of the counted part of each segment, for batch-means standard errors:
        # waits in one segment are correlated, so calls are not independent trials
        self.batch = np.minimum(
            (since / (segment - warmup) * _BATCHES).astype(np.int64), _BATCHES - 1
        )
        self.step_time = np.arange(T, dtype=float) * segment
        self.T, self.Q = T, Q
        self.targets = [q.targets for q in centre.queues]
        self.volume = volume.to_numpy(float)
        self.evaluations = 0
        per_queue = np.array(
            [[float(np.max(t.threshold)), float(np.max(t.cutoff)),
              -1.0 if t.short_abandon is None else float(np.max(t.short_abandon))]
             for t in self.targets]
        )  # fmt: skip
        self.threshold, self.cutoff = per_queue[self.queue, 0], per_queue[self.queue, 1]
        self.short = self.patience <= per_queue[self.queue, 2]
        self.cell = ((self.queue * T + self.k) * _BATCHES + self.batch)[self.counted]
        counted = np.bincount(
            (self.queue * T + self.k)[self.counted & ~self.short], minlength=Q * T
        ).reshape(Q, T)
        self.counted_calls = np.empty((Q, T))
        self.counted_calls[:, place] = counted
        # control variate: each queue alone on its Erlang pool, simulated on the same calls,
        # whose exact metrics are known; its simulated error is taken off every estimate
        t = self._tallies(control[0], control[1])
        with np.errstate(invalid="ignore", divide="ignore"):
            self.control_batch = _metric_arrays(t)
            simulated = _metric_arrays(t.sum(axis=2))
        self.correction = np.nan_to_num(control[2] - simulated)

    def _tallies(self, routing, y) -> np.ndarray:
        """(queues, intervals, batches, 6): counted calls, answered within the threshold,
        within the cutoff, answered, their waits [s], abandons (short ones excluded)."""
        delay, rank, factor, priority = routing
        steps = np.ascontiguousarray(np.asarray(y)[self.place], dtype=np.int64)
        status, start, _, _ = route_calls(
            self.arrival, self.queue, self.service, self.patience, delay, rank, factor,
            priority, self.step_time, steps,
        )  # fmt: skip
        self.evaluations += 1
        wait = np.nan_to_num(start - self.arrival)
        answered = status == ANSWERED
        hit = np.stack(
            [
                ~self.short,
                answered & (wait <= self.threshold),
                answered & (wait <= self.cutoff),
                answered,
                np.where(answered, wait, 0.0),
                (status == ABANDONED) & ~self.short,
            ],
            axis=1,
        ).astype(float)[self.counted]
        size = self.Q * self.T * _BATCHES
        out = np.stack(
            [np.bincount(self.cell, weights=hit[:, j], minlength=size) for j in range(6)],
            axis=-1,
        ).reshape(self.Q, self.T, _BATCHES, 6)
        back = np.empty_like(out)
        back[:, self.place] = out  # segments back to interval order
        return back

    def estimate(self, y):
        """Per queue and interval: the metrics of ``y`` corrected by the control, and the
        batch-means standard errors of service level and answer rate (arrays (Q, T))."""
        t = self._tallies(self.routing, y)
        total = t.sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = _metric_arrays(total)
            batch = _metric_arrays(t)
            diff = batch - self.control_batch  # the control's noise cancels batch by batch
            se = np.nanstd(diff, axis=2, ddof=1) / np.sqrt(_BATCHES)
        corrected = raw + self.correction
        return corrected, se

    def slack(self, y) -> np.ndarray:
        """Per interval: the least room, over queues, of service level and answer rate above
        their targets in standard errors less ``margin`` (``inf`` when neither is targeted);
        ``-inf`` where ASA or abandonment misses its target."""
        value, se = self.estimate(y)
        room = np.full(self.T, np.inf)
        ok = np.ones(self.T, bool)
        for q, tg in enumerate(self.targets):
            for m, name in enumerate(("service_level", "answer_rate")):
                target = getattr(tg, name)
                if target is None:
                    continue
                v = np.nan_to_num(value[q, :, m], nan=1.0)
                binomial = np.sqrt(target * (1 - target) / np.maximum(self.counted_calls[q], 1.0))
                err = np.fmax(np.nan_to_num(se[q, :, m]), binomial)
                room = np.minimum(room, (v - float(np.max(target))) / err)
            if tg.asa is not None:
                ok &= ~(np.nan_to_num(value[q, :, 2]) > float(np.min(tg.asa)) + 1e-9)
            if tg.max_abandon is not None:
                ok &= ~(np.nan_to_num(value[q, :, 3]) > float(np.min(tg.max_abandon)) + 1e-9)
        return np.where(ok, room - self.margin, -np.inf)

    def helpers(self, y) -> np.ndarray:
        """(intervals, groups): one agent more in each group that takes at once a queue
        missing its targets (with the margin) in that interval."""
        value, se = self.estimate(y)
        missing = np.zeros((self.Q, self.T), bool)
        for q, tg in enumerate(self.targets):
            for m, name in enumerate(("service_level", "answer_rate")):
                target = getattr(tg, name)
                if target is None:
                    continue
                v = np.nan_to_num(value[q, :, m], nan=1.0)
                binomial = np.sqrt(target * (1 - target) / np.maximum(self.counted_calls[q], 1.0))
                err = np.fmax(np.nan_to_num(se[q, :, m]), binomial)
                missing[q] |= v - float(np.max(target)) < self.margin * err
            if tg.asa is not None:
                missing[q] |= np.nan_to_num(value[q, :, 2]) > float(np.min(tg.asa)) + 1e-9
            if tg.max_abandon is not None:
                missing[q] |= np.nan_to_num(value[q, :, 3]) > float(np.min(tg.max_abandon)) + 1e-9
        ready = (self.routing[0] == 0.0).astype(np.int64)  # (groups, queues)
        return np.minimum(missing.T.astype(np.int64) @ ready.T, 1)


def _metric_arrays(t) -> np.ndarray:
    """Service level, answer rate, ASA [s], abandon rate from tallies (last axis 6)."""
    counted, within, cutoff, answered, waits, abandoned = (t[..., j] for j in range(6))
    return np.stack(
        [within / counted, cutoff / counted, waits / answered, abandoned / counted], axis=-1
    )

"""One fixed set of calls on which every candidate staffing of a centre is judged.

Each interval is judged in its steady state: the intervals are laid side by side as long
segments of constant load and staffing, so that one run of the routing kernel judges a candidate
in every interval at once, and every candidate sees the same calls (common random numbers),
which makes the differences between candidates sharp enough to steer a search.
"""

from __future__ import annotations

import warnings

import numpy as np

from .kernel import ABANDONED, ANSWERED, route_calls

METRICS = ("service_level", "answer_rate", "asa", "abandon_rate")
"""The per-queue metrics a judge estimates, in the order of its arrays' last axis."""

SENSE = np.array([1.0, 1.0, -1.0, -1.0])
"""+1 where a metric must reach its target (at least), -1 where it must stay under it."""

_BATCHES = 10


class Judge:
    """Judges staffings of every interval at once on one fixed set of calls.

    Parameters
    ----------
    volume : pandas.DataFrame
        Contacts per interval, one column per queue in the centre's order.
    centre : Centre
        Queues, groups and routing.
    interval : int
        Interval length. [s]
    segment : float
        Simulated time judging each interval. [s]
    warmup : float
        Start of each segment left out of the estimates. The segments run from the busiest
        interval to the quietest, so that what is left of the previous segment's queue errs on
        the side of a fuller queue. [s]
    seed : int or None
        Seed of the calls.
    control : tuple
        ``(routing, staffing, exact)``: each queue alone on its own pool, its staffing (T, Q)
        and the exact metrics of that pool (Q, T, 4). The same calls served by these pools are
        a control variate (Lavenberg & Welch, 1981): the simulation's error on them is taken off
        every estimate in proportion to how closely the estimate moves with the control
        (the least-squares coefficient over the batches), and most of the sampling noise goes
        with it.
    """

    def __init__(self, volume, centre, interval, segment, warmup, seed, control):
        rng = np.random.default_rng(seed)
        self.routing = centre.routing()
        T, Q = volume.shape
        rates = volume.to_numpy(float) / interval * segment  # calls per segment
        aht = np.array([q.aht for q in centre.queues])
        # segment j judges interval place[j]: the busiest first (see ``warmup``)
        self.place = np.argsort(-(rates * aht).sum(axis=1), kind="stable")
        counts = rng.poisson(rates[self.place])
        k = np.repeat(np.arange(T), counts.sum(axis=1))
        queue = np.concatenate([np.repeat(np.arange(Q), row) for row in counts]).astype(np.int64)
        arrival = (k + rng.random(k.size)) * segment
        order = np.argsort(arrival, kind="stable")
        self.arrival, self.queue, self.k = arrival[order], queue[order], k[order]
        mean_patience = np.array(
            [np.inf if q.patience is None else q.patience for q in centre.queues]
        )
        self.service = rng.exponential(1.0, k.size) * aht[self.queue]
        self.patience = rng.exponential(1.0, k.size) * mean_patience[self.queue]
        since = self.arrival - self.k * segment - warmup
        self.counted = since >= 0
        # batches of the counted part of each segment for batch-means standard errors: waits
        # within a segment are correlated, so calls are not independent trials
        self.batch = np.minimum(
            (since / (segment - warmup) * _BATCHES).astype(np.int64), _BATCHES - 1
        )
        # the calls of segment j are arrival[first[j]:first[j + 1]]
        self.first = np.searchsorted(self.k, np.arange(T + 1))
        self.segment = float(segment)
        self.rank_of = np.empty(T, np.int64)
        self.rank_of[self.place] = np.arange(T)
        self.T, self.Q = T, Q
        targets = [q.targets for q in centre.queues]
        per_queue = np.array(
            [[float(np.max(t.threshold)), float(np.max(t.cutoff)),
              -1.0 if t.short_abandon is None else float(np.max(t.short_abandon))]
             for t in targets]
        )  # fmt: skip
        self.threshold, self.cutoff = per_queue[self.queue, 0], per_queue[self.queue, 1]
        # callers who would hang up within the short-abandon time: if they do, they are left
        # out of every rate (misdials), as in the service-level definitions of erlang.metrics
        self.hasty = self.patience <= per_queue[self.queue, 2]
        counted = np.bincount((self.queue * T + self.k)[self.counted], minlength=Q * T)
        self.counted_calls = np.empty((Q, T))
        self.counted_calls[:, self.place] = counted.reshape(Q, T)
        self.evaluations = 0
        everything = np.arange(T)
        t = self._tallies(control[0], control[1], everything)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.control_batch = metric_arrays(t)
            simulated = metric_arrays(t.sum(axis=2))
        self.control_error = np.nan_to_num(simulated - control[2])

    def _tallies(self, routing, y, where) -> np.ndarray:
        """(queues, len(where), batches, 6) for the intervals ``where``: counted calls,
        answered within the threshold, within the cutoff, answered, their waits [s], abandons
        (short ones left out).

        Only the segments of ``where`` are simulated, laid end to end in their usual order; a
        segment then starts from the queue its new predecessor leaves, which the warm-up
        absorbs."""
        delay, rank, factor, priority = routing
        where = np.asarray(where, np.int64)
        seg = np.sort(self.rank_of[where])  # the segments, in the order they always run
        lo, hi = self.first[seg], self.first[seg + 1]
        sizes = hi - lo
        n = int(sizes.sum())
        # indices of every call of those segments, without a loop over segments
        starts = np.repeat(lo - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
        idx = starts + np.arange(n)
        slot = np.repeat(np.arange(seg.size), sizes)  # position of each call's segment
        arrival = self.arrival[idx] + (slot - self.k[idx]) * self.segment
        steps = np.ascontiguousarray(np.asarray(y)[self.place[seg]], dtype=np.int64)
        status, start, _, _ = route_calls(
            arrival, self.queue[idx], self.service[idx], self.patience[idx], delay, rank,
            factor, priority, np.arange(seg.size, dtype=float) * self.segment, steps,
        )  # fmt: skip
        self.evaluations += 1
        wait = np.nan_to_num(start - arrival)
        answered = status == ANSWERED
        short = (status == ABANDONED) & self.hasty[idx]
        counted = self.counted[idx]
        hit = np.stack(
            [
                ~short,
                answered & (wait <= self.threshold[idx]),
                answered & (wait <= self.cutoff[idx]),
                answered,
                np.where(answered, wait, 0.0),
                (status == ABANDONED) & ~short,
            ],
            axis=1,
        ).astype(float)[counted]
        S = seg.size
        cell = ((self.queue[idx] * S + slot) * _BATCHES + self.batch[idx])[counted]
        size = self.Q * S * _BATCHES
        out = np.stack(
            [np.bincount(cell, weights=hit[:, j], minlength=size) for j in range(6)], axis=-1
        ).reshape(self.Q, S, _BATCHES, 6)
        # back to the order of ``where``
        return out[:, np.searchsorted(seg, self.rank_of[where])]

    def estimate(self, y, where=None):
        """Metrics of staffing ``y`` (intervals, groups) per queue in the intervals ``where``.

        Parameters
        ----------
        y : ndarray (T, G)
            Agents of each group per interval (only the rows ``where`` are used).
        where : ndarray of int, optional
            Intervals to judge (default all).

        Returns
        -------
        value : ndarray (Q, len(where), 4)
            Service level, answer rate, ASA [s] and abandon rate, corrected by the control;
            where a queue had no counted call, the best value (1, 1, 0, 0).
        error : ndarray (Q, len(where), 4)
            Their batch-means standard errors.
        """
        where = np.arange(self.T) if where is None else np.asarray(where, np.int64)
        t = self._tallies(self.routing, y, where)
        control_batch = self.control_batch[:, where]
        # a queue without calls in a batch gives empty slices: their NaNs are meant
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            raw = metric_arrays(t.sum(axis=2))
            batch = metric_arrays(t)
            # the control's coefficient from the batches (least squares), kept in [0, 1]: a
            # candidate far from the control (a queue answered at once whatever happens)
            # moves with it little, and is corrected little
            r = batch - np.nanmean(batch, axis=2, keepdims=True)
            c = control_batch - np.nanmean(control_batch, axis=2, keepdims=True)
            beta = np.clip(
                np.nan_to_num(np.nansum(r * c, axis=2) / np.nansum(c * c, axis=2)), 0, 1
            )
            diff = batch - beta[:, :, None, :] * control_batch
            error = np.nanstd(diff, axis=2, ddof=1) / np.sqrt(_BATCHES)
        value = raw - beta * self.control_error[:, where]
        best = np.array([1.0, 1.0, 0.0, 0.0])
        value = np.where(np.isnan(value), best, value)
        return value, np.nan_to_num(error)


def metric_arrays(t) -> np.ndarray:
    """Service level, answer rate, ASA [s], abandon rate from tallies (last axis 6)."""
    counted, within, cutoff, answered, waits, abandoned = (t[..., j] for j in range(6))
    return np.stack(
        [within / counted, cutoff / counted, waits / answered, abandoned / counted], axis=-1
    )

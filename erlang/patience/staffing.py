"""Exact minimal staffing of the M/M/n+G queue, vectorized over intervals.

The same search as Erlang A staffing (:func:`erlang.search.lattice_minimum`): every metric
of :class:`~erlang.patience.queue.PatienceQueue` improves as agents are added, so the fewest
agents meeting every target is found by probing pairs ``(k - 1, k)`` for all intervals in
lockstep, starting from the Erlang A count at the law's mean patience (Erlang C where the
mean is infinite), which is usually within a few agents.
"""

import numpy as np

from ..search import illinois, lattice_minimum
from ..starts import erlang_a_start, square_root_start
from .queue import PatienceQueue


def _margin(load, aht, law, targets):
    def margin(agents, idx):
        tg = targets.take(idx)
        queue = PatienceQueue(load[idx], agents, aht[idx], law)
        queue.prepare(
            tg.threshold if tg.service_level is not None else None,
            tg.cutoff if tg.answer_rate is not None else None,
            tg.short_abandon,
        )
        return tg.margin(queue)

    return margin


def law_minimum(law):
    """A solver with the signature of ``erlang.minimum.productive_minimum`` for ``law``.

    The returned function ignores the numeric ``patience`` and ``trunks`` it is passed (trunks
    are refused before); it gives the productive agents per interval, real-valued with
    ``fractional``.
    """

    def solve(load, aht, patience, targets, fractional, trunks=None):
        out = np.zeros(load.shape)
        busy = np.flatnonzero(load > 0.0)
        if not busy.size:
            return out
        a, h, tg = load[busy], aht[busy], targets.take(busy)
        upper = np.maximum(np.ceil(square_root_start(a, h, tg)), 1.0)
        mean = law.mean
        start = upper
        if np.isfinite(mean):
            start = erlang_a_start(a, h, np.full(a.shape, mean), tg, upper)
        margin = _margin(a, h, law, tg)
        agents = lattice_minimum(margin, np.maximum(start, 1.0), np.ones(a.shape))
        if fractional:
            lower = np.maximum(agents - 1.0, 0.0)
            feasible_low = (lower > 0.0) & (margin(lower, np.arange(a.size)) >= 0.0)
            _, root = illinois(margin, np.maximum(lower, 1e-9), agents.copy(), xtol=1e-9)
            agents = np.where(feasible_low, lower, root)
        out[busy] = agents
        return out

    return solve

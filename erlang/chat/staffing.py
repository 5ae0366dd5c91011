"""Exact chat staffing: the fewest whole agents whose chat queue meets every target."""

import numpy as np

from ..inputs import wrap
from ..minimum import ceil_scheduled, common_arrays
from ..search import lattice_minimum
from ..starts import square_root_start
from ..targets import Targets
from .chain import ChatQueue
from .metrics import check_chat


def required_chat_agents(
    volume, aht, *, chat, goals, interval, patience, shrinkage, min_agents, fractional, trunks
):
    """:func:`erlang.required_agents` with ``chat=``: scheduled whole agents per interval.

    ``goals`` are the resolved targets (:meth:`erlang.Targets.resolve`); the other arguments as
    in :func:`erlang.required_agents`.

    Every metric of the chat chain improves with each agent added (the throughput is concave,
    so an added agent raises the service rate in every state), so the search of
    :func:`erlang.search.lattice_minimum` ends on the exact minimum: ``n`` productive agents
    meet every target, ``n - 1`` do not. It starts from the square-root staffing of the queue
    of full agents (each finishing a session every ``aht / R(k)`` seconds), which the chat
    queue needs at least as many agents as, less or more by a few.
    """
    check_chat(chat, trunks)
    if fractional:
        raise ValueError("fractional=True is not supported with chat=: agents are whole")
    if goals["max_blocking"] is not None:
        raise ValueError("max_blocking needs trunks, which chat= does not support")
    volume, aht, interval, patience, min_agents, form, targets = common_arrays(
        volume, aht, interval, patience, shrinkage, min_agents, "volume", goals
    )
    shape = volume.shape
    volume, aht, interval, patience = (x.ravel() for x in (volume, aht, interval, patience))
    load = volume * aht / interval
    productive = np.zeros(load.shape)
    busy = np.flatnonzero(load > 0.0)
    if busy.size:
        productive[busy] = _minimum(
            load[busy], aht[busy], patience[busy], targets.take(busy), chat.rates
        )
    scheduled = np.maximum(ceil_scheduled(productive, shrinkage).reshape(shape), min_agents)
    return wrap(np.ceil(scheduled).astype(np.int64), form)


def _minimum(load, aht, patience, targets: Targets, rates):
    full_rate = rates[-1]
    floor = np.ones(load.shape)
    if targets.needs_queue:
        # Without patience the queue is stable only above the load of full agents.
        stable = np.floor(load / full_rate) + 1.0
        floor = np.where(np.isinf(patience), np.maximum(floor, stable), floor)

    def margin(agents, idx):
        queue = ChatQueue(load[idx], agents, aht[idx], patience[idx], rates)
        return targets.take(idx).margin(queue)

    start = square_root_start(load / full_rate, aht / full_rate, targets)
    return lattice_minimum(margin, np.ceil(start), floor)

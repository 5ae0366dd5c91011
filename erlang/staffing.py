"""Staffing: the fewest agents that meet every service target at once
(:func:`required_agents`, for the plain queue, with redials or for chat), and the inverse
(:func:`max_volume`). The searches for the plain queue are in :mod:`erlang.minimum`."""

import numpy as np

from .inputs import Numeric, wrap
from .minimum import (
    ceil_scheduled,
    common_arrays,
    productive_minimum,
    raise_if_too_few,
    trunk_array,
)
from .offered_load import effective_volume
from .patience.queue import erlang_a_options, split_patience
from .patience.staffing import law_minimum
from .queue import Queue
from .redials import required_agents_with_redials
from .search import illinois
from .targets import Targets
from .trunks import TrunkQueue, check_trunks

_CHUNK = 1 << 15
_LOADS = ("stationary", "modified")


def required_agents(
    volume: Numeric,
    aht: Numeric,
    *,
    interval: Numeric = 1800.0,
    service_level: Numeric | None = 0.8,
    threshold: Numeric = 20.0,
    asa: Numeric | None = None,
    max_abandon: Numeric | None = None,
    answer_rate: Numeric | None = None,
    cutoff: Numeric = 60.0,
    max_occupancy: Numeric | None = None,
    patience: Numeric | None = None,
    short_abandon: Numeric | None = None,
    shrinkage: float = 0.0,
    min_agents: Numeric = 0,
    fractional: bool = False,
    trunks: Numeric | None = None,
    max_blocking: Numeric | None = None,
    targets: Targets | None = None,
    load: str = "stationary",
    chat=None,
    redials=None,
) -> Numeric:
    """Fewest agents per interval that meet every given target at once.

    Parameters
    ----------
    volume : numeric
        Contacts offered per interval. [contacts]
    aht : numeric
        Average handle time. [s]
    interval : numeric, default 1800
        Interval length. [s]
    service_level : numeric or None, default 0.8
        Minimum share answered within ``threshold`` (see :func:`erlang.service_level`).
    threshold : numeric, default 20
        Service-level answer time. [s]
    asa : numeric or None
        Maximum mean wait of answered contacts. [s]
    max_abandon : numeric or None
        Maximum abandonment rate (only binds with ``patience``).
    answer_rate : numeric or None
        Minimum share answered within ``cutoff`` (the hotline answer rate).
    cutoff : numeric, default 60
        Answer-rate cutoff. [s]
    max_occupancy : numeric or None
        Maximum occupancy, in (0, 1].
    patience : numeric, patience law or None
        Mean caller patience for Erlang A; None for Erlang C. [s] A patience law (e.g.
        ``erlang.Weibull.from_mean(60, 0.6)``) staffs the M/M/n+G queue exactly; not with
        ``trunks``.
    short_abandon : numeric or None
        Callers hanging up within this time are left out of the service level and the
        abandonment rate, per interval or for all. [s]
    shrinkage : float, default 0
        Share of scheduled time not on the phones; the scheduled count is
        ``ceil(productive / (1 - shrinkage))``.
    min_agents : numeric, default 0
        Floor on the returned (scheduled) count per interval, e.g. 8 by day and 2 at night.
    fractional : bool, default False
        Return the real-valued minimum (continuous extension of the formulas) instead of the
        integer one. Not available with ``trunks``.
    trunks : numeric or None
        Trunk lines per interval (see :func:`erlang.blocking`): at most this many callers in
        the system. The agents on the phones never exceed it; rates are over offered callers,
        blocked ones included. None (or ``inf``) for no cap.
    max_blocking : numeric or None
        Maximum share of offered callers who get busy tone; needs ``trunks``.
    targets : Targets, optional
        Every target as one value (e.g. ``Targets.hotline()``), instead of the keywords
        above, which must then be left at their defaults.
    load : {'stationary', 'modified'}, default 'stationary'
        ``'stationary'``: each interval at its own load ``volume * aht / interval``.
        ``'modified'``: each interval at its modified offered load
        (:func:`erlang.modified_offered_load`, the interval mean), i.e. at the effective volume
        ``m * interval / aht``, which corrects for calls in service lagging behind the arrivals
        when the handle time is long against the interval (fewer agents on a steep rise, more
        after a fall). ``volume`` is then read in time order along its last axis.
    chat : erlang.Chat, optional
        Agents serve up to ``chat.max_sessions`` sessions at once (:mod:`erlang.chat`);
        ``aht`` is then the handle time of a session served alone. Whole agents only: not
        with ``fractional`` or ``trunks``, nor with ``redials``.
    redials : Redials, optional
        Callers who call again after abandoning or busy tone (an :class:`erlang.Redials`);
        ``volume`` is then the fresh callers, and the targets are met on the attempts or on
        the callers (:func:`erlang.redials.required_agents_with_redials`), by the fixed point
        or, with ``Redials(..., method="chain")``, by the exact retrial chain
        (:mod:`erlang.retrial`; milliseconds per interval).

    Every target (``service_level``, ``threshold``, ``asa``, ``max_abandon``, ``answer_rate``,
    ``cutoff``, ``max_occupancy``, ``max_blocking``) may be a scalar or an array or Series that
    broadcasts with ``volume``, e.g. a stricter service level by day than at night; each interval
    is then staffed exactly for its own targets.

    Returns
    -------
    numeric
        Scheduled agents per interval, same shape as the input (a Series keeps its index).
        Zero volume gives ``min_agents``.

    Raises
    ------
    TrunksTooFew
        (a ``ValueError``) if in some interval no count of agents up to ``trunks`` meets every
        target; the message names the intervals.

    Notes
    -----
    The integer result ``n`` is exact: ``n`` productive agents meet every target and ``n - 1``
    do not (unless ``n`` is already the floor). Without ``patience`` this costs one incomplete
    gamma evaluation per interval plus a few Erlang B recursion steps; with ``patience`` each
    probe evaluates the Erlang A formulas.

    Under a trunk cap the service level, answer rate, ASA, abandonment and occupancy still
    improve with every added agent, but blocking falls with agents only when
    ``patience >= aht``; with shorter patience it rises (a served caller holds a trunk longer
    than one who hangs up), so the fewest agents meeting the other targets either meet
    ``max_blocking`` or no count does. The service level and answer rate net of short
    abandons can dip as agents are added under a cap; the search then checks every count
    between the fewest meeting the monotone targets and its first candidate.

    With ``load='modified'`` the exact minimum is that of the stationary formulas at the
    modified offered load, the pointwise stationary approximation with the lag of Green,
    Kolesar and Whitt (2007); it is exact for the approximation, not for the time-varying queue.

    References
    ----------
    S. Halfin, W. Whitt, "Heavy-traffic limits for queues with many exponential servers",
    Operations Research 29(3), 1981 (the starting point). O. Garnett, A. Mandelbaum, M. Reiman,
    M&SOM 4(3), 2002 (Erlang A). L. V. Green, P. J. Kolesar, W. Whitt, "Coping with
    time-varying demand when setting staffing requirements for a service system", POMS 16(1),
    2007 (the modified offered load).
    """
    if load not in _LOADS:
        raise ValueError(f"load must be one of {_LOADS}, got {load!r}")
    patience = erlang_a_options(patience, trunks, chat, redials)
    if redials is not None:
        return required_agents_with_redials(
            volume, aht, redials=redials, interval=interval, service_level=service_level,
            threshold=threshold, asa=asa, max_abandon=max_abandon, answer_rate=answer_rate,
            cutoff=cutoff, max_occupancy=max_occupancy, patience=patience,
            short_abandon=short_abandon, shrinkage=shrinkage, min_agents=min_agents,
            fractional=fractional, trunks=trunks, max_blocking=max_blocking, targets=targets,
            load=load,
        )  # fmt: skip
    if load == "modified":
        volume = effective_volume(volume, aht, interval=interval)
    goals = Targets.resolve(
        targets,
        service_level=service_level,
        threshold=threshold,
        asa=asa,
        max_abandon=max_abandon,
        answer_rate=answer_rate,
        cutoff=cutoff,
        max_occupancy=max_occupancy,
        max_blocking=max_blocking,
        short_abandon=short_abandon,
    )
    if chat is not None:
        from .chat.staffing import required_chat_agents  # numba: load on demand

        return required_chat_agents(
            volume, aht, chat=chat, goals=goals, interval=interval, patience=patience,
            shrinkage=shrinkage, min_agents=min_agents, fractional=fractional, trunks=trunks,
        )  # fmt: skip
    max_blocking = goals["max_blocking"]
    patience, law = split_patience(patience, trunks)
    solve = productive_minimum if law is None else law_minimum(law)
    volume, aht, interval, patience, min_agents, form, targets = common_arrays(
        volume, aht, interval, patience, shrinkage, min_agents, "volume", goals
    )
    shape = volume.shape
    trunks = trunk_array(trunks, shape, max_blocking, form.index)
    if trunks is not None and fractional:
        raise ValueError("fractional staffing is not defined under a trunk cap (whole agents)")
    volume, aht, interval, patience = (x.ravel() for x in (volume, aht, interval, patience))
    load = volume * aht / interval
    productive = np.zeros(load.shape)
    for lo in range(0, load.size, _CHUNK):
        part = slice(lo, lo + _CHUNK)
        capped = None if trunks is None else trunks[part]
        productive[part] = solve(
            load[part], aht[part], patience[part], targets.take(part), fractional, capped
        )
    if trunks is not None:
        raise_if_too_few(productive, trunks, volume, form)
    if fractional:
        scheduled = productive / (1.0 - shrinkage)
    else:
        scheduled = ceil_scheduled(productive, shrinkage)
    scheduled = np.maximum(scheduled.reshape(shape), min_agents)
    if not fractional:
        scheduled = np.ceil(scheduled).astype(np.int64)
    return wrap(scheduled, form)


def max_volume(
    agents: Numeric,
    aht: Numeric,
    *,
    interval: Numeric = 1800.0,
    service_level: Numeric | None = 0.8,
    threshold: Numeric = 20.0,
    asa: Numeric | None = None,
    max_abandon: Numeric | None = None,
    answer_rate: Numeric | None = None,
    cutoff: Numeric = 60.0,
    max_occupancy: Numeric | None = None,
    patience: Numeric | None = None,
    short_abandon: Numeric | None = None,
    shrinkage: float = 0.0,
    trunks: Numeric | None = None,
    max_blocking: Numeric | None = None,
    targets: Targets | None = None,
) -> Numeric:
    """Most contacts per interval that ``agents`` handle within every given target.

    The inverse of :func:`required_agents`, with the same targets (scalars or per interval,
    as keywords or as one ``targets`` value).
    ``agents`` are scheduled agents; ``agents * (1 - shrinkage)`` of them are on the phones,
    whole under a trunk cap.

    Returns
    -------
    numeric
        Contacts per interval (real-valued), to a relative precision of 1e-10.
    """
    goals = Targets.resolve(
        targets,
        service_level=service_level,
        threshold=threshold,
        asa=asa,
        max_abandon=max_abandon,
        answer_rate=answer_rate,
        cutoff=cutoff,
        max_occupancy=max_occupancy,
        max_blocking=max_blocking,
        short_abandon=short_abandon,
    )
    max_blocking = goals["max_blocking"]
    agents, aht, interval, patience, _, form, targets = common_arrays(
        agents, aht, interval, patience, shrinkage, 0.0, "agents", goals
    )
    shape = agents.shape
    trunks = trunk_array(trunks, shape, max_blocking, form.index)
    productive, aht, interval, patience = (
        x.ravel() for x in (agents * (1.0 - shrinkage), aht, interval, patience)
    )
    if trunks is None:
        trunks = np.full(productive.shape, np.inf)
    else:
        check_trunks(trunks, productive)
    out = np.zeros(productive.shape)
    staffed = np.flatnonzero(productive > 0.0)
    if staffed.size:
        n, h, p, length = productive[staffed], aht[staffed], patience[staffed], interval[staffed]
        k, tg = trunks[staffed], targets.take(staffed)
        capped = np.isfinite(k).any()

        def margin(volume, idx):
            load = volume * h[idx] / length[idx]
            if capped:
                queue = TrunkQueue(load, n[idx], h[idx], p[idx], trunks=k[idx])
            else:
                queue = Queue(load, n[idx], h[idx], p[idx])
            return -tg.take(idx).margin(queue)  # decreasing in volume: flip so feasible is < 0

        every = np.arange(n.size)
        high = n * length / h
        for _ in range(64):
            grow = margin(high, every) <= 0.0
            if not grow.any():
                break
            high = np.where(grow, 2.0 * high, high)
        feasible_end, _ = illinois(margin, np.zeros(n.size), high, xtol=1e-10 * high)
        out[staffed] = feasible_end
    return wrap(out.reshape(shape), form)

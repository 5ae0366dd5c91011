"""The exact fewest agents of one plain queue per interval: the searches behind
:func:`erlang.required_agents`, and the input handling every staffing function shares.

A plain queue is Erlang C, Erlang A or a trunk cap, without redials or chat; those options
are layered on top (:mod:`erlang.redials`, :mod:`erlang.chat`) and call in here.

Every metric is monotone in the number of agents, so the minimum is found per interval by a
search that only ever moves in the right direction:

* Erlang C: one incomplete-gamma evaluation at a square-root-staffing start, then the Erlang B
  recursion ``B(n+1) = A B(n) / (n + 1 + A B(n))`` (or its inverse, downwards), stepped in
  lockstep over all intervals until each one sits on its minimum. The metrics at ``n`` follow
  from ``B(n)`` by arithmetic, so a step costs a few floating-point operations.
* Erlang A: no such recursion exists, so each probe is a closed-form evaluation. The search
  starts at the root of a heavy-traffic approximation and takes Newton steps on the integers
  from pairs of probes ``(k - 1, k)``, about three probes per interval in all
  (:func:`erlang.search.lattice_minimum`).

Both stop at ``n`` with ``n`` feasible and ``n - 1`` infeasible (or at the floor), which makes
the result the exact minimum rather than an approximation.
"""

from dataclasses import replace

import numpy as np
import pandas as pd

from .gamma import log_erlang_b
from .inputs import as_arrays, check_finite
from .queue import Queue
from .search import illinois, lattice_minimum
from .starts import erlang_a_start, square_root_start
from .targets import GOALS, Targets
from .trunks import TrunkQueue, check_trunks


def _erlang_c_minimum(load, aht, targets, floor):
    """Exact integer minimum under Erlang C by stepping the Erlang B recursion."""
    ceiling = load + 20.0 * np.sqrt(load) + 20.0  # keeps B(start) far from underflow
    agents = np.clip(np.round(square_root_start(load, aht, targets)), floor, ceiling)
    agents = np.maximum(agents, floor)
    blocking = np.exp(log_erlang_b(load, agents))
    ok = targets.erlang_c_margin(load, agents, blocking, aht) >= 0.0

    down = np.flatnonzero(ok & (agents > floor))
    while down.size:
        n, b, a = agents[down], blocking[down], load[down]
        b_below = n * b / (a * (1.0 - b))
        good = targets.take(down).erlang_c_margin(a, n - 1.0, b_below, aht[down]) >= 0.0
        moved = down[good]
        agents[moved] -= 1.0
        blocking[moved] = b_below[good]
        down = moved[agents[moved] > floor[moved]]

    up = np.flatnonzero(~ok)
    while up.size:
        a = load[up]
        n = agents[up] + 1.0
        b = a * blocking[up] / (n + a * blocking[up])
        agents[up], blocking[up] = n, b
        up = up[targets.take(up).erlang_c_margin(a, n, b, aht[up]) < 0.0]
    return agents


def _erlang_a_margin(load, aht, patience, targets):
    def margin(agents, idx):
        queue = Queue(load[idx], agents, aht[idx], patience[idx])
        return targets.take(idx).margin(queue)

    return margin


def ceil_scheduled(productive, shrinkage):
    """``ceil(productive / (1 - shrinkage))`` without floating-point over-rounding.

    The quotient is rounded to 9 decimals first, so that ``21 / 0.7`` (30.000000000000004 in
    floating point) gives 30, as exact arithmetic does.
    """
    return np.ceil(np.round(productive / (1.0 - shrinkage), 9))


def common_arrays(volume, aht, interval, patience, shrinkage, min_agents, volume_name, goals):
    """Broadcast the interval arrays with the per-interval targets among ``goals``.

    Scalar targets stay scalars (the fast paths and start tables key on them); array or Series
    targets are broadcast with the volume and flattened alongside it. The goals are validated
    before any broadcasting, so a bad target is named before the work starts, and come back as
    :class:`Targets`.
    """
    Targets(**_scalar_view(goals))
    per_interval = {k: v for k, v in goals.items() if v is not None and np.ndim(v)}
    arrays, form = as_arrays(
        **{volume_name: volume},
        aht=aht,
        interval=interval,
        patience=np.inf if patience is None else patience,
        min_agents=min_agents,
        **per_interval,
    )
    volume, aht, interval, patience, min_agents = arrays[:5]
    check_finite(volume_name, volume, low=0.0)
    check_finite("aht", aht, low=0.0, low_inclusive=False)
    check_finite("interval", interval, low=0.0, low_inclusive=False)
    check_finite("patience", patience, low=0.0, low_inclusive=False, allow_inf=True)
    check_finite("min_agents", min_agents, low=0.0)
    if not (0.0 <= shrinkage < 1.0):
        raise ValueError(f"shrinkage must lie in [0, 1), got {shrinkage!r}")
    goals = {**goals, **{k: a.ravel() for k, a in zip(per_interval, arrays[5:], strict=True)}}
    return volume, aht, interval, patience, min_agents, form, Targets(**goals)


def trunk_array(trunks, shape, max_blocking, index=None):
    """The trunk cap per interval (``inf`` for none), broadcast to the intervals."""
    if trunks is None:
        if max_blocking is not None:
            raise ValueError("max_blocking needs trunks: without a cap nobody is blocked")
        return None
    if isinstance(trunks, pd.Series):
        if index is not None and not trunks.index.equals(index):
            raise ValueError("trunks is a Series with a different index from the intervals")
        trunks = trunks.to_numpy()
    try:
        trunks = np.broadcast_to(np.asarray(trunks, dtype=float), shape)
    except ValueError as err:
        raise ValueError(
            f"trunks of shape {np.shape(trunks)} does not broadcast with the intervals {shape}"
        ) from err
    check_trunks(trunks, np.zeros(shape))
    return trunks.ravel()


class TrunksTooFew(ValueError):
    """No agent count up to the trunk cap meets every target in some intervals."""


def _scalar_view(goals):
    """The goals with arrays replaced by one representative entry, for early validation."""
    out = {}
    for k, v in goals.items():
        if v is not None and np.ndim(v):
            values = np.asarray(v.to_numpy() if isinstance(v, pd.Series) else v, dtype=float)
            out[k] = values if values.size else None
        else:
            out[k] = v
    return out


def raise_if_too_few(productive, trunks, volume, form):
    short = np.flatnonzero(np.isnan(productive))
    if not short.size:
        return
    where = [int(i) for i in short] if form.index is None else list(form.index[short])
    first = short[0]
    raise TrunksTooFew(
        f"trunks too few to meet the targets in {short.size} intervals (first: "
        f"{where[0]!r} with trunks {trunks[first]:g}, volume {volume[first]:g}); "
        f"intervals: {where[:10]}{' ...' if short.size > 10 else ''}"
    )


def productive_minimum(load, aht, patience, targets, fractional, trunks=None):
    out = np.zeros(load.shape)
    busy = load > 0.0
    capped = np.zeros(load.shape, dtype=bool) if trunks is None else busy & np.isfinite(trunks)
    patient = busy & np.isinf(patience) & ~capped
    impatient = busy & ~patient & ~capped
    if patient.any():
        a, h, tg = load[patient], aht[patient], targets.take(patient)
        floor = np.ones(a.shape)
        if tg.needs_queue:
            floor = np.maximum(floor, np.floor(a) + 1.0)
        if tg.max_occupancy is not None:
            floor = np.maximum(floor, np.ceil(np.round(a / tg.max_occupancy, 9)))
        out[patient] = _erlang_c_minimum(a, h, tg, floor)
    if impatient.any():
        a, h, p, tg = load[impatient], aht[impatient], patience[impatient], targets.take(impatient)
        upper = np.ceil(square_root_start(a, h, tg))
        start = erlang_a_start(a, h, p, tg, upper)
        margin = _erlang_a_margin(a, h, p, tg)
        out[impatient] = lattice_minimum(margin, start, np.ones(a.shape))
    if capped.any():
        out[capped] = _trunk_minimum(
            load[capped], aht[capped], patience[capped], trunks[capped], targets.take(capped)
        )
    if fractional and busy.any():
        a, h, p, tg = load[busy], aht[busy], patience[busy], targets.take(busy)
        margin = _erlang_a_margin(a, h, p, tg)
        upper = out[busy]
        lower = np.maximum(upper - 1.0, 0.0)
        lower = np.where(np.isinf(p), np.maximum(lower, a), lower)
        if tg.max_occupancy is not None:
            occupancy_root = a / tg.max_occupancy
            lower = np.where(np.isinf(p), np.maximum(lower, occupancy_root), lower)
        feasible_low = margin(lower, np.arange(a.size)) >= 0.0
        _, root = illinois(margin, lower.copy(), upper.copy(), xtol=1e-9)
        out[busy] = np.where(feasible_low, lower, root)
    return out


def _trunk_minimum(load, aht, patience, trunks, targets):
    """Exact minimum under a trunk cap, ``nan`` where no count up to ``trunks`` meets all.

    Blocking enters the lattice search only where it falls with agents (``patience >= aht``);
    where it rises, it is checked once at the end. The shares net of short abandons are
    not monotone under a cap, so with ``short_abandon`` every count between the fewest meeting
    the other (monotone) targets and the search's result is checked as well.
    """
    rising = patience < aht
    search = targets
    if targets.max_blocking is not None and rising.any():
        # The largest target log_odds can tell apart: blocking never binds in the search.
        never = 1.0 - 2.0**-53
        search = replace(targets, max_blocking=np.where(rising, never, targets.max_blocking))
    margin = _trunk_margin(load, aht, patience, trunks, search)
    start = np.minimum(np.ceil(square_root_start(load, aht, targets)), trunks + 1.0)
    agents = lattice_minimum(margin, np.maximum(start, 1.0), np.ones(load.shape))
    if targets.short_abandon is not None and (
        targets.service_level is not None or targets.answer_rate is not None
    ):
        floor = _short_abandon_floor(load, aht, patience, trunks, search, agents)
        agents = _scan_down(agents, np.minimum(floor, agents), trunks, margin)
    agents = np.where(agents > trunks, np.nan, agents)
    check = np.flatnonzero(rising & ~np.isnan(agents))
    if targets.max_blocking is not None and check.size:
        n, k = agents[check], trunks[check]
        queue = TrunkQueue(load[check], n, aht[check], patience[check], trunks=k)
        limit = np.broadcast_to(targets.max_blocking, load.shape)[check]
        agents[check[queue.blocking > limit]] = np.nan
    return agents


def _short_abandon_floor(load, aht, patience, trunks, targets, agents, rounds=3):
    """A count below which no count meets the targets, when the service level and the answer
    rate are net of short abandons (and so not monotone under a cap); ``agents`` is a
    feasible count.

    The other targets are monotone, so their minimum is a floor. So is the fewest ``n`` with
    ``answered within(n) >= SL (1 - P(abandon | m))`` for any floor ``m``: net of short abandons
    the service level is ``within / (1 - short)``, short abandons are at most all abandons, and
    abandons only fall as agents are added; the same holds for the answer rate within the
    cutoff. Each round raises ``m`` to that count, for the
    entries whose floor is still below ``agents``.
    """
    floor = np.ones(load.shape)
    shares = ("service_level", "answer_rate")
    if any(getattr(targets, k) is not None for k in GOALS if k not in shares):
        monotone = _trunk_margin(load, aht, patience, trunks, targets.without(*shares))
        floor = lattice_minimum(monotone, np.minimum(agents, trunks), floor)
    for _ in range(rounds):
        idx = np.flatnonzero(floor < np.minimum(agents, trunks + 1.0))
        if not idx.size:
            break
        k, part = trunks[idx], targets.take(idx)
        queue = TrunkQueue(load[idx], np.minimum(floor[idx], k), aht[idx], patience[idx], trunks=k)
        kept = 1.0 - queue.p_abandon
        proxy = {}
        for name, mark in (("service_level", "threshold"), ("answer_rate", "cutoff")):
            if getattr(part, name) is not None:
                level = np.clip(getattr(part, name) * kept, 1e-12, 1.0 - 1e-12)
                proxy |= {name: level, mark: getattr(part, mark)}
        proxy = Targets(**{"service_level": None, **proxy})
        margin = _trunk_margin(load[idx], aht[idx], patience[idx], k, proxy)
        floor[idx] = np.maximum(floor[idx], lattice_minimum(margin, floor[idx], floor[idx]))
    return floor


def _trunk_margin(load, aht, patience, trunks, targets):
    """Margin of each count under the cap; counts beyond the trunks read as feasible, so that
    a search ending there means that no count up to the trunks is."""

    def margin(agents, idx):
        k = trunks[idx]
        queue = TrunkQueue(load[idx], np.minimum(agents, k), aht[idx], patience[idx], trunks=k)
        return np.where(agents > k, np.inf, targets.take(idx).margin(queue))

    return margin


def _scan_down(agents, floor, trunks, margin):
    """The fewest feasible count in ``[floor, agents]``, by checking each count below."""
    best = agents.copy()
    probe = np.minimum(agents, trunks + 1.0) - 1.0
    active = np.flatnonzero(probe >= floor)
    while active.size:
        ok = margin(probe[active], active) >= 0.0
        best[active[ok]] = probe[active[ok]]
        probe[active] -= 1.0
        active = active[probe[active] >= floor[active]]
    return best

"""Staffing: the fewest agents that meet every service target at once, and the inverse.

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

from dataclasses import dataclass

import numpy as np

from .gamma import log_erlang_b
from .inputs import Numeric, as_arrays, check_finite, check_probability, wrap
from .queue import Queue
from .search import illinois, lattice_minimum, log_odds
from .starts import erlang_a_start, square_root_start

_CHUNK = 1 << 15


@dataclass(frozen=True)
class Targets:
    """Service targets; ``None`` leaves a target out. Times in seconds."""

    service_level: float | None = 0.8
    threshold: float = 20.0
    asa: float | None = None
    max_abandon: float | None = None
    answer_rate: float | None = None
    cutoff: float = 60.0
    max_occupancy: float | None = None
    short_abandon: float | None = None

    def __post_init__(self):
        for name in ("service_level", "max_abandon", "answer_rate"):
            if getattr(self, name) is not None:
                check_probability(name, getattr(self, name))
        if self.max_occupancy is not None:
            check_probability("max_occupancy", self.max_occupancy, allow_one=True)
        for name in ("threshold", "cutoff", "asa", "short_abandon"):
            value = getattr(self, name)
            if value is not None:
                check_finite(name, np.asarray(value, dtype=float), low=0.0)
        if self.asa is not None and self.asa <= 0:
            raise ValueError(f"asa must be > 0 seconds, got {self.asa!r}")
        if all(
            getattr(self, k) is None
            for k in ("service_level", "asa", "max_abandon", "answer_rate", "max_occupancy")
        ):
            raise ValueError("no staffing target given: set at least one target")

    @property
    def needs_queue(self):
        """Whether a target needs the queue to be stable under Erlang C (``n > A``)."""
        return any(x is not None for x in (self.service_level, self.asa, self.answer_rate))

    def margin(self, queue):
        """Smallest slack over all targets, ``>= 0`` exactly when all are met.

        Slacks are measured on log-odds (probabilities) and log (waits) scales, on which the
        metrics are close to linear in the number of agents, so that Newton steps on the
        margin land near the minimum.
        """
        out = np.full(queue.load.shape, np.inf)
        if self.service_level is not None:
            sl = queue.service_level(self.threshold, self.short_abandon)
            out = np.minimum(out, log_odds(sl) - log_odds(self.service_level))
        if self.answer_rate is not None:
            ar = queue.service_level(self.cutoff)
            out = np.minimum(out, log_odds(ar) - log_odds(self.answer_rate))
        if self.asa is not None:
            wait = np.clip(queue.mean_wait_answered(), 1e-300, 1e300)
            out = np.minimum(out, np.log(self.asa) - np.log(wait))
        if self.max_abandon is not None:
            ab = queue.abandon_rate(self.short_abandon)
            out = np.minimum(out, log_odds(self.max_abandon) - log_odds(ab))
        if self.max_occupancy is not None:
            out = np.minimum(out, log_odds(self.max_occupancy) - log_odds(queue.occupancy()))
        return np.where(queue.idle, np.inf, out)

    def erlang_c_margin(self, load, agents, blocking, aht):
        """The sign of :meth:`margin` under Erlang C, from Erlang B at ``agents`` alone."""
        gap = agents - load
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            rho = load / agents
            c = np.where(gap > 0, 1.0 / (rho + (1.0 - rho) / blocking), 1.0)
        out = np.full(load.shape, np.inf)
        for target, t in ((self.service_level, self.threshold), (self.answer_rate, self.cutoff)):
            if target is not None:
                sl = 1.0 - c * np.exp(-np.maximum(gap, 0.0) * t / aht)
                out = np.minimum(out, sl - target)
        if self.asa is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                wait = c * aht / gap
            out = np.minimum(out, np.where(gap > 0, self.asa / (self.asa + wait) - 0.5, -0.5))
        if self.max_occupancy is not None:
            out = np.minimum(out, self.max_occupancy - np.minimum(rho, 1.0))
        return out


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
        good = targets.erlang_c_margin(a, n - 1.0, b_below, aht[down]) >= 0.0
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
        up = up[targets.erlang_c_margin(a, n, b, aht[up]) < 0.0]
    return agents


def _erlang_a_margin(load, aht, patience, targets):
    def margin(agents, idx):
        queue = Queue(load[idx], agents, aht[idx], patience[idx])
        return targets.margin(queue)

    return margin


def _ceil_scheduled(productive, shrinkage):
    """``ceil(productive / (1 - shrinkage))`` without floating-point over-rounding.

    The quotient is rounded to 9 decimals first, so that ``21 / 0.7`` (30.000000000000004 in
    floating point) gives 30, as exact arithmetic does.
    """
    return np.ceil(np.round(productive / (1.0 - shrinkage), 9))


def _common_arrays(volume, aht, interval, patience, shrinkage, min_agents, volume_name):
    (volume, aht, interval, patience, min_agents), form = as_arrays(
        **{volume_name: volume},
        aht=aht,
        interval=interval,
        patience=np.inf if patience is None else patience,
        min_agents=min_agents,
    )
    check_finite(volume_name, volume, low=0.0)
    check_finite("aht", aht, low=0.0, low_inclusive=False)
    check_finite("interval", interval, low=0.0, low_inclusive=False)
    check_finite("patience", patience, low=0.0, low_inclusive=False, allow_inf=True)
    check_finite("min_agents", min_agents, low=0.0)
    if not (0.0 <= shrinkage < 1.0):
        raise ValueError(f"shrinkage must lie in [0, 1), got {shrinkage!r}")
    return volume, aht, interval, patience, min_agents, form


def required_agents(
    volume: Numeric,
    aht: Numeric,
    *,
    interval: Numeric = 1800.0,
    service_level: float | None = 0.8,
    threshold: float = 20.0,
    asa: float | None = None,
    max_abandon: float | None = None,
    answer_rate: float | None = None,
    cutoff: float = 60.0,
    max_occupancy: float | None = None,
    patience: Numeric | None = None,
    short_abandon: float | None = None,
    shrinkage: float = 0.0,
    min_agents: Numeric = 0,
    fractional: bool = False,
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
    service_level : float or None, default 0.8
        Minimum share answered within ``threshold`` (see :func:`erlang.service_level`).
    threshold : float, default 20
        Service-level answer time. [s]
    asa : float or None
        Maximum mean wait of answered contacts. [s]
    max_abandon : float or None
        Maximum abandonment rate (only binds with ``patience``).
    answer_rate : float or None
        Minimum share answered within ``cutoff`` (the hotline answer rate).
    cutoff : float, default 60
        Answer-rate cutoff. [s]
    max_occupancy : float or None
        Maximum occupancy, in (0, 1].
    patience : numeric or None
        Mean caller patience for Erlang A; None for Erlang C. [s]
    short_abandon : float or None
        Callers hanging up within this time are left out of the service level and the
        abandonment rate. [s]
    shrinkage : float, default 0
        Share of scheduled time not on the phones; the scheduled count is
        ``ceil(productive / (1 - shrinkage))``.
    min_agents : numeric, default 0
        Floor on the returned (scheduled) count per interval, e.g. 8 by day and 2 at night.
    fractional : bool, default False
        Return the real-valued minimum (continuous extension of the formulas) instead of the
        integer one.

    Returns
    -------
    numeric
        Scheduled agents per interval, same shape as the input (a Series keeps its index).
        Zero volume gives ``min_agents``.

    Notes
    -----
    The integer result ``n`` is exact: ``n`` productive agents meet every target and ``n - 1``
    do not (unless ``n`` is already the floor). Without ``patience`` this costs one incomplete
    gamma evaluation per interval plus a few Erlang B recursion steps; with ``patience`` each
    probe evaluates the Erlang A formulas.

    References
    ----------
    S. Halfin, W. Whitt, "Heavy-traffic limits for queues with many exponential servers",
    Operations Research 29(3), 1981 (the starting point). O. Garnett, A. Mandelbaum, M. Reiman,
    M&SOM 4(3), 2002 (Erlang A).
    """
    targets = Targets(
        service_level=service_level,
        threshold=threshold,
        asa=asa,
        max_abandon=max_abandon,
        answer_rate=answer_rate,
        cutoff=cutoff,
        max_occupancy=max_occupancy,
        short_abandon=short_abandon,
    )
    volume, aht, interval, patience, min_agents, form = _common_arrays(
        volume, aht, interval, patience, shrinkage, min_agents, "volume"
    )
    shape = volume.shape
    volume, aht, interval, patience = (x.ravel() for x in (volume, aht, interval, patience))
    load = volume * aht / interval
    productive = np.zeros(load.shape)
    for lo in range(0, load.size, _CHUNK):
        part = slice(lo, lo + _CHUNK)
        productive[part] = _productive_minimum(
            load[part], aht[part], patience[part], targets, fractional
        )
    if fractional:
        scheduled = productive / (1.0 - shrinkage)
    else:
        scheduled = _ceil_scheduled(productive, shrinkage)
    scheduled = np.maximum(scheduled.reshape(shape), min_agents)
    if not fractional:
        scheduled = np.ceil(scheduled).astype(np.int64)
    return wrap(scheduled, form)


def _productive_minimum(load, aht, patience, targets, fractional):
    out = np.zeros(load.shape)
    busy = load > 0.0
    patient = busy & np.isinf(patience)
    impatient = busy & ~patient
    if patient.any():
        a, h = load[patient], aht[patient]
        floor = np.ones(a.shape)
        if targets.needs_queue:
            floor = np.maximum(floor, np.floor(a) + 1.0)
        if targets.max_occupancy is not None:
            floor = np.maximum(floor, np.ceil(np.round(a / targets.max_occupancy, 9)))
        out[patient] = _erlang_c_minimum(a, h, targets, floor)
    if impatient.any():
        a, h, p = load[impatient], aht[impatient], patience[impatient]
        upper = np.ceil(square_root_start(a, h, targets))
        start = erlang_a_start(a, h, p, targets, upper)
        margin = _erlang_a_margin(a, h, p, targets)
        out[impatient] = lattice_minimum(margin, start, np.ones(a.shape))
    if fractional and busy.any():
        a, h, p = load[busy], aht[busy], patience[busy]
        margin = _erlang_a_margin(a, h, p, targets)
        upper = out[busy]
        lower = np.maximum(upper - 1.0, 0.0)
        lower = np.where(np.isinf(p), np.maximum(lower, a), lower)
        if targets.max_occupancy is not None:
            occupancy_root = a / targets.max_occupancy
            lower = np.where(np.isinf(p), np.maximum(lower, occupancy_root), lower)
        feasible_low = margin(lower, np.arange(a.size)) >= 0.0
        _, root = illinois(margin, lower.copy(), upper.copy(), xtol=1e-9)
        out[busy] = np.where(feasible_low, lower, root)
    return out


def max_volume(
    agents: Numeric,
    aht: Numeric,
    *,
    interval: Numeric = 1800.0,
    service_level: float | None = 0.8,
    threshold: float = 20.0,
    asa: float | None = None,
    max_abandon: float | None = None,
    answer_rate: float | None = None,
    cutoff: float = 60.0,
    max_occupancy: float | None = None,
    patience: Numeric | None = None,
    short_abandon: float | None = None,
    shrinkage: float = 0.0,
) -> Numeric:
    """Most contacts per interval that ``agents`` handle within every given target.

    The inverse of :func:`required_agents`, with the same targets. ``agents`` are scheduled
    agents; ``agents * (1 - shrinkage)`` of them are on the phones.

    Returns
    -------
    numeric
        Contacts per interval (real-valued), to a relative precision of 1e-10.
    """
    targets = Targets(
        service_level=service_level,
        threshold=threshold,
        asa=asa,
        max_abandon=max_abandon,
        answer_rate=answer_rate,
        cutoff=cutoff,
        max_occupancy=max_occupancy,
        short_abandon=short_abandon,
    )
    agents, aht, interval, patience, _, form = _common_arrays(
        agents, aht, interval, patience, shrinkage, 0.0, "agents"
    )
    shape = agents.shape
    productive, aht, interval, patience = (
        x.ravel() for x in (agents * (1.0 - shrinkage), aht, interval, patience)
    )
    out = np.zeros(productive.shape)
    staffed = np.flatnonzero(productive > 0.0)
    if staffed.size:
        n, h, p, length = productive[staffed], aht[staffed], patience[staffed], interval[staffed]

        def margin(volume, idx):
            queue = Queue(volume * h[idx] / length[idx], n[idx], h[idx], p[idx])
            return -targets.margin(queue)  # decreasing in volume: flip so feasible is < 0

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

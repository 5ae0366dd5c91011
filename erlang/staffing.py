"""Staffing: the fewest agents that meet every service target at once, and the inverse.

Every metric is monotone in the number of agents, so the minimum is found per interval by a
search that only ever moves in the right direction:

* Erlang C: one incomplete-gamma evaluation at a square-root-staffing start, then the Erlang B
  recursion ``B(n+1) = A B(n) / (n + 1 + A B(n))`` (or its inverse, downwards), stepped in
  lockstep over all intervals until each one sits on its minimum. The metrics at ``n`` follow
  from ``B(n)`` by arithmetic, so a step costs a few floating-point operations.
* Erlang A: no such recursion exists, so each probe is a closed-form evaluation; probes gallop
  out from the same start until they bracket the minimum, then bisect.

Both stop at ``n`` with ``n`` feasible and ``n - 1`` infeasible (or at the floor), which makes
the result the exact minimum rather than an approximation.
"""

import functools
from dataclasses import dataclass

import numpy as np
from scipy import special

from .gamma import log_erlang_b
from .inputs import Numeric, as_arrays, check_finite, check_probability, wrap
from .queue import Queue

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
            sl = _answered(queue, self.threshold, self.short_abandon)
            out = np.minimum(out, _log_odds(sl) - _log_odds(self.service_level))
        if self.answer_rate is not None:
            ar = _answered(queue, self.cutoff, None)
            out = np.minimum(out, _log_odds(ar) - _log_odds(self.answer_rate))
        if self.asa is not None:
            wait = np.clip(queue.mean_wait_answered(), 1e-300, 1e300)
            out = np.minimum(out, np.log(self.asa) - np.log(wait))
        if self.max_abandon is not None:
            ab = queue.p_abandon
            if self.short_abandon is not None:
                short = queue.short_abandon(self.short_abandon)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ab = np.where(short < 1.0, (ab - short) / (1.0 - short), 0.0)
            out = np.minimum(out, _log_odds(self.max_abandon) - _log_odds(ab))
        if self.max_occupancy is not None:
            out = np.minimum(out, _log_odds(self.max_occupancy) - _log_odds(queue.occupancy()))
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


def _log_odds(p):
    """``ln(p / (1 - p))``, finite for every ``p`` in [0, 1] (ties at the ends are harmless)."""
    p = np.clip(p, 1e-300, 1.0 - 2.0**-53)
    return np.log(p) - np.log1p(-p)


def _answered(queue, threshold, short_abandon):
    within = queue.answered_within(threshold)
    if short_abandon is None:
        return within
    return np.clip(within / (1.0 - queue.short_abandon(short_abandon)), 0.0, 1.0)


def _square_root_start(load, aht, targets):
    """Halfin-Whitt square-root staffing ``A + β sqrt(A)`` for the delay targets.

    Only a starting point: the search corrects it in either direction. ``β`` solves the
    heavy-traffic forms ``α(β) e^(-β sqrt(A) t / aht) = 1 - SL`` and
    ``α(β) aht / (β sqrt(A)) = ASA``, with ``α(β) = 1 / (1 + β Φ(β) / φ(β))``; both depend on
    one variable, so they are solved once on a grid and interpolated.
    """
    root = np.sqrt(load)
    beta = np.zeros(load.shape)
    sl_pairs = ((targets.service_level, targets.threshold), (targets.answer_rate, targets.cutoff))
    for target, t in sl_pairs:
        if target is not None:
            k = root * t / aht
            grid, values = _service_level_beta(float(target))
            beta = np.maximum(beta, _uniform_interp(k / (1.0 + k), grid, values))
    if targets.asa is not None:
        with np.errstate(divide="ignore"):
            r = np.log(aht / (targets.asa * root))
        grid, values = _asa_beta()
        beta = np.maximum(beta, _uniform_interp(r, grid, values))
    start = load + beta * root
    if targets.max_occupancy is not None:
        start = np.maximum(start, load / targets.max_occupancy)
    return start


def _uniform_interp(x, grid, values):
    """``np.interp`` on an evenly spaced grid, by index arithmetic instead of a search."""
    pos = np.clip((x - grid[0]) / (grid[1] - grid[0]), 0.0, grid.size - 1.000001)
    i = pos.astype(np.intp)
    w = pos - i
    return values[i] * (1.0 - w) + values[i + 1] * w


def _halfin_whitt_log_delay(beta):
    """``-ln α(β) = ln(1 + β Φ(β)/φ(β))`` and its derivative."""
    mills = special.ndtr(beta) * np.sqrt(2.0 * np.pi) * np.exp(0.5 * beta * beta)
    one = 1.0 + beta * mills
    return np.log(one), (mills + beta * (1.0 + beta * mills)) / one


@functools.cache
def _service_level_beta(target):
    """``β(k)`` solving ``-ln α(β) + β k = -ln(1 - target)``, tabulated over ``u = k/(1+k)``."""
    u = np.linspace(0.0, 0.999, 1000)
    k = u / (1.0 - u)
    rhs = -np.log1p(-target)
    beta = np.ones(u.shape)
    for _ in range(60):
        h, dh = _halfin_whitt_log_delay(beta)
        beta = np.clip(beta - (h + beta * k - rhs) / (dh + k), 1e-9, 10.0)
    return u, beta


@functools.cache
def _asa_beta():
    """``β(r)`` solving ``-ln α(β) + ln β = r``, tabulated over ``r``."""
    r = np.linspace(-30.0, 30.0, 2001)
    log_beta = np.zeros(r.shape)
    for _ in range(80):
        beta = np.exp(log_beta)
        h, dh = _halfin_whitt_log_delay(beta)
        # Newton in ln β: d/d(ln β) of (h + ln β) is β h' + 1.
        log_beta = np.clip(log_beta - (h + log_beta - r) / (beta * dh + 1.0), -30.0, np.log(10.0))
    return r, np.exp(log_beta)


def _erlang_a_start(load, aht, patience, targets, upper):
    """A starting count for Erlang A: the root of a heavy-traffic (QED) form of the margin.

    Each incomplete-gamma ratio of :mod:`erlang.queue` is replaced by its normal
    approximation (Erlang B by Jagerman's ``φ(β) / (sqrt(A) Φ(β))``, ``P(a, x)`` by
    ``Φ((x - a) / sqrt(x))``), which costs a few ``log_ndtr`` calls; a few regula falsi steps
    from the Erlang C start downwards locate its root. Only a starting point for the exact
    search, which corrects it in either direction.

    References
    ----------
    O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient customers",
    M&SOM 4(3), 2002.
    """
    if (
        targets.service_level is None
        and targets.answer_rate is None
        and (targets.max_abandon is None)
    ):
        return upper
    ratio = patience / aht  # μ/θ
    root = np.sqrt(load)
    b = load * ratio
    log_ndtr = special.log_ndtr
    half_log_2pi = 0.5 * np.log(2.0 * np.pi)

    def margin(n, idx):
        a_, b_, r_ = n * ratio[idx], b[idx], root[idx]
        beta = (n - load[idx]) / r_
        log_erlang_b = -0.5 * beta * beta - half_log_2pi - log_ndtr(beta) - np.log(r_)
        z0 = (b_ - a_) / np.sqrt(b_)
        log_p0 = log_ndtr(z0)
        log_j = log_p0 + 0.5 * z0 * z0 + half_log_2pi + 0.5 * np.log(b_)
        p_wait = 1.0 / (1.0 + np.exp(-(log_erlang_b + log_j)))
        p_ab = p_wait * np.clip(1.0 - n / load[idx] * -np.expm1(-log_j), 0.0, 1.0)
        out = np.full(n.shape, np.inf)
        for target, t in (
            (targets.service_level, targets.threshold),
            (targets.answer_rate, targets.cutoff),
        ):
            if target is not None:
                y = b_ * np.exp(-t / patience[idx])
                log_tail = log_ndtr((y - a_ - 1.0) / np.sqrt(y)) - log_p0
                served_late = p_wait * np.exp(np.log(a_ / b_) + log_tail)
                sl = 1.0 - p_ab - served_late
                out = np.minimum(out, _log_odds(sl) - _log_odds(target))
        if targets.max_abandon is not None:
            out = np.minimum(out, _log_odds(targets.max_abandon) - _log_odds(p_ab))
        return out

    with np.errstate(all="ignore"):
        every = np.arange(load.size)
        low = np.maximum(upper - 3.0 * root - 1.0, 0.5)
        ok_low = margin(low, every) >= 0.0
        ok_up = margin(upper, every) >= 0.0
        bracketed = ~ok_low & ok_up
        start = np.where(ok_low, low, upper)
        idx = np.flatnonzero(bracketed)
        if idx.size:

            def sub(n, j):
                return margin(n, idx[j])

            _, good = _illinois(sub, low[idx], upper[idx].astype(float), xtol=0.5, maxiter=3)
            start[idx] = good
    return np.where(np.isfinite(start), start, upper)


def _erlang_c_minimum(load, aht, targets, floor):
    """Exact integer minimum under Erlang C by stepping the Erlang B recursion."""
    ceiling = load + 20.0 * np.sqrt(load) + 20.0  # keeps B(start) far from underflow
    agents = np.clip(np.round(_square_root_start(load, aht, targets)), floor, ceiling)
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


def _lattice_minimum(margin, start, floor, newton_steps=6):
    """Exact integer minimum of an increasing ``margin`` (feasible where ``>= 0``).

    Each round probes a pair ``k - 1, k`` with ``k = ceil(x)`` for the current real estimate
    ``x`` of the root. The pair either settles the answer (``k`` feasible, ``k - 1`` not) or gives
    a local slope for a Newton step on the lattice. A bracket of known infeasible and feasible
    counts keeps every step inside; after ``newton_steps`` rounds the search falls back to
    galloping and bisection, so it always ends. ``floor - 1`` counts as infeasible.
    """
    lo = floor - 1.0  # largest count known infeasible
    hi = np.full(start.shape, np.inf)  # smallest count known feasible
    x = np.maximum(start, floor)
    active = np.arange(start.size)
    rounds = 0
    while active.size:
        rounds += 1
        if rounds > 200:
            raise RuntimeError(f"staffing search did not converge for entries {active[:5]}")
        low, high = lo[active], hi[active]
        if rounds <= newton_steps:
            k = np.ceil(x[active] - 1e-9)
        else:
            span = np.exp2(rounds - newton_steps)
            k = np.where(np.isinf(high), low + span, np.floor(0.5 * (low + high)) + 1.0)
        k = np.minimum(np.maximum(k, low + 1.0), high)
        below = k - 1.0 > low  # k - 1 not yet known infeasible
        probe = np.concatenate([k, (k - 1.0)[below]])
        values = margin(probe, np.concatenate([active, active[below]]))
        if np.isnan(values).any():
            where = np.concatenate([active, active[below]])[np.isnan(values)][:5]
            raise RuntimeError(f"service metrics undefined while staffing entries {where}")
        m_k = values[: k.size]
        m_below = np.full(k.size, -np.inf)
        m_below[below] = values[k.size :]
        ok_k, ok_below = m_k >= 0.0, m_below >= 0.0
        lo[active] = np.where(~ok_k, k, np.where(below & ~ok_below, k - 1.0, low))
        hi[active] = np.where(ok_below, k - 1.0, np.where(ok_k, k, high))
        slope = m_k - m_below
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(np.isfinite(slope) & (slope > 0.0), -m_k / slope, np.nan)
        # Without a usable slope, double the distance moved (up) or halve the bracket.
        fallback = np.where(
            ok_k, 0.5 * (lo[active] + hi[active]), k + np.maximum(k - lo[active], 1.0)
        )
        x[active] = np.where(np.isnan(step), fallback, k + step)
        active = active[~(hi[active] - lo[active] <= 1.0)]
    return hi


def _illinois(f, bad, good, xtol, maxiter=200):
    """Vectorized Illinois (modified regula falsi) on brackets with ``f(bad) < 0 <= f(good)``.

    Returns both ends of each final bracket, ``(bad, good)``, at most ``xtol`` apart.
    """
    xtol = np.broadcast_to(xtol, bad.shape)
    idx = np.arange(bad.size)
    f_bad, f_good = f(bad, idx), f(good, idx)
    side = np.zeros(bad.size, dtype=int)  # which end moved last: -1 bad, +1 good
    active = np.flatnonzero(np.abs(good - bad) > xtol)
    for _ in range(maxiter):
        if not active.size:
            break
        xb, xg, fb, fg = bad[active], good[active], f_bad[active], f_good[active]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = xg - fg * (xg - xb) / (fg - fb)
        mid = 0.5 * (xb + xg)
        lo_end, hi_end = np.minimum(xb, xg), np.maximum(xb, xg)
        x = np.where(np.isfinite(x) & (x > lo_end) & (x < hi_end), x, mid)
        fx = f(x, active)
        feasible = fx >= 0.0
        last = side[active]
        good[active] = np.where(feasible, x, xg)
        f_good[active] = np.where(feasible, fx, np.where(last == -1, 0.5 * fg, fg))
        bad[active] = np.where(feasible, xb, x)
        f_bad[active] = np.where(feasible, np.where(last == 1, 0.5 * fb, fb), fx)
        side[active] = np.where(feasible, 1, -1)
        active = active[np.abs(good[active] - bad[active]) > xtol[active]]
    return bad, good


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
        upper = np.ceil(_square_root_start(a, h, targets))
        start = _erlang_a_start(a, h, p, targets, upper)
        margin = _erlang_a_margin(a, h, p, targets)
        out[impatient] = _lattice_minimum(margin, start, np.ones(a.shape))
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
        _, root = _illinois(margin, lower.copy(), upper.copy(), xtol=1e-9)
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
        feasible_end, _ = _illinois(margin, np.zeros(n.size), high, xtol=1e-10 * high)
        out[staffed] = feasible_end
    return wrap(out.reshape(shape), form)

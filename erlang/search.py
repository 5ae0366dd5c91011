"""Vectorized searches for the staffing and inverse problems.

Every interval has its own monotone feasibility margin; these searches step all intervals in
lockstep, each array operation covering every interval still searching, and finish each one
exactly where the margin changes sign.
"""

import numpy as np


def log_odds(p):
    """``ln(p / (1 - p))``, finite for every ``p`` in [0, 1] (ties at the ends are harmless)."""
    p = np.clip(p, 1e-300, 1.0 - 2.0**-53)
    return np.log(p) - np.log1p(-p)


def lattice_minimum(margin, start, floor, newton_steps=6):
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
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = m_k - m_below  # inf - inf where both probes lie beyond a cap: no slope
            step = np.where(np.isfinite(slope) & (slope > 0.0), -m_k / slope, np.nan)
        # Without a usable slope, double the distance moved (up) or halve the bracket.
        fallback = np.where(
            ok_k, 0.5 * (lo[active] + hi[active]), k + np.maximum(k - lo[active], 1.0)
        )
        x[active] = np.where(np.isnan(step), fallback, k + step)
        active = active[~(hi[active] - lo[active] <= 1.0)]
    return hi


def illinois(f, bad, good, xtol, maxiter=200, ftol=None):
    """Vectorized Illinois (modified regula falsi) on brackets with ``f(bad) < 0 <= f(good)``.

    Returns both ends of each final bracket, ``(bad, good)``, at most ``xtol`` apart. With
    ``ftol``, an entry also stops at a point where ``|f| <= ftol``, returned as both ends: a
    secant step that lands on the root leaves the other end behind, and the bracket then
    shrinks only by halves.
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
        if ftol is not None:
            hit = np.abs(fx) <= np.broadcast_to(ftol, bad.shape)[active]
            bad[active[hit]] = good[active[hit]] = x[hit]
            active = active[~hit]
        active = active[np.abs(good[active] - bad[active]) > xtol[active]]
    return bad, good

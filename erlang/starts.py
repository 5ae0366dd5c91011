"""Starting points for the staffing search from heavy-traffic (Halfin-Whitt, QED) forms.

A start only saves work: the exact search in :mod:`erlang.staffing` corrects it in either
direction, so these approximations never decide a result.
"""

import functools

import numpy as np
from scipy import special

from .search import illinois, log_odds


def square_root_start(load, aht, targets):
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
            beta = np.maximum(beta, _service_level_start_beta(target, k / (1.0 + k)))
    if targets.asa is not None:
        with np.errstate(divide="ignore"):
            r = np.log(aht / (targets.asa * root))
        grid, values = _asa_beta()
        beta = np.maximum(beta, _uniform_interp(r, grid, values))
    start = load + beta * root
    if targets.max_occupancy is not None:
        start = np.maximum(start, load / targets.max_occupancy)
    return start


def _service_level_start_beta(target, u):
    """``β`` of the service-level table at ``u = k/(1+k)``, for one target or one per entry.

    Per-interval targets share tables by target rounded to 0.001 (only a start: the search is
    exact whatever the start).
    """
    if not np.ndim(target):
        grid, values = _service_level_beta(float(target))
        return _uniform_interp(u, grid, values)
    rounded = np.round(np.asarray(target), 3).clip(0.001, 0.999)
    keys, inverse = np.unique(rounded, return_inverse=True)
    out = np.empty(u.shape)
    for i, key in enumerate(keys):
        members = inverse == i
        grid, values = _service_level_beta(float(key))
        out[members] = _uniform_interp(u[members], grid, values)
    return out


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


def erlang_a_start(load, aht, patience, targets, upper):
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
        tg = targets.take(idx)
        a_, b_, r_ = n * ratio[idx], b[idx], root[idx]
        beta = (n - load[idx]) / r_
        log_erlang_b = -0.5 * beta * beta - half_log_2pi - log_ndtr(beta) - np.log(r_)
        z0 = (b_ - a_) / np.sqrt(b_)
        log_p0 = log_ndtr(z0)
        log_j = log_p0 + 0.5 * z0 * z0 + half_log_2pi + 0.5 * np.log(b_)
        p_wait = 1.0 / (1.0 + np.exp(-(log_erlang_b + log_j)))
        p_ab = p_wait * np.clip(1.0 - n / load[idx] * -np.expm1(-log_j), 0.0, 1.0)
        out = np.full(n.shape, np.inf)
        for target, t in ((tg.service_level, tg.threshold), (tg.answer_rate, tg.cutoff)):
            if target is not None:
                y = b_ * np.exp(-t / patience[idx])
                log_tail = log_ndtr((y - a_ - 1.0) / np.sqrt(y)) - log_p0
                served_late = p_wait * np.exp(np.log(a_ / b_) + log_tail)
                sl = 1.0 - p_ab - served_late
                out = np.minimum(out, log_odds(sl) - log_odds(target))
        if tg.max_abandon is not None:
            out = np.minimum(out, log_odds(tg.max_abandon) - log_odds(p_ab))
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

            _, good = illinois(sub, low[idx], upper[idx].astype(float), xtol=0.5, maxiter=3)
            start[idx] = good
    return np.where(np.isfinite(start), start, upper)

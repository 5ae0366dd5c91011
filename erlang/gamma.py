"""Log-space incomplete-gamma pieces shared by the Erlang B, C and A formulas.

Every queueing formula in this package reduces to ratios of Poisson probabilities and regularized
incomplete gamma functions. ``scipy.special`` gives those directly, but at loads of thousands of
erlangs, or in deep overload, they underflow long before the ratios we need do. The functions
here return logarithms, and switch to a continued fraction or a series only where the direct
value underflows, so that no formula ever sees ``0 / 0``.
"""

import numpy as np
from scipy import special

_LOG_2PI = np.log(2.0 * np.pi)
# Below this, a regularized gamma value from scipy has lost its relative precision to underflow.
_TINY = 1e-280
_LOG_TINY = np.log(_TINY)


def _stirling_error(n):
    """``ln Γ(n+1) - (n + 1/2) ln n + n - ln(2π)/2`` for ``n > 0``, without cancellation.

    For large ``n`` the asymptotic series is accurate to rounding; for small ``n`` the direct
    difference is, because its terms are small.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        inv2 = 1.0 / (n * n)
        out = (
            1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0)))
        ) / n
    small = n <= 15.0
    if small.any():
        ns = n[small]
        out[small] = special.gammaln(ns + 1.0) - (ns + 0.5) * np.log(ns) + ns - 0.5 * _LOG_2PI
    return out


def log_poisson_pmf(n, mean):
    """Logarithm of ``mean**n * exp(-mean) / Γ(n + 1)``, for real ``n >= 0``.

    Uses the saddle-point form ``-ln(2πn)/2 - stirlerr(n) - bd0(n, mean)`` so that the result
    keeps full relative precision when ``n`` and ``mean`` are both large.

    References
    ----------
    C. Loader, "Fast and accurate computation of binomial probabilities", 2000.
    """
    n, mean = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(mean, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        d = (n - mean) / mean
        # bd0 = n ln(n/m) + m - n = m * ((1 + d) ln(1 + d) - d), stable for small d.
        bd0 = mean * ((1.0 + d) * np.log1p(d) - d)
        out = -0.5 * (_LOG_2PI + np.log(n)) - _stirling_error(n) - bd0
    odd = ~np.isfinite(out) | (d > 1e8)
    if odd.any():
        out[odd] = _log_poisson_pmf_edges(n[odd], mean[odd])
    return out


def _log_poisson_pmf_edges(n, mean):
    """The entries the fast path cannot take: ``n = 0``, ``mean = 0``, or ``n >> mean``."""
    out = np.full(n.shape, -np.inf)
    zero_n = n == 0.0
    out[zero_n] = -mean[zero_n]
    ok = ~zero_n & (mean > 0.0)
    nk, mk = n[ok], mean[ok]
    out[ok] = (
        -0.5 * (_LOG_2PI + np.log(nk))
        - _stirling_error(nk)
        - (nk * (np.log(nk) - np.log(mk)) + mk - nk)
    )
    return out


def log_gammainc(a, x):
    """Logarithm of the regularized lower incomplete gamma function ``P(a, x)``.

    Exact (to rounding) also where ``P`` underflows, through :func:`log_kummer`.
    """
    a, x = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(x, dtype=float))
    with np.errstate(divide="ignore"):
        out = np.log(special.gammainc(a, x))
    out[(a == 0.0) & (x > 0.0)] = 0.0
    low = (out < _LOG_TINY) & (x > 0.0) & (a > 0.0)
    if np.any(low):
        al, xl = a[low], x[low]
        out[low] = log_poisson_pmf(al, xl) + np.log(_kummer_series(al, xl))
    return out


def log_kummer(a, x):
    """``ln(P(a, x) / pmf(a; x))``: the log of Kummer's ``M(1, a+1, x) = Σ_j x^j / (a+1)_j``.

    This ratio is moderate where ``P`` and the Poisson term both underflow (``x`` far below
    ``a``), so it is summed directly there; elsewhere it is the difference of the logs.
    """
    return log_gammainc_parts(a, x)[1]


def log_gammainc_parts(a, x):
    """``(ln P(a, x), ln M(1, a+1, x))`` from one incomplete-gamma evaluation."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(x, dtype=float))
    log_pmf = log_poisson_pmf(a, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = np.log(special.gammainc(a, x))
        log_m = log_p - log_pmf
    low = (log_p < _LOG_TINY) & (x > 0.0) & (a > 0.0)
    if np.any(low):
        log_m[low] = np.log(_kummer_series(a[low], x[low]))
        log_p[low] = log_pmf[low] + log_m[low]
    return log_p, log_m


def _kummer_series(a, x):
    """``sum_j x**j / ((a+1)(a+2)...(a+j))`` for ``x < a`` (Kummer's M(1, a+1, x))."""
    total = np.ones_like(a)
    term = np.ones_like(a)
    active = np.arange(a.size)
    j = 0
    while active.size:
        j += 1
        term[active] *= x[active] / (a[active] + j)
        total[active] += term[active]
        active = active[term[active] > 1e-17 * total[active]]
    return total


def log_erlang_b(load, agents):
    """Logarithm of the Erlang B blocking probability for real ``agents >= 0``.

    ``B(A, n) = pmf(n; A) / Q(n + 1, A)`` with ``Q`` the regularized upper incomplete gamma
    function; in overload, where both underflow, ``B = 1 / (A * K)`` with ``K`` the Legendre
    continued fraction of ``Γ(n + 1, A) e^A A^-(n+1)``.

    References
    ----------
    D. L. Jagerman, "Some properties of the Erlang loss function", Bell System Technical
    Journal 53(3), 1974.
    """
    load, agents = np.broadcast_arrays(
        np.asarray(load, dtype=float), np.asarray(agents, dtype=float)
    )
    busy = (agents > 0.0) & (load > 0.0)
    if busy.all():
        return _log_erlang_b_busy(load, agents)
    out = np.zeros(load.shape)
    out[(agents > 0.0) & (load == 0.0)] = -np.inf
    out[busy] = _log_erlang_b_busy(load[busy], agents[busy])
    return out


def _log_erlang_b_busy(a, n):
    q = special.gammaincc(n + 1.0, a)
    with np.errstate(divide="ignore"):
        res = log_poisson_pmf(n, a) - np.log(q)
    deep = q < _TINY
    if np.any(deep):
        res[deep] = -np.log(a[deep] * _upper_gamma_fraction(n[deep] + 1.0, a[deep]))
    return np.minimum(res, 0.0)


def _upper_gamma_fraction(a, x):
    """Continued fraction ``K`` with ``Γ(a, x) = exp(-x) x**a K``, for ``x > a + 1``.

    Modified Lentz evaluation, stepped over all entries at once until each has converged.
    """
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(a, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    active = np.arange(a.size)
    i = 0
    while active.size and i < 100_000:
        i += 1
        an = -i * (i - a[active])
        b[active] += 2.0
        dd = an * d[active] + b[active]
        dd = np.where(np.abs(dd) < tiny, tiny, dd)
        cc = b[active] + an / c[active]
        cc = np.where(np.abs(cc) < tiny, tiny, cc)
        dd = 1.0 / dd
        delta = dd * cc
        d[active], c[active] = dd, cc
        h[active] *= delta
        active = active[np.abs(delta - 1.0) > 1e-16]
    return h

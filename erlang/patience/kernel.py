"""Compiled integrals of the M/M/n+G virtual-wait density, one interval per entry.

For an arrival rate ``λ``, ``n`` agents serving at rate ``μ`` each and patience survival
``S`` with ``H(x) = ∫_0^x S``, the virtual wait ``V`` (the wait of a caller who never hangs
up) has, given ``V > 0``, the density ``f(x) / J`` with ``f(x) = exp(φ(x))``,
``φ(x) = λ H(x) - nμ x`` and ``J = ∫_0^∞ f`` (Baccelli and Hebuterne, 1981). ``φ`` is
concave (``φ'' = λ S' <= 0``), so ``f`` is log-concave and unimodal.

Both kernels return, per interval and shifted by ``exp(-φ_max)`` (so nothing overflows),

    J = ∫ f,  A = ∫ f S,  I_H = ∫ f H,  I_x = ∫ f x S,
    and for each mark t:  T(t) = ∫_t^∞ f,  R(t) = ∫_t^∞ f S,

from which :mod:`erlang.patience.queue` builds every metric.

* :func:`step_integrals`: ``S`` is a step function (Deterministic, Empirical), so ``φ`` is
  piecewise linear and every integral is an exact sum of exponential pieces.
* :func:`smooth_integrals`: ``S`` is smooth (Weibull, LogNormal): composite Gauss-Legendre
  on panels walked from 0 whose width keeps the change of ``φ`` (by slope and by curvature)
  and of ``ln S`` small, growing at most fourfold per panel (a graded mesh from a small first
  panel where ``S`` is not analytic at 0, the ``t^k`` of a Weibull law with non-integer ``k``
  or the ``ln t`` of a log-normal: on ``[x, 4x]`` ten nodes resolve ``t^k`` to about 1e-10);
  marks are panel edges, so the tails are plain sums. ``H`` at the nodes comes from the
  Legendre integration matrix of each panel. The walk stops past
  the mode once ``φ`` has fallen ``_DROP`` below its maximum: the rest is below e^-45; in a
  heavily overloaded queue it starts where ``φ`` has climbed to within ``_DROP`` of it.

References
----------
F. Baccelli, G. Hebuterne, "On queues with impatient customers", Performance '81, 1981.
S. Zeltyn, A. Mandelbaum, "Call centers with impatient customers: many-server asymptotics of
the M/M/n+G queue", Queueing Systems 51, 2005.
"""

import math

import numpy as np
from numba import njit
from numpy.polynomial import legendre

_NODES = 10
_DROP = 45.0
_PHI_STEP = 5.0  # largest change of φ across a panel
_LOG_S_STEP = 1.0  # largest change of ln S across a panel
_MAX_PANELS = 4000

WEIBULL, LOGNORMAL = 0, 1


def _gauss_legendre(p):
    """Nodes, weights and integration matrix ``M[j, k] = ∫_{-1}^{x_j} ℓ_k`` on [-1, 1]."""
    x, w = legendre.leggauss(p)
    vander = legendre.legvander(x, p - 1)
    q = np.empty((p, p))
    for m in range(p):
        antiderivative = legendre.legint(np.eye(p)[m], lbnd=-1.0)
        q[:, m] = legendre.legval(x, antiderivative)
    return x, w, q @ np.linalg.inv(vander)


GL_X, GL_W, GL_INT = _gauss_legendre(_NODES)


@njit(cache=True)
def _survival(kind, p1, p2, x):
    """S(x) of the smooth laws."""
    if x <= 0.0:
        return 1.0
    if kind == WEIBULL:  # p1 shape, p2 scale
        return math.exp(-((x / p2) ** p1))
    z = (math.log(x) - p1) / p2  # LOGNORMAL: p1 mu, p2 sigma
    return 0.5 * math.erfc(z / math.sqrt(2.0))


@njit(cache=True)
def _hazard(kind, p1, p2, x):
    """S(x) and the hazard -S'/S of the smooth laws."""
    if x <= 0.0:
        return 1.0, math.inf if (kind == WEIBULL and p1 < 1.0) else 0.0
    if kind == WEIBULL:
        z = (x / p2) ** p1
        return math.exp(-z), p1 * z / x
    z = (math.log(x) - p1) / p2
    s = 0.5 * math.erfc(z / math.sqrt(2.0))
    g = math.exp(-0.5 * z * z) / (x * p2 * math.sqrt(2.0 * math.pi))
    return s, (g / s if s > 0.0 else math.inf)


@njit(cache=True)
def smooth_integrals(kind, p1, p2, lam, nmu, phi_max, x0, h0, w0, marks, gl_x, gl_w, gl_int):
    """Integrals of the virtual-wait density for a smooth survival (see the module notes).

    ``marks`` is ``(N, M)``, ascending along each row (``inf`` for none). The walk starts at
    ``x0`` with ``H(x0) = h0``: a point before which ``f`` is negligible (0 unless the queue
    is so overloaded that ``φ`` climbs by more than ``_DROP`` to its mode). Returns
    ``(N, 4 + 2M)``: ``J, A, I_H, I_x`` then ``T`` and ``R`` of each mark.

    On the falling side, a panel starting ``d`` below the mode may change ``φ`` by
    ``_PHI_STEP + d / 2``: its weight ``e^-d`` pays for the coarser rule.
    """
    n_int, n_marks = marks.shape
    p = gl_x.size
    out = np.zeros((n_int, 4 + 2 * n_marks))
    s_node = np.empty(p)
    for i in range(n_int):
        lm, nm, top = lam[i], nmu[i], phi_max[i]
        x, h, natural = x0[i], h0[i], w0[i] * 0.25
        mark = 0
        for _ in range(_MAX_PANELS):
            s_x, haz_x = _hazard(kind, p1, p2, x)
            slope = lm * s_x - nm
            depth = top - (lm * h - nm * x)
            step = _PHI_STEP + 0.5 * depth if slope < 0.0 else _PHI_STEP
            w = 4.0 * natural
            if abs(slope) * w > step:
                w = step / abs(slope)
            s_mid, haz = _hazard(kind, p1, p2, x + 0.5 * w)
            curvature = lm * s_mid * haz  # -φ'', at both ends of the panel's first half
            if x > 0.0:
                curvature = max(curvature, lm * s_x * haz_x)
                haz = max(haz, haz_x)
            if curvature * w * w > 2.0 * step:
                w = math.sqrt(2.0 * step / curvature)
            if s_mid > 1e-20 and haz * w > _LOG_S_STEP:
                w = max(_LOG_S_STEP / haz, 1e-3 * w)
            for _ in range(30):  # a rising hazard is steepest at the panel's end: halve
                s_end, haz_end = _hazard(kind, p1, p2, x + w)
                steep = s_end > 1e-20 and haz_end * w > 2.0 * _LOG_S_STEP
                if not (steep or lm * s_end * haz_end * w * w > 4.0 * step):
                    break
                w *= 0.5
            natural = w
            while mark < n_marks and marks[i, mark] <= x:
                mark += 1
            if mark < n_marks and x + w > marks[i, mark]:
                w = marks[i, mark] - x
            half = 0.5 * w
            j0 = j1 = j2 = j3 = 0.0
            for k in range(p):
                s_node[k] = _survival(kind, p1, p2, x + half * (gl_x[k] + 1.0))
            for k in range(p):
                xk = x + half * (gl_x[k] + 1.0)
                hk = h
                for m in range(p):
                    hk += half * gl_int[k, m] * s_node[m]
                f = gl_w[k] * half * math.exp(lm * hk - nm * xk - top)
                j0 += f
                j1 += f * s_node[k]
                j2 += f * hk
                j3 += f * xk * s_node[k]
            out[i, 0] += j0
            out[i, 1] += j1
            out[i, 2] += j2
            out[i, 3] += j3
            for m in range(mark):
                out[i, 4 + 2 * m] += j0
                out[i, 5 + 2 * m] += j1
            for k in range(p):
                h += half * gl_w[k] * s_node[k]
            x += w
            if lm * _survival(kind, p1, p2, x) - nm < 0.0 and lm * h - nm * x - top < -_DROP:
                break
    return out


@njit(cache=True)
def _piece(phi_a, c, length):
    """``∫_0^L e^(φ_a + c u) du`` and ``∫_0^L u e^(φ_a + c u) du`` (``L`` may be ``inf``).

    Evaluated from the piece's higher end so that no exponential overflows.
    """
    if math.isinf(length):  # c < 0
        e = math.exp(phi_a)
        return e / -c, e / (c * c)
    y = c * length
    if y <= 0.0:
        e, g0, g1 = math.exp(phi_a), _g0(y), _g1(y)
        return e * length * g0, e * length * length * g1
    e = math.exp(phi_a + y)  # the right end is the higher one
    g0, g1 = _g0(-y), _g1(-y)
    return e * length * g0, e * length * length * (g0 - g1)


@njit(cache=True)
def _g0(y):
    """``(e^y - 1) / y`` for ``y <= 0``."""
    if y > -1e-8:
        return 1.0 + 0.5 * y
    return math.expm1(y) / y


@njit(cache=True)
def _g1(y):
    """``∫_0^1 u e^(y u) du = (e^y (y - 1) + 1) / y²`` for ``y <= 0``, by series near 0."""
    if y > -0.1:
        total, term = 0.0, 1.0
        for k in range(12):
            total += term / (k + 2.0)
            term *= y / (k + 1.0)
        return total
    return (math.exp(y) * (y - 1.0) + 1.0) / (y * y)


@njit(cache=True)
def step_integrals(starts, levels, lam, nmu, marks):
    """Exact integrals for a step survival: ``S = levels[k]`` on ``[starts[k], starts[k+1])``,
    the last piece unbounded. ``starts[0] == 0``.

    Returns ``(N, 5 + 2M)``: ``J, A, I_H, I_x``, the marks' ``T`` and ``R``, then ``φ_max``.
    A row of ``nan`` where ``λ S(∞) >= nμ`` (the queue grows without bound).
    """
    n_int, n_marks = marks.shape
    k_pieces = starts.size
    out = np.zeros((n_int, 5 + 2 * n_marks))
    phi = np.empty(k_pieces)
    h_start = np.empty(k_pieces)
    h_start[0] = 0.0
    for k in range(1, k_pieces):
        h_start[k] = h_start[k - 1] + levels[k - 1] * (starts[k] - starts[k - 1])
    for i in range(n_int):
        lm, nm = lam[i], nmu[i]
        if lm * levels[k_pieces - 1] >= nm:
            out[i, :] = np.nan
            continue
        top = -math.inf
        for k in range(k_pieces):
            phi[k] = lm * h_start[k] - nm * starts[k]
            top = max(top, phi[k])
        for k in range(k_pieces):
            c = lm * levels[k] - nm
            length = starts[k + 1] - starts[k] if k + 1 < k_pieces else math.inf
            end_phi = phi[k + 1] if k + 1 < k_pieces else -math.inf
            if max(phi[k], end_phi) - top < -_DROP:
                continue  # weighs less than e^-45 of the mode: nothing to add
            i0, i1 = _piece(phi[k] - top, c, length)
            s = levels[k]
            out[i, 0] += i0
            out[i, 1] += s * i0
            out[i, 2] += h_start[k] * i0 + s * i1
            out[i, 3] += s * (starts[k] * i0 + i1)
            for m in range(n_marks):
                t = marks[i, m]
                end = starts[k + 1] if k + 1 < k_pieces else math.inf
                if t >= end:
                    continue
                part = i0
                if t > starts[k]:  # the part of the piece from t on
                    part, _ = _piece(phi[k] - top + c * (t - starts[k]), c, end - t)
                out[i, 4 + 2 * m] += part
                out[i, 5 + 2 * m] += s * part
        out[i, 4 + 2 * n_marks] = top
    return out

"""Trunk lines: the M/M/n/K and M/M/n+M/K queues (a finite waiting room) in closed form.

A center with ``K`` trunk lines holds at most ``K`` callers at once, in service and waiting; a
caller who arrives when all ``K`` are taken hears busy tone and is blocked. With ``n`` agents
the waiting room has ``m = K - n`` places. Relative to state ``n`` (all agents busy, nobody
waiting), the stationary weight of ``n + j`` waiting-room states is

    w_j = ρ^j                       (Erlang C, ρ = A / n)
    w_j = b^j / (a + 1)_j           (Erlang A, a = nμ/θ, b = λ/θ)

and the states below ``n`` weigh ``1/B - 1`` together, with ``B`` the Erlang B probability of
``n`` agents. Everything an arrival sees follows from ``S = Σ_{j<m} w_j`` (it waits) and
``w_m`` (it is blocked):

    blocking = w_m / Z,   P(wait) = S / Z,   Z = (1 - B) / B + S + w_m.

Erlang C's ``S`` is a finite geometric sum. Erlang A's is a truncated Kummer series: the part
beyond the trunks is ``w_m M(1, a + m + 1, b)``, so
``S = M(1, a + 1, b) - w_m M(1, a + m + 1, b)``; where that difference cancels (``b`` beyond
``a + m``), the same sum is read backwards as an
Erlang B continued product, ``S = w_{m-1} / B(b, a + m - 1) + 1 - 1 / B(b, a)``.

The waiting time of a caller admitted with ``j`` callers ahead is a sum of ``j + 1``
exponential stages: rate ``nμ`` each under Erlang C, rates ``θ(a + i)``, ``i = 0..j`` (the
virtual wait) under Erlang A, whose tail is the regularized incomplete beta function
``I_p(a, j + 1)`` with ``p = e^-θt``. The waiting-time metrics are the sums of those laws over the
admitted states. The terms of those sums are log-concave in ``j``, so only a window around the
largest one matters: the sums run over the terms within ``e^-42`` of the largest, which leaves
out less than ``1e-17`` of any probability however many trunks there are. Where the trunks hold
all but ``1e-17`` of the callers the untruncated formulas of :mod:`erlang.queue` are used, so a
large cap gives exactly the uncapped values.

References
----------
L. Kleinrock, "Queueing Systems, Volume 1: Theory", Wiley, 1975, section 3.6 (M/M/m/K).
O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient customers",
Manufacturing & Service Operations Management 4(3), 2002 (the M/M/n+M chain).
A. Mandelbaum, S. Zeltyn, "The M/M/n+G queue: summary of performance measures", 2009.
"""

from dataclasses import dataclass

import numpy as np
from scipy import special

from .gamma import log_erlang_b, log_gammainc, log_kummer, log_poisson_pmf
from .inputs import check_finite
from .queue import Queue

# Below this share of the stationary mass beyond the trunks, the cap changes nothing.
_LOG_NEGLIGIBLE = np.log(1e-17)
# Terms of the waiting-time sums below e^-42 of the largest are left out.
_LOG_WINDOW = 42.0


def _log_abs_expm1(x):
    """``ln |e^x - 1|`` without overflow for large ``x`` (``-inf`` at 0)."""
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        big = x + np.log1p(-np.exp(-np.abs(x)))
        return np.where(x > 1.0, big, np.log(np.abs(np.expm1(x))))


def _log_geometric(count, step):
    """``ln Σ_{j<count} e^(j step)``: ``ln count`` at ``step = 0``, ``-inf`` for no terms."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = _log_abs_expm1(count * step) - _log_abs_expm1(step)
        return np.where(step == 0.0, np.log(count), np.where(count > 0, out, -np.inf))


def _mean_truncated_geometric(count, step):
    """Mean of ``J`` with ``P(J = j) ∝ e^(j step)``, ``j = 0..count-1``.

    ``(h(count·step) - h(step)) / step`` with ``h(x) = x / (1 - e^-x)``; near ``step = 0`` its
    Taylor series, ``(m-1)/2 + (m²-1) s / 12 - (m⁴-1) s³ / 720``.
    """
    m, s = count, step

    def h(x):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            direct = x / -np.expm1(-x)
        series = 1.0 + x / 2.0 + x * x / 12.0 - x**4 / 720.0
        return np.where(np.abs(x) < 1e-4, series, np.where(np.isfinite(direct), direct, 0.0))

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        direct = (h(m * s) - h(s)) / s
    series = (m - 1.0) / 2.0 + (m * m - 1.0) * s / 12.0 - (m**4 - 1.0) * s**3 / 720.0
    return np.where(np.abs(m * s) < 1e-3, series, direct)


def _digamma_difference(x, h):
    """``ψ(x + h) - ψ(x)`` for ``x > 0``, ``h >= 0``, to relative precision even for ``h << x``.

    For ``x >= 50`` the asymptotic series of ψ, differenced term by term.
    """
    direct = special.digamma(x + h) - special.digamma(x)
    y = x + h
    with np.errstate(divide="ignore", invalid="ignore"):
        d1 = h / (2.0 * x * y)
        d2 = h * (x + y) / (x * x * y * y)
        d4 = d2 * (x * x + y * y) / (x * x * y * y)
        d6 = h * (x**4 * (y + x) + x * x * y * y * (x + y) + y**4 * (x + y)) / (x * y) ** 6
        series = np.log1p(h / x) + d1 + d2 / 12.0 - d4 / 120.0 + d6 / 252.0
    return np.where(x >= 50.0, series, direct)


def _window(log_term, mode, last):
    """Integer range ``[lo, hi]`` within ``[0, last]`` where a log-concave term is within
    ``e^-42`` of its value at ``mode``, found by bisection on each side."""
    floor = log_term(mode) - _LOG_WINDOW
    bad, good = np.full(mode.shape, -1.0), mode.copy()
    while np.any(open_ := good - bad > 1.0):
        mid = np.floor(0.5 * (bad + good))
        ok = log_term(np.maximum(mid, 0.0)) >= floor
        bad = np.where(open_ & ~ok, mid, bad)
        good = np.where(open_ & ok, mid, good)
    lo = good
    good, bad = mode.copy(), last + 1.0
    while np.any(open_ := bad - good > 1.0):
        mid = np.floor(0.5 * (bad + good))
        ok = log_term(np.minimum(mid, last)) >= floor
        good = np.where(open_ & ok, mid, good)
        bad = np.where(open_ & ~ok, mid, bad)
    return lo, good


def check_trunks(trunks, agents):
    """Trunks are whole numbers ``>= agents`` (``inf`` for none); agents under a cap are whole."""
    check_finite("trunks", trunks, low=0.0, allow_inf=True)
    finite = np.isfinite(trunks)
    bad = finite & (trunks != np.floor(trunks))
    if bad.any():
        raise ValueError(f"trunks must be whole numbers, got {float(trunks[bad].flat[0])!r}")
    bad = finite & (agents != np.floor(agents))
    if bad.any():
        value = float(agents[bad].flat[0])
        raise ValueError(f"agents must be whole numbers under a trunk cap, got {value!r}")
    bad = trunks < agents
    if bad.any():
        first = np.flatnonzero(bad.ravel())[0]
        raise ValueError(
            f"trunks must be >= agents (callers in service hold a trunk each), got trunks "
            f"{trunks.ravel()[first]:g} < agents {agents.ravel()[first]:g} "
            f"({int(bad.sum())} entries)"
        )


@dataclass
class TrunkQueue(Queue):
    """A :class:`~erlang.queue.Queue` with at most ``trunks`` callers in the system.

    ``trunks`` holds whole numbers ``>= agents`` (``inf`` for no cap); ``agents`` must be whole
    where the cap is finite. ``blocking`` is the share of offered callers who get busy tone;
    ``p_wait`` and ``p_abandon`` are shares of offered callers, blocked ones included.
    """

    trunks: np.ndarray | None = None

    def __post_init__(self):
        # Entries are handled by flat position; thresholds are flattened to match (_flat).
        self._shape = np.shape(self.load)
        for name in ("load", "agents", "aht", "patience", "volume", "trunks"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, np.ravel(np.broadcast_to(value, self._shape)))
        super().__post_init__()
        finite = np.isfinite(self.trunks) & ~self.idle
        self._capped = np.zeros(self.load.shape, dtype=bool)
        self._c = self._zero = np.zeros(0, dtype=np.intp)
        self._c_impatient = np.zeros(0, dtype=bool)
        if not finite.any():
            return
        f = np.flatnonzero(finite)
        load, n, patience = self.load[f], self.agents[f], self.patience[f]
        m = self.trunks[f] - n
        impatient = np.isfinite(patience)
        log_s, log_last, tail_share = np.empty(f.size), np.empty(f.size), np.empty(f.size)
        ratio = patience / self.aht[f]
        with np.errstate(divide="ignore", invalid="ignore"):
            a, b = n * ratio, load * ratio  # nan for patient entries, which never use them
            step = np.log(load) - np.log(n)  # ln ρ; inf with no agents, handled below
            c = ~impatient
            log_last[c] = m[c] * step[c]
            log_s[c] = _log_geometric(m[c], step[c])
        tail_share[c] = np.where(step[c] < 0.0, log_last[c], 0.0)  # ρ^m of the infinite sum
        i = impatient
        # ln M(1, a + 1, b), already taken by the uncapped queue for the impatient entries.
        log_j = np.full(self.load.shape, np.nan)
        if self.impatient.any():
            log_j[self.impatient] = self._log_j
        log_s[i], log_last[i], tail_share[i] = _erlang_a_waiting_mass(
            a[i], b[i], m[i], log_j[f][i]
        )
        log_b = self._log_b[f]
        with np.errstate(divide="ignore", invalid="ignore"):
            log_below = np.log(-np.expm1(log_b)) - log_b  # ln((1 - B) / B)
            log_z = np.logaddexp(np.logaddexp(log_below, log_s), log_last)
            p_n = np.exp(-log_z)
            p_wait = np.exp(log_s - log_z)
            blocking = np.exp(log_last - log_z)
            # Flow balance: abandons = admitted - served, in units of offered callers.
            p_abandon = np.where(impatient, p_wait - (p_wait + blocking - p_n) * (n / load), 0.0)
        no_agents = n == 0.0
        blocking = np.where(no_agents & ~impatient, 1.0, blocking)
        p_wait = np.where(no_agents & ~impatient, 0.0, p_wait)
        p_abandon = np.clip(np.nan_to_num(p_abandon, nan=0.0), 0.0, p_wait)
        capped = (tail_share > _LOG_NEGLIGIBLE) | no_agents
        self.blocking[f] = blocking
        self.p_wait[f[capped]] = p_wait[capped]
        self.p_abandon[f[capped]] = p_abandon[capped]
        self._capped[f[capped]] = True
        keep = capped & (m > 0) & ~(no_agents & ~impatient)
        self._c = f[keep]
        self._c_m, self._c_log_s = m[keep], log_s[keep]
        self._c_step, self._c_a, self._c_b = step[keep], a[keep], b[keep]
        self._c_impatient = impatient[keep]
        self._zero = f[capped & ~keep]  # nobody waits and is served: all waits are 0

    def _capped_window(self):
        """The window of waiting-room states that matter, per capped impatient entry; taken
        on first use (the loss shares alone, as the redial fixed point asks, need none)."""
        if "_c_window" not in self.__dict__:
            ia = self._c_impatient
            mode = np.clip(np.floor(self._c_b[ia] - self._c_a[ia]), 0.0, self._c_m[ia] - 1.0)

            def log_weight(j):
                return log_poisson_pmf(self._c_a[ia] + j, self._c_b[ia])

            self._c_window = _window(log_weight, mode, self._c_m[ia] - 1.0)
        return self._c_window

    # Waiting-time law over the capped entries ------------------------------------------------
    def _capped_sums(self, t, which):
        """Conditional on waiting, over the capped entries: ``which = 0`` ``P(V > t)``,
        ``1`` ``P(served, V > t)``, ``2`` ``E[V; served]`` (``t = 0``).

        Remembered per scalar ``t``: the metrics ask for the same threshold several times.
        """
        key = (float(t), which) if not np.ndim(t) else None
        cache = self.__dict__.setdefault("_sums", {})
        if key is not None and key in cache:
            return cache[key]
        k = self._c
        t = np.broadcast_to(np.asarray(t, dtype=float), self.load.shape)[k]
        out = np.zeros(k.size)
        c = ~self._c_impatient
        if c.any():
            rate = self.agents[k[c]] / self.aht[k[c]]
            if which == 2:
                out[c] = (1.0 + _mean_truncated_geometric(self._c_m[c], self._c_step[c])) / rate
            else:  # every admitted caller is served: the two tails coincide
                out[c] = _erlang_c_tail(rate * t[c], self._c_m[c], self._c_step[c])
        i = self._c_impatient
        if i.any():
            theta = 1.0 / self.patience[k[i]]
            out[i] = _erlang_a_sums(
                self._c_a[i],
                self._c_b[i],
                self._c_log_s[i],
                *self._capped_window(),
                np.exp(-theta * t[i]),
                which,
            )
            if which == 2:
                out[i] /= theta
        if key is not None:
            cache[key] = out
        return out

    def _patched(self, base, t, which):
        out = base.copy()
        out[self._zero] = 0.0
        if self._c.size:
            out[self._c] = self.p_wait[self._c] * self._capped_sums(t, which)
        return out

    def _gamma_ratio(self, shift, t):
        """The uncapped ratio of :class:`~erlang.queue.Queue`, only where the cap is negligible
        (elsewhere 0, overwritten by the capped sums)."""
        m = self.impatient
        keep = ~self._capped[m]
        out = np.zeros(keep.shape)
        if keep.any():
            a, b = self._a[keep], self._b[keep]
            theta_t = np.broadcast_to(t, m.shape)[m][keep] / self.patience[m][keep]
            log_num = log_gammainc(a + shift, b * np.exp(-theta_t))
            with np.errstate(divide="ignore"):
                log_scale = shift * (np.log(a) - np.log(b)) if shift else 0.0
            out[keep] = np.exp(log_scale + log_num - self._log_p_ab[keep])
        return out

    def _flat(self, t):
        """Seconds given in the caller's shape, flattened like the entries."""
        if not np.ndim(t):
            return t
        return np.ravel(np.broadcast_to(np.asarray(t, dtype=float), self._shape))

    def wait_tail(self, t):
        """P(admitted and virtual wait longer than ``t`` seconds), over offered callers."""
        t = self._flat(t)
        return self._patched(super().wait_tail(t), t, 0)

    def served_after(self, t):
        """P(admitted, served, and waited longer than ``t`` seconds), over offered callers."""
        t = self._flat(t)
        return self._patched(super().served_after(t), t, 1)

    def short_abandon(self, s):
        """P(hang up while waiting, within ``s`` seconds), over offered callers."""
        return super().short_abandon(self._flat(s))

    def _capped_wait_answered(self):
        """Mean wait of answered callers over the capped entries with a waiting room [s]."""
        k = self._c
        served = np.where(self.agents[k] > 0.0, 1.0 - self.blocking[k] - self.p_abandon[k], 0.0)
        wait = self.p_wait[k] * self._capped_sums(0.0, 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(served > 0.0, wait / served, np.inf)

    def mean_wait_all(self):
        """Mean time in queue of admitted callers, abandoning ones included [s].

        Blocked callers never queue and are left out: ``E[Q] = λ (1 - blocking) W``.
        """
        out = super().mean_wait_all()
        m = self.impatient
        with np.errstate(divide="ignore", invalid="ignore"):
            out[m] = self.p_abandon[m] * self.patience[m] / (1.0 - self.blocking[m])
        out[self._zero] = 0.0
        patient = ~self._c_impatient if self._c.size else np.zeros(0, dtype=bool)
        if patient.any():
            out[self._c[patient]] = self._capped_wait_answered()[patient]
        return out

    def mean_wait_answered(self):
        """Mean wait of the answered callers (average speed of answer) [s]."""
        out = Queue.mean_wait_all(self)  # Erlang C entries: all admitted callers are answered
        m = self.impatient & ~self._capped
        if m.any():
            out[m] = self._wait_answered(~self._capped[self.impatient])
        out[self._zero] = np.where(self.agents[self._zero] > 0.0, 0.0, np.inf)
        if self._c.size:
            out[self._c] = self._capped_wait_answered()
        return out


def _erlang_a_waiting_mass(a, b, m, log_j):
    """``(ln S, ln w_m, ln share beyond the trunks)`` of the Erlang A waiting-room weights;
    ``log_j`` is ``ln M(1, a + 1, b)``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_last = log_poisson_pmf(a + m, b) - log_poisson_pmf(a, b)
        log_s = np.full(a.shape, -np.inf)
        share = np.zeros(a.shape)  # overloaded entries: the cap binds
        forward = (b <= a + 0.5 * m) & (m > 0)
        if forward.any():
            af, bf, mf = a[forward], b[forward], m[forward]
            log_jf = log_j[forward]
            beyond = log_last[forward] + log_kummer(af + mf, bf) - log_jf
            log_s[forward] = log_jf + np.log(-np.expm1(beyond))
            share[forward] = beyond
        backward = ~forward & (m > 0)
        if backward.any():
            ab, bb, mb = a[backward], b[backward], m[backward]
            log_prev = log_last[backward] - np.log(bb) + np.log(ab + mb)  # ln w_{m-1}
            lead = log_prev - log_erlang_b(bb, ab + mb - 1.0)
            rest = -np.expm1(-log_erlang_b(bb, ab))  # 1 - 1/B(b, a) <= 0
            log_s[backward] = lead + np.log1p(rest * np.exp(-lead))
    return log_s, log_last, share


# Entries times window terms evaluated at once in the waiting-time sums.
_BLOCK = 1 << 18


def _blocks(width):
    """Row ranges of entries sorted by decreasing window width, each of at most ``_BLOCK``
    terms (small enough to stay in cache)."""
    start = 0
    while start < width.size:
        stop = start + max(1, _BLOCK // max(int(width[start]), 1))
        yield slice(start, min(stop, width.size))
        start = stop


def _exclusive_cumsum(x):
    """``Σ_{i<j} x_i`` along the last axis (0 for the first term)."""
    out = np.zeros_like(x)
    np.cumsum(x[:, :-1], axis=1, out=out[:, 1:])
    return out


def _erlang_c_tail(c, m, step):
    """``P(W > t | wait)`` of M/M/n/K, ``c = nμt``, ``step = ln ρ``.

    A caller with ``j`` ahead waits for ``j + 1`` completions at rate ``nμ``, so
    ``P(W > t | j) = Q(j + 1, c)`` and, summed over the waiting states,

        S P(W > t | wait) = (e^(c(ρ-1)) Q(m, cρ) - ρ^m Q(m, c)) / (1 - ρ)

    with ``Q(m, x) = pmf(m-1; x) / B(x, m-1)`` (Erlang B, so that both terms stay finite in
    logs). Near ``ρ = 1`` the difference cancels; there the sum is taken term by term with the
    order swapped, ``Σ_i pmf(i; c) Σ_{j=i}^{m-1} ρ^j``, which has no cancellation.
    """
    out = np.ones(c.shape)  # t = 0: every waiting caller waits longer
    positive = c > 0.0
    near = positive & (np.abs(step) < 1e-3)
    far = np.flatnonzero(positive & ~near)
    if far.size:
        cf, mf, sf = c[far], m[far], step[far]
        rho = np.exp(sf)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            x1 = cf * np.expm1(sf) + _log_poisson_cdf(mf - 1.0, cf * rho)
            x2 = mf * sf + _log_poisson_cdf(mf - 1.0, cf)
            top, bottom = np.maximum(x1, x2), np.minimum(x1, x2)
            scale = top - np.log(np.abs(np.expm1(sf))) - _log_geometric(mf, sf)
            value = np.exp(scale) * -np.expm1(bottom - top)
        out[far] = np.clip(np.nan_to_num(value, nan=0.0), 0.0, 1.0)
    near = np.flatnonzero(near)
    if near.size:
        out[near] = _erlang_c_tail_terms(c[near], m[near], step[near])
    return out


def _log_poisson_cdf(k, x):
    """``ln P(Poisson(x) <= k)`` for whole ``k >= 0``: ``ln pmf(k; x) - ln B(x, k)``."""
    return log_poisson_pmf(k, x) - log_erlang_b(x, k)


def _erlang_c_tail_terms(c, m, step):
    """``P(W > t | wait)`` of M/M/n/K term by term, for ``ρ`` near 1."""
    mode = np.clip(np.floor(c), 0.0, m - 1.0)
    lo, hi = _window(lambda i: log_poisson_pmf(i, c), mode, m - 1.0)
    width = (hi - lo + 1.0).astype(np.int64)
    order = np.argsort(-width, kind="stable")
    total = np.zeros(c.size)
    log_s = _log_geometric(m, step)
    for rows in _blocks(width[order]):
        r = order[rows]
        offset = np.arange(width[r].max())
        valid = offset < width[r, None]
        i = np.where(valid, lo[r, None] + offset, lo[r, None])
        s = step[r, None]
        log_g = i * s + _log_geometric(m[r, None] - i, s) - log_s[r, None]
        terms = np.exp(log_poisson_pmf(i, np.broadcast_to(c[r, None], i.shape)) + log_g)
        total[r] = np.where(valid, terms, 0.0).sum(axis=1)
    return np.minimum(total, 1.0)


def _erlang_a_sums(a, b, log_s, lo, hi, p, which):
    """Sums over the waiting-room states ``j`` in ``[lo, hi]`` given a wait, at ``p = e^-θt``.

    ``which = 0``: ``Σ π_j I_p(a, j+1)`` (virtual wait beyond ``t``); ``1``:
    ``Σ π_j a/(a+j+1) I_p(a+1, j+1)`` (served after ``t``); ``2`` (for ``t = 0``):
    ``Σ π_j a/(a+j+1) (ψ(a+j+2) - ψ(a+1))`` (``θ E[V; served]``), with ``π_j = w_j / S``. A
    caller with ``j`` ahead waits through stages of rates ``θ(a+i)``, ``i = 0..j``, so
    ``P(V > t | j) = I_p(a, j + 1)`` and ``E[e^-θV; V > t | j] = a/(a+j+1) I_p(a+1, j+1)``.
    Along ``j`` every factor moves by one multiplication or addition, so each row of terms is a
    cumulative sum from the window start.
    """
    width = (hi - lo + 1.0).astype(np.int64)
    order = np.argsort(-width, kind="stable")
    out = np.zeros(a.size)
    for rows in _blocks(width[order]):
        r = order[rows]
        args = a[r], b[r], log_s[r], lo[r], width[r]
        out[r] = _erlang_a_waits(*args) if which == 2 else _erlang_a_tails(*args, p[r], which)
    return np.minimum(out, 1.0) if which != 2 else out


def _erlang_a_terms(a, b, log_s, lo, width):
    """Per window term: ``π_j`` (0 beyond the window) and ``a + j + 1``, one column longer."""
    rise = a[:, None] + lo[:, None] + 1.0 + np.arange(width.max() + 1)  # a + j + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        log_w = log_poisson_pmf(a + lo, b) - log_poisson_pmf(a, b) - log_s
    w = np.exp(log_w[:, None] + _exclusive_cumsum(np.log(b[:, None] / rise[:, :-1])))
    valid = np.arange(width.max()) < width[:, None]
    return np.where(valid, w, 0.0), rise


def _erlang_a_waits(a, b, log_s, lo, width):
    w, rise = _erlang_a_terms(a, b, log_s, lo, width)
    served = w * a[:, None] / rise[:, :-1]
    stages = _digamma_difference(a + 1.0, lo + 1.0)[:, None] + _exclusive_cumsum(1.0 / rise[:, 1:])
    return (served * stages).sum(axis=1)


def _erlang_a_tails(a, b, log_s, lo, width, p, which):
    """``which = 0``: ``Σ π_j I_p(a, j+1)``; ``1``: ``Σ π_j a/(a+j+1) I_p(a+1, j+1)``."""
    w, rise = _erlang_a_terms(a, b, log_s, lo, width)
    shape = a + which  # I_p(shape, j + 1)
    log_rise = np.log(rise)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p, log_q = np.log(p), np.log1p(-p)
        start = special.gammaln(shape + lo + 1.0) - special.gammaln(shape)
        start = start - special.gammaln(lo + 2.0) + shape * log_p + (lo + 1.0) * log_q
        start = np.where(shape == 0.0, -np.inf, start)  # I_p(0, ·) = 1
        count = np.log(lo[:, None] + 2.0 + np.arange(w.shape[1])) - log_q[:, None]
        # I_p(s, j + 2) - I_p(s, j + 1) = Γ(s+j+1) / (Γ(s) Γ(j+2)) p^s q^(j+1)
        grow = log_rise[:, 1:] if which else log_rise[:, :-1]
        step = np.exp(start[:, None] + _exclusive_cumsum(grow - count))
    beyond = special.betainc(shape, lo + 1.0, p)[:, None] + _exclusive_cumsum(step)
    if which:
        w = w * a[:, None] / rise[:, :-1]
    return (w * beyond).sum(axis=1)

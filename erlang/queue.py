"""The M/M/n (Erlang C) and M/M/n+M (Erlang A) queues in closed form, one interval per entry.

Everything a caller experiences follows from two quantities and one waiting-time law. With
``A`` the offered load, ``n`` agents, ``θ = 1/patience`` and ``μ = 1/aht``, write
``a = nμ/θ``, ``b = λ/θ`` and ``P`` for the regularized lower incomplete gamma function. For an
arrival that has to wait, the virtual wait ``V`` (the wait of a caller who never hangs up) has

    P(V > t | V > 0)            = P(a, b e^-θt) / P(a, b)
    P(served, V > t | V > 0)    = (a / b) P(a + 1, b e^-θt) / P(a, b)

and a caller is served when ``V`` is shorter than its own exponential patience. These are the
Laplace-transform identities behind Mandelbaum and Zeltyn's summary of the M/M/n+M queue; as
``θ -> 0`` they reduce to the familiar Erlang C tail ``C exp(-(n - A) t / aht)``, which is used
directly where patience is infinite.

References
----------
O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient customers",
Manufacturing & Service Operations Management 4(3), 2002.
A. Mandelbaum, S. Zeltyn, "The M/M/n+G queue: summary of performance measures", technical note,
Technion, 2009.
"""

from dataclasses import dataclass

import numpy as np

from .gamma import log_erlang_b, log_gammainc, log_gammainc_parts, log_kummer


def erlang_c_from_log_b(load, agents, log_b):
    """Erlang C from Erlang B: ``C = 1 / (ρ + (1 - ρ) / B)`` for ``ρ = A/n < 1``, else 1."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rho = load / agents
        c = 1.0 / (rho + (1.0 - rho) * np.exp(-log_b))
    return np.where(rho < 1.0, c, 1.0)


class Shares:
    """The service level and the abandon rate as shares of the calls offered, for a queue
    state that gives ``load``, ``blocking``, ``p_abandon``, ``answered_within(t)`` and
    ``short_abandon(s)`` per entry (:class:`Queue`, :class:`erlang.retrial.ChainQueue`)."""

    def _share(self, count, short_abandon, over):
        """``count`` over offered callers less short abandons (and blocked, if 'admitted')."""
        if short_abandon is None and over == "offered":
            return count
        removed = np.zeros(self.load.shape)
        if short_abandon is not None:
            removed = self.short_abandon(short_abandon)
        if over == "admitted":
            removed = removed + self.blocking
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(removed < 1.0, np.clip(count / (1.0 - removed), 0.0, 1.0), 0.0)

    def service_level(self, threshold, short_abandon=None, over="offered"):
        """Answered within ``threshold`` over offered (less short abandons, or blocked calls)."""
        return self._share(self.answered_within(threshold), short_abandon, over)

    def abandon_rate(self, short_abandon=None, over="offered"):
        """Hang-ups over offered, or both less the short abandons (within ``short_abandon`` s)."""
        count = self.p_abandon
        if short_abandon is not None:
            count = np.maximum(count - self.short_abandon(short_abandon), 0.0)
        return self._share(count, short_abandon, over)


@dataclass
class Queue(Shares):
    """Stationary state of one queue per entry; arrays broadcast to one shape.

    ``patience`` may hold ``inf`` entries: those follow Erlang C, the others Erlang A.
    ``volume`` is carried along for reporting only.
    """

    load: np.ndarray
    agents: np.ndarray
    aht: np.ndarray
    patience: np.ndarray
    volume: np.ndarray | None = None

    def __post_init__(self):
        self.impatient = np.isfinite(self.patience) & (self.load > 0.0)
        self.idle = self.load == 0.0
        log_b = log_erlang_b(self.load, self.agents)
        self._log_b = log_b
        self.p_wait = np.zeros(self.load.shape)
        self.p_abandon = np.zeros(self.load.shape)
        # Callers turned away at arrival; only a trunk cap (:mod:`erlang.trunks`) blocks any.
        self.blocking = np.zeros(self.load.shape)
        patient = ~self.impatient & ~self.idle
        self.p_wait[patient] = erlang_c_from_log_b(
            self.load[patient], self.agents[patient], log_b[patient]
        )
        self._erlang_a(log_b)

    # Erlang A -----------------------------------------------------------------------------
    def _erlang_a(self, log_b):
        m = self.impatient
        if not m.any():
            return
        load, n = self.load[m], self.agents[m]
        ratio = self.patience[m] / self.aht[m]
        self._a = n * ratio  # nμ/θ
        self._b = load * ratio  # λ/θ
        # J = P(a, b) / pmf(a; b) is the mass of the waiting states relative to state n.
        self._log_p_ab, log_j = log_gammainc_parts(self._a, self._b)
        self._log_j = log_j  # a trunk cap reuses it (erlang.trunks)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            p_wait = 1.0 / (1.0 + (1.0 - np.exp(log_b[m])) * np.exp(-(log_b[m] + log_j)))
            inv_rho = n / load
            # P(abandon | wait) = 1 - (1 - 1/J)/ρ, from flow balance over the waiting states.
            p_ab_wait = 1.0 - inv_rho * -np.expm1(-log_j)
        # Vanishing loads (ρ -> 0 with J -> 1) leave 0 * inf; their P(wait) is 0 anyway.
        p_ab_wait = np.clip(np.nan_to_num(p_ab_wait, nan=0.0), 0.0, 1.0)
        self.p_wait[m] = p_wait
        self.p_abandon[m] = p_wait * p_ab_wait

    def _gamma_ratio(self, shift, t):
        """``(a/b)**shift P(a + shift, b e^-θt) / P(a, b)`` for the impatient entries.

        With ``shift = 0`` the conditional tail of the virtual wait, with ``shift = 1`` the
        probability of being served after more than ``t``, given a wait. Taken in logs: ``a/b``
        overflows for vanishing loads.
        """
        m = self.impatient
        theta_t = np.broadcast_to(t, m.shape)[m] / self.patience[m]
        log_num = log_gammainc(self._a + shift, self._b * np.exp(-theta_t))
        with np.errstate(divide="ignore"):  # no agents: a = 0, nobody is served
            log_scale = shift * (np.log(self._a) - np.log(self._b)) if shift else 0.0
        return np.exp(log_scale + log_num - self._log_p_ab)

    # Waiting-time law -----------------------------------------------------------------------
    def _decay(self, t):
        """Erlang C tail factor ``exp(-(n - A) t / aht)`` (zero wait beyond reach if unstable)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.exp(-np.maximum(self.agents - self.load, 0.0) * t / self.aht)

    def wait_tail(self, t):
        """P(V > t): the virtual wait exceeds ``t`` seconds."""
        out = self.p_wait * self._decay(t)
        m = self.impatient
        if m.any():
            out[m] = self.p_wait[m] * self._gamma_ratio(0.0, t)
        return out

    def served_after(self, t):
        """P(served and waited longer than ``t`` seconds)."""
        out = self.p_wait * self._decay(t)
        m = self.impatient
        if m.any():
            out[m] = self.p_wait[m] * self._gamma_ratio(1.0, t)
        return out

    def answered_within(self, t):
        """P(admitted and served within ``t`` seconds of arrival), over offered callers."""
        return np.clip(1.0 - self.blocking - self.p_abandon - self.served_after(t), 0.0, 1.0)

    def short_abandon(self, s):
        """P(hang up while waiting, within ``s`` seconds): ``1 - E[exp(-θ min(V, s))]``."""
        out = np.zeros(self.load.shape)
        m = self.impatient
        if m.any():
            decay = np.exp(-np.broadcast_to(s, m.shape)[m] / self.patience[m])
            tail = self.wait_tail(s)[m]
            after = self.served_after(s)[m]
            out[m] = np.clip(self.p_abandon[m] + after - decay * tail, 0.0, 1.0)
        return out

    # Means -------------------------------------------------------------------------------------
    def mean_wait_all(self):
        """Mean time in queue over all callers, abandoning ones included [s].

        Erlang C: ``C aht / (n - A)``. Erlang A: ``E[min(V, τ)] = P(abandon) * patience``.
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(
                self.load < self.agents,
                self.p_wait * self.aht / (self.agents - self.load),
                np.inf,
            )
        out[self.idle] = 0.0
        m = self.impatient
        out[m] = self.p_abandon[m] * self.patience[m]
        return out

    def mean_wait_answered(self):
        """Mean wait of the callers who are answered (average speed of answer) [s].

        Erlang A: ``E[V 1{served}] / P(served)`` with ``E[V e^-θV | V>0] = (1/θ) L (ln b - ψ(a+1)
        - ∂/∂α ln P(α, b) at α = a+1)`` and ``L = P(served | V > 0)``. Writing
        ``P(α, b) = pmf(α; b) M(α, b)`` (:func:`~erlang.gamma.log_kummer`), the bracket is
        ``1/(a+1) - ∂/∂α ln M``; the Poisson part is differentiated exactly, the moderate
        ``ln M`` by a fourth-order central difference (relative precision about 1e-9).
        """
        out = self.mean_wait_all()
        m = self.impatient
        if m.any():
            out[m] = self._wait_answered(np.ones(np.count_nonzero(m), dtype=bool))
        return out

    def _wait_answered(self, keep):
        """Erlang A mean wait of answered callers, for the impatient entries picked by ``keep``."""
        a, b = self._a[keep], self._b[keep]
        alpha = a + 1.0
        h = 1e-2 * np.sqrt(alpha)
        f = [log_kummer(alpha + k * h, b) for k in (-2.0, -1.0, 1.0, 2.0)]
        dlog_m = (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * h)
        bracket = 1.0 / alpha - dlog_m
        served_given_wait = self._gamma_ratio(1.0, 0.0)[keep]
        m = self.impatient
        p_wait, patience = self.p_wait[m][keep], self.patience[m][keep]
        served = 1.0 - self.p_abandon[m][keep]
        with np.errstate(divide="ignore", invalid="ignore"):
            wait_served = p_wait * patience * served_given_wait * bracket
            return np.where(served > 0.0, np.maximum(wait_served, 0.0) / served, np.inf)

    def occupancy(self):
        """Fraction of agent time busy with calls: carried load over agents."""
        carried = self.load * (1.0 - self.blocking - self.p_abandon)
        with np.errstate(divide="ignore", invalid="ignore"):
            occ = np.minimum(carried / self.agents, 1.0)
        return np.where(self.agents > 0.0, occ, np.where(self.idle, 0.0, 1.0))

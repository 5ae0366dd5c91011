"""Independent references: the birth-death chain of the queue and a tagged caller's journey.

Nothing here uses the closed forms under test. The stationary distribution comes from the
balance equations of the M/M/n+M chain (truncated far beyond any visible mass), and the
waiting-time quantities from the continuous-time Markov chain of one tagged caller's position
in the queue, solved with matrix exponentials and linear solves.
"""

from dataclasses import dataclass

import mpmath
import numpy as np
from scipy import linalg


def erlang_b_mpmath(load, agents, dps=60):
    """Erlang B from its definition as a ratio of Poisson probabilities, at high precision."""
    with mpmath.workdps(dps):
        a, n = mpmath.mpf(load), mpmath.mpf(agents)
        pmf = mpmath.exp(n * mpmath.log(a) - a - mpmath.loggamma(n + 1))
        return float(pmf / mpmath.gammainc(n + 1, a, mpmath.inf, regularized=True))


def erlang_c_mpmath(load, agents, dps=60):
    """Erlang C as the finite sum ``(A^n/n! · n/(n-A)) / (Σ_{k<n} A^k/k! + A^n/n! · n/(n-A))``."""
    with mpmath.workdps(dps):
        a, n = mpmath.mpf(load), int(agents)
        terms = [a**k / mpmath.factorial(k) for k in range(n)]
        top = a**n / mpmath.factorial(n) * n / (n - a)
        return float(top / (mpmath.fsum(terms) + top))


@dataclass
class ExactQueue:
    """M/M/n+M (``patience=inf``: M/M/n) by its truncated chain; rates per second.

    With ``trunks`` (M/M/n/K, M/M/n+M/K) the chain has exactly the states ``0..trunks`` and an
    arrival finding ``trunks`` callers is blocked; all probabilities are over offered callers.
    """

    arrival_rate: float
    aht: float
    agents: int
    patience: float = np.inf
    waiting_room: int = 3000
    trunks: int | None = None

    def __post_init__(self):
        lam, mu, n = self.arrival_rate, 1.0 / self.aht, self.agents
        theta = 0.0 if np.isinf(self.patience) else 1.0 / self.patience
        capped = self.trunks is not None
        size = self.trunks + 1 if capped else n + self.waiting_room + 1
        states = np.arange(size)
        death = np.minimum(states, n) * mu + np.maximum(states - n, 0) * theta
        # log pi_k = sum_{j<=k} log(lam / death_j): products of rates, kept in log space.
        log_pi = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death[1:]))])
        pi = np.exp(log_pi - log_pi.max())
        pi /= pi.sum()
        self.blocking = float(pi[-1]) if capped else 0.0
        if not capped and pi[-1] > 1e-17:
            raise ValueError("waiting room too small for this load: mass at the truncation")
        if not capped:
            # Keep the states that carry mass; the tagged-caller chains below scale with this.
            pi = pi[: max(n + 2, int(np.flatnonzero(pi > 1e-19)[-1]) + 1)]
        self.pi = pi
        states = states[: self.pi.size]
        self.theta, self.mu, self.lam = theta, mu, lam
        # An admitted arrival finds n + j: j callers ahead of it.
        self.queue_pi = self.pi[n:-1] if capped else self.pi[n:]
        self.p_wait = self.queue_pi.sum()
        waiting = np.maximum(states - n, 0)
        self.mean_queue = float((waiting * self.pi).sum())
        self.p_abandon = theta * self.mean_queue / lam
        self.mean_busy = float((np.minimum(states, n) * self.pi).sum())

    def _generator(self, own_patience):
        """Transient generator of the tagged caller's position (callers ahead of it)."""
        m = self.queue_pi.size
        ahead = np.arange(m)
        forward = self.agents * self.mu + ahead * self.theta
        t = np.diag(-(forward + (self.theta if own_patience else 0.0)))
        t[ahead[1:], ahead[1:] - 1] = forward[1:]
        served = np.zeros(m)
        served[0] = self.agents * self.mu
        return t, served

    def answered_within(self, threshold):
        if not self.queue_pi.size:  # no waiting room: every admitted caller is answered at once
            return 1.0 - self.blocking
        t, served = self._generator(True)
        absorbed = linalg.solve(t, (linalg.expm(t * threshold) - np.eye(len(served))) @ served)
        return (1.0 - self.p_wait - self.blocking) + self.queue_pi @ absorbed

    def virtual_wait_within(self, threshold):
        if not self.queue_pi.size:
            return 1.0 - self.blocking
        t, _ = self._generator(False)
        still = linalg.expm(t * threshold) @ np.ones(len(self.queue_pi))
        return 1.0 - self.blocking - self.queue_pi @ still

    def abandoned_within(self, seconds):
        if not self.queue_pi.size:
            return 0.0
        t, _ = self._generator(True)
        gone = linalg.solve(
            t, (linalg.expm(t * seconds) - np.eye(t.shape[0])) @ np.full(t.shape[0], self.theta)
        )
        return self.queue_pi @ gone

    def mean_wait_answered(self):
        if not self.queue_pi.size:
            return 0.0
        t, served = self._generator(True)
        first = linalg.solve(t, served)
        total = self.queue_pi @ linalg.solve(t, first)  # α T^-2 r: E[V 1{served}]
        return total / (1.0 - self.p_abandon - self.blocking)

    def mean_wait_all(self):
        # Little's law on the waiting room, over admitted callers.
        return self.mean_queue / (self.lam * (1.0 - self.blocking))

"""Patience laws: how long a caller waits before hanging up, as small frozen values.

Each law gives its survival function ``S(t) = P(patience > t)``, the integrated survival
``H(t) = ∫_0^t S(u) du = E[min(patience, t)]`` that the M/M/n+G formulas need, its density
where it has one, its mean, its inverse survival function and ``sample(rng, size)`` for the
simulations. All times are seconds.

``Exponential`` is Erlang A's law; ``Deterministic`` and ``Empirical`` are step survival
functions (a Kaplan-Meier curve is one), for which the queue integrals are exact sums;
``Weibull`` and ``LogNormal`` are smooth and integrated by quadrature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special

__all__ = ["Deterministic", "Empirical", "Exponential", "LogNormal", "Patience", "Weibull"]


def _positive(name, value, *, allow_zero=False):
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        rel = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {rel}, got {value!r}")
    return float(value)


class Patience:
    """Common behaviour of the patience laws: vectorized over ``t`` (seconds)."""

    def survival(self, t):
        """``P(patience > t)``."""
        raise NotImplementedError

    def integrated_survival(self, t):
        """``H(t) = ∫_0^t S(u) du = E[min(patience, t)]``. [s]"""
        raise NotImplementedError

    def cdf(self, t):
        """``P(patience <= t)``."""
        return 1.0 - self.survival(t)

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        """``size`` independent patience times drawn with ``rng``. [s]"""
        return self.isf(rng.random(size))


@dataclass(frozen=True)
class Exponential(Patience):
    """Exponential patience with ``mean`` seconds: the Erlang A (M/M/n+M) law."""

    mean: float

    def __post_init__(self):
        object.__setattr__(self, "mean", _positive("mean", self.mean))

    def survival(self, t):
        return np.exp(-np.asarray(t, dtype=float) / self.mean)

    def integrated_survival(self, t):
        return -self.mean * np.expm1(-np.asarray(t, dtype=float) / self.mean)

    def density(self, t):
        return self.survival(t) / self.mean

    def isf(self, p):
        return -self.mean * np.log(p)

    def sample(self, rng, size):
        return rng.exponential(self.mean, size)


@dataclass(frozen=True)
class Weibull(Patience):
    """Weibull patience, ``S(t) = exp(-(t/scale)^shape)``.

    ``shape < 1`` puts many hang-ups right at the start (the announcement), ``shape > 1``
    gathers them around a planned wait; ``shape = 1`` is exponential.
    """

    shape: float
    scale: float

    def __post_init__(self):
        object.__setattr__(self, "shape", _positive("shape", self.shape))
        object.__setattr__(self, "scale", _positive("scale", self.scale))

    @classmethod
    def from_mean(cls, mean: float, shape: float) -> Weibull:
        """The Weibull law with this ``mean`` [s] and ``shape``: scale = mean / Γ(1 + 1/shape)."""
        mean, shape = _positive("mean", mean), _positive("shape", shape)
        return cls(shape=shape, scale=mean / math.gamma(1.0 + 1.0 / shape))

    def survival(self, t):
        return np.exp(-((np.asarray(t, dtype=float) / self.scale) ** self.shape))

    def density(self, t):
        z = np.asarray(t, dtype=float) / self.scale
        with np.errstate(divide="ignore"):
            return self.shape / self.scale * z ** (self.shape - 1.0) * np.exp(-(z**self.shape))

    def integrated_survival(self, t):
        # ∫_0^t e^{-(u/s)^k} du = (s/k) γ(1/k, (t/s)^k) = s Γ(1 + 1/k) P(1/k, (t/s)^k)
        z = (np.asarray(t, dtype=float) / self.scale) ** self.shape
        a = 1.0 / self.shape
        return self.scale * math.gamma(1.0 + a) * special.gammainc(a, z)

    def isf(self, p):
        return self.scale * (-np.log(p)) ** (1.0 / self.shape)

    @property
    def mean(self) -> float:
        """Mean patience (``inf`` if some callers never hang up). [s]"""
        return float(self.integrated_survival(np.inf))


@dataclass(frozen=True)
class LogNormal(Patience):
    """Log-normal patience with ``mean`` seconds and log-scale spread ``sigma``.

    ``ln(patience)`` is normal with standard deviation ``sigma`` and mean
    ``ln(mean) - sigma²/2``. Give ``cv`` (the coefficient of variation) instead of ``sigma``
    with :meth:`from_cv`.
    """

    mean: float
    sigma: float

    def __post_init__(self):
        object.__setattr__(self, "mean", _positive("mean", self.mean))
        object.__setattr__(self, "sigma", _positive("sigma", self.sigma))

    @classmethod
    def from_cv(cls, mean: float, cv: float) -> LogNormal:
        """The law with this ``mean`` [s] and coefficient of variation ``cv``."""
        cv = _positive("cv", cv)
        return cls(mean=mean, sigma=math.sqrt(math.log1p(cv * cv)))

    @property
    def mu(self) -> float:
        """Mean of ``ln(patience)``. [ln s]"""
        return math.log(self.mean) - 0.5 * self.sigma**2

    def _z(self, t):
        with np.errstate(divide="ignore"):
            return (np.log(np.asarray(t, dtype=float)) - self.mu) / self.sigma

    def survival(self, t):
        return special.ndtr(-self._z(t))

    def density(self, t):
        t = np.asarray(t, dtype=float)
        z = self._z(t)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.exp(-0.5 * z * z) / (t * self.sigma * math.sqrt(2.0 * math.pi))
        return np.where(t > 0.0, out, 0.0)

    def integrated_survival(self, t):
        # E[min(T, t)] = t S(t) + E[T; T <= t] = t S(t) + mean Φ(z - σ)
        t = np.asarray(t, dtype=float)
        z = self._z(t)
        with np.errstate(invalid="ignore"):
            head = np.where(np.isinf(t), 0.0, t * special.ndtr(-z))
        return head + self.mean * special.ndtr(z - self.sigma)

    def isf(self, p):
        return np.exp(self.mu - self.sigma * special.ndtri(np.asarray(p, dtype=float)))

    def sample(self, rng, size):
        return rng.lognormal(self.mu, self.sigma, size)


@dataclass(frozen=True)
class Empirical(Patience):
    """A step survival function, e.g. a Kaplan-Meier curve.

    ``S(t) = survival[k]`` for ``times[k] <= t < times[k+1]`` and ``S(t) = 1`` before
    ``times[0]``. A last value above zero means that share of callers never hangs up (a
    censored tail: the mean is then infinite and :attr:`mean` says so).

    Parameters
    ----------
    times : array-like
        Step times, strictly increasing, ``>= 0``. [s]
    survival : array-like
        Survival just after each step, non-increasing, in [0, 1].
    """

    times: np.ndarray
    survival_steps: np.ndarray = field(repr=False)

    def __init__(self, times, survival):
        t = np.asarray(times, dtype=float).ravel()
        s = np.asarray(survival, dtype=float).ravel()
        if t.size == 0 or t.shape != s.shape:
            raise ValueError(
                f"times and survival must be non-empty and of one length, got {t.size} and "
                f"{s.size}"
            )
        if not np.all(np.isfinite(t)) or t[0] < 0 or np.any(np.diff(t) <= 0):
            raise ValueError(f"times must be finite, >= 0 and increasing, got {t[:5]!r}...")
        if not np.all((s >= 0) & (s <= 1)) or np.any(np.diff(s) > 0):
            raise ValueError(f"survival must be non-increasing in [0, 1], got {s[:5]!r}...")
        t.setflags(write=False)
        s.setflags(write=False)
        object.__setattr__(self, "times", t)
        object.__setattr__(self, "survival_steps", s)

    def __eq__(self, other):
        return (
            isinstance(other, Empirical)
            and np.array_equal(self.times, other.times)
            and np.array_equal(self.survival_steps, other.survival_steps)
        )

    def __hash__(self):
        return hash((self.times.tobytes(), self.survival_steps.tobytes()))

    @property
    def mean(self) -> float:
        """Mean patience (``inf`` if some callers never hang up). [s]"""
        return float(self.integrated_survival(np.inf))

    @property
    def tail(self) -> float:
        """Share of callers who never hang up, ``S(∞)``."""
        return float(self.survival_steps[-1])

    def steps(self):
        """Piece starts ``0 = x_0 < x_1 < ...`` and the survival on each piece."""
        if self.times[0] > 0.0:
            return np.concatenate([[0.0], self.times]), np.concatenate(
                [[1.0], self.survival_steps]
            )
        return self.times, self.survival_steps

    def survival(self, t):
        t = np.asarray(t, dtype=float)
        k = np.searchsorted(self.times, t, side="right")
        return np.concatenate([[1.0], self.survival_steps])[k]

    def integrated_survival(self, t):
        x, s = self.steps()
        t = np.asarray(t, dtype=float)
        # H at each piece start, then linear within the piece.
        h = np.concatenate([[0.0], np.cumsum(s[:-1] * np.diff(x))])
        k = np.searchsorted(x, t, side="right") - 1
        with np.errstate(invalid="ignore"):
            within = np.where(s[k] > 0.0, s[k] * (t - x[k]), 0.0)
        return h[k] + within

    def isf(self, p):
        """Smallest ``t`` with ``S(t) <= p`` (``inf`` where the tail is above ``p``)."""
        p = np.asarray(p, dtype=float)
        # survival_steps is non-increasing: count the steps still above p.
        k = np.searchsorted(-self.survival_steps, -p, side="right")
        padded = np.concatenate([self.times, [np.inf]])
        return padded[k]


@dataclass(frozen=True)
class Deterministic(Patience):
    """Every caller waits exactly ``value`` seconds, then hangs up."""

    value: float

    def __post_init__(self):
        object.__setattr__(self, "value", _positive("value", self.value))

    def survival(self, t):
        return np.where(np.asarray(t, dtype=float) < self.value, 1.0, 0.0)

    def integrated_survival(self, t):
        return np.minimum(np.asarray(t, dtype=float), self.value)

    def isf(self, p):
        return np.full(np.shape(p), self.value)

    def sample(self, rng, size):
        return np.full(size, self.value)

    @property
    def mean(self) -> float:
        """Mean patience (``inf`` if some callers never hang up). [s]"""
        return float(self.integrated_survival(np.inf))

    def as_empirical(self) -> Empirical:
        """The same law as a one-step survival function."""
        return Empirical([self.value], [0.0])

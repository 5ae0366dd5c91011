"""The chat model: how many sessions an agent holds at once and how fast it serves them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Round-off allowed in the concavity check of an explicit throughput vector.
_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Chat:
    """Chat or messaging agents, each serving up to ``max_sessions`` sessions at once.

    An agent with ``j`` open sessions finishes them at a total rate of ``throughput[j-1] / aht``
    sessions per second, ``aht`` being the handle time of a session served alone. Give either
    ``slowdown`` (every open session is handled more slowly the more there are) or the
    ``throughput`` vector itself; with neither, sessions do not slow each other down.

    Parameters
    ----------
    max_sessions : int, default 1
        Most sessions an agent holds at once, ``k >= 1``. [sessions]
    slowdown : float or None, default None
        Extra handle time per extra open session, as a share of ``aht``, in [0, 1]: with ``j``
        sessions open each takes ``aht (1 + slowdown (j - 1))`` seconds, so the agent finishes
        ``j / (1 + slowdown (j - 1))`` times as many sessions as with one. At 1 an agent
        finishes no more with many sessions than with one. [-]
    throughput : sequence of float or None, default None
        Total service rate of an agent with ``1..k`` open sessions, in sessions per ``aht``:
        ``k`` positive numbers, non-decreasing and concave (each extra session adds no more
        than the one before, counting 0 at no session). [sessions / aht]

    Raises
    ------
    ValueError
        ``max_sessions`` not a whole number >= 1, ``slowdown`` outside [0, 1], both
        ``slowdown`` and ``throughput`` given, or a ``throughput`` of the wrong length, not
        positive, decreasing or convex.

    Notes
    -----
    Concavity is what makes joining the least-loaded agent the natural routing (it spreads the
    sessions where they add the most service) and what makes every service metric improve
    with each agent added, which exact staffing relies on.

    Examples
    --------
    >>> Chat(max_sessions=3, slowdown=0.25).rates
    array([0. , 1. , 1.6, 2. ])
    """

    max_sessions: int = 1
    slowdown: float | None = None
    throughput: tuple[float, ...] | None = None

    def __post_init__(self):
        k = self.max_sessions
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"max_sessions must be a whole number >= 1, got {k!r}")
        if self.slowdown is not None and self.throughput is not None:
            raise ValueError("give slowdown or throughput, not both")
        if self.throughput is None:
            s = 0.0 if self.slowdown is None else self.slowdown
            if isinstance(s, bool) or not np.isscalar(s) or not (0.0 <= float(s) <= 1.0):
                raise ValueError(f"slowdown must lie in [0, 1], got {self.slowdown!r}")
            j = np.arange(1, k + 1, dtype=float)
            rates = j / (1.0 + float(s) * (j - 1.0))
        else:
            rates = _checked_throughput(self.throughput, k)
            object.__setattr__(self, "throughput", tuple(float(r) for r in rates))
        rates = np.concatenate([[0.0], rates])
        rates.flags.writeable = False
        object.__setattr__(self, "_rates", rates)

    @property
    def rates(self) -> np.ndarray:
        """Total service rate of an agent with ``0..k`` open sessions. [sessions / aht]"""
        return self._rates

    @property
    def full_rate(self) -> float:
        """Service rate of an agent holding ``max_sessions``. [sessions / aht]"""
        return float(self._rates[-1])


def _checked_throughput(throughput, k):
    try:
        rates = np.asarray(throughput, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"throughput must be a sequence of numbers, got {throughput!r}") from err
    if rates.ndim != 1 or rates.size != k:
        raise ValueError(
            f"throughput must hold one rate for each of 1..{k} sessions, got {throughput!r}"
        )
    if not np.all(np.isfinite(rates)) or np.any(rates <= 0.0):
        raise ValueError(f"throughput must be finite and > 0, got {throughput!r}")
    steps = np.diff(np.concatenate([[0.0], rates]))
    if np.any(steps < -_TOLERANCE) or np.any(np.diff(steps) > _TOLERANCE):
        raise ValueError(
            "throughput must be non-decreasing and concave in the open sessions (each extra "
            f"session adds no more than the one before), got {throughput!r}"
        )
    return rates

"""The M/M/n+G queue: Erlang A with a general patience law, one interval per entry.

With arrival rate ``λ``, ``n`` agents at service rate ``μ``, patience survival ``S`` and
``H(x) = ∫_0^x S``, the virtual wait ``V`` has an atom at 0 and, for ``x > 0``, the density

    f_V(x) = λ exp(λ H(x) - nμ x) / (E + λ J),   J = ∫_0^∞ exp(λ H(x) - nμ x) dx,

with ``E = Σ_{j<n} (λ/μ)^j / j! / ((λ/μ)^(n-1) / (n-1)!) = (A/n)(1 - B)/B`` (``A = λ/μ``, ``B``
the Erlang B probability of ``n`` agents). A caller with patience ``τ`` independent of ``V`` is
served when ``τ > V`` and waits ``min(V, τ)``. Hence, with every integral over ``f_V``:

    P(wait)                  = λJ / (E + λJ)
    P(abandon)               = ∫ (1 - S) f_V
    P(served, V > t)         = ∫_t^∞ S f_V
    P(hang up within s)      = ∫_0^s (1 - S) f_V + (1 - S(s)) ∫_s^∞ f_V
    mean wait, all callers   = ∫ H f_V
    mean wait, answered      = ∫ x S f_V / (1 - P(abandon))

the service level being ``1 - P(abandon) - P(served, V > t)`` as in :mod:`erlang.queue`. With
``S(x) = e^(-x/patience)`` this is Erlang A. The integrals are taken by
:mod:`erlang.patience.kernel`; ``E`` and ``λJ`` are combined in logs, so large centres do not
overflow.

References
----------
S. Zeltyn, A. Mandelbaum, "Call centers with impatient customers: many-server asymptotics of
the M/M/n+G queue", Queueing Systems 51(3-4), 2005. A. Mandelbaum, S. Zeltyn, "The M/M/n+G
queue: summary of performance measures", technical note, Technion, 2009. F. Baccelli,
G. Hebuterne, "On queues with impatient customers", Performance '81, 1981.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..gamma import log_erlang_b
from ..queue import Queue
from .distributions import Deterministic, Empirical, Exponential, LogNormal, Patience, Weibull


def as_law(patience):
    """The patience law of a ``patience=`` argument, or ``None`` for a number or ``None``.

    Raises ``TypeError`` for an object that is neither a number nor a patience law.
    """
    if patience is None or isinstance(patience, Patience):
        return patience
    if isinstance(patience, (pd.Series, np.ndarray)):  # numbers per entry (a Series has .sample)
        return None
    if hasattr(patience, "survival") or hasattr(patience, "sample"):
        raise TypeError(
            f"patience={patience!r} must be a number of seconds or an erlang patience law "
            "(Exponential, Deterministic, Weibull, LogNormal, Empirical)"
        )
    return None


def _mark_key(t):
    a = np.asarray(t, dtype=float)
    return float(a) if a.ndim == 0 else (a.shape, a.tobytes())


@dataclass
class PatienceQueue(Queue):
    """Stationary M/M/n+G state per entry; ``patience`` is one law for every entry.

    Quacks like :class:`erlang.queue.Queue` (what :meth:`erlang.Targets.margin` and
    :func:`erlang.kpis` use). The integrals are taken on first use; :meth:`prepare` takes
    the answer-time marks (threshold, cutoff, short abandon) in the same pass.
    """

    def __post_init__(self):
        law = self.patience
        if isinstance(law, Exponential):  # the same law, through the general integrals
            law = Weibull(shape=1.0, scale=law.mean)
        if isinstance(law, Deterministic):
            law = law.as_empirical()
        if not isinstance(law, Weibull | LogNormal | Empirical):
            raise TypeError(f"patience={self.patience!r} is not a supported patience law")
        self.law = law
        self.idle = self.load == 0.0
        self.impatient = ~self.idle
        self.blocking = np.zeros(self.load.shape)
        self._marks = {}
        self._base = None

    # Integrals ------------------------------------------------------------------------------
    def prepare(self, *marks):
        """Take the integrals, with the tails at each of ``marks`` (seconds; None skipped)."""
        todo, seen = [], set()
        for t in marks:
            if t is None:
                continue
            key = _mark_key(t)
            if key not in self._marks and key not in seen:
                seen.add(key)
                todo.append((key, np.broadcast_to(np.asarray(t, dtype=float), self.load.shape)))
        if self._base is not None and not todo:
            return
        shape = self.load.shape
        n_marks = len(todo)
        marks = np.full((*shape, max(n_marks, 1)), np.inf)
        for j, (_, t) in enumerate(todo):
            marks[..., j] = t
        busy = ~self.idle & (self.agents > 0.0)
        values = np.full((*shape, 4 + 2 * marks.shape[-1]), np.nan)
        log_scale = np.zeros(shape)
        if busy.any():
            values[busy], log_scale[busy] = self._integrals(busy, marks[busy])
        if self._base is None:
            self._set_base(values, log_scale, busy)
        for j, (key, t) in enumerate(todo):
            self._marks[key] = self._tails(values[..., 4 + 2 * j], values[..., 5 + 2 * j], t)

    def _integrals(self, busy, marks):
        from . import kernel  # compiled on first use: ``import erlang`` stays light

        lam = self.load[busy] / self.aht[busy]
        nmu = self.agents[busy] / self.aht[busy]
        order = np.argsort(marks, axis=1)
        marks = np.ascontiguousarray(np.take_along_axis(marks, order, axis=1))
        law = self.law
        if isinstance(law, Empirical):
            starts, levels = law.steps()
            out = kernel.step_integrals(starts, levels, lam, nmu, marks)
            log_scale = out[:, -1]
            out = out[:, :-1]
        else:
            if isinstance(law, Weibull):
                kind, p1, p2 = kernel.WEIBULL, law.shape, law.scale
            else:
                kind, p1, p2 = kernel.LOGNORMAL, law.mu, law.sigma
            with np.errstate(divide="ignore"):
                mode = np.where(lam > nmu, law.isf(np.minimum(nmu / lam, 1.0)), 0.0)
            log_scale = lam * law.integrated_survival(mode) - nmu * mode
            # A graded start where S is not analytic at 0 (t^k with k not whole, the log of a
            # log-normal); elsewhere the first panel starts at the median, cut by the limits.
            graded = isinstance(law, LogNormal) or not float(law.shape).is_integer()
            median = float(law.isf(0.5))
            w0 = np.full(lam.shape, median)
            if graded:
                w0 = 1e-3 * np.minimum(1.0 / (lam + nmu), median)
            x0 = _climb_start(law, lam, nmu, mode, log_scale)
            h0 = law.integrated_survival(x0)
            out = kernel.smooth_integrals(
                kind, p1, p2, lam, nmu, log_scale, x0, h0, w0, marks,
                kernel.GL_X, kernel.GL_W, kernel.GL_INT,
            )  # fmt: skip
        tails = out[:, 4:].reshape(out.shape[0], -1, 2)
        restored = np.empty_like(tails)
        np.put_along_axis(restored, order[:, :, None], tails, axis=1)
        out[:, 4:] = restored.reshape(out.shape[0], -1)
        return out, log_scale

    def _set_base(self, values, log_scale, busy):
        shape = self.load.shape
        j, a, i_h, i_x = (values[..., k] for k in range(4))
        tail = self.law.tail if isinstance(self.law, Empirical) else 0.0
        # No agents, or a share that never hangs up outgrowing the agents: no steady state.
        # Everyone waits, the impatient all hang up, the rest wait without end.
        stuck = ~self.idle & ~(busy & np.isfinite(j))
        self.p_wait = np.zeros(shape)
        self.p_abandon = np.zeros(shape)
        self._wait_all = np.zeros(shape)
        self._wait_answered = np.zeros(shape)
        self._scaled = np.zeros(shape)  # P(wait) / J
        ok = busy & np.isfinite(j)
        if ok.any():
            load, n = self.load[ok], self.agents[ok]
            log_b = log_erlang_b(load, n)
            with np.errstate(divide="ignore", over="ignore"):
                log_e = np.log(load / n) + np.log(-np.expm1(log_b)) - log_b
                log_lam_j = np.log(load / self.aht[ok]) + log_scale[ok] + np.log(j[ok])
                p_wait = 1.0 / (1.0 + np.exp(log_e - log_lam_j))
            scaled = p_wait / j[ok]
            self.p_wait[ok] = p_wait
            self._scaled[ok] = scaled
            self.p_abandon[ok] = np.clip(p_wait - scaled * a[ok], 0.0, 1.0)
            self._wait_all[ok] = scaled * i_h[ok]
            served = 1.0 - self.p_abandon[ok]
            with np.errstate(divide="ignore", invalid="ignore"):
                self._wait_answered[ok] = np.where(served > 0.0, scaled * i_x[ok] / served, np.inf)
        self.p_wait[stuck] = 1.0
        self.p_abandon[stuck] = 1.0 - tail
        self._wait_all[stuck] = self.law.mean if tail == 0.0 else np.inf
        self._wait_answered[stuck] = np.inf
        self._stuck = stuck
        self._tail = tail
        self._base = True

    def _tails(self, tail_integral, served_integral, t):
        """P(V > t) and P(served, V > t), unconditional."""
        wait_tail = np.clip(self._scaled * np.nan_to_num(tail_integral), 0.0, 1.0)
        served = np.clip(self._scaled * np.nan_to_num(served_integral), 0.0, 1.0)
        wait_tail[self._stuck] = 1.0
        served[self._stuck] = self._tail
        return wait_tail, served

    def _ensure(self, t=None):
        self.prepare(t)
        return self._marks[_mark_key(t)] if t is not None else None

    # The interface of erlang.queue.Queue ----------------------------------------------------
    def __getattr__(self, name):
        # p_wait and p_abandon are set by the first pass; take it when they are asked for.
        lazy = ("p_wait", "p_abandon", "_wait_all", "_wait_answered", "_scaled")
        if name in lazy and self.__dict__.get("_base") is None:
            self.prepare()
            return getattr(self, name)
        raise AttributeError(name)

    def wait_tail(self, t):
        """P(V > t): the virtual wait exceeds ``t`` seconds."""
        return self._ensure(t)[0]

    def served_after(self, t):
        """P(served and waited longer than ``t`` seconds)."""
        return self._ensure(t)[1]

    def short_abandon(self, s):
        """P(hang up within ``s`` seconds of arrival)."""
        tail, served = self._ensure(s)
        keep = np.broadcast_to(self.law.survival(s), self.load.shape)
        return np.clip(self.p_abandon + served - keep * tail, 0.0, 1.0)

    def mean_wait_all(self):
        """Mean time in queue over all callers, abandoning ones included [s]."""
        return self._wait_all.copy()

    def mean_wait_answered(self):
        """Mean wait of the callers who are answered (average speed of answer) [s]."""
        return self._wait_answered.copy()


def _climb_start(law, lam, nmu, mode, top, rounds=60):
    """Where ``φ`` has climbed to ``kernel._DROP`` below its mode ``top`` (0 where it starts
    within that): everything before it weighs less than e^-45 of the mass. By bisection;
    ``φ`` increases up to the mode."""
    from . import kernel

    start = np.zeros(lam.shape)
    far = np.flatnonzero(top > kernel._DROP)
    if far.size:
        lo, hi = np.zeros(far.size), mode[far]
        level = top[far] - kernel._DROP
        for _ in range(rounds):
            mid = 0.5 * (lo + hi)
            below = lam[far] * law.integrated_survival(mid) - nmu[far] * mid < level
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        start[far] = lo
    return start


def split_patience(patience, trunks=None):
    """``(mean patience or None, law or None)`` of a ``patience=`` argument.

    An :class:`Exponential` law is Erlang A and comes back as its mean, so that it takes the
    closed forms of :mod:`erlang.queue`; any other law comes back as itself.

    Raises
    ------
    ValueError
        A non-exponential law together with ``trunks``: the M/M/n/N+G queue is not covered.
    """
    law = as_law(patience)
    if law is None:
        return patience, None
    if isinstance(law, Exponential):
        return law.mean, None
    if trunks is not None:
        raise ValueError(
            f"trunks with a non-exponential patience law ({law!r}) are not supported: the "
            "M/M/n/N+G queue has no tractable form here; give patience as a mean (Erlang A)"
        )
    return None, law


def erlang_a_options(patience, trunks, chat, redials):
    """``patience`` as a mean when ``chat`` or ``redials`` is given (both rest on Erlang A's
    closed forms: exponential patience only), else as given.

    Raises
    ------
    ValueError
        Chat together with redials, or either with a non-exponential patience law.
    """
    if chat is not None and redials is not None:
        raise ValueError("chat with redials is not supported: give one of chat and redials")
    if chat is None and redials is None:
        return patience
    patience, law = split_patience(patience, trunks)
    if law is not None:
        what = "chat" if chat is not None else "redials"
        raise ValueError(
            f"{what} with patience={law!r} is not supported: give patience as a mean "
            "(exponential, Erlang A)"
        )
    return patience

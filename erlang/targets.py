"""Service targets of a queue: what "enough agents" means, validated once and shared.

One :class:`Targets` value carries every target the staffing search, the KPIs and the plan
check: service level within a threshold, answer rate within a cutoff, average speed of answer,
abandonment (short abandons excluded), occupancy and blocking. Each may be a scalar or one value
per interval.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from .inputs import check_finite, check_probability
from .search import log_odds

__all__ = ["GOALS", "PER_INTERVAL", "Targets"]

#: Targets that bound a metric; at least one must be given.
GOALS = ("service_level", "asa", "max_abandon", "answer_rate", "max_occupancy", "max_blocking")
_PROBABILITIES = ("service_level", "max_abandon", "answer_rate", "max_blocking")
#: Targets that may vary by interval: scalars or arrays broadcasting with the volume.
PER_INTERVAL = (*GOALS, "threshold", "cutoff", "short_abandon")

#: The hotline figures of the operating manuals (see :meth:`Targets.hotline`).
_HOTLINE = {
    "service_level": 0.8,
    "threshold": 20.0,
    "answer_rate": 0.85,
    "cutoff": 60.0,
    "asa": 20.0,
    "max_abandon": 0.05,
    "short_abandon": 20.0,
    "max_occupancy": 0.9,
}


def _check_probabilities(name, values, *, allow_one=False):
    """Per-interval targets: every entry strictly inside (0, 1), or (0, 1] if allowed."""
    values = np.asarray(values, dtype=float)
    check_finite(name, values)
    bad = ~((values > 0.0) & ((values <= 1.0) if allow_one else (values < 1.0)))
    if bad.any():
        interval = "(0, 1]" if allow_one else "(0, 1)"
        first = float(values[bad].flat[0])
        count = int(bad.sum())
        raise ValueError(f"{name} must lie in {interval}, got {first!r} ({count} entries)")


def _is_default(value, default) -> bool:
    if value is None or default is None:
        return value is default
    return np.ndim(value) == 0 and float(value) == float(default)


def _as_values(value):
    """A list or tuple of per-interval targets as an array (Series keep their index)."""
    if isinstance(value, list | tuple):
        return np.asarray(value, dtype=float)
    return value


@dataclass(frozen=True)
class Targets:
    """Service targets of a queue; ``None`` leaves a target out. Times in seconds.

    The defaults are those of :func:`erlang.required_agents` (80% within 20 s, nothing else);
    :meth:`hotline` gives the figures of the hotline operating manuals. The same value is taken
    by :func:`erlang.required_agents`, :func:`erlang.kpis`, :func:`erlang.max_volume`,
    :func:`roster.simulate` and :func:`roster.plan`. Every target may be a scalar or an array
    (or Series) with one entry per interval.

    Parameters
    ----------
    service_level : numeric or None
        Minimum share of offered calls answered within ``threshold``, in (0, 1); 0.8.
    threshold : numeric
        Service-level answer time; 20. [s]
    asa : numeric or None
        Maximum average speed of answer (mean wait of answered calls), > 0. [s]
    max_abandon : numeric or None
        Maximum abandonment rate, short abandons excluded, in (0, 1). Binds only under
        Erlang A (a finite patience).
    answer_rate : numeric or None
        Minimum share answered within ``cutoff`` (人工台应答率), in (0, 1); like the service
        level, over offered calls less the short abandons.
    cutoff : numeric
        Answer-rate cutoff: a call not answered within it counts as unanswered; 60. [s]
    max_occupancy : numeric or None
        Maximum occupancy, in (0, 1].
    short_abandon : numeric or None
        Callers hanging up within this time are misdials, left out of the rates. [s]
    max_blocking : numeric or None
        Maximum share of offered calls blocked by a trunk cap, in (0, 1); binds only with
        trunks.

    Raises
    ------
    ValueError
        Naming the target and the value when one is out of range, or when no target that
        bounds a metric is given.

    Notes
    -----
    Probabilities lie strictly inside (0, 1) because a service level of 1 (or a blocking of 0)
    is never met by a finite number of agents under Poisson arrivals; occupancy may be 1.
    """

    service_level: float | np.ndarray | None = 0.8
    threshold: float | np.ndarray = 20.0
    asa: float | np.ndarray | None = None
    max_abandon: float | np.ndarray | None = None
    answer_rate: float | np.ndarray | None = None
    cutoff: float | np.ndarray = 60.0
    max_occupancy: float | np.ndarray | None = None
    short_abandon: float | np.ndarray | None = None
    max_blocking: float | np.ndarray | None = None

    def __post_init__(self):
        for f in fields(self):
            object.__setattr__(self, f.name, _as_values(getattr(self, f.name)))
        for name in _PROBABILITIES:
            value = getattr(self, name)
            if value is None:
                continue
            if np.ndim(value):
                _check_probabilities(name, value)
            else:
                check_probability(name, value)
        if self.max_occupancy is not None:
            if np.ndim(self.max_occupancy):
                _check_probabilities("max_occupancy", self.max_occupancy, allow_one=True)
            else:
                check_probability("max_occupancy", self.max_occupancy, allow_one=True)
        for name in ("threshold", "cutoff", "asa", "short_abandon"):
            value = getattr(self, name)
            if value is not None:
                check_finite(name, np.asarray(value, dtype=float), low=0.0)
        if self.asa is not None and np.any(np.asarray(self.asa) <= 0):
            first = float(np.asarray(self.asa)[np.asarray(self.asa) <= 0].flat[0])
            raise ValueError(f"asa must be > 0 seconds, got {first!r}")
        if all(getattr(self, k) is None for k in GOALS):
            raise ValueError("no staffing target given: set at least one target")
        object.__setattr__(
            self, "_arrays", tuple(k for k in PER_INTERVAL if np.ndim(getattr(self, k)))
        )

    @classmethod
    def hotline(cls, **overrides) -> Targets:
        """The hotline figures of the operating manuals, with ``overrides`` applied.

        80% answered within 20 s, an answer rate of 85% within 60 s, ASA at most 20 s,
        abandonment at most 5% (short abandons of 20 s or less left out) and occupancy at most
        90%. ``Targets.hotline(service_level=0.9, threshold=15)`` is a VIP line.
        """
        unknown = sorted(set(overrides) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"unknown targets {unknown}")
        return cls(**{**_HOTLINE, **overrides})

    @classmethod
    def from_dict(cls, values: dict, *, source: str = "targets", base: Targets | None = None):
        """Targets from a mapping (e.g. a TOML table) applied over ``base``.

        Parameters
        ----------
        values : dict
            Target name -> value; ``None`` leaves a target out.
        source : str
            Names the mapping in errors, e.g. ``"plan.toml [targets]"``.
        base : Targets, optional
            Targets the mapping changes; the hotline figures by default.

        Raises
        ------
        ValueError
            Naming ``source`` and the unknown keys.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{source}: unknown keys {unknown}; known keys are {sorted(known)}")
        return replace(cls.hotline() if base is None else base, **values)

    def met(self, kpis: pd.DataFrame, *, tol: float = 1e-9) -> pd.Series:
        """Whether each interval of an :func:`erlang.kpis` frame meets every target.

        Intervals without volume always do. Abandonment and blocking are checked as the frame
        gives them: zero under Erlang C and without trunks.
        """
        ok = np.ones(len(kpis), dtype=bool)
        for name, column in (("service_level", "service_level"), ("answer_rate", "answer_rate")):
            target = getattr(self, name)
            if target is not None:
                ok &= kpis[column].to_numpy(float) >= np.asarray(target, dtype=float) - tol
        for name, column in (
            ("asa", "asa"),
            ("max_abandon", "abandon_rate"),
            ("max_occupancy", "occupancy"),
            ("max_blocking", "blocking"),
        ):
            target = getattr(self, name)
            if target is not None:
                ok &= ~(kpis[column].to_numpy(float) > np.asarray(target, dtype=float) + tol)
        return pd.Series(ok | (kpis["volume"].to_numpy(float) <= 0), index=kpis.index)

    @classmethod
    def resolve(cls, targets: Targets | None, **keywords) -> dict:
        """The values of ``keywords``: taken from ``targets`` when it is given (the keywords
        must then stay at the defaults of :class:`Targets`), else as given.

        The one place where a function that takes targets both ways (``targets=`` or one
        keyword each) settles which to use.

        Raises
        ------
        TypeError
            ``targets`` is not a :class:`Targets`.
        ValueError
            A target given both ways, naming the keywords.
        """
        if targets is None:
            return keywords
        if not isinstance(targets, cls):
            raise TypeError(f"targets={targets!r} must be an erlang.Targets")
        defaults = {f.name: f.default for f in fields(cls)}
        changed = sorted(k for k, v in keywords.items() if not _is_default(v, defaults[k]))
        if changed:
            raise ValueError(f"targets given twice: as targets= and as keywords {changed}")
        return {k: getattr(targets, k) for k in keywords}

    @property
    def given(self) -> dict:
        """The targets as keyword arguments (``None`` for those left out)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def take(self, idx):
        """The targets of the intervals ``idx`` (an index, slice or mask)."""
        if not self._arrays:
            return self
        return replace(self, **{k: getattr(self, k)[idx] for k in self._arrays})

    def without(self, *names):
        """These targets with ``names`` left out."""
        return replace(self, **dict.fromkeys(names))

    @property
    def needs_queue(self):
        """Whether a target needs the queue to be stable under Erlang C (``n > A``)."""
        return any(x is not None for x in (self.service_level, self.asa, self.answer_rate))

    def margin(self, queue):
        """Smallest slack over all targets, ``>= 0`` exactly when all are met.

        Slacks are measured on log-odds (probabilities) and log (waits) scales, on which the
        metrics are close to linear in the number of agents, so that Newton steps on the
        margin land near the minimum.
        """
        out = np.full(queue.load.shape, np.inf)
        if self.service_level is not None:
            sl = queue.service_level(self.threshold, self.short_abandon)
            out = np.minimum(out, log_odds(sl) - log_odds(self.service_level))
        if self.answer_rate is not None:
            # net of short abandons, as erlang.kpis and met() report it
            ar = queue.service_level(self.cutoff, self.short_abandon)
            out = np.minimum(out, log_odds(ar) - log_odds(self.answer_rate))
        if self.asa is not None:
            wait = np.clip(queue.mean_wait_answered(), 1e-300, 1e300)
            out = np.minimum(out, np.log(self.asa) - np.log(wait))
        if self.max_abandon is not None:
            ab = queue.abandon_rate(self.short_abandon)
            out = np.minimum(out, log_odds(self.max_abandon) - log_odds(ab))
        if self.max_occupancy is not None:
            out = np.minimum(out, log_odds(self.max_occupancy) - log_odds(queue.occupancy()))
        if self.max_blocking is not None:
            out = np.minimum(out, log_odds(self.max_blocking) - log_odds(queue.blocking))
        return np.where(queue.idle, np.inf, out)

    def erlang_c_margin(self, load, agents, blocking, aht):
        """The sign of :meth:`margin` under Erlang C, from Erlang B at ``agents`` alone."""
        gap = agents - load
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            rho = load / agents
            c = np.where(gap > 0, 1.0 / (rho + (1.0 - rho) / blocking), 1.0)
        out = np.full(load.shape, np.inf)
        for target, t in ((self.service_level, self.threshold), (self.answer_rate, self.cutoff)):
            if target is not None:
                sl = 1.0 - c * np.exp(-np.maximum(gap, 0.0) * t / aht)
                out = np.minimum(out, sl - target)
        if self.asa is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                wait = c * aht / gap
            out = np.minimum(out, np.where(gap > 0, self.asa / (self.asa + wait) - 0.5, -0.5))
        if self.max_occupancy is not None:
            out = np.minimum(out, self.max_occupancy - np.minimum(rho, 1.0))
        return out

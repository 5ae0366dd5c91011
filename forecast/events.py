"""Custom events (outages, campaigns, policy announcements) and their effect windows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["EVENT_KINDS", "Event", "event_mask", "event_multiplier"]

#: Kinds of event a planner can declare. ``outage`` intervals are treated as missing when
#: fitting; every other kind is a surge or dip that history cannot forecast by itself.
EVENT_KINDS = ("outage", "campaign", "policy", "new_service", "weather", "epidemic", "other")


@dataclass(frozen=True)
class Event:
    """An event that moves demand away from its usual pattern.

    Parameters
    ----------
    name : str
        Label shown in reports, e.g. ``"billing system outage"``.
    start, end : pandas.Timestamp or str
        The event itself, ``[start, end)``.
    kind : str, default ``"other"``
        One of :data:`EVENT_KINDS`.
    lead : float, default 0
        Seconds before ``start`` in which demand is already affected (e.g. an announced
        change that callers ask about in advance). [s]
    lag : float, default 0
        Seconds after ``end`` in which demand is still affected (e.g. callbacks after an
        outage, questions after an SMS campaign). [s]
    multiplier : float, default 1.0
        Planner's judgement of the effect on future demand inside the window: forecasts for
        intervals in the window are multiplied by it. History inside the window is never
        learned from, whatever the multiplier.

    Notes
    -----
    The effect window is ``[start - lead, end + lag)``.
    """

    name: str
    start: pd.Timestamp
    end: pd.Timestamp
    kind: str = "other"
    lead: float = 0.0
    lag: float = 0.0
    multiplier: float = 1.0

    def __post_init__(self) -> None:
        start = pd.Timestamp(self.start)
        end = pd.Timestamp(self.end)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"kind must be one of {EVENT_KINDS}, got kind={self.kind!r}")
        if not end > start:
            raise ValueError(f"end must be after start, got start={start}, end={end}")
        for field in ("lead", "lag"):
            value = getattr(self, field)
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{field} must be a finite number of seconds >= 0, got {value!r}")
        if not (np.isfinite(self.multiplier) and self.multiplier >= 0):
            raise ValueError(f"multiplier must be finite and >= 0, got {self.multiplier!r}")

    @property
    def window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """Effect window ``[start - lead, end + lag)``."""
        return (
            self.start - pd.Timedelta(seconds=self.lead),
            self.end + pd.Timedelta(seconds=self.lag),
        )


def _as_index(index) -> pd.DatetimeIndex:
    if isinstance(index, pd.DatetimeIndex):
        return index
    return pd.DatetimeIndex(index)


def event_mask(
    index, events: Iterable[Event], *, kinds: Iterable[str] | None = None
) -> np.ndarray:
    """Which interval starts fall inside the effect window of any event.

    Parameters
    ----------
    index : DatetimeIndex or array-like of datetimes
        Interval starts.
    events : iterable of Event
    kinds : iterable of str, optional
        Only events of these kinds; all kinds when omitted.

    Returns
    -------
    numpy.ndarray of bool, same length as ``index``.
    """
    index = _as_index(index)
    kinds = None if kinds is None else set(kinds)
    mask = np.zeros(len(index), dtype=bool)
    for event in events:
        if kinds is not None and event.kind not in kinds:
            continue
        lo, hi = event.window
        mask |= (index >= lo) & (index < hi)
    return mask


def event_multiplier(index, events: Iterable[Event]) -> np.ndarray:
    """Product of the multipliers of all events whose window holds each interval start.

    Returns
    -------
    numpy.ndarray of float, same length as ``index``; 1.0 outside every window.
    """
    index = _as_index(index)
    factor = np.ones(len(index))
    for event in events:
        lo, hi = event.window
        inside = (index >= lo) & (index < hi)
        factor[inside] *= event.multiplier
    return factor

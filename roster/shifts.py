"""Shift templates: when a shift works, where its breaks may go, what it pays, its night class.

All times are seconds. A template's ``start`` is seconds after midnight of the day the shift
belongs to (its *start day*); every other time of day in this module (``end``, segment bounds) is
counted from that same midnight, so a shift crossing midnight has ``end > 86400``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DAY",
    "BreakRule",
    "ShiftTemplate",
    "clock",
    "parse_clock",
    "shift_family",
    "twelve_hour_bands",
]

DAY = 86400
"""Seconds in a day."""

_SMALL_NIGHT_FROM = 22 * 3600
_SMALL_NIGHT_TO = 23 * 3600
_BIG_NIGHT_MORNING = 8 * 3600


def parse_clock(value: str | int) -> int:
    """Seconds after midnight of a clock time.

    Parameters
    ----------
    value : str or int
        ``"HH:MM"``, ``"HH:MM:SS"`` or ``"HHMM"``; an int is taken as seconds already. Hours may
        reach 48 so that a time on the following day can be written (``"32:00"`` is 08:00 of
        the next day).

    Returns
    -------
    int
        Seconds after midnight. [s]
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if not isinstance(value, str):
        raise TypeError(f"clock time must be a str or int of seconds, got {value!r}")
    text = value.strip()
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
        elif len(text) == 4 and text.isdigit():
            parts = [int(text[:2]), int(text[2:])]
        else:
            raise ValueError
        if len(parts) == 2:
            parts.append(0)
        hours, minutes, seconds = parts
    except ValueError:
        raise ValueError(f"clock time {value!r} is not HH:MM, HH:MM:SS or HHMM") from None
    if not (0 <= hours <= 48 and 0 <= minutes < 60 and 0 <= seconds < 60):
        raise ValueError(f"clock time {value!r} is out of range")
    return hours * 3600 + minutes * 60 + seconds


def clock(seconds: int, *, sep: str = ":") -> str:
    """Clock text ``HH:MM`` of seconds after midnight, wrapped into one day (``86400 -> 24:00``).

    A time exactly at midnight at the end of a span reads ``24:00`` only when ``seconds`` is
    exactly 86400; later times wrap (``90000 -> 01:00``).
    """
    seconds = int(seconds)
    if seconds != DAY:
        seconds %= DAY
    return f"{seconds // 3600:02d}{sep}{seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class BreakRule:
    """A break the scheduler places inside a window of the shift.

    Parameters
    ----------
    length : int
        Duration of the break. [s]
    earliest : int
        Earliest start of the break, counted from the shift's start. [s]
    latest : int
        Latest start of the break, counted from the shift's start. [s]
    paid : bool
        Whether the break is paid time (meals usually are not).
    name : str
        Label, e.g. ``"meal"``.
    """

    length: int
    earliest: int
    latest: int
    paid: bool = False
    name: str = "meal"

    def __post_init__(self):
        for attr in ("length", "earliest", "latest"):
            value = getattr(self, attr)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise TypeError(f"BreakRule.{attr} must be int seconds, got {value!r}")
        if self.length <= 0:
            raise ValueError(f"BreakRule.length must be > 0 s, got {self.length}")
        if self.earliest < 0:
            raise ValueError(f"BreakRule.earliest must be >= 0 s, got {self.earliest}")
        if self.latest < self.earliest:
            raise ValueError(
                f"BreakRule.latest ({self.latest}) must be >= earliest ({self.earliest})"
            )


@dataclass(frozen=True)
class ShiftTemplate:
    """One shift shape: its working segments, breaks, pay and night class.

    Parameters
    ----------
    name : str
        Shift code shown in rosters (e.g. ``"0800-1700"``).
    start : int
        Start, seconds after midnight of the start day, in ``[0, 86400)``. [s]
    length : int
        Length of the first working segment, breaks included; may run past midnight. [s]
    breaks : tuple of BreakRule
        Breaks placed by the scheduler (meal windows). Their windows are counted from ``start``
        and must lie inside a working segment.
    short_breaks : int
        Short breaks per working hour (e.g. 300 for "5 min per hour"), taken in small pieces
        when the queue allows. They are paid and not placed as blocks: the scheduler counts
        them as a uniform loss of ``short_breaks / 3600`` of every worked interval. [s/h]
    second_start : int or None
        Start of the second segment of a split shift (两头班), seconds after midnight of the
        start day; at or after the end of the first segment. [s]
    second_length : int
        Length of the second segment. [s]
    paid : int or None
        Paid time. Derived when None: working segments minus unpaid breaks. [s]
    kind : str
        Free label (``"day"``, ``"band"``, ``"floater"``...), used to group templates.

    Notes
    -----
    Night class follows the manual's end-time rule. Reading the manual's clock labels as the
    last minute worked, a shift ending (in continuous time) in ``[22:00, 23:00]`` is a small
    night (小夜班); one ending in ``(23:00, 24:00]`` or in ``(00:00, 08:00]`` of the next day
    is a big night (大夜班), so that the 20:00–08:00 band counts as the big night it is. Any
    shift working past midnight is a big night whatever its end. The rule looks at the end
    only: a shift starting at midnight and ending after 08:00 (00:00–09:00) is not a night
    shift by it; give such shapes a premium through their pay if the centre treats them so.
    """

    name: str
    start: int
    length: int
    breaks: tuple[BreakRule, ...] = ()
    short_breaks: int = 0
    second_start: int | None = None
    second_length: int = 0
    paid: int | None = None
    kind: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"ShiftTemplate.name must be a non-empty str, got {self.name!r}")
        for attr in ("start", "length", "short_breaks", "second_length"):
            value = getattr(self, attr)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise TypeError(f"ShiftTemplate.{attr} must be int seconds, got {value!r}")
        if not 0 <= self.start < DAY:
            raise ValueError(f"ShiftTemplate.start must be in [0, 86400) s, got {self.start}")
        if self.length <= 0:
            raise ValueError(f"ShiftTemplate.length must be > 0 s, got {self.length}")
        if not 0 <= self.short_breaks < 3600:
            raise ValueError(
                f"ShiftTemplate.short_breaks must be in [0, 3600) s/h, got {self.short_breaks}"
            )
        object.__setattr__(self, "breaks", tuple(self.breaks))
        if self.second_start is not None:
            if self.second_start < self.start + self.length:
                raise ValueError(
                    f"ShiftTemplate.second_start ({self.second_start}) must be at or after the "
                    f"end of the first segment ({self.start + self.length})"
                )
            if self.second_length <= 0:
                raise ValueError(
                    f"ShiftTemplate.second_length must be > 0 s for a split shift, "
                    f"got {self.second_length}"
                )
        elif self.second_length:
            raise ValueError("ShiftTemplate.second_length given without second_start")
        if self.end > 2 * DAY:
            raise ValueError(
                f"ShiftTemplate {self.name!r} ends {self.end} s after its start day's midnight; "
                "a shift must end by the next day's midnight (172800 s)"
            )
        for rule in self.breaks:
            if not isinstance(rule, BreakRule):
                raise TypeError(f"ShiftTemplate.breaks must hold BreakRule, got {rule!r}")
            first = self.start + rule.earliest
            last = self.start + rule.latest + rule.length
            if not any(a <= first and last <= b for a, b in self.segments):
                raise ValueError(
                    f"break window {clock(first)}–{clock(last)} of {rule.name!r} does not lie "
                    f"inside one working segment of shift {self.name!r}"
                )
        if self.paid is not None and self.paid < 0:
            raise ValueError(f"ShiftTemplate.paid must be >= 0 s, got {self.paid}")

    # -- construction helpers -------------------------------------------------------------
    @classmethod
    def from_clock(cls, start: str | int, end: str | int, name: str | None = None, **kwargs):
        """Template from clock times; an ``end`` at or before ``start`` crosses midnight.

        >>> ShiftTemplate.from_clock("20:00", "08:00").length
        43200
        """
        s, e = parse_clock(start), parse_clock(end)
        if e <= s:
            e += DAY
        if name is None:
            name = f"{clock(s, sep='')}-{clock(e, sep='')}"
        return cls(name=name, start=s, length=e - s, **kwargs)

    # -- time -----------------------------------------------------------------------------
    @property
    def segments(self) -> tuple[tuple[int, int], ...]:
        """Working segments ``(start, end)``, seconds after the start day's midnight. [s]"""
        first = (self.start, self.start + self.length)
        if self.second_start is None:
            return (first,)
        return (first, (self.second_start, self.second_start + self.second_length))

    @property
    def end(self) -> int:
        """End of the last segment, seconds after the start day's midnight (> 86400 when the
        shift crosses midnight). [s]"""
        return self.segments[-1][1]

    @property
    def end_clock(self) -> int:
        """End as a time of day in ``(0, 86400]`` (midnight reads 86400). [s]"""
        return (self.end - 1) % DAY + 1

    @property
    def crosses_midnight(self) -> bool:
        """Whether the shift works past midnight of its start day."""
        return self.end > DAY

    @property
    def is_split(self) -> bool:
        """Whether the shift has a second segment (两头班)."""
        return self.second_start is not None

    @property
    def span(self) -> int:
        """Time from first start to last end, gaps of a split shift included. [s]"""
        return self.end - self.start

    @property
    def attendance(self) -> int:
        """Time at the workplace: sum of working segments, breaks included. [s]"""
        return sum(b - a for a, b in self.segments)

    @property
    def unpaid_breaks(self) -> int:
        """Total unpaid break time. [s]"""
        return sum(r.length for r in self.breaks if not r.paid)

    @property
    def break_time(self) -> int:
        """Total time of placed breaks (meals), paid or not. [s]"""
        return sum(r.length for r in self.breaks)

    @property
    def paid_time(self) -> int:
        """Paid time: ``paid`` when given, else attendance minus unpaid breaks. [s]"""
        if self.paid is not None:
            return int(self.paid)
        return self.attendance - self.unpaid_breaks

    @property
    def work_time(self) -> float:
        """Time available for contacts: attendance minus all breaks, short breaks included. [s]"""
        net = self.attendance - self.break_time
        return net * (1.0 - self.short_breaks / 3600.0)

    @property
    def night_class(self) -> str:
        """``"none"``, ``"small"`` or ``"big"`` by the end-time rule (see Notes)."""
        end = self.end_clock
        if self.crosses_midnight or end > _SMALL_NIGHT_TO or end <= _BIG_NIGHT_MORNING:
            return "big"
        if end >= _SMALL_NIGHT_FROM:
            return "small"
        return "none"

    # -- intervals ------------------------------------------------------------------------
    def coverage(self, interval: int = 1800) -> np.ndarray:
        """Fraction of each interval the shift is at work, breaks not deducted.

        Parameters
        ----------
        interval : int
            Interval length; must divide a day. [s]

        Returns
        -------
        numpy.ndarray of float, shape (2 * 86400 // interval,)
            Entry ``i`` is the share of interval ``[i*interval, (i+1)*interval)`` after the
            start day's midnight that the shift works; entries past one day belong to the next
            day.
        """
        n = _periods(interval) * 2
        edges = np.arange(n + 1, dtype=np.int64) * interval
        out = np.zeros(n)
        for a, b in self.segments:
            out += np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0, None)
        return out / interval

    def intervals(self, interval: int = 1800) -> np.ndarray:
        """Indices of the intervals the shift works in full, counted from the start day's
        midnight (indices ``>= 86400 // interval`` fall on the next day)."""
        return np.flatnonzero(np.isclose(self.coverage(interval), 1.0))

    def break_starts(self, rule: BreakRule, interval: int = 1800) -> np.ndarray:
        """Interval indices (from the start day's midnight) where ``rule``'s break may start.

        The break must start on an interval boundary and last whole intervals, so ``interval``
        must divide ``rule.length``; only starts inside the window are returned.
        """
        if rule.length % interval:
            raise ValueError(
                f"break {rule.name!r} of shift {self.name!r} lasts {rule.length} s, not a "
                f"multiple of interval={interval} s"
            )
        lo = self.start + rule.earliest
        hi = self.start + rule.latest
        first = -(-lo // interval)
        last = hi // interval
        return np.arange(first, last + 1, dtype=np.int64)


def _periods(interval: int) -> int:
    if not isinstance(interval, (int, np.integer)) or isinstance(interval, bool) or interval <= 0:
        raise ValueError(f"interval must be a positive int of seconds, got {interval!r}")
    if DAY % interval:
        raise ValueError(f"interval={interval} s does not divide a day (86400 s)")
    return DAY // int(interval)


def default_meal(
    length: int,
    *,
    meal: int = 1800,
    min_length: int = 6 * 3600,
    margin: int = 2 * 3600,
    paid: bool = False,
) -> tuple[BreakRule, ...]:
    """The usual meal rule: a shift of at least ``min_length`` gets one ``meal`` break starting
    no sooner than ``margin`` after the start and ending no later than ``margin`` before the end.

    Shifts of 12 h or more get a second meal in their second half. [s]
    """
    if length < min_length or meal <= 0:
        return ()
    if length >= 12 * 3600:
        half = length // 2
        return (
            BreakRule(meal, margin, max(margin, half - meal), paid=paid, name="meal"),
            BreakRule(meal, half, max(half, length - margin - meal), paid=paid, name="meal2"),
        )
    latest = max(margin, length - margin - meal)
    return (BreakRule(meal, min(margin, latest), latest, paid=paid, name="meal"),)


def shift_family(
    lengths: Sequence[int] = (8 * 3600, 9 * 3600),
    *,
    step: int = 1800,
    earliest: str | int = "00:00",
    latest: str | int = "23:30",
    meal: int = 1800,
    meal_from: int = 6 * 3600,
    meal_margin: int = 2 * 3600,
    paid_meal: bool = False,
    short_breaks: int = 300,
    kind: str = "day",
) -> list[ShiftTemplate]:
    """A family of templates: every start from ``earliest`` to ``latest`` each ``step``, for
    each length.

    Parameters
    ----------
    lengths : sequence of int
        Shift lengths, breaks included. [s]
    step : int
        Spacing of start times (900 or 1800 typical). [s]
    earliest, latest : str or int
        First and last start, clock text or seconds after midnight. Starts late in the day
        produce shifts crossing midnight.
    meal, meal_from, meal_margin, paid_meal
        Meal rule given to each template through :func:`default_meal`. [s]
    short_breaks : int
        Short breaks per working hour. [s/h]
    kind : str
        Label stored on each template.

    Returns
    -------
    list of ShiftTemplate
        Named ``HHMM-HHMM`` by start and end clock time.
    """
    if step <= 0 or DAY % step:
        raise ValueError(f"step={step} s must be positive and divide a day")
    lo, hi = parse_clock(earliest), parse_clock(latest)
    if not 0 <= lo <= hi < DAY:
        raise ValueError(f"earliest={earliest!r} and latest={latest!r} must satisfy 0 <= e <= l")
    lengths = [int(x) for x in lengths]
    for x in lengths:
        if x <= 0 or x >= DAY:
            raise ValueError(f"lengths must be in (0, 86400) s, got {x}")
    out = []
    for start, length in itertools.product(range(lo, hi + 1, step), lengths):
        out.append(
            ShiftTemplate(
                name=f"{clock(start, sep='')}-{clock(start + length, sep='')}",
                start=start,
                length=length,
                breaks=default_meal(
                    length, meal=meal, min_length=meal_from, margin=meal_margin, paid=paid_meal
                ),
                short_breaks=short_breaks,
                kind=kind,
            )
        )
    return _unique_names(out)


def twelve_hour_bands(
    starts: Iterable[str | int] = ("08:00", "09:00", "20:00", "21:00"),
    *,
    meal: int = 3600,
    paid_meal: bool = False,
    short_breaks: int = 300,
) -> list[ShiftTemplate]:
    """Twelve-hour bands (8–20, 9–21, 20–8, 21–9 by default), each with two meal windows.

    The meal is given as two breaks of ``meal / 2`` so that it can be split around the peak.
    """
    out = []
    half = meal // 2
    for start in starts:
        s = parse_clock(start)
        out.append(
            ShiftTemplate(
                name=f"{clock(s, sep='')}-{clock(s + 12 * 3600, sep='')}",
                start=s,
                length=12 * 3600,
                breaks=default_meal(12 * 3600, meal=half, paid=paid_meal) if half else (),
                short_breaks=short_breaks,
                kind="band",
            )
        )
    return _unique_names(out)


def _unique_names(templates: list[ShiftTemplate]) -> list[ShiftTemplate]:
    seen: dict[str, int] = {}
    out = []
    for t in templates:
        n = seen.get(t.name, 0)
        seen[t.name] = n + 1
        if n:
            t = _replace(t, name=f"{t.name}#{n + 1}")
        out.append(t)
    return out


def _replace(t: ShiftTemplate, **changes) -> ShiftTemplate:
    return dataclasses.replace(t, **changes)

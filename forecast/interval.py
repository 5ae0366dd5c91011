"""The interval length of a time index, given or inferred, as whole seconds."""

from __future__ import annotations

import datetime as dt
import numbers

import numpy as np
import pandas as pd

__all__ = ["DAY", "interval_length"]

#: Seconds in a day; an interval length divides it.
DAY = 86400
_NS = 10**9


def interval_length(
    index, interval=None, *, name: str = "index", arg: str = "interval", grid: bool = True
) -> int:
    """The interval length of a time index: the one given, checked, or the one it shows. [s]

    Parameters
    ----------
    index : pandas.DatetimeIndex or None
        Interval starts, in any order, repeats allowed. None when the data have no time
        index: ``interval`` is then required and only checked.
    interval : int, str or Timedelta, optional
        Interval length: seconds (a whole ``float`` is accepted), or a duration such as
        ``"30min"`` or ``pd.Timedelta(minutes=15)``. Inferred from ``index`` when omitted.
    name : str, default ``"index"``
        What ``index`` belongs to; every error message starts with it.
    arg : str, default ``"interval"``
        The caller's name for the argument giving ``interval``, named in error messages.
    grid : bool, default True
        Require every timestamp to start a whole number of intervals after its day's
        midnight (wall-clock time for a time-zone aware index). Without it a given interval
        is not checked against the index, and an inferred one must only hold every spacing
        between timestamps a whole number of times.

    Returns
    -------
    int
        Interval length: a positive whole number of seconds that divides a day. [s]

    Raises
    ------
    ValueError
        In one line starting with ``name``: a given interval that is not a positive whole
        number of seconds dividing a day (the message names ``arg`` and the value); no
        interval given with fewer than two distinct timestamps or with no index; an
        inferred spacing that is not whole seconds dividing a day; timestamps off the
        interval grid (missing timestamps, NaT, too).

    Notes
    -----
    The inferred interval is the most common spacing between consecutive distinct
    timestamps (the shortest among equally common ones), and every timestamp must then lie
    on its grid. On a regular index that is its step; on one with gaps (closed hours,
    intervals left out) it is still the step as long as consecutive intervals are the most
    common spacing. Whenever the index lies on the grid of the most common spacing, every
    spacing is a whole multiple of it, so it is also the shortest spacing: the rule agrees
    with taking the shortest spacing on every index it accepts. It differs on mixed
    frequencies, such as a half-hourly index with a few stamps at ten past: the shortest
    spacing would silently make it a ten-minute index with most intervals missing, while
    this rule names the first stamp off the half-hour grid. A sparse index whose most
    common spacing is several intervals needs ``interval`` given.

    Examples
    --------
    >>> import pandas as pd
    >>> index = pd.date_range("2025-03-03", periods=96, freq="15min")
    >>> interval_length(index)
    900
    >>> interval_length(index, "15min")
    900
    """
    if interval is not None:
        step = _seconds(interval, name, arg)
    if index is None:
        if interval is None:
            raise ValueError(f"{name}: {arg} is required without a time index")
        return step
    index = pd.DatetimeIndex(index)
    if index.hasnans:
        raise ValueError(f"{name}: the index holds missing timestamps (NaT)")
    if index.tz is not None:
        index = index.tz_localize(None)
    stamps = np.unique(index.as_unit("ns").asi8)
    if interval is None:
        if len(stamps) < 2:
            raise ValueError(f"{name}: {arg} is required with fewer than two distinct timestamps")
        gaps, counts = np.unique(np.diff(stamps), return_counts=True)
        gap = int(gaps[np.argmax(counts)])
        if gap % _NS or (DAY * _NS) % gap:
            raise ValueError(
                f"{name}: the most common spacing, {pd.Timedelta(gap)}, is not whole seconds "
                f"dividing a day (86400 s); give {arg}="
            )
        step = gap // _NS
        shown = f"{step} s inferred; mixed frequencies?"
    elif not grid:
        return step
    else:
        shown = f"{arg}={interval!r}"
    origin = 0 if grid else stamps[0]
    off = (stamps - origin) % (step * _NS) != 0
    if off.any():
        raise ValueError(
            f"{name}: {int(off.sum())} timestamps are off the {pd.Timedelta(seconds=step)} grid "
            f"({shown}), first at {pd.Timestamp(stamps[off][0])}"
        )
    return step


def _seconds(value, name: str, arg: str) -> int:
    """A given interval as whole seconds dividing a day."""
    secs = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, numbers.Integral):
        secs = int(value)
    elif isinstance(value, numbers.Real):
        if np.isfinite(value) and float(value).is_integer():
            secs = int(value)
    elif isinstance(value, str | dt.timedelta | np.timedelta64 | pd.offsets.Tick):
        try:
            ns = pd.Timedelta(value).value
        except (TypeError, ValueError):
            ns = None
        if ns is not None and ns % _NS == 0:
            secs = ns // _NS
    if secs is None or secs <= 0:
        raise ValueError(f"{name}: {arg}={value!r} is not a positive whole number of seconds")
    if DAY % secs:
        raise ValueError(f"{name}: {arg}={value!r} does not divide a day (86400 s)")
    return int(secs)

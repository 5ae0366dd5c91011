"""What work orders are: classes of deferred work (complaint tickets closed within 2 h, 48 h,
4 or 7 working days) with their handle time, their share of the calls or volume, and their
deadline, checked once (:class:`WorkOrders`); and the interval each order is due by
(:func:`due_intervals`, the calendar's working days included)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

import forecast as fc

__all__ = ["WorkOrderClass", "WorkOrders", "due_intervals"]


def is_number(value) -> bool:
    """Whether ``value`` is a finite real number (not a bool)."""
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


@dataclass(frozen=True)
class WorkOrderClass:
    """One class of work orders.

    Parameters
    ----------
    name : str
        The class, e.g. ``"complaint_48h"``.
    handle_time : float
        Agent time to close one order. [s]
    share : float, optional
        Orders per contact offered (e.g. 0.03: three tickets per hundred calls). Give this or
        ``volume``.
    volume : float, optional
        Orders per interval, whatever the calls. [orders]
    deadline : float, optional
        Time to close an order after it comes in. [s] Give this or ``working_days``.
    working_days : int, optional
        Working days to close an order: it is due at the end of the ``working_days``-th
        working day after the day it comes in (working days and make-up days from the
        calendar).
    """

    name: str
    handle_time: float
    share: float | None = None
    volume: float | None = None
    deadline: float | None = None
    working_days: int | None = None

    def __post_init__(self):
        if not (isinstance(self.name, str) and self.name.strip()):
            raise ValueError(f"work order name must be a non-empty string, got {self.name!r}")
        where = f"work order {self.name!r}"
        if not (is_number(self.handle_time) and self.handle_time > 0):
            raise ValueError(
                f"{where}: handle_time must be a positive number of seconds, "
                f"got {self.handle_time!r}"
            )
        if (self.share is None) == (self.volume is None):
            raise ValueError(f"{where}: give exactly one of share (per contact) and volume")
        for key in ("share", "volume"):
            value = getattr(self, key)
            if value is not None and not (is_number(value) and value >= 0):
                raise ValueError(f"{where}: {key} must be a number >= 0, got {value!r}")
        if (self.deadline is None) == (self.working_days is None):
            raise ValueError(f"{where}: give exactly one of deadline [s] and working_days")
        if self.deadline is not None and not (is_number(self.deadline) and self.deadline > 0):
            raise ValueError(
                f"{where}: deadline must be a positive number of seconds, got {self.deadline!r}"
            )
        if self.working_days is not None and not (
            is_number(self.working_days)
            and float(self.working_days).is_integer()
            and self.working_days >= 1
        ):
            raise ValueError(
                f"{where}: working_days must be a whole number >= 1, got {self.working_days!r}"
            )

    @classmethod
    def from_dict(cls, values: Mapping, *, source: str = "work_orders") -> WorkOrderClass:
        """A class from a mapping (a ``[[work_orders]]`` table); unknown keys raise naming
        ``source``."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{source}: unknown keys {unknown}; known keys are {sorted(known)}")
        if "name" not in values or "handle_time" not in values:
            raise ValueError(f"{source}: each work order needs name and handle_time")
        try:
            return cls(**values)
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None

    def describe(self) -> str:
        """The deadline in words, e.g. ``2 h`` or ``4 working days``."""
        if self.working_days is not None:
            return f"{int(self.working_days)} working days"
        return f"{self.deadline / 3600:g} h"


@dataclass(frozen=True)
class WorkOrders:
    """The work-order classes of a plan and the time that closes them.

    Parameters
    ----------
    classes : sequence of WorkOrderClass or of mappings
        One per class, names unique.
    back_office : float or pandas.Series, default 0
        Back-office agents working orders in each interval (one number for every interval, or a
        Series on interval starts). [agents]
    idle_share : float, default 0.5
        Share of the phone agents' idle time (agents × interval × (1 − occupancy)) that can go
        to work orders; the rest are gaps between calls too short to take up a ticket.
    """

    classes: tuple = ()
    back_office: float | pd.Series = 0.0
    idle_share: float = 0.5

    def __post_init__(self):
        classes = tuple(
            c if isinstance(c, WorkOrderClass) else WorkOrderClass.from_dict(c)
            for c in self.classes
        )
        if not classes:
            raise ValueError("work_orders: give at least one class")
        names = [c.name for c in classes]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"work_orders: class names must be unique, {twice} repeat")
        object.__setattr__(self, "classes", classes)
        if not (is_number(self.idle_share) and 0 <= self.idle_share <= 1):
            raise ValueError(f"idle_share must be in [0, 1], got {self.idle_share!r}")
        back = self.back_office
        if isinstance(back, pd.Series):
            if not (np.isfinite(back.to_numpy(float)).all() and (back >= 0).all()):
                raise ValueError("back_office: agents per interval must be finite and >= 0")
        elif not (is_number(back) and back >= 0):
            raise ValueError(f"back_office must be a number of agents >= 0, got {back!r}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.classes]

    def get(self, name: str) -> WorkOrderClass:
        """The class called ``name``."""
        for c in self.classes:
            if c.name == name:
                return c
        raise ValueError(f"unknown work-order class {name!r}; classes are {self.names}")

    def check_interval(self, interval: int) -> None:
        """Raise naming the first class whose deadline is shorter than an interval. [s]"""
        for c in self.classes:
            if c.deadline is not None and c.deadline < interval:
                raise ValueError(
                    f"work order {c.name!r}: deadline={c.deadline:g} s is shorter than an "
                    f"interval ({interval} s)"
                )

    @classmethod
    def from_config(
        cls, tables: Iterable[Mapping], options: Mapping | None = None, *, source="config"
    ) -> WorkOrders:
        """Work orders from a TOML file's ``[[work_orders]]`` tables and the options
        ``back_office`` and ``idle_share`` (of its ``[plan]`` table)."""
        if not isinstance(tables, list | tuple):
            raise ValueError(f"{source} [[work_orders]]: must be an array of tables")
        classes = [
            WorkOrderClass.from_dict(t, source=f"{source} [[work_orders]] #{k}")
            for k, t in enumerate(tables, 1)
        ]
        try:
            return cls(classes, **dict(options or {}))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: {exc}") from None


def due_intervals(
    order: WorkOrderClass, index: pd.DatetimeIndex, interval: int, calendar="CN"
) -> np.ndarray:
    """Position of the interval each interval's orders are due by.

    On the interval grid an order that comes in during interval ``a`` can be worked from the
    next open interval on and is due by the end of the last interval ending at or before
    ``start(a) + (⌊D / I⌋ + 1) I`` for a deadline ``D`` [s] and intervals of ``I`` [s]: the
    deadline counted from the end of the arrival interval, rounded down to the grid (exact for
    an order arriving at the interval's end, at most one interval generous for one arriving at
    its start). With ``working_days`` = k the order is due at midnight ending the k-th working
    day after its arrival day. An order due before the next open interval (the centre closes)
    is due by the end of that interval.

    Returns
    -------
    numpy.ndarray of int
        Positions in ``index``; ``len(index)`` when the deadline falls after the horizon.

    Raises
    ------
    ValueError
        When the deadline is shorter than an interval.
    """
    index = pd.DatetimeIndex(index)
    starts = index.as_unit("ns").asi8
    step = np.int64(interval) * 10**9
    if order.deadline is not None:
        if order.deadline < interval:
            raise ValueError(
                f"work order {order.name!r}: deadline={order.deadline:g} s is shorter than an "
                f"interval ({interval} s)"
            )
        due = starts + (np.int64(order.deadline // interval) + 1) * step
    else:
        cal = fc.get_calendar(calendar)
        k = int(order.working_days)
        first, last = index[0].normalize(), index[-1].normalize()
        # enough days after the horizon for k working days past a long holiday
        days = pd.date_range(first, last + pd.Timedelta(days=7 * k + 21), freq="D")
        workday = cal.day_types(days)["is_workday"].to_numpy(bool)
        # number of working days up to and including each day
        count = np.cumsum(workday)
        day_pos = ((index.normalize() - first) // pd.Timedelta(days=1)).to_numpy()
        # the k-th working day after the arrival day: first day whose count reaches count+k
        target = count[day_pos] + k
        due_day = np.searchsorted(count, target, side="left")
        due = (first + pd.to_timedelta(due_day + 1, unit="D")).as_unit("ns").asi8
    ends = starts + step
    pos = np.searchsorted(ends, due, side="right") - 1
    n = len(index)
    pos = np.where(due > ends[-1], n, pos)
    # never due before the interval after arrival: the order cannot be worked earlier
    return np.maximum(pos, np.minimum(np.arange(n) + 1, n)).astype(np.int64)

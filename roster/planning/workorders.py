"""Work orders with deadlines: deferred work (complaint tickets closed within 2 h, 48 h, 4 or 7
working days) that arrives with the calls and needs agent time later.

:func:`schedule_work_orders` finds the capacity to close every class within its deadline, in
the agents' idle time first, in back-office time next, and adds what is still missing where it
is cheapest within the deadlines; :func:`work_order_requirement` turns that into agents added
to a plan's requirement before the shifts are built.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd
from scipy import sparse

import forecast as fc

__all__ = [
    "WorkOrderClass",
    "WorkOrderPlan",
    "WorkOrders",
    "due_intervals",
    "schedule_work_orders",
    "work_order_requirement",
    "work_orders_as_built",
]


def _number(value) -> bool:
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
        if not (_number(self.handle_time) and self.handle_time > 0):
            raise ValueError(
                f"{where}: handle_time must be a positive number of seconds, "
                f"got {self.handle_time!r}"
            )
        if (self.share is None) == (self.volume is None):
            raise ValueError(f"{where}: give exactly one of share (per contact) and volume")
        for key in ("share", "volume"):
            value = getattr(self, key)
            if value is not None and not (_number(value) and value >= 0):
                raise ValueError(f"{where}: {key} must be a number >= 0, got {value!r}")
        if (self.deadline is None) == (self.working_days is None):
            raise ValueError(f"{where}: give exactly one of deadline [s] and working_days")
        if self.deadline is not None and not (_number(self.deadline) and self.deadline > 0):
            raise ValueError(
                f"{where}: deadline must be a positive number of seconds, got {self.deadline!r}"
            )
        if self.working_days is not None and not (
            _number(self.working_days)
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
        if not (_number(self.idle_share) and 0 <= self.idle_share <= 1):
            raise ValueError(f"idle_share must be in [0, 1], got {self.idle_share!r}")
        back = self.back_office
        if isinstance(back, pd.Series):
            if not (np.isfinite(back.to_numpy(float)).all() and (back >= 0).all()):
                raise ValueError("back_office: agents per interval must be finite and >= 0")
        elif not (_number(back) and back >= 0):
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


@dataclass(frozen=True)
class WorkOrderPlan:
    """Capacity found for the work orders and the fluid schedule that closes them.

    Attributes
    ----------
    capacity : pandas.DataFrame
        Per interval [agents, averaged over the interval]: ``idle`` (usable idle time of the
        phone agents), ``idle_used``, ``back_office``, ``back_office_used``, ``added``
        (agents added for the orders: working them, not on the phones).
    work : pandas.DataFrame
        Agent time spent per interval on each class (columns by class). [s]
    daily : pandas.DataFrame
        Per ``date`` and ``work_order`` class: ``arrived``, ``closed``, ``backlog`` (open at
        the day's end), ``overdue`` (open past their deadline at the day's end), ``due``
        (orders due that day), ``late`` (of those, closed after the deadline) [orders], and
        ``on_time`` (share of ``due`` closed in time; NaN when none are due).
    on_time : pandas.Series
        Share of the orders due within the horizon closed in time, by class.
    carried : pandas.Series
        Orders still open at the end of the horizon and due after it, by class.
    status : str
        HiGHS's model status.
    interval : int
        Interval length. [s]
    as_built : WorkOrderPlan or None
        In a plan: the same orders worked on the roster as built, with no agents added
        (:func:`work_orders_as_built`), whose ``on_time`` says whether the roster closes them.
    """

    capacity: pd.DataFrame
    work: pd.DataFrame
    daily: pd.DataFrame
    on_time: pd.Series
    carried: pd.Series
    status: str
    interval: int = 1800
    as_built: WorkOrderPlan | None = field(default=None, repr=False)

    @property
    def added_agent_hours(self) -> pd.Series:
        """Agent-hours added for the work orders, per day. [h]"""
        added = self.capacity["added"] * self.interval / 3600
        return added.groupby(added.index.normalize()).sum().rename("added_agent_h")

    @property
    def on_time_share(self) -> float:
        """Share of all orders due within the horizon closed in time (NaN if none due)."""
        d = self.daily
        due = float(d["due"].sum())
        return float(1 - d["late"].sum() / due) if due > 0 else float("nan")

    def summary(self) -> dict:
        """Headline numbers: orders arrived, the share closed in time, agent-hours of idle,
        back-office and added time worked on them (net of shrinkage), orders carried past the
        horizon, and the share closed in time on the roster as built when known."""
        hours = self.interval / 3600
        return {
            "work_orders_arrived": float(self.daily["arrived"].sum()),
            "work_orders_on_time": self.on_time_share,
            "work_orders_idle_agent_h": float(self.capacity["idle_used"].sum() * hours),
            "work_orders_back_office_agent_h": float(
                self.capacity["back_office_used"].sum() * hours
            ),
            "work_orders_added_agent_h": float(self.capacity["added"].sum() * hours),
            "work_orders_carried": float(self.carried.sum()),
            **(
                {"work_orders_on_time_as_built": self.as_built.on_time_share}
                if self.as_built is not None
                else {}
            ),
        }


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


def _cost_weights(index: pd.DatetimeIndex, night_cost: float, day_hours=(8, 22)) -> np.ndarray:
    hour = index.hour.to_numpy()
    by_day = (hour >= day_hours[0]) & (hour < day_hours[1])
    return np.where(by_day, 1.0, night_cost)


def schedule_work_orders(
    orders: WorkOrders,
    volume: pd.Series,
    idle: pd.Series,
    *,
    interval: int = 1800,
    calendar="CN",
    arrivals: pd.DataFrame | None = None,
    add: bool = True,
    night_cost: float = 1.5,
) -> WorkOrderPlan:
    """Capacity that closes every work order within its deadline, found by a linear program.

    Parameters
    ----------
    orders : WorkOrders
        The classes, back-office agents and the usable share of idle time.
    volume : pandas.Series
        Contacts offered per interval, indexed by interval start (the plan's forecast mean).
        [contacts]
    idle : pandas.Series
        Phone agents' idle time per interval, on ``volume``'s index: agents × (1 − occupancy)
        (:func:`erlang.kpis`). [agents, averaged over the interval]; ``orders.idle_share`` of it
        is usable.
    interval : int, default 1800
        Interval length. [s]
    calendar : str or calendar, default ``"CN"``
        Working days for deadlines in working days (:func:`forecast.get_calendar`).
    arrivals : pandas.DataFrame, optional
        Orders per interval by class (columns named as the classes, e.g. from the ticket
        system), replacing ``share`` and ``volume`` of those classes. [orders]
    add : bool, default True
        Add agents where idle and back-office time do not suffice; False only checks the time
        there is, and orders may then be late.
    night_cost : float, default 1.5
        Cost of an agent-hour added outside 08:00-22:00 relative to one by day (night pay).

    Returns
    -------
    WorkOrderPlan

    Notes
    -----
    A fluid schedule: orders are work (orders × handle time) that any agent time can take in
    any split. Within a class the deadline is the arrival plus a constant, so first come,
    first served is earliest deadline first, and a class's orders all meet their deadlines iff
    its cumulative work done reaches its cumulative work due at every interval end. With
    ``B[k,t]`` the work of class ``k`` open after interval ``t`` this is the sparse program

    .. math::

        \\min \\sum_t c_t x_t + \\beta \\sum_t b_t + h \\sum_{k,t} B_{k,t}
              + M \\sum_{k,t} L_{k,t}

        B_{k,t} = B_{k,t-1} + w_{k,t-1} - p_{k,t}, \\quad
        0 \\le B_{k,t} \\le W_{k,t} - D_{k,t} + L_{k,t}, \\quad
        \\sum_k p_{k,t} = u_t + b_t + x_t

    with ``w`` the work arriving (available from the next interval), ``W - D`` the work
    arrived and not yet due, ``u ≤`` usable idle time, ``b ≤`` back-office time, ``x ≥ 0``
    agent time added at cost ``c_t`` (1 by day, ``night_cost`` at night). The small holding
    cost ``h`` (below ``β``, the cost of back-office time) works orders as early as the time
    chosen allows, so that idle time comes first, back office next and added agents last;
    lateness ``L`` is penalised far above any added agent, so it is zero whenever ``add``.
    Earliest deadline first on one resource with release times is optimal for meeting
    deadlines when work can be split (Horn 1974), which the test of this module checks
    against the program's schedule. The plan starts with no orders open; orders due after
    the horizon may stay open (:attr:`WorkOrderPlan.carried`).

    References
    ----------
    Horn, W. A. (1974). Some simple scheduling algorithms. Naval Research Logistics
    Quarterly 21(1), 177-185.
    """
    from roster.highs import highs_model, run

    if not isinstance(orders, WorkOrders):
        raise TypeError(f"orders must be roster.planning.WorkOrders, got {type(orders).__name__}")
    if not (isinstance(volume, pd.Series) and isinstance(volume.index, pd.DatetimeIndex)):
        raise ValueError("volume must be a Series indexed by interval start")
    index = pd.DatetimeIndex(volume.index)
    n, K = len(index), len(orders.classes)
    if n == 0:
        raise ValueError("volume: no intervals")
    if not (_number(night_cost) and night_cost > 0):
        raise ValueError(f"night_cost must be a positive number, got {night_cost!r}")
    vol = volume.to_numpy(float)
    if not (np.isfinite(vol).all() and (vol >= 0).all()):
        raise ValueError("volume: contacts per interval must be finite and >= 0")
    idle = pd.Series(idle, dtype=float).reindex(index)
    if idle.isna().any() or (idle < -1e-9).any():
        raise ValueError("idle: agents per interval on volume's index, finite and >= 0")
    if arrivals is not None:
        for name in arrivals.columns:
            orders.get(name)  # one line naming an unknown class
    hours = interval / 3600
    work = np.zeros((K, n))  # agent-hours arriving per interval
    dues = np.zeros((K, n), dtype=np.int64)
    for k, c in enumerate(orders.classes):
        if arrivals is not None and c.name in arrivals.columns:
            count = arrivals[c.name].reindex(index, fill_value=0.0).to_numpy(float)
            if not (np.isfinite(count).all() and (count >= 0).all()):
                raise ValueError(f"arrivals[{c.name!r}]: orders must be finite and >= 0")
        elif c.share is not None:
            count = vol * c.share
        else:
            count = np.full(n, float(c.volume))
        work[k] = count * c.handle_time / 3600
        dues[k] = due_intervals(c, index, interval, calendar)
    back = orders.back_office
    back = (
        back.reindex(index, fill_value=0.0).to_numpy(float)
        if isinstance(back, pd.Series)
        else np.full(n, float(back))
    )
    usable_idle = np.clip(idle.to_numpy(float), 0, None) * orders.idle_share

    # work available before interval t (arrived in earlier intervals) and due by its end
    arrived_before = np.concatenate([np.zeros((K, 1)), np.cumsum(work, axis=1)[:, :-1]], axis=1)
    due_by = np.zeros((K, n))
    for k in range(K):
        inside = dues[k] < n
        due_by[k] = np.cumsum(np.bincount(dues[k][inside], weights=work[k][inside], minlength=n))
    not_due = arrived_before - due_by  # the open work allowed after interval t

    # variables: p (K n), B (K n), L (K n), u (n), b (n), x (n)
    P, B, L = (np.arange(K * n).reshape(K, n) + j * K * n for j in range(3))
    U, Bo, X = (3 * K * n + j * n + np.arange(n) for j in range(3))
    nv = 3 * K * n + 3 * n
    rows, cols, vals = [], [], []
    r = 0
    # balance: B[t] - B[t-1] + p[t] = w[t-1]
    bal = r + np.arange(K * n).reshape(K, n)
    rows += [bal.ravel(), bal.ravel(), bal[:, 1:].ravel()]
    cols += [B.ravel(), P.ravel(), B[:, :-1].ravel()]
    vals += [np.ones(K * n), np.ones(K * n), -np.ones(K * (n - 1))]
    rhs_bal = np.concatenate([np.zeros((K, 1)), work[:, :-1]], axis=1).ravel()
    r += K * n
    # deadline: B[t] - L[t] <= not_due[t]
    dl = r + np.arange(K * n).reshape(K, n)
    rows += [dl.ravel(), dl.ravel()]
    cols += [B.ravel(), L.ravel()]
    vals += [np.ones(K * n), -np.ones(K * n)]
    r += K * n
    # capacity: sum_k p[k,t] - u - b - x = 0
    cap = r + np.arange(n)
    rows += [np.tile(cap, K), cap, cap, cap]
    cols += [P.ravel(), U, Bo, X]
    vals += [np.ones(K * n), -np.ones(n), -np.ones(n), -np.ones(n)]
    r += n
    A = sparse.csc_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, nv)
    )
    lower = np.concatenate([rhs_bal, np.full(K * n, -np.inf), np.zeros(n)])
    upper = np.concatenate([rhs_bal, not_due.ravel(), np.zeros(n)])
    col_lo = np.zeros(nv)
    col_hi = np.full(nv, np.inf)
    col_hi[U] = usable_idle * hours
    col_hi[Bo] = back * hours
    if not add:
        col_hi[X] = 0.0
    # costs per agent-hour: holding (all of it) < back office < added < lateness
    holding = 0.01 / n
    weights = _cost_weights(index, night_cost)
    c = np.zeros(nv)
    c[B.ravel()] = holding
    c[Bo] = 0.1
    c[X] = 10.0 * weights
    c[L.ravel()] = 1e4
    h = highs_model(c, A, lower, upper, col_lo, col_hi)
    run(h)
    status = h.modelStatusToString(h.getModelStatus())
    if status != "Optimal":
        raise RuntimeError(f"work orders: the linear program ended {status}")
    sol = np.asarray(h.getSolution().col_value)
    p = np.clip(sol[P], 0, None)
    u, b, x = (np.clip(sol[v], 0, None) for v in (U, Bo, X))

    per_agent = 1 / hours
    capacity = pd.DataFrame(
        {
            "idle": usable_idle,
            "idle_used": u * per_agent,
            "back_office": back,
            "back_office_used": b * per_agent,
            "added": x * per_agent,
        },
        index=index,
    )
    names = orders.names
    handle = np.array([c.handle_time / 3600 for c in orders.classes])[:, None]
    done = np.cumsum(p, axis=1)
    daily = _daily(index, names, work / handle, done / handle, due_by / handle)
    carried_work = np.cumsum(work, axis=1)[:, -1] - done[:, -1]
    carried = pd.Series(np.clip(carried_work / handle[:, 0], 0, None), index=names)
    due_total = daily.groupby("work_order")["due"].sum()
    late_total = daily.groupby("work_order")["late"].sum()
    on_time = (1 - late_total / due_total.where(due_total > 0)).reindex(names)
    return WorkOrderPlan(
        capacity=capacity,
        work=pd.DataFrame((p * 3600).T, index=index, columns=names),
        daily=daily,
        on_time=on_time.rename("on_time"),
        carried=carried.rename("carried"),
        status=status,
        interval=int(interval),
    )


def _daily(index, names, arrived, done, due_by) -> pd.DataFrame:
    """Per day and class: arrived, closed, open, overdue, due, late (orders) and on-time share.

    Within a class orders close first come, first served, so the orders due by the end of
    interval ``t`` (cumulative ``D_t``) that are late are those beyond the work done by then
    (``P_t``): ``clip(D_t - max(P_t, D_{t-1}), 0, D_t - D_{t-1})``.
    """
    tol = 1e-9
    prev_due = np.concatenate([np.zeros((len(names), 1)), due_by[:, :-1]], axis=1)
    late = np.clip(due_by - np.maximum(done + tol, prev_due), 0, None)
    late = np.minimum(late, due_by - prev_due)
    cum_arrived = np.cumsum(arrived, axis=1)
    day = index.normalize()
    last = ~pd.Series(day).duplicated(keep="last").to_numpy()
    frames = []
    for k, name in enumerate(names):
        per = pd.DataFrame(
            {
                "arrived": arrived[k],
                "closed": np.diff(done[k], prepend=0.0),
                "due": due_by[k] - prev_due[k],
                "late": late[k],
            },
            index=day,
        )
        g = per.groupby(level=0).sum()
        g["backlog"] = np.clip(cum_arrived[k][last] - done[k][last], 0, None)
        g["overdue"] = np.clip(due_by[k][last] - done[k][last], 0, None)
        g.loc[g["overdue"] < 1e-6, "overdue"] = 0.0
        g["late"] = g["late"].where(g["late"] > 1e-6, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            g["on_time"] = np.where(g["due"] > 1e-9, 1 - g["late"] / g["due"], np.nan)
        frames.append(g.assign(work_order=name))
    out = pd.concat(frames).rename_axis("date").reset_index()
    cols = ["date", "work_order", "arrived", "closed", "backlog", "overdue", "due", "late"]
    return out[[*cols, "on_time"]]


def work_order_requirement(
    orders: WorkOrders, requirement: pd.DataFrame, queue, shrinkage: float, *, interval, calendar
) -> tuple[pd.DataFrame, WorkOrderPlan]:
    """A plan's requirement with the agents its work orders need added.

    Parameters
    ----------
    orders : WorkOrders
    requirement : pandas.DataFrame
        Per interval ``volume``, ``aht`` [s], ``required`` and ``floor`` [agents] (the plan's
        requirement before the shifts).
    queue : roster.planning.queue_model.QueueModel
        The queue whose :meth:`kpis` give the occupancy of the agents staffed.
    shrinkage : float
        Share of scheduled time lost to absence and non-adherence: the agents added for the
        orders are grossed up by it as the phone agents are.
    interval : int
        [s]
    calendar : calendar
        For deadlines in working days.

    Returns
    -------
    requirement : pandas.DataFrame
        With ``work_orders`` (agents added to schedule) and ``required`` raised by it.
    plan : WorkOrderPlan

    Notes
    -----
    The idle time is that of the agents the requirement staffs, ``max(required, floor)``,
    net of shrinkage: ``agents × (1 − occupancy)`` from :func:`erlang.kpis`, so that the night
    floor's spare agents and the rounding up of the requirement work orders first.
    """
    on_phones = np.maximum(requirement["required"], requirement["floor"]) * (1 - shrinkage)
    k = queue.kpis(requirement["volume"], requirement["aht"], on_phones, interval=interval)
    busy = np.nan_to_num(np.clip(k["occupancy"].to_numpy(float), 0, 1), nan=1.0)
    idle = pd.Series(on_phones.to_numpy(float) * (1 - busy), index=requirement.index)
    result = schedule_work_orders(
        orders, requirement["volume"], idle, interval=interval, calendar=calendar
    )
    out = requirement.copy()
    added = result.capacity["added"] / (1 - shrinkage)
    out["work_orders"] = added.to_numpy()
    out["required"] = out["required"] + out["work_orders"]
    return out, replace(result, as_built=None)


def work_orders_as_built(
    orders: WorkOrders, on_phones, occupancy, dedicated, *, volume, interval, calendar
) -> WorkOrderPlan:
    """The work orders on a roster as built: nothing added, late orders counted.

    Parameters
    ----------
    orders : WorkOrders
    on_phones : array-like
        Agents on the phones per interval. [agents]
    occupancy : array-like
        Their occupancy (:func:`erlang.kpis`).
    dedicated : array-like
        Agents the roster puts on the work orders per interval (those added for them, as far
        as the roster covers them). [agents]
    volume : pandas.Series
        Contacts per interval. [contacts]
    interval : int
        [s]
    calendar : calendar

    Returns
    -------
    WorkOrderPlan
        With ``add=False``: the idle time of ``on_phones`` and the back office and dedicated
        agents are all the time there is.
    """
    on_phones = np.asarray(on_phones, dtype=float)
    busy = np.nan_to_num(np.clip(np.asarray(occupancy, dtype=float), 0, 1), nan=1.0)
    idle = pd.Series(on_phones * (1 - busy), index=volume.index)
    back = orders.back_office
    back = back.reindex(volume.index, fill_value=0.0) if isinstance(back, pd.Series) else back
    back = pd.Series(np.asarray(dedicated, dtype=float) + back, index=volume.index)
    here = WorkOrders(orders.classes, back_office=back.clip(lower=0), idle_share=orders.idle_share)
    return schedule_work_orders(
        here, volume, idle.clip(lower=0), interval=interval, calendar=calendar, add=False
    )

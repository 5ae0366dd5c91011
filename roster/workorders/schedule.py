"""Closing work orders in time: a linear program over intervals and classes finds the capacity
for every order, in the agents' idle time first, back-office time next, and what is still
missing where it is cheapest within the deadlines (:func:`schedule_work_orders`);
:func:`work_order_requirement` turns that into agents added to a plan's requirement before
the shifts are built, and :func:`work_orders_as_built` checks a roster as built."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import sparse

from roster.workorders.model import WorkOrders, due_intervals, is_number

__all__ = [
    "WorkOrderPlan",
    "schedule_work_orders",
    "work_order_requirement",
    "work_orders_as_built",
]


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
    if not (is_number(night_cost) and night_cost > 0):
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

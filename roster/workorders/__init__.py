"""Work orders with deadlines: what they are (:mod:`roster.workorders.model`) and the capacity
that closes them in time (:mod:`roster.workorders.schedule`)."""

from roster.workorders.model import WorkOrderClass, WorkOrders, due_intervals
from roster.workorders.schedule import (
    WorkOrderPlan,
    schedule_work_orders,
    work_order_requirement,
    work_orders_as_built,
)

__all__ = [
    "WorkOrderClass",
    "WorkOrderPlan",
    "WorkOrders",
    "due_intervals",
    "schedule_work_orders",
    "work_order_requirement",
    "work_orders_as_built",
]

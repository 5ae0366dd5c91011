"""The month's plan end to end (:func:`plan`, and :func:`plan_centre` for several queues and
skills): its inputs, samples, report and command line."""

from roster.lazy import lazy_names

# Resolved on first use (PEP 562): the command line in this package starts without them.
_WHERE = {
    "CentrePlan": "roster.planning.centre",
    "Plan": "roster.planning.pipeline",
    "StaffingPolicy": "roster.planning.policy",
    "WorkOrderClass": "roster.workorders",
    "WorkOrders": "roster.workorders",
    "carrier_sample": "roster.planning.samples",
    "plan": "roster.planning.pipeline",
    "plan_centre": "roster.planning.centre",
}

__all__ = [
    "CentrePlan",
    "Plan",
    "StaffingPolicy",
    "WorkOrderClass",
    "WorkOrders",
    "carrier_sample",
    "plan",
    "plan_centre",
]


__getattr__, __dir__ = lazy_names("roster.planning", _WHERE, globals())

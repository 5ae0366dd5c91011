"""The month's plan end to end (:func:`plan`): its inputs, report and command line."""

from roster.lazy import lazy_names

# Resolved on first use (PEP 562): the command line in this package starts without them.
_WHERE = {
    "Plan": "roster.planning.pipeline",
    "StaffingPolicy": "roster.planning.policy",
    "plan": "roster.planning.pipeline",
}

__all__ = ["Plan", "StaffingPolicy", "plan"]


__getattr__, __dir__ = lazy_names("roster.planning", _WHERE, globals())

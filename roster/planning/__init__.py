"""The month's plan end to end (:func:`plan`): its inputs, report and command line."""

from roster.planning.pipeline import Plan, plan
from roster.planning.policy import StaffingPolicy

__all__ = ["Plan", "StaffingPolicy", "plan"]

"""The month's plan end to end (:func:`plan`): its inputs, report and command line."""

from roster.planning.pipeline import Plan, plan
from roster.planning.targets import Targets

__all__ = ["Plan", "Targets", "plan"]

"""The month's plan end to end (:func:`plan`): its inputs, report and command line."""

import importlib

# Resolved on first use (PEP 562): the command line in this package starts without them.
_WHERE = {
    "Plan": "roster.planning.pipeline",
    "StaffingPolicy": "roster.planning.policy",
    "plan": "roster.planning.pipeline",
}

__all__ = ["Plan", "StaffingPolicy", "plan"]


def __getattr__(name):
    try:
        module = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'roster.planning' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))

"""Shift scheduling and named rostering, and the end-to-end plan."""

from roster.shifts import BreakRule, ShiftTemplate, shift_family, twelve_hour_bands
from roster.simulation import SimulationResult, simulate

__all__ = [
    "BreakRule",
    "ShiftTemplate",
    "SimulationResult",
    "shift_family",
    "simulate",
    "twelve_hour_bands",
]

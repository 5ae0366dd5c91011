"""Shift scheduling and named rostering, and the end-to-end plan."""

from roster.shifts import BreakRule, ShiftTemplate, shift_family, twelve_hour_bands

__all__ = ["BreakRule", "ShiftTemplate", "shift_family", "twelve_hour_bands"]

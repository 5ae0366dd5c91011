"""Shift scheduling and named rostering, and the end-to-end plan."""

from roster.check import check
from roster.excel import to_excel
from roster.people import Roster, build_roster
from roster.plan import Plan, plan
from roster.plan_targets import Targets
from roster.plots import plot_coverage, plot_roster
from roster.pulloffs import PulloffPlan, place_pulloffs
from roster.rules import Rules
from roster.seats import ScheduleInfeasible, ShiftSchedule, schedule_shifts
from roster.shifts import BreakRule, ShiftTemplate, shift_family, twelve_hour_bands
from roster.simulation import SimulationResult, simulate
from roster.swap import SwapResult, swap

__all__ = [
    "BreakRule",
    "Plan",
    "PulloffPlan",
    "Roster",
    "Rules",
    "ScheduleInfeasible",
    "ShiftSchedule",
    "ShiftTemplate",
    "SimulationResult",
    "SwapResult",
    "Targets",
    "build_roster",
    "check",
    "place_pulloffs",
    "plan",
    "plot_coverage",
    "plot_roster",
    "schedule_shifts",
    "shift_family",
    "simulate",
    "swap",
    "to_excel",
    "twelve_hour_bands",
]

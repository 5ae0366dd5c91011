"""Shift scheduling, named rosters, their checks and simulation, and the end-to-end plan.

One folder per stage: :mod:`roster.seats` (stage 1, shift counts), :mod:`roster.people`
(stage 2, named agents), :mod:`roster.simulation` (the service a roster gives) and
:mod:`roster.planning` (the month's plan and the ``seatplan`` command line). Beside them,
what every stage shares: shift templates, labour rules, coverage, checks, swaps, pull-offs,
Excel output and figures.
"""

from roster.check import check
from roster.coverage import place_meals, roster_coverage
from roster.excel import to_excel
from roster.people import Roster, build_roster
from roster.planning import Plan, StaffingPolicy, plan
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
    "StaffingPolicy",
    "SwapResult",
    "build_roster",
    "check",
    "place_meals",
    "place_pulloffs",
    "plan",
    "plot_coverage",
    "plot_roster",
    "roster_coverage",
    "schedule_shifts",
    "shift_family",
    "simulate",
    "swap",
    "to_excel",
    "twelve_hour_bands",
]

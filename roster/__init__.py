"""Shift scheduling, named rosters, their checks and simulation, and the end-to-end plan.

One folder per stage: :mod:`roster.seats` (stage 1, shift counts), :mod:`roster.people`
(stage 2, named agents), :mod:`roster.simulation` (the service a roster gives) and
:mod:`roster.planning` (the month's plan and the ``seatplan`` command line). Beside them,
what every stage shares: shift templates, labour rules, coverage, checks, swaps, pull-offs,
Excel output and figures.
"""

# ``check`` and ``swap`` share their names with their modules: imported here, the functions
# are what ``roster.check`` and ``roster.swap`` name, whatever is imported later.
from roster.check import check
from roster.lazy import lazy_names
from roster.swap import SwapResult, swap

# The rest resolve on first use (PEP 562), so that ``seatplan`` can reject a bad argument
# before the solvers, numba kernels and plotting are loaded.
_WHERE = {
    "BatchPlan": "roster.batch",
    "BreakRule": "roster.shifts",
    "CentrePlan": "roster.planning",
    "Plan": "roster.planning",
    "PulloffPlan": "roster.pulloffs",
    "Roster": "roster.people",
    "Rules": "roster.rules",
    "ScheduleInfeasible": "roster.seats",
    "ShiftSchedule": "roster.seats",
    "ShiftTemplate": "roster.shifts",
    "SimulationResult": "roster.simulation",
    "StaffingPolicy": "roster.planning",
    "build_roster": "roster.people",
    "place_meals": "roster.coverage",
    "place_pulloffs": "roster.pulloffs",
    "plan": "roster.planning",
    "plan_centre": "roster.planning",
    "plan_many": "roster.batch",
    "plot_coverage": "roster.plots",
    "plot_roster": "roster.plots",
    "roster_coverage": "roster.coverage",
    "schedule_shifts": "roster.seats",
    "shift_family": "roster.shifts",
    "simulate": "roster.simulation",
    "to_excel": "roster.excel",
    "twelve_hour_bands": "roster.shifts",
}

__all__ = [
    "BatchPlan",
    "BreakRule",
    "CentrePlan",
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
    "plan_centre",
    "plan_many",
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


__getattr__, __dir__ = lazy_names("roster", _WHERE, globals())

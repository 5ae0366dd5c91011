"""Stage 1: how many agents work each shift template each day (:func:`schedule_shifts`)."""

from roster.seats.model import ScheduleInfeasible
from roster.seats.schedule import ShiftSchedule, schedule_shifts

__all__ = ["ScheduleInfeasible", "ShiftSchedule", "schedule_shifts"]

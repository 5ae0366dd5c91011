"""Contact forecasting: from call records to interval forecasts with quantiles."""

from forecast.calendar import DAY_TYPES, ChineseCalendar, HolidayCalendar, get_calendar
from forecast.events import EVENT_KINDS, Event, event_mask, event_multiplier
from forecast.records import CallIntervals, RecordReport, intervals_from_calls
from forecast.synthetic import SyntheticHotline, synthetic_hotline

__all__ = [
    "DAY_TYPES",
    "EVENT_KINDS",
    "CallIntervals",
    "ChineseCalendar",
    "Event",
    "HolidayCalendar",
    "RecordReport",
    "SyntheticHotline",
    "event_mask",
    "event_multiplier",
    "get_calendar",
    "intervals_from_calls",
    "synthetic_hotline",
]

"""Contact forecasting: from call records to interval forecasts with quantiles."""

from forecast.aht import AHTProfile, forecast_aht
from forecast.backtest import BacktestResult, accuracy, backtest_paths, rolling_origin, score
from forecast.calendar import DAY_TYPES, ChineseCalendar, HolidayCalendar, get_calendar
from forecast.driver import AUTO_CANDIDATES, MODELS, forecast, future_index
from forecast.events import EVENT_KINDS, Event, event_mask, event_multiplier
from forecast.history import DayGrid, HistoryReport, check_history, day_features, to_day_grid
from forecast.holiday_effects import HolidayEffects, holiday_effects
from forecast.interval import interval_length
from forecast.intraday import IntradayUpdate, level_posterior
from forecast.models import (
    CountRegression,
    Method95598,
    MultiSeasonal,
    SameDayTypeAverage,
    SeasonalNaive,
    TopDownDaily,
)
from forecast.quantiles import QuantileCalibration, calibrate_quantiles
from forecast.records import CallIntervals, RecordReport, intervals_from_calls
from forecast.result import Forecast, ForecastDetails
from forecast.synthetic import SyntheticHotline, synthetic_hotline

__all__ = [
    "AUTO_CANDIDATES",
    "DAY_TYPES",
    "EVENT_KINDS",
    "MODELS",
    "AHTProfile",
    "BacktestResult",
    "CallIntervals",
    "ChineseCalendar",
    "CountRegression",
    "DayGrid",
    "Event",
    "Forecast",
    "ForecastDetails",
    "HistoryReport",
    "HolidayCalendar",
    "HolidayEffects",
    "IntradayUpdate",
    "Method95598",
    "MultiSeasonal",
    "QuantileCalibration",
    "RecordReport",
    "SameDayTypeAverage",
    "SeasonalNaive",
    "SyntheticHotline",
    "TopDownDaily",
    "accuracy",
    "backtest_paths",
    "calibrate_quantiles",
    "check_history",
    "day_features",
    "event_mask",
    "event_multiplier",
    "forecast",
    "forecast_aht",
    "future_index",
    "get_calendar",
    "holiday_effects",
    "interval_length",
    "intervals_from_calls",
    "level_posterior",
    "rolling_origin",
    "score",
    "synthetic_hotline",
    "to_day_grid",
]

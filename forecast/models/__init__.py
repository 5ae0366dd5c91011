"""Array-level forecasting models.

Every model follows one interface: ``fit(values, days)`` learns from a days × intervals-of-day
matrix of counts (NaN = not observed) and a frame of calendar features per day
(:func:`forecast.history.day_features`), and returns ``self``; ``predict(days)`` gives the mean
count per interval for the future days described by another features frame, as a
``(len(days), per_day)`` array. Quantiles are added by the driver from the model's backtest
errors (:mod:`forecast.quantiles`), so every model gets calibrated quantiles the same way.
"""

from forecast.models.baselines import SameDayTypeAverage, SeasonalNaive
from forecast.models.method95598 import Method95598
from forecast.models.mstl import MultiSeasonal
from forecast.models.regression import CountRegression
from forecast.models.topdown import TopDownDaily

__all__ = [
    "CountRegression",
    "Method95598",
    "MultiSeasonal",
    "SameDayTypeAverage",
    "SeasonalNaive",
    "TopDownDaily",
]

"""What :func:`forecast.forecast` returns: the forecast frame and how each series was forecast."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast.history import HistoryReport
from forecast.quantiles import QuantileCalibration

__all__ = ["Forecast", "ForecastDetails"]


@dataclass(frozen=True)
class ForecastDetails:
    """How a series was forecast.

    Attributes
    ----------
    model : str
        Model used.
    dispersion : float
        Negative-binomial dispersion of normal days at the horizon's median lead (the
        quantiles use ``calibration``, per horizon bucket and day kind).
    backtest_wape_pct : dict of str to float
        Rolling-origin WAPE of each model tried.
    history : HistoryReport
        Repairs made to the history.
    calibration : QuantileCalibration
        Dispersions per horizon bucket and normal / special day behind the quantiles.
    fits : int
        Model fits made for this series: backtests of every model tried and the final fit.
    """

    model: str
    dispersion: float
    backtest_wape_pct: dict
    history: HistoryReport
    calibration: QuantileCalibration | None = None
    fits: int = 0


@dataclass(frozen=True, eq=False)
class Forecast:
    """A forecast: the values per interval and how each series was forecast.

    Attributes
    ----------
    values : pandas.DataFrame
        Indexed by interval start ``ds`` (for a long frame: columns ``unique_id``, ``ds``),
        with ``mean``, one column per quantile (``q0.1``...) and ``aht`` when asked.
        [contacts; aht in s]
    details : ForecastDetails or dict
        How the series was forecast; for a long frame, a dict of them keyed by ``unique_id``.
    """

    values: pd.DataFrame
    details: ForecastDetails | dict[str, ForecastDetails]

import numpy as np
import pandas as pd
import pytest

import forecast as fc
from forecast.holiday_effects import holiday_effects

WEEKDAY = np.array([1.1, 1.0, 1.0, 1.0, 0.9, 0.5, 0.4])
SHAPE = np.array([0.1, 0.3, 0.4, 0.2])


def _history(calendar, start, end, statutory, depth=None, bridge=0.7):
    """Noiseless day totals: the weekday level on ordinary days; a holiday's level replaces
    the weekday's (``statutory`` × the mean workday, or ``depth[name]``), other break days
    ``bridge`` × the mean workday, make-up workdays the Friday level."""
    days = fc.day_features(pd.date_range(start, end, freq="D"), calendar)
    workday = np.exp(np.log(WEEKDAY[:5]).mean())
    total = 1000 * WEEKDAY[days["weekday"].to_numpy()]
    kind = days["day_class"].to_numpy()
    total = np.where(kind == 7, 1000 * bridge * workday, total)
    level = np.array([(depth or {}).get(n, statutory) for n in days["holiday"]])
    total = np.where(days["is_statutory"], 1000 * level * workday, total)
    total = np.where(kind == 8, 1000 * WEEKDAY[4], total)
    return total[:, None] * SHAPE, days


def test_recovers_known_holiday_depths():
    cn = fc.get_calendar("CN")
    spring = "Chinese New Year (Spring Festival)"
    values, days = _history(cn, "2024-01-01", "2025-06-30", 0.6, {spring: 0.4})
    effects = holiday_effects(values, days, shrink=0.0)
    # Exact up to the weekday mix of the ordinary workdays around each day (<1%).
    assert effects.by_name[("statutory", spring)] == pytest.approx(np.log(0.4), abs=0.01)
    assert effects.by_name[("statutory", "Labor Day")] == pytest.approx(np.log(0.6), abs=0.01)
    assert effects.by_name[("break", "National Day")] == pytest.approx(np.log(0.7), abs=0.01)
    # Shrinkage pulls a holiday toward its class: n days at their mean, 2 at the class's.
    shrunk = holiday_effects(values, days, shrink=2.0)
    n = shrunk.days[("statutory", spring)]
    own = effects.by_name[("statutory", spring)]
    expected = (n * own + 2 * shrunk.by_class["statutory"]) / (n + 2)
    assert shrunk.by_name[("statutory", spring)] == pytest.approx(expected)


@pytest.mark.parametrize("window", [364, 60])
@pytest.mark.parametrize("model_class", [fc.TopDownDaily, fc.CountRegression])
def test_unseen_holiday_borrows_its_class_effect(model_class, window):
    # A statutory holiday the history never saw (a city's own day, announced by override)
    # is forecast at the statutory class's depth, not as an ordinary Wednesday; with a
    # short window the class itself is unseen by the model and comes from the whole history.
    cn = fc.get_calendar("CN").with_overrides({"2025-07-16": ("holiday", "City Day")})
    values, days = _history(cn, "2024-07-01", "2025-07-13", 0.6)
    future = fc.day_features(pd.date_range("2025-07-16", periods=1), cn)
    model = model_class(window=window).fit(values, days)
    total = model.predict(future).sum()
    workday = 1000 * np.exp(np.log(WEEKDAY[:5]).mean())
    # Count regression's alternating fit of the class level and the statutory effect
    # lands within a few percent; an ordinary Wednesday (no borrowing) would be 1000.
    assert total == pytest.approx(0.6 * workday, rel=0.07)
    wednesday = fc.day_features(pd.date_range("2025-07-23", periods=1), cn)
    assert model.predict(wednesday).sum() == pytest.approx(1000.0, rel=0.02)

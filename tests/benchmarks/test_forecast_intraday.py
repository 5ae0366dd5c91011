"""The intraday benchmark's scoring on a short synthetic history, and its headline rows."""

import numpy as np
import pandas as pd

from benchmarks.forecast_intraday import HOURS, _case
from benchmarks.summary import headlines
from forecast.synthetic import synthetic_hotline


def test_case_scores_every_update_time_and_gains_on_the_day_ahead():
    hotline = synthetic_hotline(start="2025-01-06", end="2025-04-20", seed=5, outage=False)

    frame = pd.DataFrame(_case("cn_hotline 30min", hotline.volume, "CN", test_days=10))
    assert list(frame["update_at"]) == [f"{h:02d}:00" for h in HOURS]
    assert (frame["wape_ratio"] < 1).all()
    assert frame["coverage80_updated_pct"].between(50, 100).all()
    np.testing.assert_allclose(
        frame["wape_ratio"], frame["wape_updated_pct"] / frame["wape_day_ahead_pct"]
    )
    head = headlines("forecast_intraday", frame)
    assert len(head) == 2 * len(HOURS)
    assert set(head["reference"]) == {0.8, 80.0}

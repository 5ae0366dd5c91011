"""Call records of a month drawn around a history's counts, for the bundled sample's report."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["sample_calls"]


def sample_calls(
    volume: pd.Series,
    aht,
    *,
    interval: int = 1800,
    mean_wait: float = 10.0,
    answered: float = 0.95,
    mean_patience: float = 40.0,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Synthetic call-detail records with the counts of ``volume``.

    Parameters
    ----------
    volume : pandas.Series
        Contacts per interval, indexed by interval start; rounded to whole calls.
    aht : float or pandas.Series
        Mean handle time per interval (same index) or one value. [s]
    interval : int, default 1800
        [s]
    mean_wait : float, default 10
        Mean wait of answered calls (exponential). [s]
    answered : float, default 0.95
        Share of calls answered; the others abandon after an exponential wait of mean
        ``mean_patience`` [s].
    seed : int, optional

    Returns
    -------
    pandas.DataFrame
        ``arrival`` (uniform within the interval), ``answer`` (NaT when abandoned), ``end``;
        handle times exponential around ``aht``.
    """
    rng = np.random.default_rng(seed)
    counts = np.round(np.clip(volume.to_numpy(float), 0, None)).astype(np.int64)
    starts = np.repeat(pd.DatetimeIndex(volume.index).as_unit("ns").asi8, counts)
    mean_handle = np.repeat(
        aht.reindex(volume.index).to_numpy(float) if isinstance(aht, pd.Series)
        else np.full(len(volume), float(aht)),
        counts,
    )  # fmt: skip
    n = starts.size
    arrival = starts + (rng.uniform(0, interval, n) * 1e9).astype(np.int64)
    picked = rng.random(n) < answered
    wait = np.where(picked, rng.exponential(mean_wait, n), rng.exponential(mean_patience, n))
    handle = np.where(picked, rng.exponential(1.0, n) * mean_handle, 0.0)
    t_arrival = pd.to_datetime(arrival)
    t_answer = (t_arrival + pd.to_timedelta(wait, "s")).where(picked)
    t_end = t_arrival + pd.to_timedelta(wait + handle, "s")
    return pd.DataFrame({"arrival": t_arrival, "answer": t_answer, "end": t_end})

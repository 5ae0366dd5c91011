"""Patience measured from call records: the Kaplan-Meier estimate under censoring by service.

A caller's patience is seen only when they hang up before an agent answers (an event at
their wait); an answered caller only shows that their patience exceeded their wait (a
right-censored observation). The Kaplan-Meier product-limit estimate handles exactly this.
Written in NumPy (a few lines) rather than taken from lifelines or scikit-survival, so that
``erlang`` keeps its small set of dependencies.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from .distributions import Empirical

__all__ = ["PatienceFit", "fit_patience"]

SKIP_REASONS = (
    "missing_arrival",
    "missing_end",
    "answer_before_arrival",
    "end_before_answer",
    "end_before_arrival",
)


@dataclass(frozen=True)
class PatienceFit:
    """A Kaplan-Meier patience estimate and what it rests on.

    Attributes
    ----------
    law : Empirical
        The estimated survival curve, a step at each abandon time; pass it as ``patience=``.
        If the longest wait seen was answered (a censored tail), the curve ends above zero and
        the law says that share never hangs up.
    mean : float
        Mean patience [s]: the area under the curve up to ``horizon``. It is the full mean
        when the curve reaches zero, a restricted mean (a lower bound) otherwise.
    restricted : bool
        Whether ``mean`` is restricted to ``horizon`` (the curve ends above zero).
    mean_std_error : float
        Standard error of ``mean`` [s] (the Greenwood-type delta-method variance).
    horizon : float
        Longest wait observed [s].
    curve : pandas.DataFrame
        One row per abandon time: ``time`` [s], ``at_risk``, ``abandons``, ``survival``,
        ``std_error`` (Greenwood), ``lower`` and ``upper`` (pointwise band at ``confidence``,
        on the log(-log) scale, so it stays inside [0, 1]).
    calls, abandons, censored : int
        Records used, of which hung up (events) and answered (censored).
    skipped : dict of str to int
        Records left out by reason (see ``SKIP_REASONS``), each under its first failing check.
    confidence : float
        Level of the band.
    """

    law: Empirical
    mean: float
    restricted: bool
    mean_std_error: float
    horizon: float
    curve: pd.DataFrame = field(repr=False)
    calls: int
    abandons: int
    censored: int
    skipped: dict
    confidence: float


def _times(calls, name, argument):
    if name not in calls.columns:
        raise ValueError(
            f"records: no column {name!r} (set {argument}= to the column holding it); "
            f"columns are {list(calls.columns)}"
        )
    values = calls[name]
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(float)  # seconds
    stamps = pd.to_datetime(values, errors="coerce")
    seconds = (stamps - pd.Timestamp(0)).dt.total_seconds()
    return seconds.to_numpy(float)


def kaplan_meier(wait, abandoned):
    """Distinct event times, at-risk counts, events, survival and Greenwood sums.

    Censored observations at an event time count as at risk there (the usual convention).
    """
    times, inverse = np.unique(wait[abandoned], return_inverse=True)
    events = np.bincount(inverse, minlength=times.size).astype(float)
    ordered = np.sort(wait)
    at_risk = wait.size - np.searchsorted(ordered, times, side="left")
    factor = 1.0 - events / at_risk
    survival = np.cumprod(factor)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(events / (at_risk * (at_risk - events)))
    return times, at_risk, events, survival, greenwood


def fit_patience(
    records: pd.DataFrame,
    *,
    arrival: str = "arrival",
    answer: str = "answer",
    end: str = "end",
    confidence: float = 0.95,
) -> PatienceFit:
    """Kaplan-Meier estimate of callers' patience from call-detail records.

    Parameters
    ----------
    records : pandas.DataFrame
        One row per call: arrival time, answer time (empty if never answered) and end time,
        as timestamps or as numbers of seconds (the frame :func:`forecast.intervals_from_calls`
        reads).
    arrival, answer, end : str
        Column names.
    confidence : float, default 0.95
        Level of the pointwise band.

    Returns
    -------
    PatienceFit

    Raises
    ------
    ValueError
        A missing column, a confidence outside (0, 1), or no abandoned call among the records
        used (patience cannot be estimated without a single hang-up).

    Notes
    -----
    Wait = answer - arrival for answered calls (censored: patience was longer), end - arrival
    for abandoned ones (an event). With ``d_j`` abandons among ``n_j`` callers still waiting at
    the ``j``-th abandon time, ``S(t) = Π_{t_j <= t} (1 - d_j / n_j)`` and Greenwood's
    ``Var S(t) = S(t)² Σ_{t_j <= t} d_j / (n_j (n_j - d_j))``; the band is
    ``S^exp(±z σ / ln S)`` with ``σ² = Σ d_j / (n_j (n_j - d_j))``. The mean is
    ``∫_0^τ S`` with ``τ`` the longest wait, with variance ``Σ_j A_j² d_j / (n_j (n_j - d_j))``,
    ``A_j = ∫_{t_j}^τ S``.

    References
    ----------
    E. L. Kaplan, P. Meier, "Nonparametric estimation from incomplete observations", JASA 53,
    1958. M. Greenwood, "The natural duration of cancer", 1926. J. D. Kalbfleisch, R. L.
    Prentice, "The Statistical Analysis of Failure Time Data", 2nd ed., Wiley, 2002, ch. 1.
    A. Mandelbaum, S. Zeltyn, "Data-stories about (im)patient customers in tele-queues",
    Queueing Systems 75, 2013.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    t_arrival = _times(records, arrival, "arrival")
    t_answer = _times(records, answer, "answer")
    t_end = _times(records, end, "end")
    answered = ~np.isnan(t_answer)
    checks = {
        "missing_arrival": np.isnan(t_arrival),
        "missing_end": np.isnan(t_end),
        "answer_before_arrival": answered & (t_answer < t_arrival),
        "end_before_answer": answered & (t_end < t_answer),
        "end_before_arrival": ~answered & (t_end < t_arrival),
    }
    bad = np.zeros(len(records), dtype=bool)
    skipped = {}
    for reason in SKIP_REASONS:
        first = checks[reason] & ~bad
        skipped[reason] = int(first.sum())
        bad |= first
    ok = ~bad
    wait = np.where(answered, t_answer - t_arrival, t_end - t_arrival)[ok]
    abandoned = ~answered[ok]
    if not abandoned.any():
        raise ValueError(
            f"records: no abandoned call among the {int(ok.sum())} used; patience cannot be "
            "estimated without hang-ups"
        )
    times, at_risk, events, survival, greenwood = kaplan_meier(wait, abandoned)
    horizon = float(wait.max())
    z = special.ndtri(0.5 + 0.5 * confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(survival)
        sigma = np.sqrt(greenwood) / np.abs(log_s)
        lower = np.where(survival > 0, survival ** np.exp(z * sigma), 0.0)
        upper = np.where(survival > 0, survival ** np.exp(-z * sigma), 0.0)
    # Area under the steps: S = 1 before the first abandon, survival[j] from times[j] on.
    edges = np.concatenate([[0.0], times, [max(horizon, times[-1])]])
    levels = np.concatenate([[1.0], survival])
    pieces = levels * np.diff(edges)
    mean = float(pieces.sum())
    after = np.cumsum(pieces[::-1])[::-1][1:]  # A_j = ∫_{t_j}^τ S
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > events, after**2 * events / (at_risk * (at_risk - events)), 0.0)
    with np.errstate(invalid="ignore"):  # 0 * inf once the curve reaches zero
        std_error = np.where(survival > 0.0, survival * np.sqrt(greenwood), 0.0)
    curve = pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk.astype(np.int64),
            "abandons": events.astype(np.int64),
            "survival": survival,
            "std_error": std_error,
            "lower": np.nan_to_num(lower, nan=0.0),
            "upper": np.nan_to_num(upper, nan=1.0),
        }
    )
    n_abandons = int(abandoned.sum())
    return PatienceFit(
        law=Empirical(times, survival),
        mean=mean,
        restricted=bool(survival[-1] > 0.0),
        mean_std_error=float(np.sqrt(terms.sum())),
        horizon=horizon,
        curve=curve,
        calls=int(ok.sum()),
        abandons=n_abandons,
        censored=int(ok.sum()) - n_abandons,
        skipped=skipped,
        confidence=confidence,
    )

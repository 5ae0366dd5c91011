"""Effects of individual holidays on daily volume, each shrunk toward its class's effect.

A day's effect is its volume against the ordinary workdays in the weeks around it (a ratio
to their geometric mean, taken in logs): a holiday's demand replaces the weekday's rather
than scaling it. Days are grouped by class (a statutory holiday, another
day of a holiday break or a bridge day, a make-up workday) and, inside a class, by the
holiday they belong to. A holiday seen in the history gets its own mean effect shrunk toward
its class's; a holiday never seen (a newly announced statutory day, a holiday older than
the history) borrows its class's effect instead of none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.history import HOLIDAY_CLASS, MAKEUP_CLASS

__all__ = ["HOLIDAY_KINDS", "HolidayEffects", "holiday_effects", "holiday_kind"]

#: Classes of special day whose effects are pooled.
HOLIDAY_KINDS = ("statutory", "break", "makeup")


def holiday_kind(days: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Class (one of :data:`HOLIDAY_KINDS` or "") and holiday name of each day."""
    day_class = days["day_class"].to_numpy()
    kind = np.full(len(days), "", dtype=object)
    name = np.full(len(days), "", dtype=object)
    rows = np.flatnonzero(day_class >= HOLIDAY_CLASS)
    if len(rows):
        makeup = day_class[rows] == MAKEUP_CLASS
        statutory = days["is_statutory"].to_numpy()[rows].astype(bool)
        kind[rows] = np.where(makeup, "makeup", np.where(statutory, "statutory", "break"))
        name[rows] = np.where(
            makeup,
            days["makeup_for"].to_numpy()[rows].astype(str),
            days["holiday"].to_numpy()[rows].astype(str),
        )
    return kind, name


@dataclass(frozen=True)
class HolidayEffects:
    """Log effects per holiday class and per (class, holiday name).

    Attributes
    ----------
    by_class : dict of str to float
        Mean log ratio of each class seen in the history.
    by_name : dict of (str, str) to float
        Each seen holiday's log effect, shrunk toward its class's.
    days : dict of (str, str) to int
        Days behind each holiday's effect.
    """

    by_class: dict
    by_name: dict
    days: dict

    def log_effect(self, days: pd.DataFrame) -> np.ndarray:
        """Log effect of each day against an ordinary workday: the holiday's own
        when seen, else its class's, NaN for ordinary days and for classes never seen."""
        kind, name = holiday_kind(days)
        out = np.full(len(days), np.nan)
        for i in np.flatnonzero(kind != ""):
            key = (kind[i], name[i])
            out[i] = self.by_name.get(key, self.by_class.get(kind[i], np.nan))
        return out

    def adjustment(self, days: pd.DataFrame) -> np.ndarray:
        """Multiplier turning a class-level forecast into the holiday's own:
        ``exp(holiday effect - class effect)``; 1 for ordinary days and unseen holidays."""
        kind, name = holiday_kind(days)
        out = np.ones(len(days))
        for i in np.flatnonzero(kind != ""):
            key = (kind[i], name[i])
            if key in self.by_name:
                out[i] = np.exp(self.by_name[key] - self.by_class[kind[i]])
        return out


def holiday_effects(
    values: np.ndarray, days: pd.DataFrame, *, shrink: float = 2.0, weeks: int = 3
) -> HolidayEffects:
    """Estimate the effects of the holidays in a history.

    Parameters
    ----------
    values : ndarray, shape (n_days, per_day)
        Counts; NaN = not observed.
    days : DataFrame
        Day features (:func:`forecast.history.day_features`) aligned with ``values``.
    shrink : float, default 2
        Pseudo-days of the class effect mixed into a holiday's own:
        ``e = (n ē_holiday + shrink ē_class) / (n + shrink)``.
    weeks : int, default 3
        Ordinary workdays within this many weeks either side form a day's baseline.

    Returns
    -------
    HolidayEffects

    Notes
    -----
    A special day is scored only if it holds at least 90% of the intervals its baseline
    days hold (a closed or half-recorded day says nothing of demand), and ordinary days next
    to a break are left out of baselines.
    """
    if not (np.isfinite(shrink) and shrink >= 0):
        raise ValueError(f"shrink must be >= 0, got shrink={shrink!r}")
    kind, name = holiday_kind(days)
    observed = np.isfinite(values)
    count = observed.sum(axis=1)
    total = np.nansum(values, axis=1)
    ordinary = (
        (kind == "")
        & (days["day_class"].to_numpy() < 5)
        & (count > 0)
        & ~days["after_break"].to_numpy()
        & ~days["before_break"].to_numpy()
    )
    # Ordinary workdays within ``weeks`` weeks either side of each special day.
    special = np.flatnonzero((kind != "") & (count > 0))
    steps = np.r_[-np.arange(7 * weeks, 0, -1), np.arange(1, 7 * weeks + 1)]
    near = special[:, None] + steps[None, :]
    inside = (near >= 0) & (near < len(values))
    near = np.clip(near, 0, len(values) - 1)
    use = inside & ordinary[near] & (total[near] > 0)
    n_base = use.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_base = np.where(use, np.log(np.where(use, total[near], 1.0)), 0.0).sum(axis=1)
        log_base = log_base / n_base
    most = np.where(use, count[near], 0).max(axis=1, initial=0)
    ok = (n_base > 0) & (count[special] >= 0.9 * most) & (total[special] > 0)
    log_ratio = np.log(total[special[ok]]) - log_base[ok]
    ratios: dict[tuple[str, str], list[float]] = {}
    for i, r in zip(special[ok], log_ratio, strict=True):
        ratios.setdefault((kind[i], name[i]), []).append(float(r))
    by_class = {}
    for k in HOLIDAY_KINDS:
        pooled = [r for (kk, _), rs in ratios.items() if kk == k for r in rs]
        if pooled:
            by_class[k] = float(np.mean(pooled))
    by_name, n_days = {}, {}
    for key, rs in ratios.items():
        n = len(rs)
        by_name[key] = float((n * np.mean(rs) + shrink * by_class[key[0]]) / (n + shrink))
        n_days[key] = n
    return HolidayEffects(by_class=by_class, by_name=by_name, days=n_days)

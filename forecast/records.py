"""From call-detail records to per-interval offered, answered and abandoned contacts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.interval import interval_length

__all__ = ["CallIntervals", "RecordReport", "intervals_from_calls"]

MALFORMED_REASONS = (
    "missing_arrival",
    "missing_end",
    "answer_before_arrival",
    "end_before_answer",
    "end_before_arrival",
)


@dataclass(frozen=True)
class RecordReport:
    """What happened to each call record.

    Attributes
    ----------
    rows : int
        Records given.
    used : int
        Records counted as contacts (= ``offered`` summed over all intervals).
    malformed : dict of str to int
        Records skipped, by reason (see ``MALFORMED_REASONS``); a record is counted under its
        first failing check only.
    redials_folded : int
        Abandoned attempts dropped because the same caller called again within the redial
        window: the later attempt carries the contact.
    """

    rows: int
    used: int
    malformed: dict[str, int] = field(default_factory=dict)
    redials_folded: int = 0

    @property
    def reconciles(self) -> bool:
        """``rows == used + malformed + redials_folded``."""
        return self.rows == self.used + sum(self.malformed.values()) + self.redials_folded


@dataclass(frozen=True)
class CallIntervals:
    """Per-interval statistics and the accounting of the records behind them.

    Attributes
    ----------
    intervals : pandas.DataFrame
        Indexed by interval start ``ds`` (or by ``(queue, ds)`` when records carry a queue),
        columns: ``offered``, ``answered``, ``abandoned`` (after more than the short-abandon
        limit), ``short_abandons``, ``answered_within`` (waited at most ``threshold``),
        ``service_level`` (answered_within / (offered - short_abandons)), ``aht`` (mean
        handle time of answered contacts [s]), ``asa`` (mean wait of answered contacts
        [s]), ``handle_time`` and ``wait_time`` (sums [s], for re-aggregation).
        ``offered = answered + abandoned + short_abandons`` in every row.
    report : RecordReport
    """

    intervals: pd.DataFrame
    report: RecordReport


def _column(calls: pd.DataFrame, name: str, argument: str) -> pd.Series:
    if name not in calls.columns:
        raise ValueError(
            f"calls: no column {name!r} (set {argument}= to the column holding it); "
            f"columns are {list(calls.columns)}"
        )
    values = calls[name]
    try:
        return pd.to_datetime(values, errors="coerce")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"calls: column {name!r} cannot be read as times ({exc})") from None


def intervals_from_calls(
    calls: pd.DataFrame,
    freq="30min",
    *,
    threshold: float = 20.0,
    short_abandon: float = 20.0,
    redial_window: float | None = None,
    complete: bool = True,
    arrival: str = "arrival",
    answer: str = "answer",
    end: str = "end",
    queue: str | None = "queue",
    caller: str = "caller",
) -> CallIntervals:
    """Aggregate call-detail records into interval statistics.

    Parameters
    ----------
    calls : pandas.DataFrame
        One row per call attempt: arrival time, answer time (empty if never answered) and end
        time (hang-up after service, or abandon time).
    freq : int, str or Timedelta, default ``"30min"``
        Interval length (int: seconds); whole seconds dividing a day.
    threshold : float, default 20
        Service-level answer-time threshold. [s]
    short_abandon : float, default 20
        Abandons after at most this wait are short abandons (misdials), reported apart. [s]
    redial_window : float, optional
        When given, an abandoned attempt followed by another attempt of the same caller
        (column ``caller``) within this many seconds of the abandon is folded into it: the
        contact is counted once, with the outcome of the later attempt. [s]
    complete : bool, default True
        Fill every interval between the first and the last with zero rows. Set False for a
        centre with closed hours, whose closed intervals are not zero demand.
    arrival, answer, end, queue, caller : str
        Column names. ``queue`` is used when present (set None to ignore it); ``caller`` only
        with ``redial_window``.

    Returns
    -------
    CallIntervals
        The interval table and a :class:`RecordReport` whose counts reconcile.

    Notes
    -----
    Contacts are placed in the interval of their arrival. Wait = answer - arrival for
    answered calls, end - arrival for abandoned ones; handle time = end - answer.
    Malformed records (missing arrival or end, answer before arrival, end before answer or
    before arrival) are skipped and counted by reason.
    """
    if not isinstance(calls, pd.DataFrame):
        raise TypeError(f"calls: expected a DataFrame, got {type(calls).__name__}")
    step = pd.Timedelta(seconds=interval_length(None, freq, name="calls", arg="freq"))
    for name, value in (("threshold", threshold), ("short_abandon", short_abandon)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
    if redial_window is not None and not (np.isfinite(redial_window) and redial_window > 0):
        raise ValueError(
            f"redial_window must be a positive number of seconds, got {redial_window!r}"
        )

    t_arrival = _column(calls, arrival, "arrival")
    t_answer = _column(calls, answer, "answer")
    t_end = _column(calls, end, "end")
    has_queue = queue is not None and queue in calls.columns

    # Each check only looks at rows that passed the previous ones: one reason per row.
    checks = {
        "missing_arrival": t_arrival.isna(),
        "missing_end": t_end.isna(),
        "answer_before_arrival": t_answer.notna() & (t_answer < t_arrival),
        "end_before_answer": t_answer.notna() & (t_end < t_answer),
        "end_before_arrival": t_answer.isna() & (t_end < t_arrival),
    }
    bad = np.zeros(len(calls), dtype=bool)
    malformed = {}
    for reason, failed in checks.items():
        failed = failed.to_numpy() & ~bad
        malformed[reason] = int(failed.sum())
        bad |= failed
    ok = ~bad

    frame = pd.DataFrame(
        {
            "arrival": t_arrival.to_numpy()[ok],
            "answer": t_answer.to_numpy()[ok],
            "end": t_end.to_numpy()[ok],
        }
    )
    if has_queue:
        frame["queue"] = calls[queue].to_numpy()[ok]

    folded = 0
    if redial_window is not None:
        if caller not in calls.columns:
            raise ValueError(f"calls: no column {caller!r} for redial folding (set caller=)")
        frame["caller"] = calls[caller].to_numpy()[ok]
        keys = ["queue", "caller"] if has_queue else ["caller"]
        frame = frame.sort_values([*keys, "arrival"], kind="stable").reset_index(drop=True)
        same = np.ones(len(frame), dtype=bool)
        for key in keys:
            col = frame[key].to_numpy()
            same[:-1] &= col[1:] == col[:-1]
        same[-1:] = False
        gap = (frame["arrival"].shift(-1) - frame["end"]).dt.total_seconds().to_numpy()
        abandoned = frame["answer"].isna().to_numpy()
        drop = same & abandoned & (gap <= redial_window) & (gap >= 0)
        folded = int(drop.sum())
        frame = frame[~drop]

    answered = frame["answer"].notna().to_numpy()
    wait = np.where(
        answered,
        (frame["answer"] - frame["arrival"]).dt.total_seconds(),
        (frame["end"] - frame["arrival"]).dt.total_seconds(),
    )
    handle = np.where(answered, (frame["end"] - frame["answer"]).dt.total_seconds(), 0.0)
    short = ~answered & (wait <= short_abandon)
    stats = pd.DataFrame(
        {
            "ds": frame["arrival"].dt.floor(step).to_numpy(),
            "offered": 1,
            "answered": answered.astype(int),
            "abandoned": (~answered & ~short).astype(int),
            "short_abandons": short.astype(int),
            "answered_within": (answered & (wait <= threshold)).astype(int),
            "handle_time": handle,
            "wait_time": np.where(answered, wait, 0.0),
        }
    )
    keys = ["ds"]
    if has_queue:
        stats.insert(0, "queue", frame["queue"].to_numpy())
        keys = ["queue", "ds"]
    table = stats.groupby(keys, sort=True).sum()
    if complete and len(table):
        table = _complete(table, step, has_queue)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["service_level"] = table["answered_within"] / (
            table["offered"] - table["short_abandons"]
        )
        table["aht"] = table["handle_time"] / table["answered"]
        table["asa"] = table["wait_time"] / table["answered"]
    table = table.replace([np.inf, -np.inf], np.nan)
    order = [
        "offered",
        "answered",
        "abandoned",
        "short_abandons",
        "answered_within",
        "service_level",
        "aht",
        "asa",
        "handle_time",
        "wait_time",
    ]
    report = RecordReport(
        rows=len(calls), used=len(frame), malformed=malformed, redials_folded=folded
    )
    return CallIntervals(intervals=table[order], report=report)


def _complete(table: pd.DataFrame, step: pd.Timedelta, has_queue: bool) -> pd.DataFrame:
    ds = table.index.get_level_values("ds")
    grid = pd.date_range(ds.min(), ds.max(), freq=step, name="ds")
    if has_queue:
        queues = table.index.get_level_values("queue").unique()
        full = pd.MultiIndex.from_product([queues, grid], names=["queue", "ds"])
    else:
        full = grid
    return table.reindex(full, fill_value=0)

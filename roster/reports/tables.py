"""The planner's "five tables" of a month, with service per half hour and a daily KPI sheet, from
last month's call records and this month's plan.

1. seats per interval per day (this month's plan);
2. daily forecast against the contacts the roster can absorb at target;
3. last month's contacts offered against those handled;
4. last month's forecast against what came, per day;
5. last month's forecast against the contacts handled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import forecast as fc
from roster.reports.accuracy import accuracy_by_day, accuracy_by_lead, band_levels

__all__ = ["FiveTables", "absorbable_contacts", "five_tables", "last_month_intervals"]


@dataclass(frozen=True)
class FiveTables:
    """The month's report tables, one DataFrame each.

    Attributes
    ----------
    seats : pandas.DataFrame
        Table 1: agents at work per interval (rows: time of day ``HH:MM``) and day (columns:
        dates) in this month's roster. [agents, averaged over the interval]
    forecast_vs_capacity : pandas.DataFrame
        Table 2, per ``date`` of this month: ``forecast`` (contacts, mean), the band
        (``forecast_low``, ``forecast_high`` when the forecast has quantiles), ``capacity``
        (contacts the rostered agents on the phones can answer meeting every target),
        ``surplus`` (capacity − forecast) and ``ratio`` (capacity / forecast). [contacts]
    actual_vs_handled : pandas.DataFrame
        Table 3, per ``date`` of last month: ``offered``, ``answered`` (handled),
        ``abandoned`` (after the short-abandon limit), ``short_abandons`` [contacts] and
        ``handled_share`` (answered / offered).
    forecast_vs_actual : pandas.DataFrame
        Table 4, per ``date`` of last month: :func:`roster.reports.accuracy.accuracy_by_day`
        (``forecast``, ``actual``, ``error``, ``wape``, ``bias``, ``daily_ape``, band
        ``coverage``, ``lead_days``). Empty when no forecast of last month was given.
    forecast_vs_handled : pandas.DataFrame
        Table 5, per ``date`` of last month: ``forecast``, ``answered``, ``gap`` (answered −
        forecast) [contacts] and ``handled_share`` (answered / forecast). Empty without a
        forecast.
    half_hour : pandas.DataFrame
        Per half hour of the day (``HH:MM``): last month's ``offered``, ``service_level``
        (answered within the threshold / offered less short abandons) and ``asa`` [s], and
        this month's plan's ``planned_service_level`` and ``planned_asa`` [s] (Erlang, roster
        as built, volume-weighted over the days).
    daily_kpis : pandas.DataFrame
        Per ``date`` of last month: ``offered``, ``answered``, ``service_level``,
        ``answer_rate`` (answered within the cutoff / offered less short abandons),
        ``abandon_rate`` (short abandons excluded), ``asa`` [s], ``aht`` [s] and
        ``meets_targets`` (service level, answer rate, ASA and abandonment of the day against
        the plan's targets).
    accuracy_by_lead : pandas.DataFrame
        Last month's forecast accuracy pooled by lead week
        (:func:`roster.reports.accuracy.accuracy_by_lead`). Empty without a forecast.
    notes : tuple of str
        What the tables rest on (the months, the forecast's source).
    interval : int
        Interval length of the plan and the records. [s]
    """

    seats: pd.DataFrame
    forecast_vs_capacity: pd.DataFrame
    actual_vs_handled: pd.DataFrame
    forecast_vs_actual: pd.DataFrame
    forecast_vs_handled: pd.DataFrame
    half_hour: pd.DataFrame
    daily_kpis: pd.DataFrame
    accuracy_by_lead: pd.DataFrame
    notes: tuple = ()
    interval: int = 1800


def _queue(plan):
    from roster.planning.queue_model import QueueModel

    return QueueModel(
        plan.targets,
        plan.patience,
        plan.trunks,
        redials=getattr(plan, "redials", None),
        chat=getattr(plan, "chat", None),
    )


def absorbable_contacts(queue, aht, agents, *, interval: int, iterations: int = 40) -> np.ndarray:
    """Most contacts per interval that ``agents`` on the phones answer meeting every target.

    Parameters
    ----------
    queue : roster.planning.queue_model.QueueModel
        Targets and queue (patience, trunks...).
    aht : array-like
        Handle time per interval. [s]
    agents : array-like
        Agents on the phones per interval. [agents]
    interval : int
        [s]
    iterations : int, default 40
        Bisection steps: the result is within ``2**-iterations`` of the bound at full
        occupancy.

    Returns
    -------
    numpy.ndarray
        Contacts per interval. [contacts]

    Notes
    -----
    Every metric of the queue worsens as the volume grows with the agents fixed, so the
    targets hold on an interval ``[0, v*]`` of volumes, found by bisection between 0 and the
    volume that keeps every agent busy (``agents × interval / aht``), all intervals at once.
    """
    aht = np.broadcast_to(np.asarray(aht, dtype=float), np.shape(agents)).copy()
    agents = np.asarray(agents, dtype=float)
    lo = np.zeros_like(agents)
    hi = agents * interval / np.where(aht > 0, aht, np.inf)
    for _ in range(iterations):
        mid = (lo + hi) / 2
        k = queue.kpis(mid, aht, agents, interval=interval)
        ok = queue.targets.met(k).to_numpy(bool) & (agents > 0)
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    return lo


def last_month_intervals(calls: pd.DataFrame, interval: int, *, targets) -> pd.DataFrame:
    """Call records aggregated on the plan's interval, with answers within the cutoff.

    ``calls`` is either call records (``arrival``, ``answer``, ``end``), aggregated by
    :func:`forecast.intervals_from_calls`, or such an interval table already (indexed by
    ``ds`` with ``offered``, ``answered``...), whose interval must be the plan's.

    Raises
    ------
    ValueError
        When an interval table's length differs from the plan's.
    """
    threshold, cutoff = float(targets.threshold), float(targets.cutoff)
    short = float(targets.short_abandon) if targets.short_abandon is not None else 0.0
    if {"arrival", "end"} <= set(calls.columns):
        table = fc.intervals_from_calls(
            calls, interval, threshold=threshold, short_abandon=short, queue=None
        ).intervals
        within = fc.intervals_from_calls(
            calls, interval, threshold=cutoff, short_abandon=short, queue=None
        ).intervals["answered_within"]
        return table.assign(answered_within_cutoff=within)
    needed = {"offered", "answered", "abandoned", "short_abandons", "answered_within"}
    missing = sorted(needed - set(calls.columns))
    if missing:
        raise ValueError(
            f"calls: neither call records (arrival, answer, end) nor an interval table "
            f"(lacks {missing})"
        )
    index = pd.DatetimeIndex(calls.index)
    step = fc.interval_length(index, None, name="calls", grid=False)
    if step != interval:
        raise ValueError(
            f"calls: intervals of {step} s, the plan's are {interval} s; give records or "
            "intervals of the plan's length"
        )
    return calls


def five_tables(
    plan,
    calls: pd.DataFrame,
    *,
    last_forecast: pd.DataFrame | None = None,
    issued=None,
    forecast_source: str = "",
) -> FiveTables:
    """The month's five tables, half-hour service and daily KPIs.

    Parameters
    ----------
    plan : roster.planning.Plan
        This month's plan (its ``forecast``, ``coverage``, ``kpis``, ``targets`` and queue).
    calls : pandas.DataFrame
        Last month's call records (``arrival``, ``answer`` empty when abandoned, ``end``) or
        their interval table (:func:`forecast.intervals_from_calls`) on the plan's interval.
    last_forecast : pandas.DataFrame, optional
        Last month's forecast per interval (``mean`` and quantile columns), e.g. read back
        from the store by :func:`roster.reports.accuracy.read_forecast`; without it tables 4
        and 5 are empty.
    issued : date, optional
        Day last month's forecast was made (for its lead).
    forecast_source : str
        Where last month's forecast came from, for the notes.

    Returns
    -------
    FiveTables

    Raises
    ------
    ValueError
        Records from another month than the one before the plan's; an interval table or a
        forecast on another interval length than the plan's.
    """
    interval = int(plan.interval)
    days = pd.DatetimeIndex(plan.forecast.index).normalize()
    this_month = days[0].to_period("M")
    last = this_month - 1
    actual = last_month_intervals(calls, interval, targets=plan.targets)
    ds = pd.DatetimeIndex(actual.index)
    outside = ds.to_period("M") != last
    if outside.any():
        raise ValueError(
            f"calls: records from {ds.min():%Y-%m-%d} to {ds.max():%Y-%m-%d}, "
            f"{int(outside.sum())} intervals outside {last}, the month before the plan's "
            f"({this_month})"
        )
    if last_forecast is not None:
        f_index = pd.DatetimeIndex(last_forecast.index)
        step = fc.interval_length(f_index, None, name="last_forecast", grid=False)
        if step != interval:
            raise ValueError(
                f"last_forecast: intervals of {step} s, the plan's and the records' are "
                f"{interval} s"
            )
        if not (f_index.to_period("M") == last).any():
            raise ValueError(
                f"last_forecast: covers {f_index.min():%Y-%m-%d} to {f_index.max():%Y-%m-%d}, "
                f"not {last}"
            )

    seats = _seats(plan.coverage["at_work"])
    capacity = _forecast_vs_capacity(plan)
    daily_actual = actual[
        ["offered", "answered", "abandoned", "short_abandons", "answered_within"]
    ].copy()
    daily_actual["answered_within_cutoff"] = actual.get(
        "answered_within_cutoff", actual["answered_within"]
    )
    daily_actual["handle_time"] = actual.get("handle_time", np.nan)
    daily_actual["wait_time"] = actual.get("wait_time", np.nan)
    by_day = daily_actual.groupby(ds.normalize()).sum(min_count=1).rename_axis("date")
    table3 = by_day[["offered", "answered", "abandoned", "short_abandons"]].copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        table3["handled_share"] = table3["answered"] / table3["offered"].where(
            table3["offered"] > 0
        )
    kpis = _daily_kpis(by_day, plan.targets)
    half = _half_hour(actual, plan)

    notes = [
        f"this month: {this_month} (plan of {days.min():%Y-%m-%d} to {days.max():%Y-%m-%d})",
        f"last month: {last}, {int(actual['offered'].sum()):,} contacts in the records",
        f"interval: {interval // 60} min; capacity = contacts the roster's agents on the phones "
        "answer meeting every target (Erlang, the plan's queue)",
    ]
    if last_forecast is not None:
        inside = last_forecast[pd.DatetimeIndex(last_forecast.index).to_period("M") == last]
        table4 = accuracy_by_day(inside, actual["offered"].astype(float), issued=issued)
        handled = by_day["answered"].reindex(table4.index)
        table5 = pd.DataFrame(
            {"forecast": table4["forecast"], "answered": handled},
            index=table4.index,
        )
        table5["gap"] = table5["answered"] - table5["forecast"]
        with np.errstate(invalid="ignore", divide="ignore"):
            table5["handled_share"] = table5["answered"] / table5["forecast"].where(
                table5["forecast"] > 0
            )
        lead = accuracy_by_lead(table4)
        if forecast_source:
            notes.append(f"last month's forecast: {forecast_source}")
    else:
        table4 = table5 = lead = pd.DataFrame()
        notes.append("last month's forecast: not given; tables 4 and 5 are empty")
    return FiveTables(
        seats=seats,
        forecast_vs_capacity=capacity,
        actual_vs_handled=table3,
        forecast_vs_actual=table4,
        forecast_vs_handled=table5,
        half_hour=half,
        daily_kpis=kpis,
        accuracy_by_lead=lead,
        notes=tuple(notes),
        interval=interval,
    )


def _clock(index: pd.DatetimeIndex) -> list[str]:
    return [f"{t:%H:%M}" for t in index]


def _seats(at_work: pd.Series) -> pd.DataFrame:
    index = pd.DatetimeIndex(at_work.index)
    frame = pd.DataFrame(
        {"time": _clock(index), "date": index.normalize(), "agents": at_work.to_numpy(float)}
    )
    grid = frame.pivot_table(index="time", columns="date", values="agents", aggfunc="sum")
    grid.columns = [f"{d:%Y-%m-%d}" for d in grid.columns]
    return grid.rename_axis("time")


def _forecast_vs_capacity(plan) -> pd.DataFrame:
    f = plan.forecast
    index = pd.DatetimeIndex(f.index)
    on_phones = plan.coverage["on_phones"].reindex(index).to_numpy(float)
    aht = plan.kpis["aht"].reindex(index).to_numpy(float)
    capacity = absorbable_contacts(_queue(plan), aht, on_phones, interval=int(plan.interval))
    frame = pd.DataFrame({"forecast": f["mean"].to_numpy(float)}, index=index)
    band = band_levels(f)
    if band is not None:
        frame["forecast_low"] = f[band[0]].to_numpy(float)
        frame["forecast_high"] = f[band[1]].to_numpy(float)
    frame["capacity"] = capacity
    out = frame.groupby(index.normalize()).sum().rename_axis("date")
    out["surplus"] = out["capacity"] - out["forecast"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["ratio"] = out["capacity"] / out["forecast"].where(out["forecast"] > 0)
    return out


def _rates(sums: pd.DataFrame) -> pd.DataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        counted = (sums["offered"] - sums["short_abandons"]).where(
            sums["offered"] - sums["short_abandons"] > 0
        )
        answered = sums["answered"].where(sums["answered"] > 0)
        return pd.DataFrame(
            {
                "service_level": sums["answered_within"] / counted,
                "answer_rate": sums["answered_within_cutoff"] / counted,
                "abandon_rate": sums["abandoned"] / counted,
                "asa": sums["wait_time"] / answered,
                "aht": sums["handle_time"] / answered,
            },
            index=sums.index,
        )


def _daily_kpis(by_day: pd.DataFrame, targets) -> pd.DataFrame:
    out = by_day[["offered", "answered"]].copy()
    out = out.join(_rates(by_day))
    ok = np.ones(len(out), dtype=bool)
    if targets.service_level is not None and np.ndim(targets.service_level) == 0:
        ok &= out["service_level"].fillna(1).to_numpy() >= float(targets.service_level) - 1e-12
    if targets.answer_rate is not None and np.ndim(targets.answer_rate) == 0:
        ok &= out["answer_rate"].fillna(1).to_numpy() >= float(targets.answer_rate) - 1e-12
    if targets.asa is not None and np.ndim(targets.asa) == 0:
        ok &= out["asa"].fillna(0).to_numpy() <= float(targets.asa) + 1e-12
    if targets.max_abandon is not None and np.ndim(targets.max_abandon) == 0:
        ok &= out["abandon_rate"].fillna(0).to_numpy() <= float(targets.max_abandon) + 1e-12
    out["meets_targets"] = ok
    return out


def _half_hour(actual: pd.DataFrame, plan) -> pd.DataFrame:
    ds = pd.DatetimeIndex(actual.index)
    slot = _clock(ds.floor("30min"))
    cols = ["offered", "answered", "abandoned", "short_abandons", "answered_within",
            "answered_within_cutoff", "handle_time", "wait_time"]  # fmt: skip
    sums = actual.reindex(columns=cols).fillna(0.0).groupby(slot).sum()
    rates = _rates(sums)
    out = pd.DataFrame(
        {
            "offered": sums["offered"],
            "service_level": rates["service_level"],
            "asa": rates["asa"],
        }
    )
    k = plan.kpis
    kidx = pd.DatetimeIndex(k.index)
    w = k["volume"].to_numpy(float)
    asa = k["asa"].to_numpy(float)
    # an interval with fewer agents than load has no finite ASA: its half hour shows none
    planned = (
        pd.DataFrame(
            {
                "w": w,
                "sl": k["service_level"].to_numpy(float) * w,
                "asa": np.where(np.isfinite(asa), asa, 0.0) * w,
                "endless": (~np.isfinite(asa) & (w > 0)).astype(int),
            },
            index=_clock(kidx.floor("30min")),
        )
        .groupby(level=0)
        .sum()
    )
    planned.loc[planned["endless"] > 0, "asa"] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        wsum = planned["w"].where(planned["w"] > 0)
        out = out.join(
            pd.DataFrame(
                {
                    "planned_service_level": planned["sl"] / wsum,
                    "planned_asa": planned["asa"] / wsum,
                }
            ),
            how="outer",
        )
    return out.rename_axis("time")

"""The work of one queue in a batch: forecast, requirement, stage-1 schedule and KPIs.

:func:`plan_queue` runs on whichever process the engine sends it to; it takes plain values
(the queue's history, its :class:`QueueSettings` and the :class:`Shared` inputs every queue
uses) and returns a :class:`QueueResult` of small frames. A stage that fails comes back as an
error row naming the stage, the stages after it are skipped, and the batch goes on.
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["STAGES", "QueueResult", "QueueSettings", "Shared", "plan_queue"]

#: Stages a batch may run, in order; ``requirement`` needs ``forecast``, ``schedule`` and
#: ``kpis`` need ``requirement``.
STAGES = ("forecast", "requirement", "schedule", "kpis")


@dataclass(frozen=True)
class QueueSettings:
    """What one queue is planned with.

    Attributes
    ----------
    targets : erlang.Targets
        Service targets.
    patience : float or None
        Mean caller patience for Erlang A, None for Erlang C. [s]
    aht : float or None
        Handle time when the history has no ``aht`` column. [s]
    calendar : str or None
        Calendar code (``"CN"``...), None for weekends only.
    policy : roster.StaffingPolicy
        Shrinkage and floors.
    model : str
        Forecast model (see :func:`forecast.forecast`).
    interval : int or None
        Interval length the history must have, inferred when None. [s]
    seat_cap : int or None
        Physical seats for the stage-1 schedule.
    """

    targets: object
    patience: float | None
    aht: float | None
    calendar: str | None
    policy: object
    model: str = "auto"
    interval: int | None = None
    seat_cap: int | None = None


@dataclass(frozen=True)
class Shared:
    """Inputs every queue of a batch uses, sent to each worker once.

    Attributes
    ----------
    calendars : dict
        Calendar code (or None) -> :class:`forecast.HolidayCalendar`.
    templates : list of ShiftTemplate
        Shifts of the stage-1 schedules.
    month : str or None
        Month planned (``YYYY-MM``); None plans the month after each history's end.
    days : int or None
        Plan only the first ``days`` days of the month.
    stages : tuple of str
        Stages to run, from :data:`STAGES`.
    time_limit : float
        Ceiling on each stage-1 schedule. [s]
    """

    calendars: dict
    templates: list
    month: str | None
    days: int | None
    stages: tuple
    time_limit: float = 60.0


@dataclass(frozen=True, eq=False)
class QueueResult:
    """What one queue's work gives back.

    Attributes
    ----------
    unique_id : object
    forecast, requirement, schedule : pandas.DataFrame or None
        The queue's frames, ``unique_id`` first (None for a stage not run or failed).
    kpis : dict
        The queue's headline figures (one row of :attr:`roster.BatchPlan.kpis`).
    errors : list of (str, str)
        ``(stage, message)`` of the stage that failed.
    seconds : float
        Wall time of the work in the worker. [s]
    cpu_seconds : float
        CPU time of the work in the worker (what other load on the machine does not
        change). [s]
    worker : int
        Process id of the worker that did the work.
    """

    unique_id: object
    forecast: pd.DataFrame | None = None
    requirement: pd.DataFrame | None = None
    schedule: pd.DataFrame | None = None
    kpis: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    worker: int = 0


def _message(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    # the library's own one-line errors speak for themselves; anything else says what it was
    return text if isinstance(exc, ValueError) and text else f"{type(exc).__name__}: {text}"


def plan_queue(shared: Shared, unique_id, history: pd.DataFrame, settings: QueueSettings, seed):
    """Plan one queue: forecast, requirement, stage-1 schedule and KPIs, as ``shared.stages``.

    Parameters
    ----------
    shared : Shared
        Calendars, templates, month and stages of the batch.
    unique_id : object
        The queue's id.
    history : pandas.DataFrame
        The queue's rows of the long history: ``ds``, ``y`` [contacts] and optionally ``aht``
        [s].
    settings : QueueSettings
        The queue's targets, patience, calendar, policy and model.
    seed : int
        The queue's seed (:func:`roster.batch.network.queue_seed`), reported in the KPIs; the
        stages run here are deterministic.

    Returns
    -------
    QueueResult
        Never raises for a bad queue: the failing stage and its message are in ``errors``.
    """
    import erlang
    import forecast as fc
    from roster.planning.inputs import open_index, plan_horizon, prepare_history

    t0, cpu0 = time.perf_counter(), time.process_time()
    out = {"forecast": None, "requirement": None, "schedule": None}
    kpis = {"unique_id": unique_id, "seed": int(seed)}
    errors = []
    stage = "history"
    calendar = shared.calendars[settings.calendar]
    try:
        with warnings.catch_warnings():
            # a gap or a missing count is the planner's to see in the history report of a
            # single plan; in a batch it must not flood the terminal once per queue
            warnings.simplefilter("ignore")
            aht_given = settings.aht if "aht" not in history.columns else None
            if len(history) == 0:
                raise ValueError("history: no rows for this queue")
            if pd.to_numeric(history["y"], errors="coerce").isna().all():
                raise ValueError(f"history: all {len(history)} counts are missing (NaN)")
            hist = prepare_history(history, aht=aht_given)
            interval = hist.interval
            if settings.interval is not None and interval != settings.interval:
                raise ValueError(
                    f"interval: the history has {interval} s intervals, the settings say "
                    f"{settings.interval}"
                )
            dates = plan_horizon(shared.month, shared.days, hist.volume.index[-1])
            index = open_index(hist.volume, dates, interval)
            kpis["history_contacts"] = float(hist.volume.sum())

            stage = "forecast"
            result = fc.forecast(hist.volume, index, model=settings.model, calendar=calendar)
            frame = result.values
            if isinstance(hist.aht, pd.Series):
                aht = fc.forecast_aht(hist.aht, index, weight=hist.weight, calendar=calendar)
            else:
                aht = pd.Series(float(hist.aht), index=index, name="aht")
            frame = frame.assign(aht=aht.to_numpy(float))
            out["forecast"] = _long(frame, unique_id)
            kpis.update(
                first_day=dates[0].date().isoformat(),
                last_day=dates[-1].date().isoformat(),
                contacts_forecast=float(frame["mean"].sum()),
                forecast_model=result.details.model,
                backtest_wape_pct=float(
                    result.details.backtest_wape_pct.get(result.details.model, np.nan)
                ),
            )

            if "requirement" in shared.stages:
                stage = "requirement"
                requirement = _requirement(frame, settings, interval)
                kpis.update(
                    required_agent_h=float(requirement["required"].sum() * interval / 3600),
                    peak_required=int(requirement["required"].max()),
                )
                if "kpis" in shared.stages:
                    stage = "kpis"
                    metrics = erlang.kpis(
                        requirement["volume"],
                        requirement["aht"],
                        requirement["productive"],
                        interval=interval,
                        patience=settings.patience,
                        targets=settings.targets,
                    )
                    for name in ("service_level", "asa", "abandon_rate", "occupancy"):
                        if name in metrics:
                            requirement[name] = metrics[name].to_numpy(float)
                    kpis.update(_weighted(requirement))
                    kpis["intervals_missing_targets"] = int((~metrics["meets_targets"]).sum())
                out["requirement"] = _long(requirement, unique_id)

                if "schedule" in shared.stages:
                    stage = "schedule"
                    # the solver loads only where a schedule is asked for
                    from roster.seats.schedule import schedule_shifts

                    schedule = schedule_shifts(
                        requirement["required"],
                        shared.templates,
                        interval=interval,
                        floors=requirement["floor"],
                        seat_cap=settings.seat_cap,
                        calendar=calendar,
                        boundary="closed",
                        time_limit=shared.time_limit,
                    )
                    shifts = schedule.shifts[["date", "shift", "agents", "paid_hours", "cost"]]
                    out["schedule"] = shifts.assign(unique_id=unique_id)[
                        ["unique_id", *shifts.columns]
                    ].reset_index(drop=True)
                    kpis.update(
                        agent_shifts=int(shifts["agents"].sum()),
                        paid_h=float((shifts["agents"] * shifts["paid_hours"]).sum()),
                        schedule_status=schedule.status,
                    )
    except Exception as exc:  # one bad queue must not stop the batch: it is reported instead
        errors.append((stage, _message(exc)))
    return QueueResult(
        unique_id,
        **out,
        kpis=kpis,
        errors=errors,
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - cpu0,
        worker=os.getpid(),
    )


def _requirement(forecast: pd.DataFrame, settings: QueueSettings, interval: int) -> pd.DataFrame:
    """Agents on the phones (``productive``) and to schedule (``required``, shrinkage grossed
    up) per interval of the mean forecast, with the floors of the staffing policy."""
    import erlang
    from erlang.minimum import ceil_scheduled

    volume = forecast["mean"].astype(float)
    aht = forecast["aht"].astype(float)
    kw = {"interval": interval, "patience": settings.patience, "targets": settings.targets}
    out = pd.DataFrame({"volume": volume, "aht": aht})
    out["productive"] = erlang.required_agents(volume, aht, **kw)
    # what required_agents gives with the shrinkage, without searching again
    out["required"] = ceil_scheduled(out["productive"], settings.policy.shrinkage).astype(
        out["productive"].dtype
    )
    out["floor"] = settings.policy.floors(out.index)
    return out


def _weighted(requirement: pd.DataFrame) -> dict:
    """Volume-weighted means of the interval KPIs over the horizon."""
    volume = requirement["volume"].to_numpy(float)
    total = volume.sum()
    out = {}
    for name in ("service_level", "asa", "abandon_rate", "occupancy"):
        if name in requirement and total > 0:
            out[name] = float(np.dot(volume, requirement[name].to_numpy(float)) / total)
    return out


def _long(frame: pd.DataFrame, unique_id) -> pd.DataFrame:
    """A frame indexed by interval start as rows of the long frame: ``unique_id``, ``ds``."""
    out = frame.reset_index(names="ds")
    out.insert(0, "unique_id", unique_id)
    return out

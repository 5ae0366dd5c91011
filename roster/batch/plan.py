"""Many queues at once: :func:`plan_many` runs the planning chain of every queue of a long
history frame on an engine and gathers long frames of the results."""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from roster.batch.engines import get_engine
from roster.batch.network import queue_seed
from roster.batch.tasks import STAGES, QueueResult, QueueSettings, Shared, plan_queue

__all__ = ["SETTING_KEYS", "BatchPlan", "plan_many", "queue_settings"]

_TARGET_KEYS = (
    "service_level",
    "threshold",
    "asa",
    "max_abandon",
    "answer_rate",
    "cutoff",
    "max_occupancy",
    "short_abandon",
    "max_blocking",
)
_POLICY_KEYS = ("shrinkage", "floor_day", "floor_night")
_QUEUE_KEYS = ("patience", "aht", "calendar", "model", "interval", "seat_cap")
#: Keys a queue's settings may carry: the fields of :class:`erlang.Targets`, of
#: :class:`roster.StaffingPolicy` (shrinkage, floors) and ``patience`` [s, 0 = Erlang C],
#: ``aht`` [s], ``calendar`` (code), ``model``, ``interval`` [s] and ``seat_cap``.
SETTING_KEYS = (*_TARGET_KEYS, *_POLICY_KEYS, *_QUEUE_KEYS)


@dataclass(frozen=True, eq=False)
class BatchPlan:
    """The plans of many queues, as long frames (``unique_id`` first, sorted by it).

    Attributes
    ----------
    forecast : pandas.DataFrame
        Per queue and interval: ``ds``, ``mean``, the quantile columns (``q0.1``...) and
        ``aht`` [contacts; s].
    requirement : pandas.DataFrame
        Per queue and interval: ``volume``, ``aht`` [s], ``productive`` (agents on the phones
        meeting every target), ``required`` (shrinkage grossed up), ``floor`` and, with the
        ``kpis`` stage, ``service_level``, ``asa`` [s], ``abandon_rate``, ``occupancy`` at
        ``productive``.
    schedule : pandas.DataFrame
        Stage 1 per queue: ``date``, ``shift``, ``agents``, ``paid_hours`` [h], ``cost``.
    kpis : pandas.DataFrame
        One row per queue planned: ``seed``, ``history_contacts``, ``first_day``,
        ``last_day``, ``contacts_forecast``, ``forecast_model``, ``backtest_wape_pct``,
        ``required_agent_h``, ``peak_required``, volume-weighted ``service_level``, ``asa``,
        ``abandon_rate``, ``occupancy``, ``intervals_missing_targets`` and, with the
        schedule, ``agent_shifts``, ``paid_h``, ``schedule_status``.
    errors : pandas.DataFrame
        One row per queue that failed: ``unique_id``, ``stage``, ``message``.
    timings : pandas.DataFrame
        ``unique_id``, ``seconds``, ``cpu_seconds``: wall and CPU time of each queue's work in
        its worker [s]; ``worker``: the worker's process id.
    engine : str
        ``serial``, ``local`` or ``dask``.
    workers : int
        Processes (or Dask worker threads) the batch ran on.
    seconds : float
        Wall time of the whole batch. [s]
    out : pathlib.Path or None
        Folder the per-queue frames were written to instead of being kept (then
        ``forecast``, ``requirement`` and ``schedule`` are empty).
    """

    forecast: pd.DataFrame
    requirement: pd.DataFrame
    schedule: pd.DataFrame
    kpis: pd.DataFrame
    errors: pd.DataFrame
    timings: pd.DataFrame
    engine: str
    workers: int
    seconds: float
    out: Path | None = None


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def queue_settings(
    settings,
    unique_ids,
    *,
    targets=None,
    policy=None,
    patience=60.0,
    aht=None,
    calendar="CN",
    model="auto",
) -> tuple[dict, list]:
    """Each queue's :class:`QueueSettings`: its own values over the batch's defaults.

    Parameters
    ----------
    settings : pandas.DataFrame, mapping or None
        A frame with a ``unique_id`` column and one row per queue, or a mapping
        ``unique_id -> {key: value}``; keys from :data:`SETTING_KEYS`; a missing or NaN
        value takes the default.
    unique_ids : sequence
        The queues of the history.
    targets, policy, patience, aht, calendar, model
        Defaults of every queue (see :func:`plan_many`).

    Returns
    -------
    (dict, list)
        ``unique_id -> QueueSettings``, and ``(unique_id, "settings", message)`` for the
        queues whose values are refused (they are left out of the dict).

    Raises
    ------
    ValueError
        Unknown keys, a settings frame without ``unique_id`` or with one twice.
    """
    import erlang
    from roster.planning.policy import StaffingPolicy

    base_targets = erlang.Targets.hotline() if targets is None else targets
    base_policy = StaffingPolicy() if policy is None else policy
    if settings is None:
        given = {}
    elif isinstance(settings, pd.DataFrame):
        if "unique_id" not in settings.columns:
            raise ValueError("settings: the frame needs a unique_id column")
        dup = settings["unique_id"][settings["unique_id"].duplicated()]
        if len(dup):
            raise ValueError(f"settings: unique_id={dup.iloc[0]!r} has several rows")
        given = {
            row["unique_id"]: {k: v for k, v in row.items() if k != "unique_id"}
            for row in settings.to_dict("records")
        }
    elif isinstance(settings, Mapping):
        given = {uid: dict(values) for uid, values in settings.items()}
    else:
        raise TypeError(
            f"settings: expected a DataFrame, a mapping or None, got {type(settings).__name__}"
        )
    known = set(SETTING_KEYS)
    for uid, values in given.items():
        unknown = sorted(set(values) - known)
        # a frame may carry descriptive columns (the generator's parameters); a mapping may not
        if unknown and not isinstance(settings, pd.DataFrame):
            raise ValueError(f"settings[{uid!r}]: unknown keys {unknown}; known: {sorted(known)}")
    out, errors = {}, []
    for uid in unique_ids:
        values = {k: v for k, v in given.get(uid, {}).items() if k in known and not _missing(v)}
        try:
            t = {k: values[k] for k in _TARGET_KEYS if k in values}
            p = {k: values[k] for k in _POLICY_KEYS if k in values}
            queue_patience = values.get("patience", patience)
            queue_patience = (
                None if _missing(queue_patience) or queue_patience <= 0 else float(queue_patience)
            )
            interval = values.get("interval")
            seat_cap = values.get("seat_cap")
            out[uid] = QueueSettings(
                targets=dataclasses.replace(base_targets, **t) if t else base_targets,
                patience=queue_patience,
                aht=None if _missing(values.get("aht", aht)) else float(values.get("aht", aht)),
                calendar=values.get("calendar", calendar),
                policy=dataclasses.replace(base_policy, **p) if p else base_policy,
                model=values.get("model", model),
                interval=None if interval is None else int(interval),
                seat_cap=None if seat_cap is None else int(seat_cap),
            )
        except (TypeError, ValueError) as exc:
            errors.append((uid, "settings", str(exc).splitlines()[0]))
    return out, errors


class _Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a line every tenth of the
    queues otherwise."""

    def __init__(self, total: int, engine: str, quiet: bool):
        self.total, self.engine, self.quiet = total, engine, quiet
        self.done = self.failed = 0
        self.t0 = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.last = -1

    def step(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        if self.quiet or self.total == 0:
            return
        tenth = 10 * self.done // self.total
        if not self.tty and tenth == self.last:
            return
        self.last = tenth
        width = 30
        filled = width * self.done // self.total
        bar = "#" * filled + "." * (width - filled)
        line = (
            f"plan_many [{bar}] {self.done}/{self.total} queues, {self.failed} failed, "
            f"{time.perf_counter() - self.t0:.0f} s ({self.engine})"
        )
        end = "\n" if not self.tty or self.done == self.total else ""
        print(f"\r{line}" if self.tty else line, end=end, file=sys.stderr, flush=True)


def _split(history: pd.DataFrame):
    """The queues of a long frame, sorted, with the rows of each (a slice when the frame is
    sorted by queue, as files usually are)."""
    codes, uniques = pd.factorize(history["unique_id"], sort=True)
    if len(codes) == 0 or np.all(codes[1:] >= codes[:-1]):
        bounds = np.searchsorted(codes, np.arange(len(uniques) + 1))
        return list(uniques), lambda k: slice(int(bounds[k]), int(bounds[k + 1]))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    return list(uniques), lambda k: order[bounds[k] : bounds[k + 1]]


def _folder(out: Path, unique_id) -> Path:
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(unique_id))
    return out / (name or "_")


def plan_many(
    history,
    settings=None,
    *,
    engine=None,
    workers: int | None = None,
    stages=("forecast", "requirement", "kpis"),
    seed: int = 0,
    month=None,
    days: int | None = None,
    targets=None,
    policy=None,
    patience=60.0,
    aht=None,
    calendar="CN",
    model="auto",
    templates=None,
    time_limit: float = 60.0,
    out=None,
    quiet: bool = False,
) -> BatchPlan:
    """Forecast, staff and schedule many queues, on one core, the local cores or a cluster.

    Each queue of ``history`` is planned by :func:`roster.batch.tasks.plan_queue`: its
    forecast (:func:`forecast.forecast`, AHT by :func:`forecast.forecast_aht`), the agents
    required per interval (:func:`erlang.required_agents`, shrinkage grossed up, with the
    policy's floors), optionally the stage-1 shift counts (:func:`roster.schedule_shifts`), and
    the Erlang KPIs at the requirement. A queue that fails comes back as a row of
    :attr:`BatchPlan.errors`; the others complete.

    Parameters
    ----------
    history : pandas.DataFrame
        Long frame: ``unique_id``, ``ds`` (interval start), ``y`` (contacts) and optionally
        ``aht`` (mean handle time [s]); NaN counts are missing.
    settings : pandas.DataFrame or mapping, optional
        Per-queue values over the defaults below (:func:`queue_settings`): targets
        (``service_level``, ``threshold`` [s] ...), ``patience`` [s], ``aht`` [s],
        ``calendar``, ``model``, ``interval`` [s], ``shrinkage``, floors, ``seat_cap``. A
        queue named here but absent from ``history`` is reported as an error.
    engine : None, str, distributed.Client or engine
        None or ``"local"``: local processes; ``"serial"``: this process; ``"dask"``: a new
        Dask ``LocalCluster``; a ``distributed.Client`` or a scheduler address: that cluster.
        Results are identical whichever engine runs them.
    workers : int, optional
        Processes of the local engine or workers of a new local cluster (default: the cores).
    stages : sequence of str, default ("forecast", "requirement", "kpis")
        From :data:`roster.batch.tasks.STAGES`; add ``"schedule"`` for stage 1.
    seed : int, default 0
        Seed of the batch; each queue's seed is :func:`roster.batch.network.queue_seed` of it
        and the queue's id, so a queue's result does not depend on the engine or the other
        queues (the stages are deterministic; the seed is reported in ``kpis``).
    month : str, optional
        ``"YYYY-MM"`` to plan; default the month after each queue's history.
    days : int, optional
        Plan only the first ``days`` days of the month.
    targets : erlang.Targets, optional
        Default targets (:meth:`erlang.Targets.hotline`).
    policy : roster.StaffingPolicy, optional
        Default shrinkage and floors.
    patience : float or None, default 60
        Default mean patience for Erlang A; None or 0 for Erlang C. [s]
    aht : float, optional
        Handle time of queues whose history has no ``aht``. [s]
    calendar : str or None, default "CN"
        Default calendar code.
    model : str, default "auto"
        Default forecast model.
    templates : sequence of ShiftTemplate, optional
        Shifts of stage 1 (default :func:`roster.planning.pipeline.default_templates`); only
        with the ``schedule`` stage.
    time_limit : float, default 60
        Ceiling on each queue's stage-1 solve. [s]
    out : str or path, optional
        A folder: each queue's ``forecast.csv``, ``requirement.csv`` (and ``schedule.csv``)
        are written to ``out/<unique_id>/`` as they arrive and not kept, with
        ``summary.csv`` (the KPIs) and ``errors.csv`` at the top; the driver's memory then
        stays flat in the number of queues.
    quiet : bool, default False
        No progress bar on stderr.

    Returns
    -------
    BatchPlan

    Raises
    ------
    ValueError
        A history that is not a long frame, an unknown stage, setting key or engine.
    ImportError
        ``engine="dask"`` without Dask installed (``pip install seatplan[dask]``).
    """
    import forecast as fc

    if not isinstance(history, pd.DataFrame):
        raise TypeError(f"history: expected a long DataFrame, got {type(history).__name__}")
    lacking = {"unique_id", "ds", "y"} - set(history.columns)
    if lacking:
        raise ValueError(f"history: long frame lacks columns {sorted(lacking)}")
    stages = tuple(stages)
    bad = [s for s in stages if s not in STAGES]
    if bad or "forecast" not in stages:
        raise ValueError(f"stages must include 'forecast' and come from {STAGES}, got {stages}")
    if ("schedule" in stages or "kpis" in stages) and "requirement" not in stages:
        raise ValueError(f"stages: 'schedule' and 'kpis' need 'requirement', got {stages}")
    queue_seed(seed, "")  # checks the seed
    if not time_limit > 0:
        raise ValueError(f"time_limit={time_limit!r} must be positive")

    ids, rows_of = _split(history)
    extra = []
    if isinstance(settings, pd.DataFrame) and "unique_id" in settings.columns:
        extra = sorted(set(settings["unique_id"]) - set(ids), key=str)
    elif isinstance(settings, Mapping):
        extra = sorted(set(settings) - set(ids), key=str)
    per_queue, errors = queue_settings(
        settings,
        [*ids, *extra],
        targets=targets,
        policy=policy,
        patience=patience,
        aht=aht,
        calendar=calendar,
        model=model,
    )
    calendars = {}
    for code in sorted({s.calendar for s in per_queue.values()}, key=str):
        try:
            calendars[code] = fc.get_calendar(code)  # each calendar made once, for all queues
        except (TypeError, ValueError) as exc:
            for uid in [u for u, s in per_queue.items() if s.calendar == code]:
                errors.append((uid, "settings", str(exc).splitlines()[0]))
                del per_queue[uid]
    if templates is None and "schedule" in stages:
        from roster.planning.pipeline import default_templates

        templates = default_templates()
    templates = [] if templates is None else templates
    shared = Shared(calendars, list(templates), month, days, stages, float(time_limit))
    columns = [c for c in ("ds", "y", "aht") if c in history.columns]
    empty = history.iloc[:0][columns]

    def calls():
        for k, uid in enumerate(ids):
            if uid in per_queue:
                rows = history.iloc[rows_of(k)][columns]
                yield uid, rows.reset_index(drop=True), per_queue[uid], queue_seed(seed, uid)
        for uid in extra:
            if uid in per_queue:
                yield uid, empty, per_queue[uid], queue_seed(seed, uid)

    out = None if out is None else Path(out)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    total = sum(uid in per_queue for uid in (*ids, *extra))
    t0 = time.perf_counter()
    runner, owned = get_engine(engine, workers=workers)
    progress = _Progress(total, runner.name, quiet)
    frames = {"forecast": [], "requirement": [], "schedule": []}
    kpis, timings = [], []
    try:
        for result in runner.map(plan_queue, shared, calls()):
            _collect(result, frames, kpis, timings, errors, out)
            progress.step(bool(result.errors))
        n_workers = runner.workers
    finally:
        if owned:
            runner.close()
    seconds = time.perf_counter() - t0

    def gather(name):
        parts = sorted(frames[name], key=lambda f: str(f["unique_id"].iat[0]))
        parts = [f for f in parts if len(f)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    kpi_frame = pd.DataFrame(kpis)
    if len(kpi_frame):
        kpi_frame = kpi_frame.sort_values("unique_id", key=lambda c: c.astype(str))
        kpi_frame = kpi_frame.reset_index(drop=True)
    error_frame = pd.DataFrame(errors, columns=["unique_id", "stage", "message"])
    error_frame = error_frame.sort_values(
        "unique_id", key=lambda c: c.astype(str), kind="stable"
    ).reset_index(drop=True)
    timing_frame = pd.DataFrame(timings, columns=["unique_id", "seconds", "cpu_seconds", "worker"])
    if out is not None:
        kpi_frame.to_csv(out / "summary.csv", index=False)
        error_frame.to_csv(out / "errors.csv", index=False)
    return BatchPlan(
        forecast=gather("forecast"),
        requirement=gather("requirement"),
        schedule=gather("schedule"),
        kpis=kpi_frame,
        errors=error_frame,
        timings=timing_frame,
        engine=runner.name,
        workers=n_workers,
        seconds=seconds,
        out=out,
    )


def _collect(result: QueueResult, frames: dict, kpis: list, timings: list, errors: list, out):
    """One queue's result into the batch: frames kept or written to ``out``, its KPI row."""
    uid = result.unique_id
    timings.append((uid, result.seconds, result.cpu_seconds, result.worker))
    errors.extend((uid, stage, message) for stage, message in result.errors)
    if result.forecast is not None:
        kpis.append(result.kpis)
    for name in frames:
        frame = getattr(result, name)
        if frame is None:
            continue
        if out is None:
            frames[name].append(frame)
        else:
            folder = _folder(out, uid)
            folder.mkdir(exist_ok=True)
            frame.drop(columns="unique_id").to_csv(folder / f"{name}.csv", index=False)

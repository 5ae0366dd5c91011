"""The end-to-end plan: history or call records in, a named roster and the service it gives out.

:func:`plan` chains the stages a planner runs each month and keeps every intermediate result:

1. history: call records aggregated by :func:`forecast.intervals_from_calls`, or counts given;
2. forecast of contacts per interval with quantiles (:func:`forecast.forecast`) and of AHT
   (:func:`forecast.forecast_aht`);
3. agents required per interval (:func:`erlang.required_agents`, shrinkage included);
4. shift counts per day with breaks and floors (:func:`roster.schedule_shifts`);
5. named agents on those shifts under the labour rules (:func:`roster.build_roster`) and the
   rule check (:func:`roster.check`);
6. the service the roster as built gives: agents on the phones per interval recomputed from the
   assignments, the Erlang metrics of that staffing, and a discrete-event simulation of the
   roster over the forecast's spread (:func:`roster.simulate`).

The queue of steps 3 and 6 (patience as a mean or a law, trunks, redials, chat) is one
:class:`roster.planning.queue_model.QueueModel`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats

import erlang
import forecast as fc
from erlang.minimum import ceil_scheduled
from roster.check import check
from roster.coverage import roster_coverage
from roster.people.build import Roster, build_roster
from roster.people.inputs import agents_frame
from roster.planning.clock import Clock
from roster.planning.headcount import Headcount, headcount
from roster.planning.inputs import PlanHistory, open_index, plan_horizon, prepare_history
from roster.planning.policy import StaffingPolicy
from roster.planning.queue_model import QueueModel
from roster.rules import Rules
from roster.seats.schedule import ShiftSchedule, schedule_shifts
from roster.shifts import ShiftTemplate, shift_family
from roster.simulation.engine import METRICS, SimulationResult, simulate
from roster.workorders import (
    WorkOrderPlan,
    WorkOrders,
    work_order_requirement,
    work_orders_as_built,
)

__all__ = ["STEPS", "Plan", "default_templates", "plan"]

#: The steps of :func:`plan`, in order, as named to the ``progress`` callback.
STEPS = ("history", "forecast", "requirement", "shifts", "roster", "kpis", "simulation")


def default_templates() -> list[ShiftTemplate]:
    """Shifts of the default plan: 8.5 h (8 h paid, a 30-minute unpaid meal) starting each hour.

    Short breaks are 5 minutes per working hour, as in the manuals.
    """
    return shift_family((8 * 3600 + 1800,), step=3600, short_breaks=300)


@dataclass(frozen=True)
class Plan:
    """A month's plan with every intermediate result.

    Attributes
    ----------
    history : pandas.Series
        Contacts per interval the forecast was fitted on.
    history_report : pandas.DataFrame
        What was done to the input (``item``, ``value``): rows read, records skipped by
        reason, redials folded, duplicates dropped, missing counts, outage intervals masked.
    forecast : pandas.DataFrame
        Per interval of the plan: ``mean`` and the quantile columns (``q0.1``...). [contacts]
    aht : pandas.Series
        Expected AHT per interval. [s]
    requirement : pandas.DataFrame
        Per interval: ``volume``, ``aht`` [s], ``productive`` (agents on the phones meeting
        every target), ``required`` (agents to schedule: productive grossed up for
        shrinkage), ``floor`` (agents online at least) and ``required_q*`` (the requirement
        at each forecast quantile).
    schedule : pandas.DataFrame
        Stage 1: agents per shift and day (``ShiftSchedule.shifts``).
    roster : pandas.DataFrame
        Stage 2: one row per named agent's shift (``Roster.assignments``).
    totals : pandas.DataFrame
        Per agent: shifts, paid time, nights, rest days... (``Roster.totals``).
    coverage : pandas.DataFrame
        Per interval, recomputed from :attr:`roster`: ``required``, ``floor``, ``at_work``,
        ``on_break`` (placed meals), ``net`` (at work less meals and short breaks),
        ``on_phones`` (``net`` less shrinkage), ``gap`` (``net`` less the larger of
        ``required`` and ``floor``; negative is a shortfall). [agents, averaged over the
        interval]
    violations : pandas.DataFrame
        Labour-rule violations of the roster (:func:`roster.check`); empty when clean.
    kpis : pandas.DataFrame
        :func:`erlang.kpis` of ``on_phones`` per interval, plus ``meets_targets``.
    simulation : pandas.DataFrame
        Per interval, simulated means of ``offered``, ``service_level``, ``asa``,
        ``answer_rate``, ``abandon_rate``, ``blocking_rate``, ``occupancy`` and, with suffix
        ``_hw``, the half-widths of their confidence intervals. Empty when not simulated.
    steps : pandas.DataFrame
        Wall time of each step. [s]
    targets : erlang.Targets
        Service targets the requirement meets and the KPIs are checked against.
    policy : StaffingPolicy
        Shrinkage and floors.
    patience : float, patience law or None
        Mean caller patience (Erlang A) [s], a patience law (a Kaplan-Meier fit's law when the
        plan was given one), or None for Erlang C.
    trunks : int or None
        Trunk lines, or None for no cap.
    redials : erlang.Redials or None
        Callers who call again; the forecast is then of fresh callers.
    chat : erlang.Chat or None
        Agents holding several sessions at once.
    queue_model : str
        The queue model in one line (:meth:`QueueModel.describe`), e.g. ``Weibull patience
        (shape 0.7, mean 118 s)``.
    notes : tuple of str
        How the plan departs from its defaults where that matters for reading it, e.g. a
        simulation of the agents on the phones as a pool (redials, chat).
    rules : Rules
    templates : list of ShiftTemplate
    interval : int
        Interval length. [s]
    shift_schedule : ShiftSchedule
    named_roster : Roster
    simulation_result : SimulationResult or None
    forecast_details : forecast.ForecastDetails or None
        How the contacts were forecast: model chosen, dispersion behind the quantiles (and the
        simulation's spread), calibration, backtest WAPEs.
    headcount : Headcount or None
        Agents the month needs by the stage-1 schedule and the monthly band, against the team
        (missing or spare, and what to do: :attr:`Headcount.advice`).
    work_orders : WorkOrderPlan or None
        The work orders' capacity (idle, back-office and added time per interval), backlog
        per day and class and on-time share, when the plan was given work orders; the agents
        added are in :attr:`requirement` as ``work_orders``.
    """

    history: pd.Series
    history_report: pd.DataFrame
    forecast: pd.DataFrame
    aht: pd.Series
    requirement: pd.DataFrame
    schedule: pd.DataFrame
    roster: pd.DataFrame
    totals: pd.DataFrame
    coverage: pd.DataFrame
    violations: pd.DataFrame
    kpis: pd.DataFrame
    simulation: pd.DataFrame
    steps: pd.DataFrame
    targets: erlang.Targets
    policy: StaffingPolicy
    patience: float | erlang.patience.Patience | None
    trunks: int | None
    rules: Rules
    templates: list = field(repr=False)
    interval: int = 1800
    shift_schedule: ShiftSchedule | None = field(default=None, repr=False)
    named_roster: Roster | None = field(default=None, repr=False)
    simulation_result: SimulationResult | None = field(default=None, repr=False)
    forecast_details: fc.ForecastDetails | None = field(default=None, repr=False)
    headcount: Headcount | None = None
    redials: erlang.Redials | None = None
    chat: erlang.Chat | None = None
    queue_model: str = ""
    notes: tuple = ()
    work_orders: WorkOrderPlan | None = field(default=None, repr=False)

    @property
    def shortfall(self) -> float:
        """Agent-hours the roster leaves below the requirement. [h]"""
        return float((-self.coverage["gap"]).clip(lower=0).sum() * self.interval / 3600)

    @property
    def expected_service_level(self) -> float:
        """Erlang service level of the roster as built, weighted by forecast volume."""
        k = self.kpis
        return float(np.average(k["service_level"], weights=k["volume"]))

    def summary(self) -> pd.Series:
        """The plan's headline numbers, one per row."""
        days = self.forecast.index.normalize()
        hard = int((self.violations["severity"] == "hard").sum()) if len(self.violations) else 0
        model = self.forecast_details.model if self.forecast_details is not None else ""
        out = {
            "first_day": days.min().date().isoformat(),
            "last_day": days.max().date().isoformat(),
            "contacts_forecast": float(self.forecast["mean"].sum()),
            "forecast_model": model,
            "queue_model": self.queue_model,
            "agents": int(self.totals.shape[0]),
            "agents_needed": self.headcount.needed if self.headcount is not None else None,
            "agent_shifts": len(self.roster),
            "stage1_agent_shifts": int(self.schedule["agents"].sum()) if len(self.schedule) else 0,
            "required_agent_h": float(self.requirement["required"].sum() * self.interval / 3600),
            "net_agent_h": float(self.coverage["net"].sum() * self.interval / 3600),
            "shortfall_agent_h": self.shortfall,
            "intervals_short": int((self.coverage["gap"] < -1e-9).sum()),
            "intervals_missing_targets": int((~self.kpis["meets_targets"]).sum()),
            "service_level_expected": self.expected_service_level,
            "violations_hard": hard,
            "violations_soft": int(len(self.violations) - hard),
        }
        if self.simulation_result is not None:
            s = self.simulation_result.summary()
            for name in ("service_level", "answer_rate", "abandon_rate", "asa"):
                out[f"{name}_simulated"] = float(s.loc[name, "mean"])
                out[f"{name}_simulated_hw"] = float(s.loc[name, "half_width"])
        elif len(self.simulation):
            # a pool simulated interval by interval (chat): volume-weighted over the horizon,
            # the intervals' half-widths combined as independent
            sim = self.simulation
            for name in ("service_level", "answer_rate", "abandon_rate", "asa"):
                ok = sim[name].notna() & (sim["offered"] > 0)
                w = sim.loc[ok, "offered"] / sim.loc[ok, "offered"].sum()
                out[f"{name}_simulated"] = float((w * sim.loc[ok, name]).sum())
                hw = np.sqrt(float((w**2 * sim.loc[ok, f"{name}_hw"] ** 2).sum()))
                out[f"{name}_simulated_hw"] = hw
        if self.work_orders is not None:
            out.update(self.work_orders.summary())
            # the agents added to schedule, grossed up for shrinkage as the phone agents are
            added = self.requirement["work_orders"].sum() * self.interval / 3600
            out["work_orders_required_agent_h"] = float(added)
        for number, note in enumerate(self.notes, 1):
            out[f"note_{number}"] = note
        return pd.Series(out, name="plan")


def plan(
    history=None,
    *,
    calls: pd.DataFrame | None = None,
    aht=None,
    month=None,
    days: int | None = None,
    agents=None,
    targets: erlang.Targets | None = None,
    policy: StaffingPolicy | None = None,
    patience=60.0,
    trunks: int | None = None,
    redials: erlang.Redials | None = None,
    chat: erlang.Chat | None = None,
    rules: Rules | None = None,
    templates: Sequence[ShiftTemplate] | None = None,
    calendar="CN",
    events=None,
    model="auto",
    quantiles=(0.1, 0.5, 0.9),
    leave: pd.DataFrame | None = None,
    seat_cap: int | None = None,
    roster_from: str = "requirement",
    replications: int = 10,
    spread: bool = True,
    seed: int | None = 0,
    time_limit: float = 600.0,
    risk: float | None = None,
    work_orders: WorkOrders | None = None,
    progress: Callable[[str, int, int, float | None], None] | None = None,
) -> Plan:
    """Plan a month: forecast, staffing, shifts, a named roster and the service it gives.

    Parameters
    ----------
    history : pandas.Series or pandas.DataFrame, optional
        Contacts per interval indexed by interval start, or a frame with columns ``ds``, ``y``
        (and ``unique_id`` holding a single queue, and optionally ``aht`` [s]). Give this or
        ``calls``.
    calls : pandas.DataFrame, optional
        Call-detail records (columns ``arrival``, ``answer``, ``end``, optionally ``caller``),
        aggregated to 30-minute intervals by :func:`forecast.intervals_from_calls`; their
        handle times give the AHT.
    aht : float or pandas.Series, optional
        AHT history per interval (a Series on the history's index) or one value for every
        interval [s]. Needed when the history carries none.
    month : str, optional
        ``"YYYY-MM"`` to plan; default the month after the history's last day.
    days : int, optional
        Plan only the first ``days`` days of the month.
    agents : int, list of str or pandas.DataFrame, optional
        The team (see :func:`roster.build_roster`). Default: as many agents as the month
        needs (:attr:`Plan.headcount`, from the stage-1 schedule's paid hours and the monthly
        band of ``rules``). Either way :attr:`Plan.headcount` says how many are missing or
        spare.
    targets : erlang.Targets, optional
        Service targets; default :meth:`erlang.Targets.hotline` (80/20 service level, 85%
        answered within 60 s, ASA 20 s, at most 5% abandoning, occupancy at most 90%).
    policy : StaffingPolicy, optional
        Shrinkage and the floors of agents online (defaults of :class:`StaffingPolicy`).
    patience : float, patience law, erlang.PatienceFit or None, default 60
        Mean caller patience for Erlang A and the simulation [s]; a patience law (e.g.
        ``erlang.Weibull.from_mean(120, 0.7)``) for the M/M/n+G queue; a Kaplan-Meier fit
        (:func:`erlang.fit_patience`) to plan with its law and quote its counts; None for
        Erlang C (nobody hangs up). Requirement, KPIs and simulation all use it.
    trunks : int, optional
        Trunk lines (最大同时接入): callers beyond them get busy tone. Staffing, KPIs and the
        simulation then use the capped queue and count blocked calls as offered and not
        answered; agents on the phones are capped at ``trunks``. Not with a non-exponential
        patience law.
    redials : erlang.Redials, optional
        Callers who call again after abandoning (or busy tone): the forecast is then of fresh
        callers, the requirement and the KPIs are taken at the attempts of the redial fixed
        point, with the targets on attempts or callers (``redials.targets_on``). The simulation
        serves the roster's agents on the phones per interval as one pool (redials are not
        simulated with named shifts); :attr:`Plan.notes` says so. Exponential patience only.
    chat : erlang.Chat, optional
        Agents serving up to ``chat.max_sessions`` sessions at once; the AHT is that of a
        session served alone. The simulation runs each interval's stationary chat queue with
        the roster's agents on the chats (:func:`erlang.chat.simulate_chat`), said in
        :attr:`Plan.notes`. Not with ``redials`` nor a non-exponential patience law.
    rules : Rules, optional
        Labour rules (defaults of :class:`roster.Rules`).
    templates : sequence of ShiftTemplate, optional
        Shifts agents may work (default :func:`default_templates`).
    calendar : str, calendar or iterable of dates, default ``"CN"``
        Holiday calendar for the forecast and for holiday pay, made a calendar once by
        :func:`forecast.get_calendar`.
    events : iterable of forecast.Event, optional
        Known events (outages masked from the history, multipliers on the forecast).
    model : str, default ``"auto"``
        Forecast model (see :func:`forecast.forecast`).
    quantiles : sequence of float
        Forecast quantile levels.
    leave : pandas.DataFrame, optional
        Approved leave (``agent``, ``date``).
    seat_cap : int, optional
        Physical seats (at most this many agents at work at once).
    roster_from : {"requirement", "schedule"}, default "requirement"
        What the named roster covers: the requirement per interval (the roster builder
        chooses shifts and meals itself under the monthly rules; stage 1 is then the ideal
        shift mix and the cost reference) or stage 1's shift counts per day (the classic
        two-stage method; stage 1's meal blocks are handed to the agents of each shift and
        day, see ``meal_blocks`` of :func:`roster.build_roster`).
    replications : int, default 10
        Simulation replications; 0 skips the simulation.
    spread : bool, default True
        Simulate over the forecast's uncertainty: each replication draws each day's demand
        level from the forecast's negative-binomial law, Poisson noise on top.
    seed : int, optional
        Seed of the simulation and of the absences drawn in it.
    time_limit : float, default 600
        Ceiling on each of the two rostering stages. Both are paced by work (nodes, rounds,
        sweeps), so that equal inputs give the same plan on any machine; when the ceiling
        binds, the stage returns its best so far and says so (``shift_schedule.status``,
        ``named_roster.stats["time_limit_hit"]`` and a line of its diagnosis). [s]
    risk : float, optional
        Staff so that every target holds with this probability over the forecast's volume
        law (its mean and negative-binomial dispersion; :func:`erlang.required_agents_at_risk`)
        instead of at the mean; ``requirement`` then keeps the staffing at the mean as
        ``required_at_mean``, so that what the risk costs shows per interval. E.g. 0.9.
    work_orders : WorkOrders, optional
        Work orders with deadlines arriving with the calls: the time to close them is found in
        the staffed agents' idle time, then back office, and what is missing is added to the
        requirement before the shifts are built (:func:`roster.workorders.
        work_order_requirement`); :attr:`Plan.work_orders` reports it.
    progress : callable, optional
        Called as ``progress(step, number, total, seconds)`` when a step of :data:`STEPS`
        starts (``seconds`` None) and when it ends (``seconds`` its wall time).

    Returns
    -------
    Plan

    Notes
    -----
    The requirement is the exact Erlang staffing (Erlang A with ``patience``) for the
    mean forecast, grossed up by ``policy.shrinkage`` (absence and adherence). Meals and short
    breaks are placed by the scheduler, not put in the shrinkage. The roster's coverage is
    recomputed from its assignments, so the KPIs describe the roster as built: Erlang metrics of
    ``on_phones = net × (1 - shrinkage)`` agents per interval.

    The simulation runs the named agents of the roster with their meals and their templates'
    short breaks as timed blocks, one per working hour, staggered across agents (see
    :func:`roster.simulate`); a break falling due during a call starts when the call ends.
    Absence and non-adherence drop whole shifts at random with probability
    ``policy.shrinkage``, drawn anew in every replication so that its spread is inside the
    confidence intervals. With ``spread`` the expected volume of each
    replication and day is drawn from the Gamma law of the forecast rate behind the
    negative-binomial quantiles (``Var = m + φ m²``), so that Poisson noise on top recovers them.

    References
    ----------
    Ernst, A. T., Jiang, H., Krishnamoorthy, M. and Sier, D. (2004). Staff scheduling and
    rostering: a review of applications, methods and models. EJOR 153(1), 3-27 (the
    forecast-staff-schedule-roster chain).
    """
    if roster_from not in ("requirement", "schedule"):
        raise ValueError(f"roster_from must be 'requirement' or 'schedule', got {roster_from!r}")
    # settled before the forecast and the solvers run, so that a wrong value is named at once
    if not time_limit > 0:
        raise ValueError(f"time_limit={time_limit!r} must be positive")
    if risk is not None and not 0 < risk < 1:
        raise ValueError(f"risk={risk!r} must lie in (0, 1)")
    targets = erlang.Targets.hotline() if targets is None else targets
    if not isinstance(targets, erlang.Targets):
        raise TypeError(f"targets must be an erlang.Targets, got {type(targets).__name__}")
    policy = StaffingPolicy() if policy is None else policy
    if not isinstance(policy, StaffingPolicy):
        raise TypeError(f"policy must be a roster.StaffingPolicy, got {type(policy).__name__}")
    queue = QueueModel(targets, patience, trunks, redials=redials, chat=chat)
    if work_orders is not None and not isinstance(work_orders, WorkOrders):
        work_orders = WorkOrders(work_orders)  # a list of classes
    rules = Rules() if rules is None else rules
    templates = default_templates() if templates is None else list(templates)
    names = [t.name for t in templates]
    team = None if agents is None else len(agents_frame(agents, names))  # the builder's check
    calendar = fc.get_calendar(calendar)
    clock = Clock(progress, STEPS)

    with clock("history"):
        hist: PlanHistory = prepare_history(history, calls=calls, aht=aht, events=events)
        interval = hist.interval
        if work_orders is not None:
            work_orders.check_interval(interval)  # before the forecast runs
        dates = plan_horizon(month, days, hist.volume.index[-1])
        index = open_index(hist.volume, dates, interval)

    with clock("forecast"):
        result = fc.forecast(
            hist.volume,
            index,
            model=model,
            quantiles=quantiles,
            calendar=calendar,
            events=events,
        )
        forecast, details = result.values, result.details
        if isinstance(hist.aht, pd.Series):
            aht_plan = fc.forecast_aht(hist.aht, index, weight=hist.weight, calendar=calendar)
        else:
            aht_plan = pd.Series(float(hist.aht), index=index, name="aht")

    with clock("requirement"):
        requirement = _requirement(forecast, aht_plan, queue, policy, interval)
        if risk is not None:
            requirement = _at_risk(requirement, details.dispersion, queue, policy, risk, interval)
        orders = None
        if work_orders is not None:
            requirement, orders = work_order_requirement(
                work_orders, requirement, queue, policy.shrinkage, interval=interval,
                calendar=calendar,
            )  # fmt: skip

    with clock("shifts"):
        schedule = schedule_shifts(
            requirement["required"],
            templates,
            interval=interval,
            floors=requirement["floor"],
            seat_cap=seat_cap,
            calendar=calendar,
            boundary="closed",
            time_limit=time_limit,
        )

    month_days = pd.Period(dates[0], freq="M").days_in_month
    need = headcount(schedule.shifts, rules, len(dates), month_days, team=team)
    if agents is None:
        agents = max(1, need.needed)
    with clock("roster"):
        if roster_from == "schedule":
            target = schedule.counts.reindex(dates, fill_value=0)
        else:
            target = np.maximum(requirement["required"], requirement["floor"])
        named = build_roster(
            target,
            templates,
            agents,
            rules=rules,
            interval=interval,
            leave=leave,
            calendar=calendar,
            month_days=month_days,
            time_limit=time_limit,
            meal_blocks=schedule.breaks if roster_from == "schedule" else None,
        )
        assignments, meals = named.assignments, named.breaks
        violations = check(
            assignments,
            rules,
            dates=dates,
            agents=list(named.totals.index) if len(named.totals) else None,
            leave=leave,
            month_days=month_days,
        )

    with clock("kpis"):
        coverage = roster_coverage(assignments, templates, index, interval, meals)
        coverage.insert(0, "required", requirement["required"])
        coverage.insert(1, "floor", requirement["floor"])
        coverage["on_phones"] = coverage["net"] * (1 - policy.shrinkage)
        if orders is not None:
            # the agents added for the work orders work them, not the phones
            added = orders.capacity["added"].to_numpy()
            coverage["on_phones"] = (coverage["on_phones"] - added).clip(lower=0)
        coverage["gap"] = coverage["net"] - np.maximum(coverage["required"], coverage["floor"])
        kpis = queue.kpis(
            requirement["volume"], requirement["aht"], coverage["on_phones"], interval=interval
        )
        if orders is not None:
            # the roster's time for the orders: idle time on the phones and the added agents
            # as far as the roster has them at work
            dedicated = coverage["net"] * (1 - policy.shrinkage) - coverage["on_phones"]
            built = work_orders_as_built(
                work_orders, coverage["on_phones"], kpis["occupancy"], dedicated,
                volume=requirement["volume"], interval=interval, calendar=calendar,
            )  # fmt: skip
            orders = replace(orders, as_built=built)

    sim_result = None
    simulation = pd.DataFrame()
    if replications:
        with clock("simulation"):
            if queue.chat is not None:
                simulation = queue.simulate_chat(
                    requirement["volume"],
                    requirement["aht"],
                    coverage["on_phones"],
                    interval=interval,
                    replications=replications,
                    seed=seed,
                )
            else:
                sim_result = _simulate(
                    forecast,
                    details.dispersion,
                    aht_plan,
                    assignments,
                    meals,
                    templates,
                    queue,
                    policy.shrinkage,
                    replications,
                    spread,
                    seed,
                    coverage["on_phones"],
                )
                simulation = _simulation_frame(sim_result)

    return Plan(
        history=hist.volume,
        history_report=hist.report,
        forecast=forecast,
        aht=aht_plan,
        requirement=requirement,
        schedule=schedule.shifts,
        roster=assignments,
        totals=named.totals,
        coverage=coverage,
        violations=violations,
        kpis=kpis,
        simulation=simulation,
        steps=clock.table(),
        targets=targets,
        policy=policy,
        patience=queue.patience,
        trunks=trunks,
        rules=rules,
        templates=templates,
        interval=interval,
        shift_schedule=schedule,
        named_roster=named,
        simulation_result=sim_result,
        forecast_details=details,
        headcount=need,
        redials=redials,
        chat=chat,
        queue_model=queue.describe(),
        notes=tuple(n for n in (queue.simulation_note,) if n and replications),
        work_orders=orders,
    )


def _at_risk(requirement, dispersion, queue: QueueModel, policy: StaffingPolicy, risk, interval):
    """The requirement staffed so that every target holds with probability ``risk`` over the
    forecast's volume law; the staffing at the mean kept as ``required_at_mean``."""
    if dispersion is None:
        raise ValueError("risk needs the forecast's dispersion; this forecast has none")
    out = requirement.copy()
    volume, aht = out["volume"], out["aht"]
    kw = {"dispersion": float(dispersion), "probability": float(risk), "interval": interval}
    out.insert(out.columns.get_loc("required") + 1, "required_at_mean", out["required"])
    out["productive"] = queue.agents_at_risk(volume, aht, **kw)
    out["required"] = _grossed_up(out["productive"], policy.shrinkage)
    return out


def _requirement(forecast, aht, queue: QueueModel, policy: StaffingPolicy, interval: int):
    volume = forecast["mean"].astype(float)
    out = pd.DataFrame({"volume": volume, "aht": aht.astype(float)})
    out["productive"] = queue.agents(volume, aht, interval=interval)
    out["required"] = _grossed_up(out["productive"], policy.shrinkage)
    out["floor"] = policy.floors(out.index)
    for col in forecast.columns:
        if col.startswith("q"):
            out[f"required_{col}"] = queue.agents(
                forecast[col].astype(float), aht, interval=interval, shrinkage=policy.shrinkage
            )
    return out


def _grossed_up(productive: pd.Series, shrinkage: float) -> pd.Series:
    """Agents to schedule for ``productive`` agents on the phones: what
    :func:`erlang.required_agents` gives with ``shrinkage``, without searching again."""
    return ceil_scheduled(productive, shrinkage).astype(productive.dtype)


def _rate_quantiles(forecast: pd.DataFrame, dispersion: float | None) -> pd.DataFrame | None:
    """Quantiles of the Gamma rate behind the forecast's negative-binomial counts.

    Parameters
    ----------
    forecast : pandas.DataFrame
        ``mean`` and the quantile columns (``q0.1``...) per interval. [contacts]
    dispersion : float or None
        Negative-binomial dispersion ``φ`` of the counts (``Var = m + φ m²``), as in
        :attr:`forecast.ForecastDetails.dispersion`; None when unknown.

    Returns
    -------
    pandas.DataFrame or None
        The rate at each quantile level per interval (one column, the mean, when ``φ = 0``);
        None without quantile columns or dispersion.
    """
    levels = [c for c in forecast.columns if c.startswith("q")]
    phi = dispersion
    if not levels or phi is None:
        return None
    mean = forecast["mean"].to_numpy(float)
    if phi <= 0:
        return pd.DataFrame({c: mean for c in levels}, index=forecast.index).iloc[:, :1]
    q = np.array([float(c[1:]) for c in levels])
    values = np.zeros((len(mean), len(q)))
    busy = mean > 0
    values[busy] = stats.gamma.ppf(q[None, :], 1.0 / phi, scale=mean[busy, None] * phi)
    return pd.DataFrame(values, index=forecast.index, columns=levels)


def _simulate(
    forecast,
    dispersion,
    aht,
    assignments,
    meals,
    templates,
    queue,
    absence,
    replications,
    spread,
    seed,
    on_phones,
):
    rng = np.random.default_rng(seed)
    shifts = assignments[["agent", "start", "end", "break_start", "break_end"]]
    # meals after a shift's first (which rides on the shift row) go in as named breaks
    first = pd.MultiIndex.from_frame(shifts[["agent", "break_start"]])
    later = meals[~pd.MultiIndex.from_frame(meals[["agent", "start"]]).isin(first)]
    short = assignments["shift"].map({t.name: t.short_breaks for t in templates})
    volume = forecast["mean"]
    if spread:
        rates = _rate_quantiles(forecast, dispersion)
        if rates is not None and rates.shape[1] > 1:
            volume = rates
    # under Erlang C nobody hangs up, so there are no short abandons to leave out
    targets = queue.targets
    if queue.patience is None:
        targets = targets.without("short_abandon")
    if queue.redials is not None:
        # redials are simulated with agents per interval: the roster's agents on the phones
        # (net of meals, short breaks and shrinkage) as one pool, said in Plan.notes
        return simulate(
            volume,
            aht,
            agents=np.round(on_phones.to_numpy(float)).astype(int),
            targets=targets,
            patience=queue.mean_patience,
            trunks=queue.trunks,
            redials=queue.redials,
            warmup=3600.0,
            spread="day",
            replications=replications,
            seed=rng,
        )
    return simulate(
        volume,
        aht,
        shifts=shifts.reset_index(drop=True),
        breaks=later[["agent", "start", "end"]].reset_index(drop=True) if len(later) else None,
        short_breaks=short.to_numpy(float),
        absence=absence,
        targets=targets,
        patience=queue.patience,
        trunks=queue.trunks,
        warmup=3600.0,
        spread="day",
        replications=replications,
        seed=rng,
    )


def _simulation_frame(result: SimulationResult) -> pd.DataFrame:
    out = result.mean[["offered", *METRICS]].copy()
    for c in METRICS:
        out[f"{c}_hw"] = result.half_width[c]
    return out

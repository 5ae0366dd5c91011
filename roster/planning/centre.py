"""The end-to-end plan of a multi-skill centre: several queues in, a roster per agent group out.

:func:`plan_centre` chains the stages for a centre of several queues and agent groups
(:class:`erlang.skills.Centre`):

1. history: a long frame of contacts per queue (``unique_id``, ``ds``, ``y``);
2. one forecast per queue (:func:`forecast.forecast` on the long frame);
3. agents of each group on each shift and day meeting every queue's targets, by simulation and
   cutting planes over shifts (:func:`erlang.skills.staff_centre` with ``shifts``: the
   scheduling problem of Cezik & L'Ecuyer, 2008), shrinkage and breaks counted in each
   shift's share of an interval on the phones; these counts are each group's stage 1;
4. the team each group needs for its shifts under the monthly band (:func:`headcount`);
5. named agents of each group on its shifts (:func:`roster.build_roster`) and the rule check;
6. the service the rosters as built give: each group's named agents on their shifts, meals
   and short breaks, with the shrinkage drawn as shifts missed and each queue's day drawn
   from its forecast's spread in each replication, simulated with skill-based routing
   (:func:`roster.simulation.centre.simulate_rosters`).

Staffing by shifts rather than by intervals matters here: per interval, a mix of groups that
changes from one interval to the next costs nothing, and each group then needs shifts through
the night and for every peak of its own. On the bundled carrier sample a week planned by
intervals and then scheduled group by group took 6,840 paid hours (four stage-1 schedules);
by shifts it takes 4,672, against 4,120 for the same service planned as one team with every
skill (a bound no real centre reaches).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import forecast as fc
from erlang.skills import Centre, CentreSimulation, CentreStaffing, staff_centre
from roster.check import check
from roster.coverage import roster_coverage
from roster.people.build import Roster, build_roster
from roster.people.pricing import compile_pricing
from roster.planning.clock import Clock
from roster.planning.headcount import Headcount, headcount
from roster.planning.inputs import open_index, plan_horizon
from roster.planning.policy import StaffingPolicy
from roster.rules import Rules
from roster.shifts import ShiftTemplate
from roster.simulation.centre import simulate_rosters

__all__ = ["CENTRE_STEPS", "CentrePlan", "build_group_rosters", "plan_centre", "shift_table"]

#: The steps of :func:`plan_centre`, in order, as named to the ``progress`` callback.
CENTRE_STEPS = ("history", "forecast", "staffing", "shifts", "roster", "simulation")


@dataclass(frozen=True)
class CentrePlan:
    """A multi-skill centre's plan with every intermediate result.

    Attributes
    ----------
    centre : erlang.skills.Centre
    history : pandas.DataFrame
        Long frame ``unique_id`` (queue), ``ds``, ``y`` the forecasts were fitted on.
    forecast : pandas.DataFrame
        Long frame ``unique_id``, ``ds``, ``mean`` and the quantile columns. [contacts]
    staffing : erlang.skills.CentreStaffing
        Agents of each group on the phones per interval meeting every queue's targets at the
        mean forecast, the separate Erlang pools it is compared with, and its check by
        simulation.
    requirement : pandas.DataFrame
        Agents of each group to schedule per interval (``staffing`` grossed up for
        shrinkage), one column per group.
    schedules : dict of str to pandas.DataFrame
        Stage 1 of each group: ``date``, ``shift``, ``agents`` and ``paid_hours`` per agent.
    rosters : dict of str to Roster
        Stage 2 of each group.
    roster : pandas.DataFrame
        Every group's assignments, with a ``group`` column (the agent's skills are the group's).
    totals : pandas.DataFrame
        Per agent (``Roster.totals``), with ``group`` and ``skills``.
    coverage : pandas.DataFrame
        Long frame per group and interval: ``required``, ``at_work``, ``on_break``, ``net``,
        ``on_phones`` (net less shrinkage) and ``gap`` (net less required; negative is a
        shortfall). [agents, averaged over the interval]
    violations : pandas.DataFrame
        Labour-rule violations (:func:`roster.check`) with a ``group`` column.
    simulation : CentreSimulation or None
        The rosters as built (each group's agents on the phones, rounded to whole agents per
        interval) serving the mean forecast under the centre's routing.
    headcount : dict of str to Headcount
        Agents each group needs by its stage-1 schedule and the monthly band.
    steps : pandas.DataFrame
        Wall time of each step. [s]
    policy : StaffingPolicy
    rules : Rules
    templates : list of ShiftTemplate
    interval : int
        Interval length. [s]
    """

    centre: Centre
    history: pd.DataFrame
    forecast: pd.DataFrame
    staffing: CentreStaffing
    requirement: pd.DataFrame
    schedules: dict[str, pd.DataFrame]
    rosters: dict[str, Roster]
    roster: pd.DataFrame
    totals: pd.DataFrame
    coverage: pd.DataFrame
    violations: pd.DataFrame
    simulation: CentreSimulation | None
    headcount: dict[str, Headcount]
    steps: pd.DataFrame
    policy: StaffingPolicy
    rules: Rules
    templates: list = field(repr=False)
    interval: int = 1800

    def queues(self) -> pd.DataFrame:
        """Per queue: contacts forecast, its targets, and the service level, answer rate and
        abandonment of the rosters as built by simulation (mean and 95% half-width)."""
        contacts = self.forecast.groupby("unique_id")["mean"].sum()
        rows = []
        summary = None if self.simulation is None else self.simulation.summary()
        for queue in self.centre.queues:
            row = {
                "queue": queue.name,
                "contacts_forecast": float(contacts.get(queue.name, 0.0)),
                "target_service_level": _scalar(queue.targets.service_level),
                "threshold": _scalar(queue.targets.threshold),
            }
            if summary is not None:
                for metric in ("service_level", "answer_rate", "abandon_rate", "asa"):
                    s = summary.loc[(queue.name, metric)]
                    row[metric] = float(s["mean"])
                    row[f"{metric}_hw"] = float(s["half_width"])
            rows.append(row)
        return pd.DataFrame(rows).set_index("queue")

    def groups(self) -> pd.DataFrame:
        """Per group: skills, agents rostered and needed, required and rostered agent-hours,
        the shortfall, and hard violations."""
        hours = self.interval / 3600
        rows = []
        for group in self.centre.groups:
            cov = self.coverage[self.coverage["group"] == group.name]
            hard = self.violations
            hard = (
                hard[(hard["group"] == group.name) & (hard["severity"] == "hard")]
                if len(hard)
                else hard
            )
            need = self.headcount.get(group.name)
            rows.append(
                {
                    "group": group.name,
                    "skills": ", ".join(group.skills),
                    "agents": int((self.totals["group"] == group.name).sum())
                    if len(self.totals)
                    else 0,
                    "agents_needed": need.needed if need is not None else 0,
                    "required_agent_h": float(cov["required"].sum() * hours),
                    "net_agent_h": float(cov["net"].sum() * hours),
                    "shortfall_agent_h": float((-cov["gap"]).clip(lower=0).sum() * hours),
                    "violations_hard": len(hard),
                }
            )
        return pd.DataFrame(rows).set_index("group")

    def summary(self) -> pd.Series:
        """The plan's headline numbers, one per row."""
        days = pd.DatetimeIndex(self.forecast["ds"]).normalize()
        groups = self.groups()
        out = {
            "first_day": days.min().date().isoformat(),
            "last_day": days.max().date().isoformat(),
            "queues": len(self.centre.queues),
            "groups": len(self.centre.groups),
            "contacts_forecast": float(self.forecast["mean"].sum()),
            "agents": int(groups["agents"].sum()),
            "agents_needed": int(groups["agents_needed"].sum()),
            "agent_shifts": len(self.roster),
            "required_agent_h": float(groups["required_agent_h"].sum()),
            "net_agent_h": float(groups["net_agent_h"].sum()),
            "shortfall_agent_h": float(groups["shortfall_agent_h"].sum()),
            "pooling_saved": self.staffing.saved,
            "violations_hard": int(groups["violations_hard"].sum()),
        }
        return pd.Series(out, name="plan")


def plan_centre(
    history: pd.DataFrame,
    centre: Centre,
    *,
    month=None,
    days: int | None = None,
    agents: Mapping[str, int] | None = None,
    policy: StaffingPolicy | None = None,
    rules: Rules | None = None,
    templates: Sequence[ShiftTemplate] | None = None,
    calendar="CN",
    model="auto",
    quantiles=(0.1, 0.5, 0.9),
    replications: int = 10,
    seed: int | None = 0,
    time_limit: float = 600.0,
    workers: int = 2,
    progress: Callable[[str, int, int, float | None], None] | None = None,
) -> CentrePlan:
    """Plan a month of a multi-skill centre: forecasts, staffing by group, rosters, service.

    Parameters
    ----------
    history : pandas.DataFrame
        Long frame ``unique_id`` (a queue of ``centre``), ``ds``, ``y``: contacts per interval.
    centre : erlang.skills.Centre
        Queues (AHT, patience, targets, priority), agent groups and routing.
    month, days
        The days planned, as in :func:`roster.plan`.
    agents : mapping of str to int, optional
        Agents of each group; a group left out (or all, by default) gets the agents its month
        needs (:attr:`CentrePlan.headcount`).
    policy : StaffingPolicy, optional
        Shrinkage grossing up each group's staffing (its floors are not applied per group).
    rules, templates, calendar, model, quantiles
        As in :func:`roster.plan`.
    replications : int, default 10
        Replications of the simulation of the rosters as built; 0 skips it.
    seed : int, optional
        Seed of the staffing's simulation and of the final one.
    time_limit : float, default 600
        Ceiling on each rostering stage of each group (both are paced by work). [s]
    workers : {1, 2}
        Threads building the groups' rosters (:func:`build_group_rosters`): with 2, two
        groups at a time. The rosters are the same either way.
    progress : callable, optional
        Called as ``progress(step, number, total, seconds)`` as each step of
        :data:`CENTRE_STEPS` starts (``seconds`` None) and ends.

    Returns
    -------
    CentrePlan

    References
    ----------
    Cezik, M. T. and L'Ecuyer, P. (2008). Staffing multiskill call centers via linear
    programming and simulation. Management Science 54(2), 310-323.
    """
    from roster.planning.pipeline import default_templates

    if not isinstance(centre, Centre):
        raise TypeError(f"centre must be an erlang.skills.Centre, got {type(centre).__name__}")
    if not time_limit > 0:
        raise ValueError(f"time_limit={time_limit!r} must be positive")
    if workers not in (1, 2):
        raise ValueError(f"workers={workers!r} must be 1 or 2")
    policy = StaffingPolicy() if policy is None else policy
    rules = Rules() if rules is None else rules
    templates = default_templates() if templates is None else list(templates)
    unknown = sorted(set(agents or {}) - set(centre.group_names))
    if unknown:
        raise ValueError(f"agents names unknown groups {unknown}; groups: {centre.group_names}")
    calendar = fc.get_calendar(calendar)
    clock = Clock(progress, CENTRE_STEPS)

    with clock("history"):
        history = _long_history(history, centre)
        total = history.groupby("ds")["y"].sum()
        interval = fc.interval_length(total.index, name="history")
        dates = plan_horizon(month, days, total.index[-1])
        index = open_index(total, dates, interval)

    with clock("forecast"):
        result = fc.forecast(history, index, model=model, quantiles=quantiles, calendar=calendar)
        forecast = result.values.reset_index(drop="unique_id" in result.values.columns)
        volume = (
            forecast.pivot(index="ds", columns="unique_id", values="mean")
            .reindex(index=index, columns=centre.queue_names)
            .fillna(0.0)
        )

    keep = 1.0 - policy.shrinkage
    with clock("staffing"):
        table = shift_table(templates, dates, index, interval, keep)
        staffing = staff_centre(volume, centre, interval=interval, seed=seed, shifts=table)
        # agents to schedule per interval: those on the phones grossed up for shrinkage
        requirement = staffing.staffing.astype(float) / keep

    month_days = pd.Period(dates[0], freq="M").days_in_month
    paid = {t.name: t.paid_time / 3600.0 for t in templates}
    schedules, rosters, needs = {}, {}, {}
    with clock("shifts"):
        # the staffing by shifts is each group's stage 1: agents per shift and day
        for group in centre.group_names:
            x = staffing.shifts.loc[group]
            counts = x[x > 0].rename("agents").reset_index()
            counts["paid_hours"] = counts["shift"].map(paid)
            schedules[group] = counts
            needs[group] = headcount(
                counts,
                rules,
                len(dates),
                month_days,
                team=None if agents is None or group not in agents else int(agents[group]),
            )

    with clock("roster"):
        parts, totals, coverage, violations = [], [], [], []
        teams = {}
        for group in centre.groups:
            team = (agents or {}).get(group.name, needs[group.name].needed)
            if team > 0 and len(schedules[group.name]):
                teams[group.name] = int(team)
        built_all = build_group_rosters(
            {name: schedules[name][["date", "shift", "agents"]] for name in teams},
            teams,
            templates,
            rules=rules,
            interval=interval,
            calendar=calendar,
            month_days=month_days,
            time_limit=time_limit,
            workers=workers,
        )
        for group in centre.groups:
            name = group.name
            if name not in built_all:
                continue
            built = built_all[name]
            rosters[name] = built
            parts.append(built.assignments.assign(group=name))
            totals.append(built.totals.assign(group=name, skills=", ".join(group.skills)))
            bad = check(
                built.assignments,
                rules,
                dates=dates,
                agents=list(built.totals.index) if len(built.totals) else None,
                month_days=month_days,
            )
            violations.append(bad.assign(group=name))
            cov = roster_coverage(built.assignments, templates, index, interval, built.breaks)
            cov.insert(0, "required", requirement[name])
            cov["on_phones"] = cov["net"] * keep
            cov["gap"] = cov["net"] - cov["required"]
            coverage.append(cov.rename_axis("ds").reset_index().assign(group=name))
        roster = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        totals = pd.concat(totals) if totals else pd.DataFrame(columns=["group", "skills"])
        violations = (
            pd.concat(violations, ignore_index=True)
            if violations
            else pd.DataFrame(columns=["severity", "group"])
        )
        coverage = _every_group(coverage, centre, index, requirement)

    simulation = None
    if replications:
        with clock("simulation"):
            # the named agents of each group on their shifts, meals and short breaks, with
            # the plan's shrinkage drawn as whole shifts missed in each replication
            simulation = simulate_rosters(
                volume,
                centre,
                {name: (r.assignments, r.breaks) for name, r in rosters.items()},
                short_breaks={t.name: t.short_breaks for t in templates},
                absence=policy.shrinkage,
                dispersion={q: d.dispersion for q, d in result.details.items()},
                interval=interval,
                replications=replications,
                seed=None if seed is None else seed + 7,
            )

    return CentrePlan(
        centre=centre,
        history=history,
        forecast=forecast,
        staffing=staffing,
        requirement=requirement,
        schedules=schedules,
        rosters=rosters,
        roster=roster,
        totals=totals,
        coverage=coverage,
        violations=violations,
        simulation=simulation,
        headcount=needs,
        steps=clock.table(),
        policy=policy,
        rules=rules,
        templates=templates,
        interval=interval,
    )


def build_group_rosters(
    requirements: Mapping[str, pd.DataFrame],
    teams: Mapping[str, int],
    templates: Sequence[ShiftTemplate],
    *,
    workers: int = 2,
    **options,
) -> dict[str, Roster]:
    """One named roster per agent group (:func:`roster.build_roster`), two groups at a time.

    A group's agents are interchangeable, so its build prices one group of agents and gains
    little from threads of its own; two groups built side by side, each on one thread, keep
    both cores busy (the labelling and HiGHS release the GIL). The largest teams start first
    so that the last build to finish is a small one.

    Parameters
    ----------
    requirements : mapping of str to pandas.DataFrame
        Per group: agents per shift and day (``date``, ``shift``, ``agents``).
    teams : mapping of str to int
        Agents of each group (named ``{group}-001`` on).
    templates : sequence of ShiftTemplate
    workers : {1, 2}
        Groups built at once. Every build runs on one thread, so the rosters do not depend
        on ``workers`` (nor on which build finishes first).
    **options
        Passed to :func:`roster.build_roster` (``rules``, ``interval``, ``calendar``,
        ``month_days``, ``time_limit``, ...).

    Returns
    -------
    dict of str to Roster
        In the order of ``teams``.
    """
    if workers not in (1, 2):
        raise ValueError(f"workers={workers!r} must be 1 or 2")
    missing = sorted(set(teams) - set(requirements))
    if missing:
        raise ValueError(f"requirements has no group {missing}")

    def build(name):
        names = [f"{name}-{k + 1:03d}" for k in range(int(teams[name]))]
        return build_roster(requirements[name], templates, names, workers=1, **options)

    # the labelling kernels compiled (or loaded) once, before two builds could race to it
    compile_pricing()
    order = sorted(teams, key=lambda name: -int(teams[name]))
    with ThreadPoolExecutor(max_workers=workers) as threads:
        built = dict(zip(order, threads.map(build, order), strict=True))
    return {name: built[name] for name in teams}


def _long_history(history, centre) -> pd.DataFrame:
    """The history as a long frame of the centre's queues; one-line errors otherwise."""
    if not isinstance(history, pd.DataFrame) or not {"unique_id", "ds", "y"} <= set(
        history.columns
    ):
        raise ValueError("history must be a long frame with columns unique_id, ds, y")
    queues = set(map(str, history["unique_id"].unique()))
    unknown = sorted(queues - set(centre.queue_names))
    missing = sorted(set(centre.queue_names) - queues)
    problems = []
    if unknown:
        problems.append(f"queues {unknown} are not in the centre")
    if missing:
        problems.append(f"centre queues {missing} have no history")
    if problems:
        raise ValueError("history: " + "; ".join(problems))
    out = history[["unique_id", "ds", "y"]].copy()
    out["unique_id"] = out["unique_id"].astype(str)
    out["ds"] = pd.to_datetime(out["ds"])
    return out


def _every_group(coverage, centre, index, requirement) -> pd.DataFrame:
    """Coverage of every group, a group without a roster all zeros against its requirement."""
    have = {c["group"].iloc[0] for c in coverage}
    for name in centre.group_names:
        if name not in have:
            zero = pd.Series(0.0, index=index)
            coverage.append(
                pd.DataFrame(
                    {
                        "ds": index,
                        "required": requirement[name].to_numpy(),
                        "at_work": zero.to_numpy(),
                        "on_break": zero.to_numpy(),
                        "net": zero.to_numpy(),
                        "on_phones": zero.to_numpy(),
                        "gap": -requirement[name].to_numpy().astype(float),
                        "group": name,
                    }
                )
            )
    return pd.concat(coverage, ignore_index=True)


def shift_table(templates, dates, index, interval, keep) -> pd.DataFrame:
    """Per interval of the plan (rows) and shift (columns ``(date, shift)``: a template on a
    day): agents on the phones per agent scheduled on that shift (at work, less its meals and
    short breaks spread over the shift, less shrinkage ``1 - keep``), the ``shifts`` of
    :func:`erlang.skills.staff_centre`."""
    step = pd.Timedelta(seconds=interval)
    columns, blocks = [], []
    for template in templates:
        share = template.coverage(interval) * template.work_time / template.attendance * keep
        for day in dates:
            offset = np.asarray((index - day) // step)
            inside = (offset >= 0) & (offset < share.size)
            column = np.zeros(len(index))
            column[inside] = share[offset[inside]]
            if column.any():
                columns.append((day, template.name))
                blocks.append(column)
    columns = pd.MultiIndex.from_tuples(columns, names=["date", "shift"])
    return pd.DataFrame(np.column_stack(blocks), index=index, columns=columns)


def _scalar(value):
    return None if value is None else float(np.max(value))

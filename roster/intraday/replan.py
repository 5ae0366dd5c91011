"""The intraday re-plan: the rest of today's gap and the ranked moves that close it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import erlang
from forecast.interval import interval_length
from forecast.intraday import IntradayUpdate
from roster.intraday.actions import KINDS, Action, candidate_actions
from roster.intraday.floor import DayFloor, day_floor
from roster.intraday.gap import (
    RestOfDay,
    formula_gap,
    paired_gain,
    per_replication_sl,
    simulate_rest,
)
from roster.intraday.rules import EscalationRules, ladder_alarms
from roster.simulation import InitialState

__all__ = ["IntradayPlan", "replan"]

ACTION_COLUMNS = [
    "rank",
    "kind",
    "agent",
    "start",
    "end",
    "agent_hours",
    "sl_rest_gain",
    "sl_rest_gain_hw",
    "sl_day_gain",
    "gain_per_agent_hour",
    "confirmed",
    "allowed",
    "applied",
    "note",
]


@dataclass(frozen=True)
class IntradayPlan:
    """The re-plan of the rest of a day.

    Attributes
    ----------
    reforecast : pandas.DataFrame
        Per remaining interval: updated ``mean`` and quantiles, ``day_ahead`` and
        ``level_ratio`` (:meth:`forecast.IntradayUpdate.update`). [contacts]
    gap : pandas.DataFrame
        Per remaining interval, by formula: ``volume``, ``aht`` [s], ``required``,
        ``on_phones``, ``gap`` [agents]; by simulation from the live queue:
        ``service_level``, ``service_level_hw``, ``abandon_rate``, ``asa`` [s], ``waiting``
        [callers]; and ``service_level_after`` with the applied actions.
    actions : pandas.DataFrame
        The ranked moves (columns :data:`ACTION_COLUMNS`): ``sl_rest_gain`` is the simulated
        gain of the rest of the day's service level with its half-width ``sl_rest_gain_hw``
        (paired over replications: common random numbers), ``sl_day_gain`` the gain of the
        whole day's (the rest's gain times its share of the day's calls), ``confirmed``
        whether the confidence interval of the gain excludes 0 on the side claimed,
        ``allowed`` whether the escalation ladder opens the move (floaters at level 1, back
        office at level 2; every other move always), ``applied`` whether it is in the
        combined plan.
    alarms : pandas.DataFrame
        The escalation ladder on the live queue and the simulated rest of the day
        (:func:`roster.intraday.rules.ladder_alarms`).
    summary : pandas.Series
        ``now``, ``level`` (ladder level), ``sl_rest_before``, ``sl_rest_after`` (with the
        applied actions) and their half-widths, ``sl_day_share`` (share of the day's calls
        still to come), ``agents_absent``, ``agents_late``, ``actions_applied``.
    floor : DayFloor
        Today's floor after absences, lateness and pull-offs.
    floor_after : DayFloor
        The floor with the applied actions.
    moves : tuple of Action
        The moves of :attr:`actions`, in rank order (``moves[i].change(floor)`` makes move
        ``i``).
    rest : RestOfDay
        The rest of the day every scenario was simulated over (volume, AHT, live queue,
        seed).
    """

    reforecast: pd.DataFrame
    gap: pd.DataFrame
    actions: pd.DataFrame
    alarms: pd.DataFrame
    summary: pd.Series
    floor: DayFloor
    floor_after: DayFloor
    moves: tuple = ()
    rest: RestOfDay | None = None


def _roster_parts(roster):
    """Assignments, meals, templates, targets and patience from a Plan, Roster or frame."""
    if hasattr(roster, "named_roster") and hasattr(roster, "roster"):  # a Plan
        meals = roster.named_roster.breaks if roster.named_roster is not None else None
        return roster.roster, meals, roster.templates, roster.targets, roster.patience
    if hasattr(roster, "assignments"):  # a Roster
        return roster.assignments, roster.breaks, None, None, None
    if isinstance(roster, pd.DataFrame):
        return roster, None, None, None, None
    raise ValueError(
        f"roster: expected a Plan, a Roster or assignments, got {type(roster).__name__}"
    )


def replan(
    roster,
    forecast_day: pd.DataFrame,
    actuals: pd.Series,
    *,
    now=None,
    absences: pd.DataFrame | None = None,
    waiting=0,
    busy=0,
    aht=None,
    pulloffs: pd.DataFrame | None = None,
    reserve: pd.DataFrame | None = None,
    templates=None,
    update: IntradayUpdate | None = None,
    targets: erlang.Targets | None = None,
    patience="plan",
    rules: EscalationRules | None = None,
    replications: int = 20,
    seed: int = 0,
) -> IntradayPlan:
    """Re-plan the rest of today: re-forecast, staffing gap, escalation and ranked moves.

    Parameters
    ----------
    roster : Plan, Roster or pandas.DataFrame
        The published roster: a :class:`roster.Plan` (its assignments, meals, templates,
        targets and patience are used unless given here), a :class:`roster.Roster`, or its
        assignments (``agent``, ``start``, ``end``, optional ``shift``, ``break_start``,
        ``break_end``, ``short_breaks``).
    forecast_day : pandas.DataFrame
        Today's day-ahead forecast per interval: ``mean``, quantile columns and optionally
        ``aht`` [contacts; s]; a longer forecast is cut to the day of ``now``.
    actuals : pandas.Series
        Calls offered so far today per interval (``ds`` → count). [contacts]
    now : Timestamp, optional
        Time of the re-plan, floored to the interval grid (the interval under way is planned
        from its start). Default: the end of the last interval in ``actuals``.
    absences : pandas.DataFrame, optional
        Today's absences and late arrivals: ``agent``, ``status`` (``absent``/``late``),
        ``late_minutes``.
    waiting : int or array-like of float
        Callers waiting now: a count, or how long each has waited [s]. A count alone is
        taken as a queue that has lasted as long as the ladder asks.
    busy : int or array-like of float
        Agents on a call now: a count or their calls' remaining times. [s]
    aht : float or pandas.Series, optional
        Handle time per interval [s] when ``forecast_day`` has no ``aht`` column.
    pulloffs : pandas.DataFrame, optional
        Today's pull-offs (``agent``, ``start``, ``end``, ``activity``).
    reserve : pandas.DataFrame, optional
        Floaters (机动班) and back-office agents who can come to the phones: ``agent``,
        ``kind`` (``floater``/``back_office``), ``start``, ``end``.
    templates : sequence of ShiftTemplate, optional
        Shift templates (meal windows for moving meals).
    update : IntradayUpdate, optional
        A fitted re-forecast; default :meth:`forecast.IntradayUpdate.from_quantiles` of
        ``forecast_day``.
    targets : erlang.Targets, optional
        Service targets (default the plan's, else :meth:`erlang.Targets.hotline`).
    patience : float, None or "plan", default "plan"
        Mean caller patience, exponential [s]; None for callers who never hang up; "plan":
        the mean of the plan's patience when a Plan is given, else 60 s.
    rules : EscalationRules, optional
        The escalation ladder and the sizes of the moves.
    replications : int, default 20
        Simulation replications of every scenario.
    seed : int, default 0
        Seed of every scenario's simulation (common random numbers).

    Returns
    -------
    IntradayPlan

    Raises
    ------
    ValueError
        Unknown agents in absences or pull-offs, actuals in the future (after ``now``) or on
        intervals the forecast does not have, negative counts, ``now`` outside the day.

    Notes
    -----
    Every scenario is simulated from the same live queue with the same seed, so the
    callers (arrivals, handle times, patience) are the same in each and the gain of a move
    is a paired difference over replications (common random numbers [1]_). Candidates are
    ranked greedily by service-level gain per agent-hour of phone time they add (moves
    that add none are ranked by the hours they move); moves the ladder does not open yet
    come after those it does, and early leave (which gives time back) comes last. The
    combined plan takes, in rank order, up to ``rules.max_actions`` allowed moves with a
    confirmed gain, one per agent, and is simulated once more.

    References
    ----------
    .. [1] Law, A. M. (2015). Simulation Modeling and Analysis, 5th ed., McGraw-Hill,
       section 11.2 (common random numbers).
    """
    rules = EscalationRules() if rules is None else rules
    assignments, meals, plan_templates, plan_targets, plan_patience = _roster_parts(roster)
    plan_given = hasattr(roster, "named_roster")
    templates = plan_templates if templates is None else templates
    targets = targets or plan_targets or erlang.Targets.hotline()
    if isinstance(patience, str):
        if patience != "plan":
            raise ValueError(f"patience={patience!r}: give seconds, None or 'plan'")
        patience = _mean_patience(plan_patience) if plan_given else 60.0
    if not isinstance(forecast_day, pd.DataFrame) or "mean" not in forecast_day:
        raise ValueError("forecast_day: needs a DataFrame with a 'mean' column")
    if not isinstance(actuals, pd.Series):
        raise ValueError(f"actuals: expected a Series of counts, got {type(actuals).__name__}")
    step_s = interval_length(pd.DatetimeIndex(forecast_day.index), name="forecast_day", grid=False)
    step = pd.Timedelta(seconds=step_s)
    if now is None:
        if not len(actuals):
            raise ValueError("now: give the time of the re-plan when there are no actuals yet")
        now = pd.DatetimeIndex(actuals.index).max() + step
    now = pd.Timestamp(now)
    day = now.normalize()
    if now == day and len(actuals) and pd.DatetimeIndex(actuals.index).min() < day:
        day = day - pd.Timedelta(days=1)  # midnight closes the day before
    index = pd.DatetimeIndex(forecast_day.index)
    today = forecast_day[(index >= day) & (index < day + pd.Timedelta(days=1))]
    if not len(today):
        raise ValueError(f"now={now} is outside the forecast's days ({index[0]} to {index[-1]})")
    grid_now = today.index[0] + ((now - today.index[0]) // step) * step
    if grid_now > today.index[-1]:
        raise ValueError(f"now={now} is after the day's last interval {today.index[-1]}")
    now = max(grid_now, today.index[0])
    update = IntradayUpdate.from_quantiles(today) if update is None else update
    reforecast = update.update(today.drop(columns=["aht"], errors="ignore"), actuals, now)
    rest_index = reforecast.index
    if "aht" in today:
        aht_rest = today["aht"].reindex(rest_index).astype(float)
    elif isinstance(aht, pd.Series):
        aht_rest = aht.reindex(rest_index).astype(float)
        if aht_rest.isna().any():
            raise ValueError("aht: no value for some remaining intervals of the day")
    elif aht is not None:
        aht_rest = pd.Series(float(aht), index=rest_index)
    else:
        raise ValueError("aht: give aht when forecast_day has no aht column")
    quantile_cols = [c for c in reforecast.columns if str(c).startswith("q")]
    volume = reforecast[quantile_cols] if len(quantile_cols) >= 2 else reforecast["mean"]
    initial = InitialState(waiting=waiting, busy=busy)
    rest = RestOfDay(
        volume,
        reforecast["mean"],
        aht_rest,
        targets,
        patience,
        initial,
        int(replications),
        int(seed),
    )

    floor = day_floor(assignments, day, absences=absences, meals=meals, pulloffs=pulloffs)
    gap = formula_gap(floor, rest, step_s)
    simulated, base = simulate_rest(floor, rest, step_s)
    live_for = (
        float(np.max(initial.waited()))
        if np.ndim(waiting) and np.size(waiting)
        else max(rules.floaters_for, rules.back_office_for)
    )
    alarms = ladder_alarms(rules, initial.waited().size, live_for, simulated["waiting"], step_s)
    level = int(alarms["level"].max()) if len(alarms) else 0

    candidates = candidate_actions(
        floor,
        gap["gap"],
        now,
        step_s,
        rules,
        reserve=reserve,
        templates=templates,
        required=gap["required"],
    )
    so_far = float(actuals.sum())
    share = float(reforecast["mean"].sum()) / max(so_far + float(reforecast["mean"].sum()), 1e-12)
    rows = []
    for order, action in enumerate(candidates):
        result = rest.simulate(action.change(floor))
        gain, half = paired_gain(result, base)
        hours = abs(action.agent_hours)
        improving = action.kind != "early_leave"
        rows.append(
            {
                "kind": action.kind,
                "agent": action.agent,
                "start": action.start,
                "end": action.end,
                "agent_hours": action.agent_hours,
                "sl_rest_gain": gain,
                "sl_rest_gain_hw": half,
                "sl_day_gain": gain * share,
                "gain_per_agent_hour": gain / hours if hours > 0 else np.nan,
                "confirmed": bool(gain - half > 0) if improving else bool(gain + half < 0),
                "allowed": level >= KINDS[action.kind],
                "applied": False,
                "note": action.note,
                "_order": order,
                "_improving": improving,
            }
        )
    table = pd.DataFrame(rows, columns=[*ACTION_COLUMNS[1:], "_order", "_improving"])
    if len(table):
        table = table.sort_values(
            ["_improving", "allowed", "gain_per_agent_hour", "_order"],
            ascending=[False, False, False, True],
            kind="stable",
            na_position="last",
        ).reset_index(drop=True)
    chosen: list[Action] = []
    agents = set()
    for i, row in table.iterrows():
        if len(chosen) >= int(rules.max_actions):
            break
        if (
            row["_improving"]
            and row["allowed"]
            and row["confirmed"]
            and row["agent"] not in agents
        ):
            chosen.append(candidates[int(row["_order"])])
            agents.add(row["agent"])
            table.loc[i, "applied"] = True
    after_floor = floor
    for action in chosen:
        after_floor = action.change(after_floor)
    after = rest.simulate(after_floor) if chosen else base
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    moves = tuple(candidates[int(i)] for i in table["_order"])
    table = table.drop(columns=["_order", "_improving"])

    gap = gap.join(simulated)
    gap["service_level_after"] = after.mean["service_level"].to_numpy(float)
    before_sl, after_sl = per_replication_sl(base), per_replication_sl(after)
    whole = paired_gain(after, base)
    summary = pd.Series(
        {
            "now": now,
            "level": level,
            "sl_rest_before": float(before_sl.mean()),
            "sl_rest_after": float(after_sl.mean()),
            "sl_rest_gain": whole[0],
            "sl_rest_gain_hw": whole[1],
            "sl_day_share": share,
            "agents_absent": _count_status(absences, "absent"),
            "agents_late": _count_status(absences, "late"),
            "actions_applied": len(chosen),
        }
    )
    return IntradayPlan(reforecast, gap, table, alarms, summary, floor, after_floor, moves, rest)


def _mean_patience(patience):
    """A plan's patience as a mean [s]: a number, a law's mean, or None (never hang up)."""
    if patience is None or isinstance(patience, int | float):
        return patience
    mean = getattr(patience, "mean", None)
    return float(mean() if callable(mean) else mean) if mean is not None else 60.0


def _count_status(absences, status: str) -> int:
    if absences is None or not len(absences):
        return 0
    return int((absences["status"].astype(str).str.strip().str.lower() == status).sum())

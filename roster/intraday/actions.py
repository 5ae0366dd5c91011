"""Intraday moves and their effect on the service, confirmed by simulation.

Each candidate changes the day's floor (:class:`roster.intraday.floor.DayFloor`): a floater
called in, a back-office agent's turn on the phones, a pull-off moved or cancelled, a meal
shifted within its window, overtime, or early leave when the floor is overstaffed. The
formula's gap picks the most promising candidates of each kind; each is then simulated with
the same seed as the floor as it stands (common random numbers), so the service-level gain
is a paired difference whose confidence interval is narrow even when the gain is small.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from roster.intraday.floor import DEFAULT_SHORT_BREAKS, DayFloor
from roster.intraday.rules import EscalationRules
from roster.pulloffs import place_pulloffs

__all__ = ["Action", "candidate_actions"]

#: Kinds of action, in the order candidates are listed, with the ladder level they need.
KINDS = {
    "floater": 1,
    "back_office": 2,
    "cancel_pulloff": 0,
    "move_pulloff": 0,
    "shift_break": 0,
    "overtime": 0,
    "early_leave": 0,
}


@dataclass(frozen=True)
class Action:
    """One intraday move.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    agent : str
        Who moves.
    start, end : pandas.Timestamp
        The time it concerns: the phone time added (floater, back office, overtime, a
        pull-off cancelled), the new place of a moved pull-off or meal, the time given back
        (early leave).
    agent_hours : float
        Phone time the move adds (negative for early leave; the time moved for a move). [h]
    score : float
        Agent-intervals of the formula's shortfall it fills (of its surplus, for early leave).
    note : str
        What changes, in words.
    change : callable
        ``change(floor)`` is ``floor`` with the move made (any floor holding the same agent's
        shift, so that moves combine).
    """

    kind: str
    agent: str
    start: pd.Timestamp
    end: pd.Timestamp
    agent_hours: float
    score: float
    note: str
    change: Callable[[DayFloor], DayFloor] = dataclasses.field(repr=False)


def _cover(gap: pd.Series, start, end, interval: int, sign: float = -1.0) -> float:
    """Agent-intervals of shortfall (``sign=-1``) or surplus (``+1``) one agent on the phones
    over [start, end) meets, weighted by the share of each interval covered."""
    lo = gap.index
    hi = lo + pd.Timedelta(seconds=interval)
    share = (np.minimum(hi, end) - np.maximum(lo, start)) / pd.Timedelta(seconds=interval)
    share = np.clip(np.asarray(share, dtype=float), 0.0, 1.0)
    need = np.clip(sign * gap.to_numpy(float), 0.0, 1.0)
    return float((share * need).sum())


def _edit_shift(floor: DayFloor, agent, start0, *, end=None, meal=None) -> DayFloor:
    """The shift of ``agent`` starting at ``start0`` with a new ``end`` and/or meal
    (``meal=(start, end)``; ``(NaT, NaT)`` drops it); at an early end, the agent's breaks
    after it go and those across it end there."""
    shifts = floor.shifts.copy()
    row = (shifts["agent"] == agent) & (shifts["start"] == start0)
    breaks = floor.breaks
    if end is not None:
        shifts.loc[row, "end"] = end
        late_meal = row & shifts["break_end"].gt(end)
        shifts.loc[late_meal, ["break_start", "break_end"]] = pd.NaT
        mine = breaks["agent"] == agent
        breaks = breaks[~(mine & (breaks["start"] >= end))]
        mine = breaks["agent"] == agent
        breaks = breaks.assign(end=breaks["end"].where(~mine, np.minimum(breaks["end"], end)))
    if meal is not None:
        shifts.loc[row, "break_start"] = meal[0]
        shifts.loc[row, "break_end"] = meal[1]
    return dataclasses.replace(floor, shifts=shifts, breaks=breaks.reset_index(drop=True))


def _edit_pulloff(floor: DayFloor, agent, start0, *, start=None, end=None) -> DayFloor:
    """The pull-off of ``agent`` starting at ``start0`` moved to [start, end), cut to end at
    ``end`` (``start=None``), or cancelled (both None)."""
    breaks = floor.breaks.copy()
    row = (breaks["agent"] == agent) & (breaks["start"] == start0) & (breaks["kind"] == "pulloff")
    if start is None and end is None:
        breaks = breaks[~row]
    else:
        if start is not None:
            breaks.loc[row, "start"] = start
        breaks.loc[row, "end"] = end
    return dataclasses.replace(floor, breaks=breaks.reset_index(drop=True))


def _add_shift(floor: DayFloor, agent, start, end, source, short_breaks) -> DayFloor:
    row = pd.DataFrame(
        {
            "agent": [agent],
            "shift": [source],
            "start": [start],
            "end": [end],
            "break_start": [pd.NaT],
            "break_end": [pd.NaT],
            "short_breaks": [short_breaks],
            "source": [source],
        }
    )
    shifts = pd.concat([floor.shifts, row], ignore_index=True)
    return dataclasses.replace(floor, shifts=shifts)


def candidate_actions(
    floor: DayFloor,
    gap: pd.Series,
    now: pd.Timestamp,
    interval: int,
    rules: EscalationRules,
    *,
    reserve: pd.DataFrame | None = None,
    templates=None,
    required: pd.Series | None = None,
) -> list[Action]:
    """The candidates of every kind, at most ``rules.max_candidates`` each, best first.

    Parameters
    ----------
    floor : DayFloor
        The floor as it stands.
    gap : pandas.Series
        Formula gap per remaining interval (on the phones less required). [agents]
    now : pandas.Timestamp
        Start of the first remaining interval.
    interval : int
        Interval length. [s]
    rules : EscalationRules
    reserve : pandas.DataFrame, optional
        Agents who can be called to the phones: ``agent``, ``kind`` (``floater`` or
        ``back_office``), ``start``, ``end`` (when they are available today).
    templates : sequence of ShiftTemplate, optional
        Shift templates, whose meal rules bound where a meal may move.
    required : pandas.Series, optional
        Agents required per remaining interval (for moving pull-offs; default from ``gap``
        and the floor).

    Returns
    -------
    list of Action
        Candidates of each kind in :data:`KINDS` order, each kind sorted by ``score``
        (ties by agent and time), so that the list is the same for the same inputs.
    """
    day_end = floor.day + pd.Timedelta(days=1)
    end_of_day = min(day_end, gap.index[-1] + pd.Timedelta(seconds=interval))
    out: dict[str, list[Action]] = {k: [] for k in KINDS}
    if reserve is not None and len(reserve):
        on_floor = set(floor.shifts["agent"])
        for row in reserve.itertuples(index=False):
            if row.agent in on_floor:
                continue
            earliest = now + pd.Timedelta(
                seconds=rules.floater_lead if row.kind == "floater" else 0
            )
            start = max(pd.Timestamp(row.start), earliest)
            end = min(pd.Timestamp(row.end), end_of_day)
            source = "floater" if row.kind == "floater" else "back_office"
            length = rules.floater_block if source == "floater" else rules.back_office_block
            block = pd.Timedelta(seconds=length)
            if end <= start:
                continue
            if end - start > block:
                # the turn on the phones where it fills most of the shortfall, earliest on ties
                starts = gap.index[(gap.index >= start) & (gap.index + block <= end)]
                if len(starts):
                    scores = [_cover(gap, s, s + block, interval) for s in starts]
                    start = starts[int(np.argmax(scores))]
                end = start + block
            score = _cover(gap, start, end, interval)
            hours = (end - start) / pd.Timedelta(hours=1)
            new = partial(
                _add_shift,
                agent=row.agent,
                start=start,
                end=end,
                source=source,
                short_breaks=DEFAULT_SHORT_BREAKS,
            )
            note = f"{source} {row.agent} on the phones {start:%H:%M}-{end:%H:%M}"
            out[source].append(Action(source, row.agent, start, end, hours, score, note, new))

    breaks = floor.breaks
    pulls = breaks[(breaks["kind"] == "pulloff") & (breaks["end"] > now)]
    for _, row in pulls.iterrows():
        start, end = max(row["start"], now), row["end"]
        hours = (end - start) / pd.Timedelta(hours=1)
        score = _cover(gap, start, end, interval)
        # under way: it ends now; not started: it goes
        cut = {"start": None, "end": now if row["start"] < now else None}
        cancel = partial(_edit_pulloff, agent=row["agent"], start0=row["start"], **cut)
        cancelled = cancel(floor)
        note = f"cancel {row['activity']} of {row['agent']} ({start:%H:%M}-{end:%H:%M})"
        out["cancel_pulloff"].append(
            Action("cancel_pulloff", row["agent"], start, end, hours, score, note, cancel)
        )
        if row["start"] >= now:
            moved = _move_pulloff(floor, row, gap, cancelled, now, interval, rules, required)
            if moved is not None:
                out["move_pulloff"].append(moved)

    out["shift_break"] = _break_moves(floor, gap, now, interval, rules, templates)

    shifts = floor.shifts
    block = pd.Timedelta(seconds=rules.overtime_block)
    for _, row in shifts.iterrows():
        if now <= row["end"] < end_of_day:
            end = min(row["end"] + block, end_of_day)
            score = _cover(gap, row["end"], end, interval)
            if score <= 0:
                continue
            hours = (end - row["end"]) / pd.Timedelta(hours=1)
            note = f"overtime {row['agent']} to {end:%H:%M}"
            new = partial(_edit_shift, agent=row["agent"], start0=row["start"], end=end)
            out["overtime"].append(
                Action("overtime", row["agent"], row["end"], end, hours, score, note, new)
            )
    block = pd.Timedelta(seconds=rules.early_leave_block)
    for _, row in shifts.iterrows():
        leave = row["end"] - block
        if leave < now or leave <= row["start"]:
            continue
        span = (gap.index >= leave.floor(f"{interval}s")) & (gap.index < row["end"])
        # only where one agent fewer still meets the formula in every interval given back
        if not span.any() or (gap[span] < 1.0).any():
            continue
        score = _cover(gap, leave, row["end"], interval, sign=1.0)
        new = partial(_edit_shift, agent=row["agent"], start0=row["start"], end=leave)
        hours = -(block / pd.Timedelta(hours=1))
        note = f"early leave {row['agent']} at {leave:%H:%M}"
        out["early_leave"].append(
            Action("early_leave", row["agent"], leave, row["end"], hours, score, note, new)
        )

    chosen = []
    for kind in KINDS:
        ranked = sorted(out[kind], key=lambda a: (-a.score, str(a.agent), a.start))
        chosen += ranked[: int(rules.max_candidates)]
    return chosen


def _move_pulloff(floor, row, gap, cancelled, now, interval, rules, required):
    """The pull-off moved by the project's rule (:func:`roster.place_pulloffs`): to the start
    in the rest of the agent's shift that leaves the most agents to spare, never into an
    interval where net coverage would fall below requirement."""
    on = cancelled.on_phones(gap.index, interval)
    if required is None:
        need = floor.on_phones(gap.index, interval) - gap.to_numpy(float)
    else:
        need = required.to_numpy(float)
    coverage = pd.DataFrame({"required": need, "net": on}, index=gap.index)
    mine = floor.shifts[floor.shifts["agent"] == row["agent"]]
    duration = int((row["end"] - row["start"]).total_seconds())
    request = pd.DataFrame(
        {
            "activity": [row["activity"]],
            "duration": [duration],
            "earliest": [now],
            "latest": [mine["end"].max() - pd.Timedelta(seconds=duration)],
            "agent": [row["agent"]],
        }
    )
    plan = place_pulloffs(
        coverage,
        request,
        assignments=mine[["agent", "start", "end", "break_start", "break_end"]],
        margin=rules.pulloff_margin,
        interval=interval,
    )
    if not len(plan.placed):
        return None
    placed = plan.placed.iloc[0]
    start, end = placed["start"], placed["end"]
    if start == row["start"]:
        return None
    hours = duration / 3600.0
    score = _cover(gap, row["start"], row["end"], interval) - _cover(gap, start, end, interval)
    note = f"move {row['activity']} of {row['agent']} from {row['start']:%H:%M} to {start:%H:%M}"
    new = partial(_edit_pulloff, agent=row["agent"], start0=row["start"], start=start, end=end)
    return Action("move_pulloff", row["agent"], start, end, hours, score, note, new)


def _break_moves(floor, gap, now, interval, rules, templates) -> list[Action]:
    """Meals not yet started that fall where the formula is short, moved (on the interval
    grid, within their window) to where they cost least."""
    windows = {}
    for t in templates or ():
        if t.breaks:
            windows[t.name] = (t.breaks[0].earliest, t.breaks[0].latest)
    step = pd.Timedelta(seconds=interval)
    moves = []
    shifts = floor.shifts
    for _, row in shifts.iterrows():
        b0, b1 = row["break_start"], row["break_end"]
        if pd.isna(b0) or b0 < now:
            continue
        length = b1 - b0
        here = _cover(gap, b0, b1, interval)
        if here <= 0:
            continue
        if row["shift"] in windows:
            lo = row["start"] + pd.Timedelta(seconds=windows[row["shift"]][0])
            hi = row["start"] + pd.Timedelta(seconds=windows[row["shift"]][1])
        else:
            lo = b0 - pd.Timedelta(seconds=rules.break_shift)
            hi = b0 + pd.Timedelta(seconds=rules.break_shift)
        lo = max(lo, now, row["start"])
        hi = min(hi, row["end"] - length)
        options = [lo + k * step for k in range(int((hi - lo) / step) + 1) if lo + k * step != b0]
        if not options:
            continue
        costs = [_cover(gap, s, s + length, interval) for s in options]
        best = int(np.argmin(costs))
        if costs[best] >= here:
            continue
        start = options[best]
        meal = (start, start + length)
        note = f"meal of {row['agent']} from {b0:%H:%M} to {start:%H:%M}"
        hours = length / pd.Timedelta(hours=1)
        new = partial(_edit_shift, agent=row["agent"], start0=row["start"], meal=meal)
        gain = here - costs[best]
        moves.append(
            Action("shift_break", row["agent"], start, start + length, hours, gain, note, new)
        )
    return moves

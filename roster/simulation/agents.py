"""Who is on the floor when: staffing levels and shift assignments as agent availability.

The simulation (:mod:`roster.simulation`) serves calls with agents who are available over
windows of time. This module builds those windows, in seconds from the start of the first
interval, from the three ways a plan reaches it:

* a staffing level per interval (agents numbered by seniority on the floor, or a step
  function capping calls in service);
* named shift assignments, one row per agent and shift, with breaks in a separate frame or in
  ``break_start``/``break_end`` columns (the form of :class:`roster.people.Roster`
  ``assignments``);
* counted shifts, one row per shift with an ``agents`` count, and counted break blocks
  (the form of :class:`roster.seats.ShiftSchedule` ``shifts`` and ``breaks``).

Short breaks given as seconds per working hour are placed here as timed blocks
(:func:`short_break_blocks`), and attendance losses (:class:`Absence`) are drawn here per
replication: whole shifts missed, late arrivals and early leaves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Absence",
    "Floor",
    "level_windows",
    "shift_floor",
    "short_break_blocks",
    "staffing_steps",
]


def staffing_steps(starts, length, level):
    """Agents on as a step function: the interval levels, zero in gaps, the last level kept.

    Parameters
    ----------
    starts : ndarray of float
        Interval starts, increasing. [s]
    length : float
        Interval length. [s]
    level : ndarray of int
        Agents on per interval.

    Returns
    -------
    step_time : ndarray of float
        Times at which the level changes (the first is the first interval start). [s]
    step_value : ndarray of int
        Level from each step time on.
    """
    ends = starts + length
    gap = np.append(starts[1:] > ends[:-1], False)
    times = np.concatenate([starts, ends[gap]])
    values = np.concatenate([level, np.zeros(int(gap.sum()), np.int64)])
    order = np.argsort(times, kind="stable")
    return times[order], values[order]


def level_windows(starts, length, level):
    """Availability windows of agents numbered by seniority on the floor.

    Agent ``i`` is on in the intervals whose level exceeds ``i``, so a rise brings in the
    highest numbers and a drop sends them off first. Windows of adjacent intervals join; the
    agents on in the first interval have been on since before it (a warm-up), and those on in
    the last interval stay on after it.

    Returns
    -------
    offset, window_start, window_end, break_after : ndarray
        Agent ``i`` owns windows ``offset[i]:offset[i + 1]``. [s] No gap is a break.
    """
    n_agents = int(level.max()) if level.size else 0
    on = level[None, :] > np.arange(n_agents)[:, None]
    ends = starts + length
    ends[-1] = np.inf
    joined = np.append(starts[1:] == ends[:-1], False)  # interval k runs into k + 1
    prev_on = np.zeros_like(on)
    prev_on[:, 1:] = on[:, :-1] & joined[None, :-1]
    next_on = np.zeros_like(on)
    next_on[:, :-1] = on[:, 1:] & joined[None, :-1]
    begins = starts.astype(float)
    begins[0] = -np.inf
    agent, first = np.nonzero(on & ~prev_on)
    _, last = np.nonzero(on & ~next_on)
    offset = np.concatenate([[0], np.cumsum(np.bincount(agent, minlength=n_agents))])
    return offset.astype(np.int64), begins[first], ends[last], np.zeros(first.size, bool)


@dataclass(frozen=True)
class InitialState:
    """The queue at the start of a simulation that begins in the middle of a day ("now").

    Parameters
    ----------
    waiting : int or array-like of float, default 0
        Callers waiting now: a count (all just arrived) or how long each has already waited,
        in any order (they are served longest waiting first). [s]
    busy : int or array-like of float, default 0
        Agents on a call now: a count (the remaining handle time is drawn: exponential with
        the first interval's AHT, or, with ``handle_times``, the equilibrium residual of the
        sample) or the remaining handle time of each call. [s]
    """

    waiting: object = 0
    busy: object = 0

    def __post_init__(self):
        for name in ("waiting", "busy"):
            value = getattr(self, name)
            if np.ndim(value) == 0:
                if isinstance(value, bool) or not float(value).is_integer() or value < 0:
                    raise ValueError(f"initial {name} must be a count >= 0, got {value!r}")
            else:
                arr = np.asarray(value, dtype=float).ravel()
                if arr.size and not (np.all(np.isfinite(arr)) and arr.min() >= 0):
                    raise ValueError(f"initial {name} must be finite seconds >= 0, got {value!r}")

    @property
    def empty(self) -> bool:
        """Nobody waiting and no agent busy."""
        return all(
            (np.ndim(v) == 0 and int(v) == 0) or (np.ndim(v) > 0 and np.size(v) == 0)
            for v in (self.waiting, self.busy)
        )

    def waited(self) -> np.ndarray:
        """Time each waiting caller has waited, longest first. [s]"""
        if np.ndim(self.waiting) == 0:
            return np.zeros(int(self.waiting))
        return np.sort(np.asarray(self.waiting, dtype=float).ravel())[::-1]

    def remaining(self, rng, aht, sample) -> np.ndarray:
        """Remaining handle time of each call in progress. [s]"""
        if np.ndim(self.busy) > 0:
            return np.asarray(self.busy, dtype=float).ravel()
        n = int(self.busy)
        if sample is None:
            return rng.exponential(aht, n)
        # Equilibrium residual: a call in progress is length-biased, and uniformly advanced.
        picked = rng.choice(sample, size=n, p=sample / sample.sum())
        scale = 1.0 if aht is None else aht / sample.mean()
        return picked * scale * rng.random(n)


@dataclass(frozen=True)
class Absence:
    """Attendance losses drawn afresh in every replication, shift by shift.

    Each shift row (each agent of a counted row) is missed entirely with probability
    ``shift``; a shift that is worked starts late with probability ``late``, by an exponential
    delay of mean ``late_time``, and ends early with probability ``early``, by an exponential
    time of mean ``early_time``; a shift whose lateness and early leave together exceed its
    length is missed. Breaks stay where they were scheduled. All defaults are off.

    Parameters
    ----------
    shift : float, default 0
        Probability that a shift is not worked at all (sickness, leave on the day).
    late : float, default 0
        Probability that a worked shift starts late.
    late_time : float, default 900
        Mean lateness. [s]
    early : float, default 0
        Probability that a worked shift ends early.
    early_time : float, default 1800
        Mean time left early. [s]
    """

    shift: float = 0.0
    late: float = 0.0
    late_time: float = 900.0
    early: float = 0.0
    early_time: float = 1800.0

    def __post_init__(self):
        for name in ("shift", "late", "early"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0 <= value < 1):
                raise ValueError(f"absence {name} must be a probability in [0, 1), got {value!r}")
        for name in ("late_time", "early_time"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0 < value < np.inf):
                raise ValueError(f"absence {name} must be finite seconds > 0, got {value!r}")

    @property
    def active(self) -> bool:
        """Whether any loss is drawn."""
        return self.shift > 0 or self.late > 0 or self.early > 0

    def expected_loss(self, length):
        """Expected share of a shift of ``length`` seconds that is not worked.

        Late and early times are exponential and independent; the share is exact, including
        the shifts lost because the two together exceed the length. [-]
        """
        length = np.asarray(length, float)
        # E[min(X + Y, L)] for X ~ late·Exp(a), Y ~ early·Exp(b) (zero when not drawn).
        both = _mean_capped_sum(self.late_time, self.early_time, length)
        only_late = self.late_time * -np.expm1(-length / self.late_time)
        only_early = self.early_time * -np.expm1(-length / self.early_time)
        lost = (
            self.late * self.early * both
            + self.late * (1 - self.early) * only_late
            + (1 - self.late) * self.early * only_early
        )
        return self.shift + (1 - self.shift) * lost / length

    def draw(self, rng, start, end):
        """Worked start and end of each shift (``nan`` for a shift missed). [s]"""
        n = start.size
        start, end = start.astype(float), end.astype(float)
        missed = rng.random(n) < self.shift
        late = np.where(rng.random(n) < self.late, rng.exponential(self.late_time, n), 0.0)
        early = np.where(rng.random(n) < self.early, rng.exponential(self.early_time, n), 0.0)
        start = start + late
        end = end - early
        missed |= start >= end
        return np.where(missed, np.nan, start), np.where(missed, np.nan, end)


def _mean_capped_sum(a, b, length):
    """``E[min(X + Y, L)]`` for independent exponentials of means ``a`` and ``b``. [s]"""
    # E[min(S, L)] = integral_0^L P(S > s) ds, with the hypoexponential survival function.
    if np.isclose(a, b):
        # S ~ Gamma(2, a): P(S > s) = (1 + s/a) e^{-s/a}.
        return 2 * a - (2 * a + length) * np.exp(-length / a)
    tail_a = a * a * -np.expm1(-length / a)
    tail_b = b * b * -np.expm1(-length / b)
    return (tail_a - tail_b) / (a - b)


@dataclass(frozen=True)
class Floor:
    """Shift rows and breaks of a roster, in seconds from the first interval start.

    Built once by :func:`shift_floor`; :meth:`windows` turns it into availability windows,
    optionally with the shifts' worked start and end changed by an :class:`Absence` draw.

    Attributes
    ----------
    agent : ndarray of int
        Agent number of each shift row (a counted row is expanded into one row per agent).
    start, end : ndarray of float
        Scheduled start and end of each row. [s]
    cuts : list of list of (float, float)
        Each agent's breaks, merged and sorted. [s]
    """

    agent: np.ndarray
    start: np.ndarray
    end: np.ndarray
    cuts: list

    @property
    def n_agents(self) -> int:
        return len(self.cuts)

    def windows(self, start=None, end=None):
        """Availability windows: each agent's rows (as given, ``nan`` to drop) minus breaks.

        Returns
        -------
        offset, window_start, window_end, break_after : ndarray
            Agent ``i`` owns windows ``offset[i]:offset[i + 1]``. [s] ``break_after`` tells
            whether the gap after a window is a break (rather than the end of a shift).
        """
        start = self.start if start is None else start
        end = self.end if end is None else end
        worked = ~np.isnan(start)
        spans = [[] for _ in self.cuts]
        for c, a, b in zip(self.agent[worked], start[worked], end[worked], strict=True):
            spans[c].append((a, b))
        offset = [0]
        w_start, w_end, w_break = [], [], []
        for own, cut in zip(spans, self.cuts, strict=True):
            for pieces in (_subtract([span], cut) for span in _merge(own)):
                w_start += [a for a, _ in pieces]
                w_end += [b for _, b in pieces]
                w_break += [True] * (len(pieces) - 1) + [False] * bool(pieces)
            offset.append(len(w_start))
        return (
            np.asarray(offset, np.int64),
            np.asarray(w_start, float),
            np.asarray(w_end, float),
            np.asarray(w_break, bool),
        )


def shift_floor(shifts, breaks, index, short_breaks=None):
    """Shift rows and breaks per agent from shift assignments, breaks and short breaks.

    Parameters
    ----------
    shifts : DataFrame
        Columns ``start`` and ``end`` (timestamps comparable with ``index``, or seconds from
        ``index[0]``) and either ``agent`` (named; one agent may have many rows), ``agents``
        (a count of identical agents working that shift) or neither (one agent per row).
        Optional ``break_start`` and ``break_end`` columns (NaT/NaN for none) add one break
        per row.
    breaks : DataFrame or None
        Named: columns ``agent``, ``start``, ``end``. Counted (with counted shifts): columns
        ``date``, ``shift``, ``start``, ``end``, ``agents`` and optionally ``break`` (the break
        rule); the blocks of each (``date``, ``shift``, ``break``) are handed out in start
        order to the agents of the shift rows with that ``date`` and ``shift``.
    index : Index
        The volume index; its first element is time zero.
    short_breaks : float, array-like or None
        Short breaks per working hour, overall or per row of ``shifts``, placed as blocks by
        :func:`short_break_blocks` once the other breaks are known. [s/h]

    Returns
    -------
    Floor
    """
    if not isinstance(shifts, pd.DataFrame) or not {"start", "end"} <= set(shifts.columns):
        raise ValueError("shifts must be a DataFrame with columns start and end")
    start = _to_seconds(shifts["start"], index, "shifts.start")
    end = _to_seconds(shifts["end"], index, "shifts.end")
    bad = ~(np.isfinite(start) & np.isfinite(end) & (end > start))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"shifts row {shifts.index[i]!r}: end must be after start")

    counted = "agents" in shifts.columns and "agent" not in shifts.columns
    if counted:
        counts = shifts["agents"].to_numpy(float)
        if np.any(~np.isfinite(counts) | (counts < 0) | (counts != np.round(counts))):
            raise ValueError("shifts.agents must hold whole numbers >= 0")
        counts = counts.astype(np.int64)
        row_of = np.repeat(np.arange(len(shifts)), counts)  # one agent per worked shift
        codes = np.arange(row_of.size)
        n_agents = row_of.size
    else:
        agent = shifts["agent"].to_numpy() if "agent" in shifts else np.arange(len(shifts))
        codes, names = pd.factorize(agent, sort=True)
        row_of = np.arange(len(shifts))
        n_agents = len(names)
    cuts = [[] for _ in range(n_agents)]

    if {"break_start", "break_end"} <= set(shifts.columns):
        b0 = _to_seconds(shifts["break_start"], index, "shifts.break_start")
        b1 = _to_seconds(shifts["break_end"], index, "shifts.break_end")
        has = ~(np.isnan(b0) & np.isnan(b1))
        for r in np.flatnonzero(has):
            _check_break(shifts.index[r], b0[r], b1[r], "shifts")
        for row, c in zip(row_of, codes, strict=True):
            if has[row]:
                cuts[c].append((b0[row], b1[row]))

    if breaks is not None:
        if not isinstance(breaks, pd.DataFrame):
            raise ValueError("breaks must be a DataFrame")
        if counted:
            _counted_breaks(shifts, counts, breaks, index, cuts)
        else:
            _named_breaks(breaks, names, index, cuts)

    agent, row_start, row_end = codes, start[row_of], end[row_of]
    if short_breaks is not None:
        per_hour = np.asarray(short_breaks, float)
        if per_hour.ndim == 0:
            per_hour = np.full(len(shifts), float(per_hour))
        if per_hour.shape != (len(shifts),):
            raise ValueError(
                f"short_breaks must be a scalar or one value per shifts row ({len(shifts)})"
            )
        if np.any(~np.isfinite(per_hour) | (per_hour < 0) | (per_hour >= 3600)):
            raise ValueError("short_breaks must be seconds per working hour in [0, 3600)")
        blocks = short_break_blocks(row_start, row_end, agent, cuts, per_hour[row_of])
        for c, lo, hi in zip(*blocks, strict=True):
            cuts[c].append((lo, hi))
    return Floor(agent, row_start, row_end, [_merge(c) for c in cuts])


#: Golden-ratio step of the low-discrepancy sequence that staggers short breaks.
_STAGGER = (np.sqrt(5.0) - 1.0) / 2.0


def short_break_blocks(start, end, agent, cuts, per_hour):
    """Short breaks as timed blocks: one per working hour of each shift, staggered.

    A shift's working time is its span less the agent's other breaks (meals) inside it,
    counted as a clock that stops during those breaks. Each whole working hour holds one block
    of ``per_hour`` seconds, and a last partial hour of ``h`` seconds a block of
    ``per_hour × h / 3600``, so the time on short breaks is exactly the uniform loss
    ``per_hour / 3600`` of working time that staffing by net agents assumes. The block of the
    ``r``-th shift in start order begins at the fraction ``frac(r × 0.618…)`` of each of its
    working hours and may run into the next one (a golden-ratio sequence: any run of
    consecutive shifts spreads its breaks evenly over the hour, so the floor loses about the
    same share of agents at every moment). A block that would run past the end of the working
    time is moved back to end with it; one whose working time runs into a meal is split
    around it (the time on short breaks stays exact while the other breaks are more than a
    block apart).

    Parameters
    ----------
    start, end : ndarray of float
        Shift rows. [s]
    agent : ndarray of int
        Agent of each row.
    cuts : list of list of (float, float)
        Each agent's other breaks. [s]
    per_hour : ndarray of float
        Short breaks per working hour of each row. [s/h]

    Returns
    -------
    agent, block_start, block_end : ndarray
        One row per block. [s]
    """
    order = np.lexsort((agent, start))
    rank = np.empty(start.size, np.int64)
    rank[order] = np.arange(start.size)
    phase = (rank * _STAGGER) % 1.0
    out_agent, out_start, out_end = [], [], []
    for r in np.flatnonzero(per_hour > 0):
        pieces = _subtract([(start[r], end[r])], _merge(cuts[agent[r]]))
        lengths = np.array([b - a for a, b in pieces])
        if lengths.size == 0:
            continue
        work = lengths.sum()
        first = np.arange(0.0, work, 3600.0)
        hour = np.minimum(3600.0, work - first)
        size = per_hour[r] * hour / 3600.0
        # Working-time start of each block; a block may run into the next hour (uniform cover
        # across hour boundaries) but not past the end of the working time.
        at = np.minimum(first + phase[r] * hour, work - size)
        cum = np.concatenate([[0.0], np.cumsum(lengths)])
        piece_start = np.array([a for a, _ in pieces])

        # A block whose working time runs into a meal is split around it: the cut spans the
        # meal, which is a cut already, so the agent loses exactly `size` of working time.
        lo = _clock(at, cum, piece_start, "right")
        hi = _clock(at + size, cum, piece_start, "left")
        keep = size > 0
        out_agent.append(np.full(int(keep.sum()), agent[r]))
        out_start.append(lo[keep])
        out_end.append(hi[keep])
    if not out_agent:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    return np.concatenate(out_agent), np.concatenate(out_start), np.concatenate(out_end)


def _clock(tau, cum, piece_start, side):
    """Clock time of working time ``tau`` over pieces starting at ``piece_start``. [s]"""
    k = np.clip(np.searchsorted(cum, tau, side=side) - 1, 0, piece_start.size - 1)
    return piece_start[k] + (tau - cum[k])


def _named_breaks(breaks, names, index, cuts):
    if not {"agent", "start", "end"} <= set(breaks.columns):
        raise ValueError("breaks must be a DataFrame with columns agent, start and end")
    lookup = {name: i for i, name in enumerate(names)}
    b0 = _to_seconds(breaks["start"], index, "breaks.start")
    b1 = _to_seconds(breaks["end"], index, "breaks.end")
    for row, a, lo, hi in zip(breaks.index, breaks["agent"], b0, b1, strict=True):
        if a not in lookup:
            raise ValueError(f"breaks row {row!r}: agent {a!r} has no shift")
        _check_break(row, lo, hi, "breaks")
        cuts[lookup[a]].append((lo, hi))


def _counted_breaks(shifts, counts, breaks, index, cuts):
    need = {"date", "shift", "start", "end", "agents"}
    if not need <= set(breaks.columns) or not {"date", "shift"} <= set(shifts.columns):
        raise ValueError(
            "with counted shifts, shifts need date and shift columns and breaks need "
            "date, shift, start, end and agents"
        )
    first_agent = np.concatenate([[0], np.cumsum(counts)[:-1]])
    group_agents = {}
    for r, key in enumerate(zip(shifts["date"], shifts["shift"], strict=True)):
        group_agents.setdefault(key, []).extend(range(first_agent[r], first_agent[r] + counts[r]))
    b0 = _to_seconds(breaks["start"], index, "breaks.start")
    b1 = _to_seconds(breaks["end"], index, "breaks.end")
    rule = breaks["break"] if "break" in breaks.columns else pd.Series("", index=breaks.index)
    frame = pd.DataFrame(
        {
            "date": breaks["date"],
            "shift": breaks["shift"],
            "rule": rule,
            "lo": b0,
            "hi": b1,
            "n": breaks["agents"],
        }
    ).sort_values(["date", "shift", "rule", "lo"], kind="stable")
    for (date, shift, rule_name), blocks in frame.groupby(["date", "shift", "rule"], sort=False):
        agents = group_agents.get((date, shift))
        if agents is None:
            raise ValueError(f"breaks for shift {shift!r} on {date!r} match no shifts row")
        total = int(blocks["n"].sum())
        if total > len(agents):
            raise ValueError(
                f"breaks {rule_name!r} of shift {shift!r} on {date!r}: {total} agents on break "
                f"but {len(agents)} on the shift"
            )
        k = 0
        for row, lo, hi, n in zip(
            blocks.index, blocks["lo"], blocks["hi"], blocks["n"], strict=True
        ):
            _check_break(row, lo, hi, "breaks")
            for i in agents[k : k + int(n)]:
                cuts[i].append((lo, hi))
            k += int(n)


def _check_break(row, lo, hi, name):
    if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
        raise ValueError(f"{name} row {row!r}: break end must be after its start")


def _to_seconds(values, index, name):
    """Seconds from ``index[0]`` of timestamps, or the values as given if numeric."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(float)
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"{name} holds timestamps but volume has no DatetimeIndex")
    try:
        stamps = pd.to_datetime(values)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} holds values that are neither seconds nor times") from err
    if (stamps.dt.tz is None) != (index.tz is None):
        raise ValueError(f"{name} and the volume index disagree on having a time zone")
    seconds = (stamps - index[0]).dt.total_seconds()
    return seconds.to_numpy(float, na_value=np.nan)


def _merge(spans):
    out = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _subtract(spans, cuts):
    out = []
    for a, b in spans:
        for c0, c1 in cuts:
            if c1 <= a or c0 >= b:
                continue
            if c0 > a:
                out.append((a, c0))
            a = max(a, c1)
            if a >= b:
                break
        if a < b:
            out.append((a, b))
    return out

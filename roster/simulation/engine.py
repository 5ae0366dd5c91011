"""Discrete-event simulation of a contact center under a staffing plan or a roster.

:func:`simulate` draws time-varying Poisson arrivals from a forecast (optionally over its
quantile spread), handle times and patience (exponential or resampled from data), applies a
trunk-line cap, serves callers first-come-first-served by the agents on duty, and reports the
service per arrival interval with confidence intervals over independent replications.

Agents come either from a staffing Series (agents on per interval) or from shift assignments
(named agents with shifts, breaks, short breaks per working hour and absence drawn per
replication). An agent who is due to leave or to start a break while on a call finishes the
call first; a break then starts and lasts its full length (or, with ``late_breaks="shorten"``,
still ends at its scheduled time). With a staffing Series the agents who leave when the level
drops are the most recently joined; ``staffing="cap"`` reads the Series instead as a cap on
calls in service.

The per-call recursions are in :mod:`roster.simulation.kernel`, the counts per interval and
the metrics from them in :mod:`roster.simulation.tally`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

import erlang
from erlang.replications import mean_half_width
from forecast import interval_length
from roster.simulation import redials as redial
from roster.simulation.agents import (
    Absence,
    InitialState,
    level_windows,
    shift_floor,
    staffing_steps,
)
from roster.simulation.kernel import (
    integrate_count,
    simulate_agents,
    simulate_pool,
)
from roster.simulation.tally import (
    COUNTS,
    METRICS,
    events,
    metrics,
    metrics_array,
    pool_time,
    tally,
    window_busy_time,
)

__all__ = ["Absence", "InitialState", "SimulationResult", "simulate"]


@dataclass(frozen=True)
class SimulationResult:
    """Per-interval service of a simulated plan, with confidence intervals.

    Attributes
    ----------
    mean : DataFrame
        Indexed by interval start (as given), one column per tally and metric: the mean over
        replications. Tallies: ``offered`` (every arriving call, busy tone included),
        ``blocked``, ``answered``, ``abandoned``, ``unresolved`` (never answered by a caller
        who never hangs up, when no agent comes back), ``short_abandoned``, ``answered_within``
        (answered within ``threshold``), ``answered_cutoff`` (within ``cutoff``),
        ``wait_answered`` [s, summed], ``busy_time``, ``logged_time`` (agents at work, as
        drawn with absence, including calls finished past a window's end) and
        ``scheduled_time`` (the plan's agents on the floor, before absence) [agent·s];
        metrics: ``service_level``, ``asa`` [s], ``answer_rate``, ``abandon_rate``,
        ``blocking_rate``, ``occupancy``. Calls are counted in the interval
        they arrive in; agent time in the interval it is spent in.
    half_width : DataFrame
        Same shape: the half-width of the t-based confidence interval of each mean over
        replications (``nan`` with a single replication, or where a ratio is undefined in
        fewer than two replications).
    replications : DataFrame
        The tallies of every replication, indexed by (``replication``, interval).
    confidence : float
        Confidence level of ``half_width``.
    threshold, cutoff : float
        Service-level threshold and answer-rate cutoff used. [s]
    short_abandon : float or None
        Abandons with a wait at most this long were left out of the service level, answer
        rate and abandonment rate. [s]
    callers : roster.simulation.redials.Callers or None
        With redials, the fresh callers each counted once (``offered`` and the metrics above
        are then over attempts); ``None`` without redials and after :meth:`resample`.
    """

    mean: pd.DataFrame
    half_width: pd.DataFrame
    replications: pd.DataFrame
    confidence: float
    threshold: float
    cutoff: float
    short_abandon: float | None
    callers: object = None

    @property
    def n_replications(self) -> int:
        """Number of replications."""
        return int(self.replications.index.get_level_values("replication").nunique())

    @property
    def n_calls(self) -> int:
        """Calls offered over all replications (warm-up calls not included)."""
        return int(self.replications["offered"].sum())

    def resample(self, freq) -> SimulationResult:
        """The same result over longer reporting intervals.

        Tallies of each replication are summed into intervals of ``freq`` (floored at
        ``freq`` boundaries, like :meth:`pandas.Timestamp.floor`) before the ratios and the
        confidence intervals are taken, e.g. to report half hours from a simulation run on
        5-minute arrival rates.

        Parameters
        ----------
        freq : str or Timedelta
            New interval length, a multiple of the simulated one (``"30min"``).

        Returns
        -------
        SimulationResult
        """
        labels = self.mean.index
        if not isinstance(labels, pd.DatetimeIndex):
            raise ValueError("resample needs results indexed by interval start timestamps")
        reps = self.replications
        coarse = reps.index.get_level_values(1).floor(freq)
        grouped = reps.groupby([reps.index.get_level_values(0), coarse]).sum()
        grouped.index.names = reps.index.names
        index = grouped.index.get_level_values(1).unique()
        return _collect(
            grouped, index, self.confidence, self.threshold, self.cutoff, self.short_abandon
        )

    def summary(self, intervals=None) -> pd.DataFrame:
        """Metrics over a span of intervals, with confidence intervals.

        Each replication's tallies are summed over the span before the ratios are taken (so a
        quiet interval weighs less than a busy one), then the replications are averaged.

        Parameters
        ----------
        intervals : array-like, slice or None
            Interval labels (as in the index of :attr:`mean`) or a positional slice; ``None``
            for the whole horizon.

        Returns
        -------
        DataFrame
            Indexed by tally and metric name, columns ``mean``, ``half_width``, ``low``,
            ``high``.
        """
        reps = self.replications
        labels = self.mean.index
        if intervals is None:
            chosen = labels
        elif isinstance(intervals, slice):
            chosen = labels[intervals]
        else:
            chosen = pd.Index(intervals)
            missing = chosen.difference(labels)
            if len(missing):
                raise ValueError(f"intervals not in the result: {list(missing[:5])}")
        mask = reps.index.get_level_values(1).isin(chosen)
        totals = reps[mask].groupby(level="replication").sum()
        table = pd.concat([totals, metrics(totals, self.short_abandon is not None)], axis=1)
        mean, half = mean_half_width(table.to_numpy(), self.confidence)
        out = pd.DataFrame({"mean": mean, "half_width": half}, index=table.columns)
        out["low"] = out["mean"] - out["half_width"]
        out["high"] = out["mean"] + out["half_width"]
        return out


def simulate(
    volume,
    aht=None,
    agents=None,
    *,
    shifts=None,
    breaks=None,
    short_breaks=None,
    late_breaks="delay",
    absence=None,
    staffing="agents",
    interval=None,
    threshold=20.0,
    cutoff=60.0,
    patience=None,
    trunks=None,
    handle_times=None,
    patience_times=None,
    short_abandon=None,
    warmup=0.0,
    spread="day",
    replications=10,
    confidence=0.95,
    seed=None,
    targets: erlang.Targets | None = None,
    redials: erlang.Redials | None = None,
    initial: InitialState | None = None,
) -> SimulationResult:
    """Simulate a contact center interval by interval over independent replications.

    Parameters
    ----------
    volume : Series, ndarray or DataFrame
        Expected calls per interval (the forecast). A DataFrame holds forecast quantiles, one
        column per level in (0, 1) (labels such as ``0.1``, ``"0.1"`` or ``"q0.1"``); each
        replication then draws its expected volume from them (see ``spread``).
    aht : float or array-like, optional
        Mean handle time, overall or per interval (the interval the call arrives in). [s]
        Handle times are exponential unless ``handle_times`` is given. Required unless
        ``handle_times`` is.
    agents : Series or array-like of int, optional
        Agents on duty per interval. Exactly one of ``agents`` and ``shifts`` is required.
    shifts : DataFrame, optional
        Shift assignments with columns ``start`` and ``end``, as timestamps comparable with
        the index of ``volume`` or as seconds from the start of the first interval, and
        either ``agent`` (named agents, one row per shift worked, e.g. a roster's
        assignments; optional ``break_start``/``break_end`` columns add a break per row) or
        ``agents`` (a count of agents working that shift, e.g. a shift schedule's shifts).
        Without either, each row is one agent. See :func:`roster.simulation.agents.shift_windows`.
    breaks : DataFrame, optional
        Breaks, during which an agent takes no new call: named (``agent``, ``start``,
        ``end``) or, with counted shifts, counted blocks (``date``, ``shift``, ``start``,
        ``end``, ``agents`` and optionally ``break``).
    short_breaks : float or array-like, optional
        Short breaks per working hour, overall or per row of ``shifts`` (e.g. 300 for the
        manuals' 5 minutes an hour). [s/h] Placed as timed blocks, one per working hour of each
        shift and staggered across shifts, in the working time left by the other breaks; see
        :func:`roster.simulation.agents.short_break_blocks`.
    late_breaks : {"delay", "shorten"}, default "delay"
        What an agent on a call does when a break is due. Both finish the call first (a break
        never interrupts a call). ``"delay"``: the break then starts and lasts its full length,
        so the agent comes back later than scheduled (an ACD's pending-break state).
        ``"shorten"``: the break still ends at its scheduled time, so calls eat into it.
    absence : float or Absence, optional
        Attendance losses drawn in each replication, shift by shift: a probability of missing
        a whole shift, or an :class:`roster.simulation.agents.Absence` that adds late arrivals
        and early leaves. ``None`` (the default) draws none. Needs ``shifts``.
    staffing : {"agents", "cap"}, default "agents"
        How a staffing Series is read when it drops. ``"agents"``: it counts agents; the
        agents going off duty (the most recently joined) finish the call they are on and leave,
        while the others keep answering. ``"cap"``: it caps the calls in service (seats,
        licences); idle agents log off first and no call starts until the calls in service
        are below the new level. Ignored with ``shifts``.
    interval : int, optional
        Interval length. [s] Inferred from a DatetimeIndex when omitted (see
        :func:`forecast.interval_length`); required otherwise.
    threshold : float, default 20
        Service-level threshold. [s]
    cutoff : float, default 60
        Answer-rate cutoff: a call not answered within it counts as unanswered. [s]
    patience : float, array-like or patience law, optional
        Mean patience (time a caller waits before hanging up), overall or per interval; ``None``
        with no ``patience_times`` means callers never abandon. [s] Exponential unless
        ``patience_times`` is given. A patience law (e.g. :class:`erlang.Weibull`) is drawn from
        for every call.
    trunks : int, optional
        Trunk lines: a caller arriving when this many calls are in the system (queued and in
        service) gets busy tone and is blocked. ``None`` for no cap.
    handle_times, patience_times : array-like, optional
        Empirical samples to resample handle times / patience from. [s] When ``aht`` (or
        ``patience``) is also given, the draws are scaled so that their mean is that value in
        each interval, so the shape comes from the data and the level from the plan.
    short_abandon : float, optional
        Abandons with a wait at most this long (misdials) are left out of the calls counted
        by the service level, the answer rate and the abandonment rate (numerator and
        denominator), as hotlines report them. [s] ``None`` keeps them.
    targets : erlang.Targets, optional
        Take ``threshold``, ``cutoff`` and ``short_abandon`` from these targets (scalars),
        as the staffing and the KPIs do; the three keywords must then stay at their defaults.
    warmup : float, default 0
        Seconds simulated before the first interval, with its volume rate, handle times,
        patience and (for a staffing Series) agents, and left out of the report, so that the
        first interval does not start with an idle floor (a line open around the clock). With
        ``shifts`` only the agents whose shifts cover that time are on. [s]
    spread : {"day", "interval"}, default "day"
        With forecast quantiles: draw one quantile level per calendar day (a busy day is busy
        all day) or one per interval.
    replications : int, default 10
        Independent replications; confidence intervals are taken over them.
    confidence : float, default 0.95
        Confidence level of the t-based intervals.
    seed : int or numpy.random.Generator, optional
        Seed of :func:`numpy.random.default_rng`; equal seeds give equal results.
    redials : erlang.Redials, optional
        Callers who abandon (or get busy tone) call again with the given probabilities after
        an exponential delay; ``volume`` is then the fresh callers. Needs ``agents`` (served
        as a pool, as with ``staffing="cap"``), ``aht`` and exponential patience. The result's
        tallies and metrics are over attempts, and ``callers`` counts each fresh caller once
        (see :mod:`roster.simulation.redials`).
    initial : InitialState, optional
        The queue at time zero, for a simulation that starts now in the middle of a day:
        callers already waiting (served first, longest waiting first, and counted in the
        first interval with the wait they have behind them) and agents busy on calls (the
        first agents free at time zero take them; their calls are not counted). Not with
        ``warmup`` or ``redials``. ``None`` or an empty state changes nothing.

    Returns
    -------
    SimulationResult

    Notes
    -----
    Arrivals in interval :math:`k` are a Poisson process of rate :math:`v_k / L` (``v`` the
    expected volume, ``L`` the interval length): a Poisson count, placed uniformly. Callers are
    served first come, first served; a caller whose wait would exceed their patience abandons
    at that moment and never holds an agent. With quantiles, each replication's expected
    volume is interpolated linearly between the quantile levels (held at the extreme levels
    beyond them), and Poisson noise is added on top.

    Rates, with ``counted`` = offered − short abandons: service level = answered within
    ``threshold`` / counted; answer rate = answered within ``cutoff`` / counted; abandonment
    rate = (abandoned − short abandons) / counted; blocking rate = blocked / offered; ASA =
    mean wait of answered calls; occupancy = busy agent time / logged-in agent time, where an agent
    finishing a call past the end of a shift or the start of a break counts as logged in.

    After the last interval the staffing of the last interval stays on (or, with shifts, the
    agents' windows continue as given) so that calls still waiting are resolved; a caller who
    is never answered and never hangs up is counted as ``unresolved``, so that ``offered =
    blocked + answered + abandoned + unresolved`` always holds. Between non-contiguous
    intervals of a staffing Series no agent is on.

    Breaks, shift ends and absence. A break never interrupts a call. With
    ``late_breaks="delay"`` an agent on a call when a break is due takes the whole break once
    the call ends (as an ACD's pending-break state does), so the break time is kept and moved
    later; at the end of a shift the agent finishes the call and leaves. ``logged_time`` is
    the agents' time in their windows, plus calls past a window's end, less window time still
    spent on a delayed break; ``scheduled_time`` is the roster's, before absence. Short breaks
    (``short_breaks``) are placed as timed blocks totalling exactly ``short_breaks / 3600`` of
    each shift's working time, the uniform loss that staffing by net agents assumes. Absence
    is drawn anew in every replication, so its spread is inside the confidence intervals.

    Simulated service against per-interval Erlang on the same roster. On a week roster of a
    12345-style line (120 agents, 8.5-hour shifts with 30-minute meals and 5 minutes of short
    breaks an hour, patience 60 s, volume scaled so that Erlang A on the net agents gives
    90.6 % within 20 s), the simulated service level was 3.0 points above Erlang when calls
    ate into breaks (``"shorten"``, the only behaviour before): calls took 211 of the 373
    agent-hours of short breaks (a call in progress when a 5-minute break falls due has on
    average about 190 s left), so the floor held more agents than the net count the plan
    staffs by. With breaks delayed past the call the gap is 0.65 ± 0.40 points, and 0.33 ±
    0.18 remain with no breaks at all: agents finishing calls past their shift end (0.7 % more
    agent time, all in the intervals where shifts end, which run 0.8 points above Erlang) and
    the queue lagging behind the volume from one interval to the next (0.4 points in intervals
    where no shift starts or ends), the non-stationary effects per-interval Erlang leaves out.
    Absence drawn per replication (whole shifts, with the plan's shrinkage) gives 1.0 ± 1.0
    points. Simulating over the forecast's spread lowers the service below Erlang on the mean
    forecast (the service level is concave in the volume), a real effect too.
    ``benchmarks/simulation.py`` repeats the decomposition on a synthetic roster.

    The interval-by-interval staffing this simulation checks is the stationary independent
    period-by-period (SIPP) approach of [1]_; the exact per-call recursion is described in
    :mod:`roster.simulation.kernel`; the abandonment model is that of Erlang A [2]_.

    References
    ----------
    .. [1] Green, L. V., Kolesar, P. J. and Soares, J. (2001). Improving the SIPP approach for
       staffing service systems that have cyclic demands. Operations Research 49(4), 549-564.
    .. [2] Garnett, O., Mandelbaum, A. and Reiman, M. (2002). Designing a call center with
       impatient customers. Manufacturing & Service Operations Management 4(3), 208-227.
    """
    rng = np.random.default_rng(seed)
    if (agents is None) == (shifts is None):
        raise ValueError("give exactly one of agents (per interval) and shifts")
    for name, value in (("breaks", breaks), ("short_breaks", short_breaks), ("absence", absence)):
        if value is not None and shifts is None:
            raise ValueError(f"{name} need shifts")
    if late_breaks not in ("delay", "shorten"):
        raise ValueError(f"late_breaks must be 'delay' or 'shorten', got {late_breaks!r}")
    if absence is not None and not isinstance(absence, Absence):
        absence = Absence(shift=float(absence))
    if aht is None and handle_times is None:
        raise ValueError("give aht or handle_times")
    replications = _positive_int(replications, "replications")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    if staffing not in ("agents", "cap"):
        raise ValueError(f"staffing must be 'agents' or 'cap', got {staffing!r}")
    if spread not in ("day", "interval"):
        raise ValueError(f"spread must be 'day' or 'interval', got {spread!r}")
    chosen = erlang.Targets.resolve(
        targets, threshold=threshold, cutoff=cutoff, short_abandon=short_abandon
    )
    threshold, cutoff, short_abandon = (
        chosen["threshold"], chosen["cutoff"], chosen["short_abandon"]
    )  # fmt: skip
    if any(np.ndim(v) for v in (threshold, cutoff, short_abandon)):
        raise ValueError("simulate takes one threshold, cutoff and short_abandon, not arrays")
    threshold = _non_negative(threshold, "threshold")
    cutoff = _non_negative(cutoff, "cutoff")
    if short_abandon is not None:
        short_abandon = _non_negative(short_abandon, "short_abandon")
    warmup = _non_negative(warmup, "warmup")
    if not np.isfinite(warmup):
        raise ValueError(f"warmup must be finite seconds, got {warmup!r}")
    trunk_cap = -1 if trunks is None else _positive_int(trunks, "trunks", allow_zero=True)
    if redials is not None:
        redial.check(redials, shifts, handle_times, patience_times, aht)
    if initial is not None and not isinstance(initial, InitialState):
        raise ValueError(f"initial must be an InitialState, got {type(initial).__name__}")
    start_queue = initial is not None and not initial.empty
    if start_queue and (warmup > 0 or redials is not None):
        raise ValueError("initial: a starting queue is not simulated with warmup or redials")

    index, quantile_levels, expected = _volumes(volume)
    n_int = len(index)
    length, starts = _timeline(index, interval)
    day_of = _day_codes(index, starts)

    for name, value in (("aht", aht), ("agents", agents), ("patience", patience)):
        if isinstance(value, pd.Series) and not value.index.equals(index):
            raise ValueError(f"{name} is a Series whose index differs from volume's")
    aht_k = None if aht is None else _per_interval(aht, n_int, "aht", positive=True)
    law = patience if isinstance(patience, erlang.patience.Patience) else None
    if law is not None:
        patience = None
    pat_k = None if patience is None else _per_interval(patience, n_int, "patience", True)
    handle_sample = _sample(handle_times, "handle_times")
    patience_sample = _sample(patience_times, "patience_times")

    if agents is not None:
        level = _agents(agents, n_int)
        scheduled = level * length
        if staffing == "cap":
            step_time, step_value = staffing_steps(starts, length, level)
            windows = None
        else:
            windows = level_windows(starts, length, level)
    else:
        floor = shift_floor(shifts, breaks, index, short_breaks)
        windows = floor.windows()
        scheduled = _scheduled_time(windows, starts, length)
    drawn = absence is not None and absence.active

    frames, callers = [], []
    for _ in range(replications):
        rate = _draw_volume(expected, quantile_levels, day_of, spread, rng)
        counts = rng.poisson(rate)
        k = np.repeat(np.arange(n_int), counts)
        arrival = np.sort(starts[k] + rng.random(k.size) * length) if k.size else starts[k]
        # Sorting within each interval keeps `k` aligned: intervals are disjoint and ordered.
        n_warm = 0
        drawn_as = k
        if warmup > 0:
            # Calls before the first interval, like those of the first interval, unreported.
            n_warm = rng.poisson(rate[0] * warmup / length)
            early = starts[0] - warmup + np.sort(rng.random(n_warm)) * warmup
            arrival = np.concatenate([early, arrival])
            drawn_as = np.concatenate([np.zeros(n_warm, np.int64), k])
        service = _durations(rng, drawn_as, aht_k, handle_sample)
        if law is not None:
            pat = law.sample(rng, arrival.size)
        elif pat_k is None and patience_sample is None:
            pat = np.full(arrival.size, np.inf)
        else:
            pat = _durations(rng, drawn_as, pat_k, patience_sample)
        behind = np.zeros(0)
        if start_queue:
            arrival, service, pat, drawn_as, k, n_warm, behind = _start_queue(
                initial, rng, (arrival, service, pat, drawn_as, k), starts[0], aht_k,
                (pat_k, law, patience_sample), handle_sample,
            )  # fmt: skip
        if redials is not None:
            report = (threshold, cutoff, short_abandon, scheduled, trunk_cap)
            counts, caller_counts = redial.replication(
                rng, redials, (arrival, service, pat), k, n_warm, level, (starts, length),
                (aht_k, pat_k), report,
            )  # fmt: skip
            frames.append(counts)
            callers.append(caller_counts)
            continue
        if windows is None:
            status, start = simulate_pool(arrival, service, pat, step_time, step_value, trunk_cap)
            busy_time, excess = pool_time(start, service, step_time, step_value, starts, length)
            logged_time = scheduled + excess
        else:
            if drawn:
                windows = floor.windows(*absence.draw(rng, floor.start, floor.end))
            present = _scheduled_time(windows, starts, length) if drawn else scheduled
            offset, w_start, w_end, break_after = windows
            if late_breaks == "shorten":
                break_after = np.zeros_like(break_after)
            status, start, _, over_from, over_to, lost_to = simulate_agents(
                arrival, service, pat, offset, w_start, w_end, break_after, trunk_cap
            )
            busy_time, extra_time = window_busy_time(
                start, service, over_from, over_to, w_start, lost_to, starts, length
            )
            logged_time = present + extra_time
        shown = slice(n_warm, None)
        wait = (start - arrival)[shown]
        shown_pat = pat[shown]
        if behind.size:
            # The callers waiting at time zero carry the wait (and patience) spent before it.
            wait[: behind.size] += behind
            shown_pat = shown_pat.copy()
            shown_pat[: behind.size] += behind
        frames.append(
            tally(
                k,
                n_int,
                status[shown],
                wait,
                shown_pat,
                threshold,
                cutoff,
                short_abandon,
                busy_time,
                logged_time,
                scheduled,
            )
        )

    tallies = np.stack(frames)  # (replication, interval, tally)
    reps = pd.DataFrame(
        tallies.reshape(-1, len(COUNTS)),
        columns=list(COUNTS),
        index=pd.MultiIndex.from_product(
            [range(replications), index], names=["replication", index.name or "interval"]
        ),
    )
    result = _collect(reps, index, confidence, threshold, cutoff, short_abandon)
    if redials is not None:
        result = replace(
            result, callers=redial.collect_callers(np.stack(callers), index, confidence)
        )
    return result


def _start_queue(initial, rng, draws, t0, aht_k, patience, handle_sample):
    """Prepend the calls in progress (hidden, like warm-up calls) and the callers waiting at
    ``t0`` (shown, in the first interval) to one replication's draws."""
    arrival, service, pat, drawn_as, k = draws
    pat_k, law, patience_sample = patience
    busy = initial.remaining(rng, None if aht_k is None else aht_k[0], handle_sample)
    behind = initial.waited()
    n_busy, n_wait = busy.size, behind.size
    # Residual patience of a caller still waiting: drawn afresh from the first interval's
    # law (exact for exponential patience, which is memoryless).
    first = np.zeros(n_wait, np.int64)
    if law is not None:
        more = law.sample(rng, n_wait)
    elif pat_k is None and patience_sample is None:
        more = np.full(n_wait, np.inf)
    else:
        more = _durations(rng, first, pat_k, patience_sample)
    waiting_service = _durations(rng, first, aht_k, handle_sample)
    # Arrivals at t0 are ordered: calls in progress take the first free agents, then the
    # queue in order, then the new arrivals (all at or after t0).
    arrival = np.concatenate([np.full(n_busy + n_wait, t0), arrival])
    service = np.concatenate([busy, waiting_service, service])
    pat = np.concatenate([np.full(n_busy, np.inf), more, pat])
    drawn_as = np.concatenate([np.zeros(n_busy + n_wait, np.int64), drawn_as])
    k = np.concatenate([first, k])
    return arrival, service, pat, drawn_as, k, n_busy, behind


def _collect(reps, index, confidence, threshold, cutoff, short_abandon):
    """A result from per-replication tallies (rows: every replication x every interval)."""
    n_rep = reps.index.get_level_values(0).nunique()
    tallies = reps.to_numpy(float).reshape(n_rep, len(index), len(COUNTS))
    per_rep = np.concatenate([tallies, metrics_array(tallies, short_abandon is not None)], axis=2)
    mean, half = mean_half_width(per_rep, confidence)
    columns = list(COUNTS) + list(METRICS)
    return SimulationResult(
        mean=pd.DataFrame(mean, index=index, columns=columns),
        half_width=pd.DataFrame(half, index=index, columns=columns),
        replications=reps,
        confidence=confidence,
        threshold=threshold,
        cutoff=cutoff,
        short_abandon=short_abandon,
    )


# --- inputs -----------------------------------------------------------------------------------


def _positive_int(value, name, allow_zero=False):
    if isinstance(value, bool) or not float(value).is_integer():
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < (0 if allow_zero else 1):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '>= 1'}, got {value!r}")
    return value


def _non_negative(value, name):
    value = float(value)
    if not value >= 0:
        raise ValueError(f"{name} must be >= 0 seconds, got {value!r}")
    return value


def _quantile_level(label):
    text = str(label).strip().lower()
    text = text[1:] if text.startswith("q") else text
    try:
        level = float(text)
    except ValueError:
        raise ValueError(f"volume column {label!r} is not a quantile level") from None
    if not 0 < level < 1:
        raise ValueError(f"volume column {label!r} is not a quantile level in (0, 1)")
    return level


def _volumes(volume):
    """Index, quantile levels (or None) and expected volumes (n_int,) or (n_int, n_levels)."""
    if isinstance(volume, pd.DataFrame):
        levels = np.array([_quantile_level(c) for c in volume.columns])
        order = np.argsort(levels)
        levels = levels[order]
        if np.any(np.diff(levels) == 0):
            raise ValueError(f"volume has repeated quantile levels: {list(volume.columns)}")
        values = volume.to_numpy(float)[:, order]
        index = volume.index
    elif isinstance(volume, pd.Series):
        levels, values, index = None, volume.to_numpy(float), volume.index
    else:
        values = np.asarray(volume, float)
        if values.ndim != 1:
            raise ValueError(f"volume must be one-dimensional, got shape {values.shape}")
        levels, index = None, pd.RangeIndex(values.size, name="interval")
    if values.shape[0] == 0:
        raise ValueError("volume is empty")
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = int(np.argwhere(bad)[0][0])
        raise ValueError(f"volume must be finite and >= 0; interval {index[row]!r} is not")
    if levels is not None:
        values = np.maximum.accumulate(values, axis=1)  # crossing quantiles: keep them monotone
    return index, levels, values


def _timeline(index, interval):
    """Interval length [s] and start of each interval [s from the first start]."""
    if isinstance(index, pd.DatetimeIndex):
        if not index.is_monotonic_increasing or not index.is_unique:
            raise ValueError("volume index must be increasing and unique")
        interval = interval_length(index, interval, name="volume", grid=False)
        starts = (index - index[0]).total_seconds().to_numpy(float)
    else:
        interval = interval_length(None, interval, name="volume")
        starts = np.arange(len(index)) * float(interval)
    if np.any(np.diff(starts) < interval):
        raise ValueError(f"intervals of volume overlap for interval={interval} s")
    return float(interval), starts


def _day_codes(index, starts):
    if isinstance(index, pd.DatetimeIndex):
        return pd.factorize(index.normalize())[0]
    return (starts // 86400).astype(np.int64)


def _per_interval(value, n_int, name, positive=False):
    arr = np.asarray(value, float)
    if arr.ndim == 0:
        arr = np.full(n_int, float(arr))
    if arr.shape != (n_int,):
        raise ValueError(f"{name} must be a scalar or one value per interval ({n_int})")
    bad = ~np.isfinite(arr) | (arr <= 0 if positive else arr < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name} must be finite and > 0; interval {i} has {arr[i]!r}")
    return arr


def _sample(values, name):
    if values is None:
        return None
    arr = np.asarray(values, float).ravel()
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0) or arr.sum() <= 0:
        raise ValueError(f"{name} must be a non-empty sample of finite seconds >= 0")
    return arr


def _agents(agents, n_int):
    arr = np.asarray(agents, float)
    if arr.shape != (n_int,):
        raise ValueError(f"agents must have one value per interval ({n_int}), got {arr.shape}")
    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"agents must be whole numbers >= 0; interval {i} has {arr[i]!r}")
    return arr.astype(np.int64)


def _scheduled_time(windows, starts, length):
    _, w_start, w_end, _ = windows
    time, delta = events(w_start, w_end)
    total, _ = integrate_count(
        time, delta, np.zeros(1), np.zeros(1, np.int64), starts, length, starts.size
    )
    return total


# --- one replication --------------------------------------------------------------------------


def _draw_volume(expected, levels, day_of, spread, rng):
    if levels is None:
        return expected
    n_draw = day_of.max() + 1 if spread == "day" else day_of.size
    u = rng.random(n_draw)
    u = u[day_of] if spread == "day" else u
    # Linear interpolation of each interval's quantile function at its drawn level.
    pos = np.interp(u, levels, np.arange(levels.size))
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, levels.size - 1)
    frac = pos - lo
    rows = np.arange(expected.shape[0])
    return expected[rows, lo] * (1 - frac) + expected[rows, hi] * frac


def _durations(rng, k, mean_k, sample):
    if sample is None:
        return rng.exponential(1.0, k.size) * mean_k[k]
    draws = sample[rng.integers(0, sample.size, k.size)]
    if mean_k is None:
        return draws
    return draws * (mean_k[k] / sample.mean())

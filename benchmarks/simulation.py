"""Simulation benchmark: speed, agreement with the queueing formulas, and where SIPP misses.

Three groups of rows:

* ``speed`` — wall time to simulate one million calls (a month of 30-minute intervals, with
  abandonment and a trunk cap), for a staffing Series and for named agents on shifts, and of
  a multi-skill centre (three queues, four agent groups, skill-based routing);
* ``agreement`` — stationary cases where the exact formulas of :mod:`erlang` hold (Erlang C,
  Erlang A, Erlang B), the formula against the simulated mean and its 95 % half-width
  (about one row in twenty is expected outside by chance, and the rows of one case share one
  sample, so they miss together);
* ``coverage`` — how often the 90 % confidence intervals (over a whole run and per interval)
  hold the exact Erlang C / Erlang A service level, over many independent stationary runs;
* ``roster`` — a day roster (shifts, meals, short breaks, absence) against Erlang A on the
  roster's agents per interval, one feature at a time, with breaks delayed past the call and
  with breaks eaten by calls;
* ``sipp`` — days staffed interval by interval with :func:`erlang.required_agents` for 80/20
  and simulated as a whole day: the service delivered around a drop in volume as handle time
  grows relative to the interval (with the staffing read as agents who finish their calls, and
  as a cap on calls in service), within half hours whose calls bunch up (the busiest day of the
  US bank data in ``../shared/data``, simulated on its 5-minute arrivals), and when the daily
  volume is drawn from forecast quantiles.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import erlang
from benchmarks import shared_data
from roster.simulation.engine import Absence, simulate

MILLION = 1_000_000


def _speed(quick):
    rows = []
    index = pd.date_range("2025-03-01", periods=30 * 48, freq="30min")
    volume = pd.Series(MILLION / len(index), index)
    aht, patience = 300.0, 60.0
    agents = pd.Series(erlang.required_agents(volume.to_numpy(), aht, patience=patience), index)
    crew = int(agents.max())
    shifts = pd.DataFrame({"start": np.zeros(crew), "end": np.full(crew, 31 * 86400.0)})
    modes = (
        ("staffing Series as agents", {"agents": agents}),
        ("staffing Series as a cap", {"agents": agents, "staffing": "cap"}),
        (f"{crew} named agents on shifts", {"shifts": shifts}),
    )
    common = {"patience": patience, "trunks": crew + 20, "replications": 1}
    for mode, kwargs in modes:
        t0 = time.perf_counter()
        head = {k: (v.iloc[:4] if k == "agents" else v) for k, v in kwargs.items()}
        simulate(volume.iloc[:4], aht, seed=0, **common, **head)
        first = time.perf_counter() - t0
        times = []
        for rep in range(1 if quick else 3):
            t0 = time.perf_counter()
            result = simulate(volume, aht, seed=rep, **common, **kwargs)
            times.append(time.perf_counter() - t0)
        rows.append(
            {
                "group": "speed",
                "case": f"1M calls, a month of 30-min intervals, {mode}",
                "metric": "time_s",
                "calls": result.n_calls,
                "time_s": min(times),
                "calls_per_s": result.n_calls / min(times),
                "first_call_s": first,
            }
        )
    return rows


def _multiskill_speed(quick):
    """A million calls of a carrier-style centre: three queues (one VIP of higher priority),
    four groups (two tiers, cross-trained agents, an overflow after 30 s), a month of 30-minute
    intervals, abandonment."""
    from erlang.skills import AgentGroup, Centre, Queue, simulate_centre

    centre = Centre(
        [
            Queue("pre-sales", aht=240.0, patience=90.0),
            Queue("after-sales", aht=360.0, patience=120.0),
            Queue("vip", aht=300.0, patience=60.0, priority=1),
        ],
        [
            AgentGroup("sales", ["pre-sales"]),
            AgentGroup("service", ["after-sales", "pre-sales"], overflow={"pre-sales": 30.0}),
            AgentGroup("vip", ["vip", "after-sales"], rank={"after-sales": 1}),
            AgentGroup("junior", ["pre-sales", "after-sales"], aht_factor=1.3),
        ],
    )
    index = pd.date_range("2025-03-01", periods=30 * 48, freq="30min")
    share = {"pre-sales": 0.45, "after-sales": 0.45, "vip": 0.10}
    volume = pd.DataFrame({q: MILLION * f / len(index) for q, f in share.items()}, index=index)
    staffing = pd.DataFrame({"sales": 50, "service": 90, "vip": 20, "junior": 30}, index=index)
    simulate_centre(volume.iloc[:4], centre, staffing.iloc[:4], replications=2, seed=0)
    times = []
    for rep in range(1 if quick else 3):
        t0 = time.perf_counter()
        result = simulate_centre(volume, centre, staffing, replications=2, seed=rep)
        times.append(time.perf_counter() - t0)
    calls = result.calls / 2
    return [
        {
            "group": "speed",
            "case": "1M calls, a month of 30-min intervals, 3 queues and 4 agent groups",
            "metric": "time_s",
            "calls": calls,
            "time_s": min(times) / 2,
            "calls_per_s": calls / (min(times) / 2),
        }
    ]


AGREEMENT = (
    # name, volume per 30 min, aht [s], agents, patience [s] or None, trunks or None
    ("Erlang C, 20 erlangs on 22", 400.0, 90.0, 22, None, None),
    ("Erlang C, 333 erlangs on 345", 2000.0, 300.0, 345, None, None),
    ("Erlang A, 20 erlangs on 20, patience 60 s", 400.0, 90.0, 20, 60.0, None),
    ("Erlang A, 100 erlangs on 95, patience 120 s", 1000.0, 180.0, 95, 120.0, None),
    ("Erlang B, 20 erlangs, 22 agents = 22 trunks", 400.0, 90.0, 22, None, 22),
)


def _row(group, case, metric, formula, summary_row, result, **extra):
    mean, half = summary_row["mean"], summary_row["half_width"]
    return {
        "group": group,
        "case": case,
        "metric": metric,
        "formula": formula,
        "simulated": mean,
        "half_width": half,
        "within_ci": None if formula is None else bool(abs(mean - formula) <= half),
        "calls": result.n_calls,
        **extra,
    }


def _agreement(quick):
    rows = []
    # Every run starts empty; the first two hours are left out so that the rest is stationary.
    periods, warmup = (20, 4) if quick else (48, 4)
    index = pd.date_range("2025-03-03", periods=periods, freq="30min")
    for case, (name, volume, aht, agents, patience, trunks) in enumerate(AGREEMENT):
        t0 = time.perf_counter()
        result = simulate(
            pd.Series(volume, index),
            aht,
            pd.Series(agents, index),
            patience=patience,
            trunks=trunks,
            threshold=20.0,
            replications=10 if quick else 30,
            seed=2025 + case,
        )
        elapsed = time.perf_counter() - t0
        summary = result.summary(slice(warmup, None))
        args = (np.array([volume]), aht, np.array([agents]))
        kw = {"interval": 1800.0, "patience": patience}
        if trunks is not None:
            formulas = {
                "blocking_rate": erlang.erlang_b(np.array([volume * aht / 1800.0]), trunks)
            }
        else:
            formulas = {
                "service_level": erlang.service_level(*args, threshold=20.0, **kw),
                "asa": erlang.asa(*args, **kw),
                "answer_rate": erlang.answer_rate(*args, cutoff=60.0, **kw),
                "occupancy": erlang.occupancy(*args, **kw),
            }
            if patience is not None:
                formulas["abandon_rate"] = erlang.abandon_rate(*args, **kw)
        for metric, value in formulas.items():
            formula = float(np.asarray(value).ravel()[0])
            rows.append(
                _row(
                    "agreement", name, metric, formula, summary.loc[metric], result, time_s=elapsed
                )
            )
    return rows


def _coverage(quick):
    rows = []
    runs = 50 if quick else 200
    index = pd.date_range("2025-03-03 08:00", periods=3, freq="30min")
    for name, agents, patience in (
        ("Erlang C, 20 erlangs on 22", 22, None),
        ("Erlang A, 20 erlangs on 20, patience 60 s", 20, 60.0),
    ):
        exact = float(
            np.asarray(
                erlang.service_level(
                    np.array([200.0]), 180.0, np.array([agents]), patience=patience
                )
            ).ravel()[0]
        )
        whole, per_interval = [], []
        t0 = time.perf_counter()
        for run in range(runs):
            result = simulate(
                pd.Series(200.0, index),
                180.0,
                pd.Series(agents, index),
                patience=patience,
                warmup=3 * 3600,
                replications=6,
                confidence=0.9,
                seed=10_000 + run,
            )
            row = result.summary().loc["service_level"]
            whole.append(row["low"] <= exact <= row["high"])
            sl, hw = result.mean["service_level"], result.half_width["service_level"]
            per_interval += list(np.abs(sl - exact) <= hw)
        elapsed = time.perf_counter() - t0
        for label, hits in (("whole run", whole), ("per interval", per_interval)):
            hits = np.asarray(hits, float)
            rows.append(
                {
                    "group": "coverage",
                    "case": f"{name}: {runs} runs x 6 replications, 90 % CI, {label}",
                    "metric": "coverage",
                    "formula": 0.9,
                    "simulated": hits.mean(),
                    "half_width": 1.96 * np.sqrt(0.09 / hits.size),
                    "within_ci": bool(abs(hits.mean() - 0.9) <= 1.96 * np.sqrt(0.09 / hits.size)),
                    "time_s": elapsed,
                }
            )
    return rows


def _day_roster():
    """A day of 8.5-hour shifts starting each half hour 07:00-14:30, meals mid-shift."""
    day = pd.Timestamp("2025-03-03")
    index = pd.date_range(day + pd.Timedelta("7h"), day + pd.Timedelta("23h"), freq="30min")
    index = index[:-1]
    starts = np.repeat(np.arange(16) * 1800.0 + 7 * 3600, 8)  # 8 agents per start
    agent = np.arange(starts.size)
    meal = starts + 3.5 * 3600 + 1800.0 * (agent % 3)
    shifts = pd.DataFrame(
        {
            "agent": agent,
            "start": day + pd.to_timedelta(starts, unit="s"),
            "end": day + pd.to_timedelta(starts + 8.5 * 3600, unit="s"),
            "break_start": day + pd.to_timedelta(meal, unit="s"),
            "break_end": day + pd.to_timedelta(meal + 1800.0, unit="s"),
        }
    )
    lo = (index - day).total_seconds().to_numpy()

    def present(a, b):
        return np.clip(np.minimum(lo[:, None] + 1800, b) - np.maximum(lo[:, None], a), 0, None)

    at_work = present(starts, starts + 8.5 * 3600).sum(axis=1) / 1800
    on_meal = present(meal, meal + 1800).sum(axis=1) / 1800
    return index, shifts, at_work, at_work - on_meal


def _roster(quick):
    rows = []
    aht, patience, short, absent = 300.0, 60.0, 300, 0.074
    partial = Absence(shift=0.05, late=0.3, late_time=900.0, early=0.25, early_time=2000.0)
    index, shifts, at_work, on_floor = _day_roster()
    net = on_floor * (1 - short / 3600)
    # Volume: what 95 % utilisation of the agents left after absence handles (near 80/20).
    volume = pd.Series(np.round(0.95 * net * (1 - absent) * 1800 / aht), index)
    reps = 10 if quick else 40
    shown = index[(index >= index[0] + pd.Timedelta("1h")) & (index < index[-1])]
    cases = (
        ("shifts only", at_work, {"shifts": shifts[["agent", "start", "end"]]}),
        ("+ meals", on_floor, {"shifts": shifts}),
        ("+ short breaks eaten by calls", net, {"short_breaks": short, "late_breaks": "shorten"}),
        ("+ short breaks delayed past the call", net, {"short_breaks": short}),
        (
            f"+ absence {absent:.1%} of shifts per replication",
            net * (1 - absent),
            {"short_breaks": short, "absence": Absence(shift=absent)},
        ),
        (
            "+ absence: 5 % of shifts, 30 % late (mean 15 min), 25 % early (mean 33 min)",
            net * (1 - partial.expected_loss(8.5 * 3600)),
            {"short_breaks": short, "absence": partial},
        ),
    )
    for name, agents, kw in cases:
        kw = {"shifts": shifts, **kw}
        formula = np.asarray(
            erlang.service_level(volume.to_numpy(), aht, agents, patience=patience)
        )
        keep = index.isin(shown)
        expected = float(np.average(formula[keep], weights=volume.to_numpy()[keep]))
        t0 = time.perf_counter()
        result = simulate(volume, aht, patience=patience, replications=reps, seed=31, **kw)
        elapsed = time.perf_counter() - t0
        summary = result.summary(shown)
        over = summary.loc["logged_time", "mean"] / summary.loc["scheduled_time", "mean"] - 1
        rows.append(
            _row(
                "roster",
                f"day roster of {shifts.shape[0]} agents, {name}",
                "service_level",
                expected,
                summary.loc["service_level"],
                result,
                time_s=elapsed,
                logged_over_scheduled=over,
            )
        )
    return rows


def _two_level_day(aht, interval):
    """Six busy hours, then six at half the calls, staffed per interval for 80/20."""
    periods = int(12 * 3600 // interval)
    index = pd.date_range("2025-03-03 08:00", periods=periods, freq=f"{int(interval)}s")
    hour = np.arange(periods) * interval / 3600
    volume = pd.Series(np.where(hour < 6, 360.0, 180.0) * interval / 3600, index)
    agents = erlang.required_agents(volume.to_numpy(), aht, interval=interval)
    return volume, pd.Series(agents, index), int(np.argmax(hour >= 6))


def _sipp(quick):
    rows = []
    reps = 20 if quick else 60
    for aht, interval in ((300.0, 1800.0), (1200.0, 1800.0), (1200.0, 900.0)):
        volume, agents, drop = _two_level_day(aht, interval)
        formula = np.asarray(
            erlang.service_level(volume.to_numpy(), aht, agents.to_numpy(), interval=interval)
        )
        for staffing in ("agents", "cap"):
            result = simulate(volume, aht, agents, staffing=staffing, replications=reps, seed=7)
            day = f"AHT {aht:.0f} s, {interval / 60:.0f}-min intervals, staffing as {staffing}"
            overrun = result.mean["logged_time"] - result.mean["scheduled_time"]
            for label, k in (
                ("first interval (floor starts idle)", 0),
                ("last interval before the drop", drop - 1),
                ("first interval after the drop", drop),
            ):
                rows.append(
                    _row(
                        "sipp",
                        f"{day}: {label}",
                        "service_level",
                        float(formula[k]),
                        {
                            "mean": result.mean["service_level"].iloc[k],
                            "half_width": result.half_width["service_level"].iloc[k],
                        },
                        result,
                    )
                )
            whole = result.summary()
            weights = result.mean["offered"].to_numpy()
            rows.append(
                _row(
                    "sipp",
                    f"{day}: whole day",
                    "service_level",
                    float(np.average(formula, weights=weights)),
                    whole.loc["service_level"],
                    result,
                    overrun_agent_h=float(overrun.sum() / 3600),
                )
            )
    rows += _bank_day(quick)
    # Forecast uncertainty: each day's volume drawn between the 10 % and 90 % quantiles.
    volume, agents, _ = _two_level_day(300.0, 1800.0)
    quantiles = pd.DataFrame({0.1: volume * 0.85, 0.5: volume, 0.9: volume * 1.15})
    result = simulate(quantiles, 300.0, agents, replications=reps * 2, seed=8)
    formula = np.asarray(erlang.service_level(volume.to_numpy(), 300.0, agents.to_numpy()))
    case = "AHT 300 s, 30-min intervals, daily volume within ±15 % (q0.1..q0.9): whole day"
    weights = volume.to_numpy()
    rows.append(
        _row(
            "sipp",
            case,
            "service_level",
            float(np.average(formula, weights=weights)),
            result.summary().loc["service_level"],
            result,
        )
    )
    days = result.replications.groupby(level="replication").sum()
    below = (days["answered_within"] / days["offered"] < 0.8).to_numpy(float)
    half = 1.96 * below.std(ddof=1) / np.sqrt(below.size)
    rows.append(
        _row(
            "sipp",
            case,
            "share of days under 80 %",
            None,
            {"mean": below.mean(), "half_width": half},
            result,
        )
    )
    return rows


def _bank_day(quick):
    """The busiest day of the US bank data: 5-minute arrivals, staffing from half-hour totals."""
    calls = pd.read_csv(shared_data("us_bank_calls_5min.csv"), parse_dates=["ds"])
    calls = calls.set_index("ds")["y"].astype(float)
    busiest = calls.groupby(calls.index.normalize()).sum().idxmax()
    day = calls[calls.index.normalize() == busiest]
    # The data end with a lone 21:00 count; keep whole half hours, 07:00 to 21:00.
    day = day[day.index < busiest + pd.Timedelta("21h")].asfreq("5min", fill_value=0.0)
    aht = 300.0  # the data hold arrivals only; a typical retail-bank handle time is assumed
    half_hours = day.resample("30min").sum()
    need = pd.Series(erlang.required_agents(half_hours.to_numpy(), aht), half_hours.index)
    agents = need.reindex(day.index, method="ffill")
    reps = 20 if quick else 60
    result = simulate(day, aht, agents, replications=reps, seed=9).resample("30min")
    formula = np.asarray(erlang.service_level(half_hours.to_numpy(), aht, need.to_numpy()))
    sl = result.mean["service_level"]
    worst = int(np.argmin(sl.to_numpy()))
    name = f"US bank {busiest:%Y-%m-%d}, {int(day.sum())} calls, AHT 300 s, half-hour staffing"
    return [
        _row(
            "sipp",
            f"{name}: whole day",
            "service_level",
            float(np.average(formula, weights=half_hours.to_numpy())),
            result.summary().loc["service_level"],
            result,
        ),
        _row(
            "sipp",
            f"{name}: worst half hour {sl.index[worst]:%H:%M}",
            "service_level",
            float(formula[worst]),
            {"mean": sl.iloc[worst], "half_width": result.half_width["service_level"].iloc[worst]},
            result,
        ),
    ]


def run(quick: bool = False) -> pd.DataFrame:
    """Run the simulation benchmark; one row per measured case and metric."""
    return pd.DataFrame(
        _speed(quick)
        + _multiskill_speed(quick)
        + _agreement(quick)
        + _coverage(quick)
        + _roster(quick)
        + _sipp(quick)
    )


if __name__ == "__main__":
    import sys

    table = run(quick="--quick" in sys.argv)
    try:
        print(table.to_markdown(index=False, floatfmt=".4g"))
    except ImportError:
        with pd.option_context("display.width", 250, "display.max_columns", 20):
            print(table.to_string(index=False))

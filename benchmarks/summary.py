"""The figures that matter of each benchmark, beside their reference, in one small table each.

Each function takes the frame a benchmark's ``run`` returns and gives rows of ``figure``,
``case``, ``ours``, ``reference`` (a peer, a proven bound, a best known value or a goal),
``ratio`` (ours / reference) and ``note``. A comparison whose peer is not installed is left
out with a note that says how to enable it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "headlines", "safe_headlines"]

COLUMNS = ["figure", "case", "ours", "reference", "ratio", "note"]


def _row(figure, case, ours, reference=np.nan, note=""):
    ours = float(ours) if ours is not None else np.nan
    reference = float(reference) if reference is not None else np.nan
    ratio = ours / reference if np.isfinite(reference) and reference != 0 else np.nan
    return {
        "figure": figure,
        "case": case,
        "ours": ours,
        "reference": reference,
        "ratio": ratio,
        "note": note,
    }


def _erlang_speed(frame):
    rows = []
    for r in frame.itertuples(index=False):
        peer = getattr(r, "pyworkforce_us_per_interval", None)
        note = "reference: pyworkforce" if pd.notna(peer) else (
            "pyworkforce not installed: pip install -e '.[bench]'"
        )  # fmt: skip
        rows.append(
            _row("staffing [µs per interval]", r.loads, r.ours_us_per_interval, peer, note)
        )
        rows.append(
            _row(
                "staffing / one Erlang C evaluation",
                r.loads,
                r.staff_c_over_eval,
                1.0,
                "goal: near the cost of one formula evaluation",
            )
        )
        erlang_a = getattr(r, "staff_a_us_per_interval", None)
        for column, figure in (
            ("lagged_a_us_per_interval", "lag-corrected staffing [µs per interval]"),
            ("risk_quantile_a_us_per_interval", "risk staffing, 90% quantile [µs per interval]"),
            ("risk_expected_a_us_per_interval", "risk staffing, expected [µs per interval]"),
        ):
            ours = getattr(r, column, None)
            if ours is not None and erlang_a is not None:
                rows.append(
                    _row(
                        figure,
                        r.loads,
                        ours,
                        20.0 * erlang_a,
                        "goal: within 20x of Erlang A staffing at the mean (reference)",
                    )
                )
    return rows


def _forecast_accuracy(frame):
    rows = []
    every = frame[frame["days"] == "all"]
    for (case, lead), part in every.groupby(["case", "lead_days"], sort=False):
        by_model = part.set_index("model")
        ours = "auto" if "auto" in by_model.index else None
        if ours is None:  # without model choice (quick runs): the best of ours
            candidates = by_model.drop(
                index=["true_rate (noise floor)", "seasonal_naive"], errors="ignore"
            )["wape_pct"].dropna()
            if candidates.empty:
                continue
            ours = candidates.idxmin()
        if "seasonal_naive" in by_model.index:
            rows.append(
                _row(
                    "WAPE [%]",
                    f"{case}, {lead}-day lead, {ours}",
                    by_model.at[ours, "wape_pct"],
                    by_model.at["seasonal_naive", "wape_pct"],
                    "reference: seasonal naive, statsforecast's baseline",
                )
            )
        rows.append(
            _row(
                "80% interval coverage [%]",
                f"{case}, {lead}-day lead, {ours}",
                by_model.at[ours, "coverage80_pct"],
                80.0,
                "goal: 80",
            )
        )
    return rows


def _forecast_intraday(frame):
    rows = []
    for r in frame.itertuples(index=False):
        rows.append(
            _row(
                "rest-of-day WAPE, updated / day-ahead",
                f"{r.case} at {r.update_at}",
                r.wape_ratio,
                0.8,
                f"goal at 12:00: <= 0.8; {r.wape_updated_pct:.2f}% vs {r.wape_day_ahead_pct:.2f}%",
            )
        )
        rows.append(
            _row(
                "updated 80% band coverage [%]",
                f"{r.case} at {r.update_at}",
                r.coverage80_updated_pct,
                80.0,
                f"goal: about 80%; day-ahead band {r.coverage80_day_ahead_pct:.1f}%",
            )
        )
    return rows


def _forecast_speed(frame):
    return [
        _row("per series [ms]", f"{r.n_series} series, {r.model}", r.per_series_ms)
        for r in frame.itertuples(index=False)
    ]


def _roster_seats(frame):
    return [
        _row(
            "stage-1 cost [paid h]",
            r.case,
            r.cost_paid_h,
            r.lp_bound,
            f"reference: LP bound; {r.time_s:.0f} s, {r.shortfall_agent_h:g} agent-h short",
        )
        for r in frame.itertuples(index=False)
    ]


def _roster_month(frame):
    rows = []
    for r in frame.itertuples(index=False):
        rows.append(
            _row(
                "roster cost",
                r.case,
                r.cost,
                r.lower_bound,
                f"reference: proven lower bound; {r.time_s:g} s, "
                f"{r.hard_violations} hard violations",
            )
        )
    return rows


def _roster_curtois(frame):
    known = frame["best_known"].notna() if "best_known" in frame else frame["objective"].isna()
    rows = [
        _row(
            "objective",
            r.instance,
            r.objective,
            r.best_known,
            f"reference: best known; {r.time_s:.0f} s",
        )
        for r in frame[known].itertuples(index=False)
    ]
    # stretched instances have no best known value: beside the lower bound proved, if any
    for r in frame[~known].itertuples(index=False):
        settings = f"x{r.weeks_x:g} weeks, x{r.staff_x:g} staff, x{r.types_x:g} types"
        rows.append(
            _row(
                "objective, stretched",
                f"{r.source} {settings}",
                r.objective,
                # a bound at or below zero says nothing of an objective that is positive
                r.bound if np.isfinite(r.bound) and r.bound > 0 else np.nan,
                f"reference: lower bound; {r.time_s:.0f} s"
                + ("; limit reached" if r.limit_reached else ""),
            )
        )
    frame = frame[known]
    if len(frame):
        ratio = (frame["objective"] / frame["best_known"]).to_numpy(float)
        mean = float(np.exp(np.mean(np.log(ratio))))
        rows.append(_row("objective / best known", "geometric mean", mean, 1.0, "goal: 1"))
    return rows


def _simulation(frame):
    rows = []
    speed = frame[frame["group"] == "speed"]
    for r in speed.itertuples(index=False):
        rows.append(
            _row(
                "calls per second",
                r.case,
                r.calls_per_s,
                2e6,
                "goal: 1M calls in about 0.5 s",
            )
        )
    # only where the formula holds exactly; the other groups show where it stops holding
    agreement = frame[frame["group"] == "agreement"]
    checked = agreement[agreement["within_ci"].notna()] if "within_ci" in frame else agreement
    if len(checked):
        share = checked["within_ci"].astype(bool).mean()
        rows.append(
            _row(
                "formula within the simulation's CI [share]",
                f"{len(checked)} Erlang B, C and A checks",
                share,
                0.95,
                "goal: about the confidence level",
            )
        )
    return rows


def _erlang_patience(frame):
    rows = []
    for r in frame[frame["group"] == "speed"].itertuples(index=False):
        rows.append(
            _row(
                "staffing CPU per interval over Erlang A's",
                r.case,
                r.staff_over_erlang_a,
                20.0,
                f"goal: within 20x; {r.staff_us_per_interval:.1f} us per interval",
            )
        )
    checked = frame[frame["group"] == "agreement"]
    if len(checked):
        rows.append(
            _row(
                "formula within the simulation's CI [share]",
                f"{len(checked)} M/M/n+G checks",
                checked["within_ci"].astype(bool).mean(),
                0.95,
                "goal: about the confidence level",
            )
        )
    return rows


def _roster_scale(frame):
    rows = []
    months = frame[frame["case"].str.contains("x 31 days")]
    if "goal_gap_pct" in months:
        months = months[months["goal_gap_pct"].notna()]
    for r in months.itertuples(index=False):
        goal = getattr(r, "goal_gap_pct", 1.0)
        wall_goal = getattr(r, "goal_wall_s", float("nan"))
        limit = " (limit bound)" if r.time_limit_hit else ""
        within = "" if wall_goal != wall_goal else f" (goal {wall_goal:g} s)"
        rows.append(
            _row(
                "gap to the proven bound [%]",
                r.case,
                r.gap_pct,
                goal,
                f"reference: goal; {r.wall_s:g} s wall{within}{limit}, {r.short_agent_h:g} "
                f"agent-h short, {r.hard_violations} hard violations, "
                f"{r.peak_memory_mib:g} MiB",
            )
        )
    for r in frame[frame["case"].str.startswith("determinism")].itertuples(index=False):
        rows.append(
            _row(
                "same roster on a second run",
                r.case,
                float(bool(r.same_roster)),
                1.0,
                "goal: 1 (equal assignments and cost)",
            )
        )
    return rows


def _multiskill(frame):
    rows = []
    for centre, day in frame.groupby("centre", sort=False):
        first = day.iloc[0]
        note = f"{int(first.intervals)} intervals, {len(day)} queues"
        rows.append(_row("staffing CPU [s]", centre, first.cpu_s, 60.0, f"{note}; goal: < 60 s"))
        rows.append(
            _row(
                "agent-intervals, pooled / separate Erlang pools",
                centre,
                first.agents,
                first.separate_agents,
                f"saved {first.saved:.1%}",
            )
        )
        for r in day.itertuples(index=False):
            rows.append(
                _row(
                    "service level by simulation",
                    f"{centre}: {r.queue}",
                    r.service_level,
                    r.target,
                    f"± {r.half_width:.3f}; {r.intervals_below} intervals wholly below",
                )
            )
    return rows


def _erlang_chat(frame):
    rows = []
    for r in frame.itertuples(index=False):
        if r.case.startswith("speed"):
            rows.append(
                _row(
                    "chat staffing [µs per interval]",
                    r.case,
                    r.chat_staffing_us_per_interval,
                    r.erlang_a_staffing_us_per_interval,
                    "reference: Erlang A staffing, same targets; goal: ratio <= 20",
                )
            )
            kpis = r.chat_kpis_us_per_interval
            rows.append(_row("chat KPIs [µs per interval]", r.case, kpis, 1000.0, "goal: 1 ms"))
        else:
            rows.append(
                _row(
                    "chain vs simulation, worst gap / 99.9% half-width",
                    r.case,
                    r.balanced_worst_gap_over_hw,
                    1.0,
                    "balanced routing; goal: <= 1",
                )
            )
    return rows


def _erlang_redials(frame):
    rows = []
    base = frame["staffing_us"].iloc[0]
    for r in frame[frame["staffing_us"].notna()].iloc[1:].itertuples(index=False):
        rows.append(
            _row("staffing with redials [µs/interval]", r.case, r.staffing_us, base,
                 "reference: Erlang A staffing without redials; goal: ratio <= 20")
        )  # fmt: skip
    if "chain_staffing_ms" in frame:
        for r in frame[frame["chain_staffing_ms"].notna()].itertuples(index=False):
            rows.append(
                _row("staffing by the exact chain [ms/interval]", r.case, r.chain_staffing_ms,
                     r.fixed_point_staffing_ms,
                     f"reference: the fixed point; {r.chain_extra_agents:+.1f} agents on it")
            )  # fmt: skip
    for r in frame[frame["service_level_sim"].notna()].itertuples(index=False):
        rows.append(
            _row("service level, fixed point vs simulation", r.case,
                 r.service_level_fixed_point, r.service_level_sim,
                 f"simulation ± {r.service_level_half_width:.3f}; redials are not Poisson")
        )  # fmt: skip
    if "abandon_rate_chain" in frame:
        for r in frame[frame["abandon_rate_chain"].notna()].itertuples(index=False):
            rows.append(
                _row("abandon rate, fixed point vs exact chain", r.case,
                     r.abandon_rate_fixed_point, r.abandon_rate_chain,
                     "the fixed point is optimistic when redials come back soon")
            )  # fmt: skip
    return rows


def _batch(frame):
    rows = []
    main = frame[frame["case"].str.contains("forecast")]
    for r in main[main["engine"] != "serial"].itertuples(index=False):
        where = f"{r.case}, {r.engine}, {r.workers} workers"
        shared = f"load {r.load_1min:.1f} before the run (shared machine)"
        rows.append(
            _row(
                "speed-up against serial, wall",
                where,
                r.speedup,
                1.7,
                f"goal: 1.7; {r.wall_s:.0f} s wall, {shared}; identical frames: "
                f"{bool(r.identical)}",
            )
        )
        rows.append(
            _row(
                "speed-up against serial, on free cores (CPU)",
                where,
                r.cpu_speedup,
                1.7,
                f"goal: 1.7; serial CPU over the busiest worker's and the driver's; "
                f"{r.cpu_per_queue_ms:.0f} ms CPU per queue",
            )
        )
        rows.append(
            _row(
                "engine overhead [% of work], driver CPU",
                where,
                r.driver_cpu_pct_of_work,
                5.0,
                f"goal: under 5; {r.driver_cpu_per_task_ms:.1f} ms per task; wall overhead "
                f"{r.overhead_pct_of_work:.0f}% ({shared}), "
                f"no-op task {r.noop_per_task_ms:.0f} ms"
                + (
                    f", idle upkeep {r.driver_idle_cpu_pct:.0f}% of a core left out"
                    if getattr(r, "driver_idle_cpu_pct", 0) > 0
                    else ""
                ),
            )
        )
    for r in main[main["engine"] == "dask"].itertuples(index=False):
        for column in [c for c in frame.columns if c.startswith("projected_")]:
            queues, workers = column.split("_")[1].rstrip("q"), column.split("_")[2].rstrip("w")
            rows.append(
                _row(
                    f"projected wall for {int(queues):,} queues [s]",
                    f"dask, {workers} workers",
                    getattr(r, column),
                    note=f"from {r.cpu_per_queue_ms:.0f} ms CPU per queue, at least "
                    f"{min(r.driver_cpu_per_task_ms, r.noop_per_task_ms):.1f} ms per task "
                    "to hand out",
                )
            )
    return rows


_HEADLINES = {
    "erlang_speed": _erlang_speed,
    "erlang_chat": _erlang_chat,
    "erlang_redials": _erlang_redials,
    "erlang_patience": _erlang_patience,
    "forecast_accuracy": _forecast_accuracy,
    "forecast_intraday": _forecast_intraday,
    "forecast_speed": _forecast_speed,
    "roster_seats": _roster_seats,
    "roster_month": _roster_month,
    "roster_scale": _roster_scale,
    "roster_curtois": _roster_curtois,
    "simulation": _simulation,
    "multiskill": _multiskill,
    "batch": _batch,
}


def headlines(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The headline table of benchmark ``name`` from the frame its ``run`` returned."""
    make = _HEADLINES.get(name)
    rows = make(frame) if make is not None and len(frame) else []
    return pd.DataFrame(rows, columns=COLUMNS)


def safe_headlines(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`headlines`, or one row saying why there are none: a summary never costs a run."""
    try:
        return headlines(name, frame)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        why = f"{type(exc).__name__}: {exc}"
        return pd.DataFrame([_row("no summary", name, np.nan, note=why)], columns=COLUMNS)

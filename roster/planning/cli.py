"""The ``seatplan`` command line."""

import argparse
import sys
from pathlib import Path

import pandas as pd

import erlang


def _staff(args) -> int:
    """Seats per interval for a volume history: the bundled sample week or a CSV file."""
    if args.volume is None:
        from forecast.synthetic import synthetic_hotline

        sample = synthetic_hotline(start="2025-06-02", end="2025-06-08", seed=0)
        volume, aht = sample.volume.astype(float), sample.aht
        source = "bundled sample: a synthetic 12345-style hotline week, 30-minute intervals"
    else:
        path = Path(args.volume)
        frame = pd.read_csv(path, parse_dates=["ds"]).set_index("ds")
        if "y" not in frame:
            raise SystemExit(f"{path}: no column 'y' (volume per interval) in {list(frame)}")
        volume = frame["y"].astype(float)
        aht = frame["aht"].astype(float) if "aht" in frame else float(args.aht)
        source = str(path)
    from forecast import interval_length

    given = None if len(volume) > 1 else args.interval
    interval = interval_length(volume.index, given, name=source, grid=False)
    patience = None if args.patience <= 0 else args.patience
    targets = {
        "interval": interval,
        "service_level": args.service_level,
        "threshold": args.threshold,
        "answer_rate": args.answer_rate,
        "max_occupancy": args.max_occupancy,
        "max_abandon": args.max_abandon if patience else None,
        "short_abandon": 20.0 if patience else None,
        "patience": patience,
        "shrinkage": args.shrinkage,
    }
    agents = erlang.required_agents(volume, aht, min_agents=args.min_agents, **targets)
    productive = erlang.required_agents(volume, aht, **{**targets, "shrinkage": 0.0})
    kpis = erlang.kpis(
        volume,
        aht,
        productive,
        interval=interval,
        threshold=args.threshold,
        patience=patience,
        short_abandon=targets["short_abandon"],
    )
    table = kpis.assign(scheduled=agents)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "requirement.csv", index_label="interval_start")
    peak = table["scheduled"].idxmax()
    print(f"source: {source}")
    print(f"intervals: {len(table)} of {interval / 60:.0f} min, {volume.sum():.0f} contacts")
    print(f"peak: {table['scheduled'].max()} scheduled agents at {peak}")
    print(f"agent-hours scheduled: {table['scheduled'].sum() * interval / 3600:.0f}")
    print(f"lowest service level at the requirement: {table.service_level.min():.3f}")
    print(f"written: {out / 'requirement.csv'}")
    return 0


_TARGET_FLAGS = {
    "service_level": float,
    "threshold": float,
    "answer_rate": float,
    "cutoff": float,
    "asa": float,
    "max_abandon": float,
    "short_abandon": float,
    "max_occupancy": float,
    "patience": float,
    "shrinkage": float,
    "floor_day": int,
    "floor_night": int,
    "trunks": int,
    "max_blocking": float,
}
_PLAN_KEYS = {
    "month",
    "days",
    "agents",
    "aht",
    "calendar",
    "model",
    "replications",
    "seed",
    "time_limit",
}


def _read_config(path) -> dict:
    """Sections ``plan``, ``targets`` and ``rules`` of a TOML file, checked for unknown keys."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            config = tomllib.load(handle)
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(config) - {"plan", "targets", "rules"})
    if unknown:
        raise ValueError(f"{path}: unknown sections {unknown}; use [plan], [targets], [rules]")
    bad = sorted(set(config.get("plan", {})) - _PLAN_KEYS)
    if bad:
        raise ValueError(f"{path}: unknown keys {bad} in [plan]; known: {sorted(_PLAN_KEYS)}")
    return config


def _plan(args) -> int:
    """The whole plan on the bundled sample or the user's history or call records."""
    import dataclasses
    import time

    from forecast import get_calendar
    from roster.planning.inputs import bundled_sample, read_calls, read_history
    from roster.planning.pipeline import plan
    from roster.planning.report import write_report
    from roster.planning.targets import Targets
    from roster.rules import Rules

    t0 = time.perf_counter()
    config = _read_config(args.config) if args.config else {}
    settings = {
        "month": None,
        "days": None,
        "agents": 120,
        "aht": None,
        "calendar": "CN",
        "model": "auto",
        "replications": 10,
        "seed": 0,
        "time_limit": 20.0,
    }
    settings.update(config.get("plan", {}))
    for key in settings:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    source = args.config or "targets"
    target_values = dict(config.get("targets", {}))
    target_values.update(
        {k: getattr(args, k) for k in _TARGET_FLAGS if getattr(args, k) is not None}
    )
    for key in ("patience", "trunks", "asa"):
        if target_values.get(key) is not None and target_values[key] <= 0:
            target_values[key] = None  # 0 switches Erlang A, the trunk cap or ASA off
    targets = Targets.from_dict(target_values, source=f"{source} [targets]")
    rule_values = config.get("rules", {})
    known_rules = {f.name for f in dataclasses.fields(Rules)}
    bad = sorted(set(rule_values) - known_rules)
    if bad:
        raise ValueError(f"{source} [rules]: unknown keys {bad}; known: {sorted(known_rules)}")
    rules = Rules(**rule_values)

    kwargs = {}
    if args.calls:
        kwargs["calls"] = read_calls(args.calls)
        what = f"call records {args.calls}"
    elif args.history:
        frame = read_history(args.history)
        if "aht" not in frame and settings["aht"] is None:
            settings["aht"] = 300.0
            print(f"{args.history}: no aht column, using --aht 300 s", file=sys.stderr)
        kwargs["history"] = frame
        what = f"history {args.history}"
    else:
        sample = bundled_sample()
        kwargs["history"] = sample.volume
        kwargs["events"] = sample.events
        if settings["aht"] is None:
            settings["aht"] = sample.aht
        what = "bundled sample: synthetic 12345-style hotline, 2024-2025, 30-minute intervals"
    print(f"seatplan plan: {what}", file=sys.stderr)

    def progress(step, number, total, seconds):
        if seconds is None:
            print(f"[{number}/{total}] {step} ...", file=sys.stderr, flush=True)
        else:
            print(f"[{number}/{total}] {step} done in {seconds:.1f} s", file=sys.stderr)

    calendar = get_calendar(settings["calendar"])
    result = plan(
        **kwargs,
        aht=settings["aht"],
        month=settings["month"],
        days=settings["days"],
        agents=settings["agents"],
        targets=targets,
        rules=rules,
        calendar=calendar,
        model=settings["model"],
        replications=settings["replications"],
        seed=settings["seed"],
        time_limit=float(settings["time_limit"]),
        progress=None if args.quiet else progress,
    )
    files = write_report(result, args.out, calendar=calendar)
    s = result.summary()
    print(f"month: {s.first_day} to {s.last_day}  ({what.split(':')[0]})")
    print(f"contacts forecast: {s.contacts_forecast:,.0f}  (model {s.forecast_model})")
    print(
        f"agents: {s.agents} on {s.agent_shifts} shifts; required {s.required_agent_h:,.0f} "
        f"agent-h, rostered net {s.net_agent_h:,.0f} agent-h"
    )
    print(
        f"coverage shortfall: {s.shortfall_agent_h:,.1f} agent-h in {s.intervals_short} of "
        f"{len(result.coverage)} intervals"
    )
    line = f"service level ({targets.threshold:g} s): expected {s.service_level_expected:.1%}"
    if "service_level_simulated" in s:
        line += (
            f", simulated {s.service_level_simulated:.1%} "
            f"± {s.service_level_simulated_hw:.1%} ({settings['replications']} replications)"
        )
    print(line)
    print(f"rule violations: {s.violations_hard} hard, {s.violations_soft} soft")
    for reason in result.named_roster.diagnosis:
        print(f"roster: {reason}")
    print(f"report: {len(files)} files in {Path(args.out).resolve()}")
    print(f"time: {time.perf_counter() - t0:.0f} s")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="seatplan", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    staff = commands.add_parser("staff", help="agents required per interval (Erlang C or A)")
    staff.add_argument("--volume", help="CSV with columns ds, y (contacts) and optionally aht [s]")
    staff.add_argument("--aht", type=float, default=300.0, help="handle time if no aht column [s]")
    staff.add_argument("--interval", type=float, default=1800.0, help="interval length [s]")
    staff.add_argument("--service-level", type=float, default=0.8)
    staff.add_argument("--threshold", type=float, default=20.0, help="answer-time target [s]")
    staff.add_argument("--answer-rate", type=float, default=0.85, help="answered within 60 s")
    staff.add_argument("--max-abandon", type=float, default=0.05, help="short abandons excluded")
    staff.add_argument("--max-occupancy", type=float, default=0.9)
    staff.add_argument(
        "--patience", type=float, default=60.0, help="mean patience [s]; 0 for Erlang C"
    )
    staff.add_argument("--shrinkage", type=float, default=0.3)
    staff.add_argument("--min-agents", type=int, default=2)
    staff.add_argument("--out", default="seatplan-report", help="report folder")

    run = commands.add_parser(
        "plan",
        help="the whole plan: forecast, staffing, shifts, named roster, KPIs, simulation",
        description="Plan a month and write a report folder. Without --calls or --history it "
        "runs on the bundled sample (a synthetic 12345-style hotline, 120 agents).",
    )
    data = run.add_mutually_exclusive_group()
    data.add_argument("--calls", help="call records (CSV/Parquet): arrival, answer, end")
    data.add_argument("--history", help="history (CSV/Parquet): ds, y and optionally aht [s]")
    run.add_argument("--config", help="TOML file with [plan], [targets] and [rules] tables")
    run.add_argument("--month", help="month to plan, YYYY-MM (default: after the history)")
    run.add_argument("--days", type=int, help="plan only the first N days of the month")
    run.add_argument("--agents", type=int, help="team size (default 120)")
    run.add_argument("--aht", type=float, help="handle time when the data has none [s]")
    run.add_argument("--calendar", help="holiday calendar code (default CN)")
    run.add_argument("--model", help="forecast model (default auto)")
    target_help = {
        "service_level": "share answered within --threshold (default 0.8)",
        "threshold": "service-level answer time [s] (default 20)",
        "answer_rate": "share answered within --cutoff (default 0.85)",
        "cutoff": "answer-rate cutoff [s] (default 60)",
        "asa": "most average speed of answer [s] (default 20; 0 = no target)",
        "max_abandon": "most abandonment, short abandons excluded (default 0.05)",
        "short_abandon": "abandons within this are misdials [s] (default 20)",
        "max_occupancy": "most occupancy (default 0.9)",
        "patience": "mean patience for Erlang A [s] (default 60; 0 = Erlang C)",
        "shrinkage": "absence and non-adherence share (default 0.126)",
        "floor_day": "agents online at least by day (default 8)",
        "floor_night": "agents online at least at night (default 2)",
        "trunks": "trunk lines: callers beyond them are blocked (default none)",
        "max_blocking": "most share of calls blocked by the trunks (default none)",
    }
    for name, kind in _TARGET_FLAGS.items():
        run.add_argument(
            f"--{name.replace('_', '-')}", type=kind, default=None, help=target_help[name]
        )
    run.add_argument("--replications", type=int, help="simulation runs; 0 skips (default 10)")
    run.add_argument("--seed", type=int, help="simulation seed (default 0)")
    run.add_argument("--time-limit", type=float, help="solver budget per stage [s] (default 20)")
    run.add_argument("--out", default="seatplan-report", help="report folder")
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if args.command == "staff":
        return _staff(args)
    try:
        return _plan(args)
    except ValueError as exc:
        print(f"seatplan plan: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

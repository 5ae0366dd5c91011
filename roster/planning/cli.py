"""The ``seatplan`` command line."""

from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

import erlang

if TYPE_CHECKING:
    from roster.planning.policy import StaffingPolicy


def _staff(args) -> int:
    """Seats per interval for a volume history: the bundled sample week or a CSV file."""
    from roster.planning.queue_model import QueueModel

    staffing = _staffing(args, {})  # bad targets are named before any data is read
    model = QueueModel(staffing.targets, **_queue_options(args, {}, staffing))
    if args.volume is None:
        from forecast.synthetic import synthetic_hotline

        sample = synthetic_hotline(start="2025-06-02", end="2025-06-08", seed=0)
        volume, aht = sample.volume.astype(float), sample.aht
        source = "bundled sample: a synthetic 12345-style hotline week, 30-minute intervals"
    else:
        from roster.planning.inputs import read_history

        path = Path(args.volume)
        # the plan's reader: one-line errors naming the file, the row and the column
        frame = read_history(path, **_file_options(args, {}))
        frame = frame.drop_duplicates("ds").set_index("ds")
        volume = frame["y"].astype(float)
        aht = frame["aht"].astype(float) if "aht" in frame else float(args.aht)
        if "aht" not in frame:
            print(f"{path}: no aht column, using --aht {args.aht:g} s", file=sys.stderr)
        source = str(path)
    from forecast import interval_length

    given = None if len(volume) > 1 else args.interval
    interval = interval_length(volume.index, given, name=source, grid=False)
    queue = model.model
    floors = staffing.policy.floors(pd.DatetimeIndex(volume.index))
    agents = erlang.required_agents(
        volume,
        aht,
        interval=interval,
        shrinkage=staffing.policy.shrinkage,
        min_agents=floors,
        targets=staffing.targets,
        **queue,
    )
    productive = erlang.required_agents(
        volume, aht, interval=interval, targets=staffing.targets, **queue
    )
    kpis = erlang.kpis(
        volume, aht, productive, interval=interval, targets=staffing.targets, **queue
    )
    table = kpis.assign(floor=floors, scheduled=agents)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "requirement.csv", index_label="interval_start")
    peak = table["scheduled"].idxmax()
    print(f"source: {source}")
    print(f"queue: {model.describe()}")
    print(f"intervals: {len(table)} of {interval / 60:.0f} min, {volume.sum():.0f} contacts")
    print(f"peak: {table['scheduled'].max()} scheduled agents at {peak}")
    print(f"agent-hours scheduled: {table['scheduled'].sum() * interval / 3600:.0f}")
    print(f"lowest service level at the requirement: {table.service_level.min():.3f}")
    print(f"written: {out / 'requirement.csv'}")
    return 0


#: Flags of both commands: service targets (erlang.Targets), the staffing policy
#: (StaffingPolicy) and the queue (patience, trunks), with their help and default.
_TARGET_FLAGS = {
    "service_level": (float, "share answered within --threshold (default 0.8)"),
    "threshold": (float, "service-level answer time [s] (default 20)"),
    "answer_rate": (float, "share answered within --cutoff (default 0.85)"),
    "cutoff": (float, "answer-rate cutoff [s] (default 60)"),
    "asa": (float, "most average speed of answer [s] (default 20; 0 = no target)"),
    "max_abandon": (float, "most abandonment, short abandons excluded (default 0.05)"),
    "short_abandon": (float, "abandons within this are misdials [s] (default 20)"),
    "max_occupancy": (float, "most occupancy (default 0.9)"),
    "max_blocking": (float, "most share of calls blocked by the trunks (default none)"),
}
_POLICY_FLAGS = {
    "shrinkage": (float, "absence and non-adherence share (default 0.126)"),
    "floor_day": (int, "agents online at least by day (default 8)"),
    "floor_night": (int, "agents online at least at night (default 2)"),
}
_QUEUE_FLAGS = {
    "patience": (float, "mean patience for Erlang A [s] (default 60; 0 = Erlang C)"),
    "patience_law": (
        str,
        "patience law instead of a mean: weibull:shape=0.7,mean=120, lognormal:mean=120,cv=1, "
        "deterministic:value=90 or exponential:mean=60 [s]",
    ),
    "patience_from": (
        str,
        "call records (CSV/Parquet: arrival, answer, end) to measure the patience from "
        "(Kaplan-Meier); the plan then uses the fitted law",
    ),
    "trunks": (int, "trunk lines: callers beyond them are blocked (default none)"),
}
#: Flags of the [redials] and [chat] tables: flag name -> (table, key, type, help).
_OPTION_FLAGS = {
    "redial_prob": ("redials", "probability", float, "share of abandoned callers who call again"),
    "redial_delay": ("redials", "delay", float, "mean time to the redial [s] (default 300)"),
    "redial_busy_prob": (
        "redials",
        "blocked_probability",
        float,
        "share of callers hearing busy tone who call again (default --redial-prob)",
    ),
    "redial_targets_on": (
        "redials",
        "targets_on",
        str,
        "targets on 'attempts' (as the switch counts) or 'callers' (default attempts)",
    ),
    "redial_method": (
        "redials",
        "method",
        str,
        "'fixed_point' (fast, optimistic for short delays) or the exact retrial 'chain' "
        "(milliseconds per interval) (default fixed_point)",
    ),
    "chat_sessions": ("chat", "max_sessions", int, "chat: sessions an agent holds at once"),
    "chat_slowdown": (
        "chat",
        "slowdown",
        float,
        "chat: extra handle time per extra open session, share of AHT (default 0)",
    ),
}
#: Keys of the [redials] and [chat] tables (the fields of erlang.Redials and erlang.Chat).
_OPTION_KEYS = {
    "redials": ("probability", "delay", "blocked_probability", "targets_on", "method"),
    "chat": ("max_sessions", "slowdown", "throughput"),
}
_PATIENCE_KEYS = ("patience", "patience_law", "patience_from")
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
    "risk",
    "encoding",
    "columns",
    "dayfirst",
    *_QUEUE_FLAGS,
}
#: Keys of ``[plan]`` for the ``[[work_orders]]`` tables: the back-office agents working orders
#: and the share of the phone agents' idle time they may take (:class:`WorkOrders`).
_WORK_ORDER_KEYS = {"work_order_back_office": "back_office", "work_order_idle_share": "idle_share"}
_PLAN_KEYS |= set(_WORK_ORDER_KEYS)


def _file_options(args, plan_table: dict) -> dict:
    """How to read the user's file: encoding, column mapping and day/month order, from the
    flags over the config's ``[plan]`` table."""
    from roster.planning.tables import parse_column_map

    columns = dict(plan_table.get("columns", {}))
    columns.update(parse_column_map(args.columns))
    dayfirst = plan_table.get("dayfirst") if args.dayfirst is None else args.dayfirst
    return {
        "encoding": args.encoding or plan_table.get("encoding"),
        "columns": columns,
        "dayfirst": dayfirst,
    }


def _add_file_flags(parser) -> None:
    parser.add_argument(
        "--encoding", help="text encoding of a CSV file (default: UTF-8, else GBK/GB18030)"
    )
    parser.add_argument(
        "--columns",
        help="columns by header, e.g. ds=时间,y=呼入量,aht=平均处理时长 (default: known headers)",
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst", action="store_const", const=True, help="dates like 04/03/2026 are 4 March"
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_const",
        const=False,
        help="dates like 04/03/2026 are 3 April",
    )


@dataclass(frozen=True)
class _Staffing:
    """Targets, staffing policy and queue of a command, from the config and the flags."""

    targets: erlang.Targets
    policy: StaffingPolicy
    patience: float | None
    trunks: int | None


def _staffing(args, config: dict, source: str = "targets") -> _Staffing:
    """The staffing inputs shared by ``staff`` and ``plan``: flags over the config's tables
    over the defaults (the hotline targets, :class:`StaffingPolicy`, patience 60 s)."""
    from roster.planning.policy import StaffingPolicy

    def given(flags, table):
        values = dict(table)
        values.update({k: getattr(args, k) for k in flags if getattr(args, k, None) is not None})
        return values

    target_values = given(_TARGET_FLAGS, config.get("targets", {}))
    if target_values.get("asa") is not None and target_values["asa"] <= 0:
        target_values["asa"] = None  # 0 switches the ASA target off
    plan_table = config.get("plan", {})
    queue = given(_QUEUE_FLAGS, {k: v for k, v in plan_table.items() if k in _QUEUE_FLAGS})
    patience = queue.get("patience", 60.0)
    trunks = queue.get("trunks")
    # 0 switches Erlang A (and with it abandonment) or the trunk cap off
    patience = None if patience is None or patience <= 0 else float(patience)
    trunks = None if trunks is None or trunks <= 0 else trunks
    targets = erlang.Targets.from_dict(target_values, source=f"{source} [targets]")
    policy = StaffingPolicy.from_dict(
        given(_POLICY_FLAGS, config.get("staffing", {})), source=f"{source} [staffing]"
    )
    return _Staffing(targets, policy, patience, trunks)


#: How the queue flags show their value in ``--help``.
_METAVARS = {
    "patience": "SECONDS",
    "patience_law": "LAW",
    "patience_from": "CALLS",
    "redial_prob": "P",
    "redial_delay": "SECONDS",
    "redial_busy_prob": "P",
    "redial_targets_on": "{attempts,callers}",
    "redial_method": "{fixed_point,chain}",
    "chat_sessions": "K",
    "chat_slowdown": "S",
}


def _add_staffing_flags(parser) -> None:
    for name, (kind, text) in {**_TARGET_FLAGS, **_POLICY_FLAGS, **_QUEUE_FLAGS}.items():
        parser.add_argument(
            _flag(name), type=kind, default=None, help=text, metavar=_METAVARS.get(name)
        )
    for name, (_, _, kind, text) in _OPTION_FLAGS.items():
        parser.add_argument(
            _flag(name), type=kind, default=None, help=text, metavar=_METAVARS.get(name)
        )


def _flag(name: str) -> str:
    return f"--{name.replace('_', '-')}"


def _queue_options(args, config: dict, staffing: _Staffing, source: str = "config") -> dict:
    """Patience (a mean, a law or a fit from call records), trunks, redials and chat, from the
    flags over the config's ``[plan]``, ``[redials]`` and ``[chat]`` tables; checked before any
    heavy work, with errors naming the flag, or the file, the table and the key.

    Returns the keywords of :class:`roster.planning.queue_model.QueueModel` besides the
    targets.
    """
    from roster.planning.queue_model import QueueModel, parse_patience_law

    plan_table = config.get("plan", {})
    flags = [k for k in _PATIENCE_KEYS if getattr(args, k, None) is not None]
    if flags:
        chosen, where = {k: getattr(args, k) for k in flags}, {k: _flag(k) for k in flags}
    else:
        chosen = {k: plan_table[k] for k in _PATIENCE_KEYS if k in plan_table}
        where = {k: f"{source} [plan] {k}" for k in chosen}
    if len(chosen) > 1:
        raise ValueError(f"give one of {', '.join(where[k] for k in chosen)}, not several")
    patience = staffing.patience
    if "patience_law" in chosen:
        patience = parse_patience_law(chosen["patience_law"], where=where["patience_law"])
    elif "patience_from" in chosen:
        patience = _fit_patience(args, chosen["patience_from"], where["patience_from"], config)
    values = {table: dict(config.get(table, {})) for table in _OPTION_KEYS}
    # where each key came from, so that an error names the flag or the file and table
    origin = {table: dict.fromkeys(values[table], f"{source} [{table}]") for table in values}
    for name, (table, key, _, _) in _OPTION_FLAGS.items():
        if getattr(args, name, None) is not None:
            values[table][key] = getattr(args, name)
            origin[table][key] = _flag(name)
    options = {}
    for table, kind in (("redials", erlang.Redials), ("chat", erlang.Chat)):
        if not values[table]:
            continue
        given = sorted(set(origin[table].values()))
        required = {"redials": ("probability", "--redial-prob"), "chat": ("max_sessions",
                    "--chat-sessions")}[table]  # fmt: skip
        if required[0] not in values[table]:
            raise ValueError(
                f"{', '.join(given)}: give {required[0]} too ({required[1]}, or "
                f"{required[0]} in [{table}])"
            )
        if isinstance(values[table].get("throughput"), list):
            values[table]["throughput"] = tuple(values[table]["throughput"])
        try:
            options[table] = kind(**values[table])
        except (TypeError, ValueError) as exc:
            key = str(exc).split()[0]  # erlang's messages start with the argument's name
            raise ValueError(f"{origin[table].get(key, ', '.join(given))}: {exc}") from None
    model = {"patience": patience, "trunks": staffing.trunks, **options}
    try:
        QueueModel(staffing.targets, **model)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"queue: {exc}") from None
    return model


def _fit_patience(args, path, where: str, config: dict):
    """The Kaplan-Meier patience of a call-record file, with one line on stdout saying what it
    rests on."""
    from roster.planning.inputs import read_calls
    from roster.planning.queue_model import describe_fit

    if not Path(path).is_file():
        raise ValueError(f"{where} {path}: no such file")
    records = read_calls(path, **_file_options(args, config.get("plan", {})))
    try:
        fit = erlang.fit_patience(records)
    except ValueError as exc:
        raise ValueError(f"{where} {path}: {exc}") from None
    skipped = sum(fit.skipped.values())
    line = f"patience from {path}: {describe_fit(fit)}"
    print(line if not skipped else f"{line}; {skipped:,} records skipped")
    return fit


def _read_config(path) -> dict:
    """Sections ``plan``, ``targets``, ``staffing``, ``rules``, ``redials`` and ``chat`` of a
    TOML file, checked for unknown keys."""
    from roster.planning.tables import read_toml

    config = read_toml(path, str(path))
    sections = {"plan", "targets", "staffing", "rules", "work_orders", *_OPTION_KEYS}
    unknown = sorted(set(config) - sections)
    if unknown:
        raise ValueError(
            f"{path}: unknown sections {unknown}; use [plan], [targets], [staffing], [rules], "
            "[redials], [chat], [[work_orders]]"
        )
    bad = sorted(set(config.get("plan", {})) - _PLAN_KEYS)
    if bad:
        raise ValueError(f"{path}: unknown keys {bad} in [plan]; known: {sorted(_PLAN_KEYS)}")
    for table, known in _OPTION_KEYS.items():
        values = config.get(table, {})
        if not isinstance(values, dict):
            raise ValueError(f"{path}: [{table}] must be a table, got {values!r}")
        bad = sorted(set(values) - set(known))
        if bad:
            raise ValueError(f"{path} [{table}]: unknown keys {bad}; known: {sorted(known)}")
    return config


def _work_orders(config: dict, source: str):
    """The ``[[work_orders]]`` tables of a config and their ``[plan]`` options, checked, or
    None."""
    if "work_orders" not in config:
        return None
    from roster.workorders import WorkOrders

    plan_table = config.get("plan", {})
    options = {v: plan_table[k] for k, v in _WORK_ORDER_KEYS.items() if k in plan_table}
    return WorkOrders.from_config(config["work_orders"], options, source=source)


def _check_settings(settings: dict, args) -> None:
    """One-line errors for the plan's numbers and files, before anything heavy is loaded."""
    checks = {
        "agents": lambda v: v >= 1,
        "days": lambda v: v >= 1,
        "replications": lambda v: v >= 0,
        "time_limit": lambda v: v > 0,
        "aht": lambda v: v > 0,
        "risk": lambda v: 0 < v < 1,
    }
    words = {
        "agents": ">= 1",
        "days": ">= 1",
        "replications": ">= 0",
        "time_limit": "positive",
        "aht": "positive",
        "risk": "in (0, 1)",
    }
    for key, ok in checks.items():
        value = settings.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not ok(value):
            raise ValueError(f"{key}={value!r} must be {words[key]}")
    for flag in ("calls", "history", "config", "centre"):
        path = getattr(args, flag, None)
        if path is None:
            continue
        if Path(path).is_dir():
            raise ValueError(f"--{flag} {path}: is a directory, not a file")
        if not Path(path).exists():
            raise ValueError(f"--{flag} {path}: no such file")


def _plan(args) -> int:
    """The whole plan on the bundled sample or the user's history or call records."""
    import dataclasses
    import time

    from roster.rules import Rules

    t0 = time.perf_counter()
    config = _read_config(args.config) if args.config else {}
    settings = {
        "month": None,
        "days": None,
        "agents": None,
        "aht": None,
        "calendar": "CN",
        "model": "auto",
        "replications": 10,
        "seed": 0,
        "time_limit": 600.0,
        "risk": None,
    }
    plan_table = config.get("plan", {})
    reading = _file_options(args, plan_table)
    settings.update(
        {
            k: v
            for k, v in plan_table.items()
            if k not in {*_QUEUE_FLAGS, *reading, *_WORK_ORDER_KEYS}
        }
    )
    for key in settings:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    source = args.config or "targets"
    staffing = _staffing(args, config, source=args.config or "config")
    targets = staffing.targets
    rule_values = config.get("rules", {})
    known_rules = {f.name for f in dataclasses.fields(Rules)}
    bad = sorted(set(rule_values) - known_rules)
    if bad:
        raise ValueError(f"{source} [rules]: unknown keys {bad}; known: {sorted(known_rules)}")
    rules = Rules(**rule_values)
    _check_settings(settings, args)
    work_orders = _work_orders(config, args.config or "config")
    if args.centre or args.sample == "carrier":
        if work_orders is not None:
            raise ValueError(f"{args.config} [[work_orders]]: not with a centre of several queues")
        given = [k for k in (*_TARGET_FLAGS, *_QUEUE_FLAGS) if getattr(args, k, None) is not None]
        if given:
            flag = given[0].replace("_", "-")
            raise ValueError(
                f"--{flag} is for one queue; a centre's queues carry their own targets, "
                "patience and AHT (see --centre)"
            )
        from roster.planning.centre_cli import run_centre

        return run_centre(args, settings, rules, staffing.policy, reading)
    queue = _queue_options(args, config, staffing, source=args.config or "config")
    from roster.batch.cli import network_history, run_batch

    network = network_history(args, reading)  # several queues: the batch, one folder each
    if network is not None:
        return run_batch(args, network, settings, staffing, queue)

    # the forecasting, solvers and plotting load only once the arguments are known good
    from forecast import get_calendar
    from roster.planning.clock import print_progress
    from roster.planning.inputs import bundled_sample, read_calls, read_history
    from roster.planning.pipeline import plan
    from roster.planning.report import write_report

    kwargs = {}
    if args.calls:
        kwargs["calls"] = read_calls(args.calls, **reading)
        what = f"call records {args.calls}"
    elif args.history:
        frame = read_history(args.history, **reading)
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

    calendar = get_calendar(settings["calendar"])
    result = plan(
        **kwargs,
        aht=settings["aht"],
        month=settings["month"],
        days=settings["days"],
        agents=settings["agents"],
        targets=targets,
        policy=staffing.policy,
        **queue,
        rules=rules,
        calendar=calendar,
        model=settings["model"],
        replications=settings["replications"],
        seed=settings["seed"],
        time_limit=float(settings["time_limit"]),
        risk=settings["risk"],
        work_orders=work_orders,
        progress=None if args.quiet else print_progress,
    )
    files = write_report(result, args.out, calendar=calendar)
    s = result.summary()
    print(f"month: {s.first_day} to {s.last_day}  ({what.split(':')[0]})")
    print(f"contacts forecast: {s.contacts_forecast:,.0f}  (model {s.forecast_model})")
    print(f"queue: {result.queue_model}")
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
    if result.work_orders is not None:
        print(
            f"work orders: {s.work_orders_arrived:,.0f} arriving, "
            f"{s.work_orders_added_agent_h:,.0f} agent-h added to the requirement; closed in "
            f"time {s.work_orders_on_time:.1%} as planned, "
            f"{s.work_orders_on_time_as_built:.1%} on the roster as built"
        )
    print(f"headcount: {result.headcount.advice}")
    for reason in result.named_roster.diagnosis:
        print(f"roster: {reason}")
    for note in result.notes:
        print(f"simulation: {note}")
    print(f"report: {len(files)} files in {Path(args.out).resolve()}")
    print(f"time: {time.perf_counter() - t0:.0f} s")
    if s.agent_shifts == 0 or s.contacts_forecast <= 0:
        # a plan without shifts or demand is a sign of bad input (dates, units), never a result
        print(
            f"seatplan plan: error: the plan has {s.agent_shifts} shifts for "
            f"{s.contacts_forecast:,.0f} contacts forecast; check the history's dates and units",
            file=sys.stderr,
        )
        return 2
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="seatplan", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    staff = commands.add_parser("staff", help="agents required per interval (Erlang C or A)")
    staff.add_argument("--volume", help="CSV with columns ds, y (contacts) and optionally aht [s]")
    staff.add_argument("--aht", type=float, default=300.0, help="handle time if no aht column [s]")
    staff.add_argument("--interval", type=float, default=1800.0, help="interval length [s]")
    _add_staffing_flags(staff)
    _add_file_flags(staff)
    staff.add_argument("--out", default="seatplan-report", help="report folder")

    run = commands.add_parser(
        "plan",
        help="the whole plan: forecast, staffing, shifts, named roster, KPIs, simulation",
        description="Plan a month and write a report folder. Without --calls or --history it "
        "runs on the bundled sample (a synthetic 12345-style hotline). Without --agents the "
        "team is sized to the month's need.",
    )
    data = run.add_mutually_exclusive_group()
    data.add_argument("--calls", help="call records (CSV/Parquet): arrival, answer, end")
    data.add_argument("--history", help="history (CSV/Parquet): ds, y and optionally aht [s]")
    run.add_argument(
        "--config", help="TOML file with [plan], [targets], [staffing] and [rules] tables"
    )
    run.add_argument("--month", help="month to plan, YYYY-MM (default: after the history)")
    run.add_argument("--days", type=int, help="plan only the first N days of the month")
    run.add_argument("--agents", type=int, help="team size (default: the agents the month needs)")
    run.add_argument("--aht", type=float, help="handle time when the data has none [s]")
    run.add_argument("--calendar", help="holiday calendar code (default CN)")
    run.add_argument("--model", help="forecast model (default auto)")
    _add_staffing_flags(run)
    _add_file_flags(run)
    run.add_argument("--replications", type=int, help="simulation runs; 0 skips (default 10)")
    run.add_argument("--seed", type=int, help="simulation seed (default 0)")
    run.add_argument(
        "--time-limit",
        type=float,
        help="ceiling per rostering stage [s] (default 600; the work itself is fixed, so that "
        "a plan is the same on every run unless the ceiling binds)",
    )
    run.add_argument(
        "--risk",
        type=float,
        help="staff so that the targets hold with this probability over the forecast's "
        "spread, e.g. 0.9 (default: staff to the forecast mean)",
    )
    run.add_argument(
        "--centre",
        help="TOML file describing a centre of several queues and agent groups ([[queues]], "
        "[[groups]]); --history then holds a queue column",
    )
    run.add_argument(
        "--sample",
        choices=("hotline", "carrier", "network"),
        default="hotline",
        help="bundled sample without --history: a 12345-style hotline (default), a carrier "
        "line of three queues and four agent groups, or a network of synthetic hotlines",
    )
    run.add_argument("--out", default="seatplan-report", help="report folder")
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    from roster.batch.cli import add_batch_flags

    add_batch_flags(run)
    # subcommands that bring their own runner (argparse only here: nothing heavy loads)
    from roster.intraday.cli import add_intraday
    from roster.reports.cli import add_report_parser

    add_report_parser(commands)
    add_intraday(commands)
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning(args.command)
        return _run(args)


def _one_line_warning(command: str):
    """Warnings about the user's data as one line on stderr, naming the command."""
    from roster.planning.tables import InputWarning

    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, InputWarning):
            print(f"seatplan {command}: warning: {message}", file=sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    return show


def _run(args) -> int:
    try:
        if hasattr(args, "run"):  # a subcommand that brings its own runner
            return args.run(args)
        return _staff(args) if args.command == "staff" else _plan(args)
    except ValueError as exc:
        print(f"seatplan {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

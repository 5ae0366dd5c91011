"""``seatplan report``: this month's plan and last month's calls as the five tables workbook.

Without files it runs on the bundled sample: the synthetic 12345-style hotline's history to
December 2025, January 2026 planned, December's call records drawn around the sample's counts
(:func:`roster.reports.sample.sample_calls`), and December's forecast read from the store or,
the first time, made from the history to November as it would have been issued then.

Files written in ``--out``: ``five_tables.xlsx`` (the workbook), and in the store (``--store``,
default ``--out``): ``forecast_YYYY-MM.csv`` (this month's forecast, for next month's report)
and ``accuracy_YYYY-MM.csv`` (last month's forecast against its calls, by day).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path


def add_report_parser(commands) -> None:
    """Register ``report`` on the ``seatplan`` subcommands."""
    report = commands.add_parser(
        "report",
        help="the five tables workbook: this month's plan and last month's calls",
        description="Plan this month and write the five tables (seats per interval, forecast "
        "vs capacity, last month's actual vs handled, forecast vs actual, forecast vs handled), "
        "service level and ASA per half hour and daily KPIs as one Excel workbook. Without "
        "--history and --calls it runs on the bundled sample.",
    )
    report.add_argument("--history", help="history (CSV/Parquet) to plan this month from")
    report.add_argument("--calls", help="last month's call records (CSV/Parquet)")
    report.add_argument(
        "--last-forecast",
        help="last month's forecast: a forecast_YYYY-MM.csv of the store or a plan's "
        "forecast.csv (default: the store's)",
    )
    report.add_argument("--store", help="forecast store folder (default: --out)")
    report.add_argument("--month", help="month to plan, YYYY-MM (default: after the history)")
    report.add_argument("--days", type=int, help="plan only the first N days of the month")
    report.add_argument("--agents", type=int, help="team size (default: the month's need)")
    report.add_argument("--aht", type=float, help="handle time when the history has none [s]")
    report.add_argument(
        "--time-limit", type=float, default=60.0, help="ceiling per rostering stage [s]"
    )
    report.add_argument("--out", default="seatplan-report", help="report folder")
    report.add_argument("--quiet", action="store_true", help="no progress on stderr")
    report.set_defaults(run=run_report)


def run_report(args) -> int:
    """The ``report`` command; bad input raises ValueError with one line."""
    if (args.history is None) != (args.calls is None):
        raise ValueError("give --history and --calls together (or neither: the bundled sample)")
    for flag in ("history", "calls", "last_forecast"):
        path = getattr(args, flag)
        if path is not None and not Path(path).exists():
            raise ValueError(f"--{flag.replace('_', '-')} {path}: no such file")
    if args.days is not None and args.days < 1:
        raise ValueError(f"--days {args.days} must be >= 1")
    if not args.time_limit > 0:
        raise ValueError(f"--time-limit {args.time_limit} must be positive")

    import pandas as pd

    import forecast as fc
    from roster.planning.clock import print_progress
    from roster.planning.inputs import bundled_sample, read_calls, read_history
    from roster.planning.pipeline import plan
    from roster.reports.accuracy import read_forecast, store_forecast
    from roster.reports.sample import sample_calls
    from roster.reports.tables import five_tables
    from roster.reports.workbook import write_workbook

    out = Path(args.out)
    store = Path(args.store) if args.store else out
    calendar = fc.get_calendar("CN")
    events = ()
    if args.history is None:
        sample = bundled_sample()
        history, aht, events = sample.volume, sample.aht, sample.events
        what = "bundled sample: synthetic 12345-style hotline, history 2024-2025"
    else:
        frame = read_history(args.history)
        if "aht" not in frame and args.aht is None:
            raise ValueError(f"--history {args.history}: no aht column; give --aht (seconds)")
        history, aht = frame, args.aht
        what = f"history {args.history}"
    print(f"seatplan report: {what}", file=sys.stderr)
    result = plan(
        history,
        aht=aht,
        month=args.month,
        days=args.days,
        agents=args.agents,
        calendar=calendar,
        events=events,
        replications=0,
        time_limit=float(args.time_limit),
        progress=None if args.quiet else print_progress,
    )
    this_month = pd.DatetimeIndex(result.forecast.index)[0].to_period("M")
    last = this_month - 1
    if args.calls is None:
        volume = result.history[result.history.index.to_period("M") == last]
        if len(volume) == 0:
            raise ValueError(f"bundled sample: no history in {last}")
        calls = sample_calls(volume, aht, interval=result.interval, seed=0)
        calls_what = f"{len(calls):,} synthetic call records of {last} (bundled sample)"
    else:
        calls = read_calls(args.calls)
        calls_what = f"call records {args.calls}"

    issued = None
    source = args.last_forecast or store / f"forecast_{last}.csv"
    if Path(source).is_file():
        last_forecast, issued = read_forecast(source)
        forecast_what = f"read from {source}"
    elif args.history is None:
        # the first report of the sample: December's forecast as it would have been issued
        # at the end of November, from the history then known
        before = result.history[result.history.index < last.start_time]
        index = result.history.index[result.history.index.to_period("M") == last]
        last_forecast = fc.forecast(
            before, index, quantiles=(0.1, 0.5, 0.9), calendar=calendar, events=events
        ).values
        issued = before.index[-1].normalize()
        forecast_what = f"made from the history to {issued:%Y-%m-%d} (none stored for {last})"
    else:
        last_forecast = None
        forecast_what = f"none stored ({source} not found)"
    tables = five_tables(
        result, calls, last_forecast=last_forecast, issued=issued, forecast_source=forecast_what
    )
    tables = replace(tables, notes=(*tables.notes, f"calls: {calls_what}"))
    book = write_workbook(tables, out / "five_tables.xlsx")
    stored = store_forecast(result.forecast, store, aht=result.aht)
    written = [book, stored]
    if len(tables.forecast_vs_actual):
        path = store / f"accuracy_{last}.csv"
        tables.forecast_vs_actual.to_csv(path)
        written.append(path)
    cap = tables.forecast_vs_capacity
    print(f"this month: {this_month}, {len(cap)} days planned; last month: {last}")
    print(
        f"forecast {cap['forecast'].sum():,.0f} contacts, the roster absorbs "
        f"{cap['capacity'].sum():,.0f} at target; {int((cap['surplus'] < 0).sum())} days short"
    )
    handled = tables.actual_vs_handled
    print(
        f"last month: {handled['offered'].sum():,.0f} offered, "
        f"{handled['answered'].sum():,.0f} handled ({calls_what})"
    )
    if len(tables.forecast_vs_actual):
        acc = tables.forecast_vs_actual
        wape = (acc["wape"] * acc["actual"]).sum() / acc["actual"].sum()
        bias = acc["error"].sum() / acc["actual"].sum()
        line = f"last month's forecast ({forecast_what}): WAPE {wape:.1%}, bias {bias:+.1%}"
        if "coverage" in acc:
            line += f", {acc['band'].iloc[0]} band covers {acc['coverage'].mean():.1%}"
        print(line)
    else:
        print(f"last month's forecast: {forecast_what}; tables 4 and 5 are empty")
    for path in written:
        print(f"written: {path}")
    return 0

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
    steps = volume.index.to_series().diff().dropna()
    interval = steps.min().total_seconds() if len(steps) else args.interval
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
    args = parser.parse_args(argv)
    return {"staff": _staff}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

"""Run every benchmark of the project and write one markdown table of results.

Usage: ``python -m benchmarks [--quick] [--out FILE] [--only NAME ...]``. Each benchmark module
exposes ``run(quick: bool) -> DataFrame``. The report starts with a short summary, one small
table per benchmark of its headline figures beside their reference
(:mod:`benchmarks.summary`), then every row flattened into one long table (benchmark, case,
metric, value) headed by a description of the machine; the long table is also written as CSV.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.summary import safe_headlines

BENCHMARKS = (
    "erlang_speed",
    "erlang_chat",
    "erlang_redials",
    "erlang_patience",
    "forecast_accuracy",
    "forecast_intraday",
    "forecast_speed",
    "roster_seats",
    "roster_month",
    "roster_scale",
    "roster_curtois",
    "simulation",
    "multiskill",
    "batch",
)


def machine() -> str:
    """One line naming the machine and the library versions the numbers depend on."""
    import scipy

    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, NumPy {np.__version__}, "
        f"SciPy {scipy.__version__}, pandas {pd.__version__}"
    )


def _is_text(column: pd.Series) -> bool:
    values = column.dropna()
    return len(values) > 0 and all(isinstance(v, str) for v in values)


def long_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Benchmark rows as (benchmark, case, metric, value).

    The case names a row: its first column together with every text column (a model name, a
    case label), so that rows differing only in such a column stay apart.
    """
    frame = frame.reset_index(drop=isinstance(frame.index, pd.RangeIndex))
    labels = [frame.columns[0]] + [c for c in frame.columns[1:] if _is_text(frame[c])]
    # a label missing in some rows (a stretched instance's source) is left out of their case
    texts = frame[labels].map(lambda v: "" if v is None or v is pd.NA or v != v else str(v))
    case = texts.agg(lambda row: " / ".join(t for t in row if t), axis=1).rename("case")
    long = pd.concat([case, frame.drop(columns=labels)], axis=1).melt(
        id_vars=["case"], var_name="metric", value_name="value"
    )
    order = {c: i for i, c in enumerate(pd.unique(case))}
    long = long.sort_values("case", key=lambda c: c.map(order), kind="stable")
    long.insert(0, "benchmark", name)
    return long.dropna(subset=["value"])


def _format(value):
    if isinstance(value, float | np.floating) and np.isnan(value):
        return ""
    if isinstance(value, float | np.floating):
        return f"{int(value)}" if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"
    return str(value)


def markdown(table: pd.DataFrame) -> str:
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    rows = ["| " + " | ".join(_format(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join([header, rule, *rows])


def _run_isolated(name: str, quick: bool) -> pd.DataFrame:
    """Run one benchmark in a fresh interpreter and read its table back.

    The peers a benchmark loads (pyworkforce brings OR-Tools and its own HiGHS) must not share a
    process with ours, some benchmarks start worker processes of their own, and memory figures
    should start clean.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.pkl"
        code = (
            "import sys; from benchmarks import run_benchmark; "
            f"run_benchmark({name!r}, {quick!r}).to_pickle(sys.argv[1])"
        )
        subprocess.run([sys.executable, "-c", code, str(path)], check=True)
        return pd.read_pickle(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--out", default="benchmark-results.md", help="markdown file to write")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, help="run only these")
    args = parser.parse_args(argv)
    parts, summaries, timings = [], [], []
    for name in args.only or BENCHMARKS:
        start = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        raw = _run_isolated(name, args.quick)
        # the rows as they came, kept whatever the layout below makes of them
        raw.to_pickle(Path(args.out).with_suffix(f".{name}.pkl"))
        parts.append(long_table(name, raw))
        summaries.append((name, safe_headlines(name, raw)))
        timings.append(f"{name} {time.perf_counter() - start:.0f} s")
    table = pd.concat(parts, ignore_index=True)
    mode = "quick" if args.quick else "full"
    summary = "\n\n".join(
        f"### {name}\n\n{markdown(head)}" for name, head in summaries if len(head)
    )
    text = (
        f"# Benchmark results ({mode})\n\nMachine: {machine()}\n\n"
        f"Wall time per benchmark: {', '.join(timings)}\n\n"
        f"## Summary\n\nOurs beside the reference (a peer, a proven bound, the best known "
        f"value or a goal) and their ratio.\n\n{summary}\n\n"
        f"## Details\n\n{markdown(table)}\n"
    )
    out = Path(args.out)
    out.write_text(text, encoding="utf-8")
    table.to_csv(out.with_suffix(".csv"), index=False)
    print(f"# Benchmark results ({mode})\n\n{summary}\n")
    print(f"details: {out}, long form for machines: {out.with_suffix('.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run every benchmark of the project and write one markdown table of results.

Usage: ``python -m benchmarks [--quick] [--out FILE] [--only NAME ...]``. Each benchmark module
exposes ``run(quick: bool) -> DataFrame``; its rows are flattened into one long table
(benchmark, case, metric, value) headed by a description of the machine.
"""

import argparse
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import run_benchmark

BENCHMARKS = (
    "erlang_speed",
    "forecast_accuracy",
    "roster_seats",
    "roster_month",
    "roster_curtois",
    "simulation",
)


def machine() -> str:
    """One line naming the machine and the library versions the numbers depend on."""
    import scipy

    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, NumPy {np.__version__}, "
        f"SciPy {scipy.__version__}, pandas {pd.__version__}"
    )


def long_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Benchmark rows as (benchmark, case, metric, value); the case is the first column."""
    frame = frame.reset_index(drop=isinstance(frame.index, pd.RangeIndex))
    case_column = frame.columns[0]
    long = frame.melt(id_vars=[case_column], var_name="metric", value_name="value")
    long = long.rename(columns={case_column: "case"})
    order = {case: i for i, case in enumerate(pd.unique(frame[case_column]))}
    long = long.sort_values("case", key=lambda c: c.map(order), kind="stable")
    long.insert(0, "benchmark", name)
    return long.dropna(subset=["value"])


def _format(value):
    if isinstance(value, float | np.floating):
        return f"{int(value)}" if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"
    return str(value)


def markdown(table: pd.DataFrame) -> str:
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    rows = ["| " + " | ".join(_format(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join([header, rule, *rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--out", default="benchmark-results.md", help="markdown file to write")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, help="run only these")
    args = parser.parse_args(argv)
    parts, timings = [], []
    # Each benchmark runs in a fresh process: the peers it loads (pyworkforce brings OR-Tools
    # and its own HiGHS) must not share a process with ours, and memory starts clean.
    context = multiprocessing.get_context("spawn")
    for name in args.only or BENCHMARKS:
        start = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        with context.Pool(1) as pool:
            frame = pool.apply(run_benchmark, (name, args.quick))
        parts.append(long_table(name, frame))
        timings.append(f"{name} {time.perf_counter() - start:.0f} s")
    table = pd.concat(parts, ignore_index=True)
    mode = "quick" if args.quick else "full"
    text = (
        f"# Benchmark results ({mode})\n\nMachine: {machine()}\n\n"
        f"Wall time per benchmark: {', '.join(timings)}\n\n{markdown(table)}\n"
    )
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

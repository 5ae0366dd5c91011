"""Runnable benchmark suite: ``python -m benchmarks``."""

import importlib


def run_benchmark(name: str, quick: bool = False):
    """Run ``benchmarks.<name>.run(quick)`` and return its DataFrame."""
    return importlib.import_module(f"benchmarks.{name}").run(quick=quick)


def print_table(table) -> None:
    """Print a benchmark table for a person: markdown when tabulate is installed, else text."""
    try:
        print(table.to_markdown(index=False))
    except ImportError:
        print(table.to_string(index=False))

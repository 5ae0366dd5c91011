"""Runnable benchmark suite: ``python -m benchmarks``."""

import importlib
from pathlib import Path


def shared_data(*parts: str) -> Path:
    """A file or folder of the shared data sets, ``../shared/data`` beside the checkout.

    Raises FileNotFoundError naming the path when it is absent.
    """
    path = Path(__file__).resolve().parents[2].joinpath("shared", "data", *parts)
    if not path.exists():
        raise FileNotFoundError(f"benchmark data not found: {path}")
    return path


def run_benchmark(name: str, quick: bool = False):
    """Run ``benchmarks.<name>.run(quick)`` and return its DataFrame."""
    return importlib.import_module(f"benchmarks.{name}").run(quick=quick)


def print_table(table) -> None:
    """Print a benchmark table for a person: markdown when tabulate is installed, else text."""
    try:
        print(table.to_markdown(index=False))
    except ImportError:
        print(table.to_string(index=False))

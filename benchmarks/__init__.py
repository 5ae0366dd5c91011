"""Runnable benchmark suite: ``python -m benchmarks``."""

import importlib


def run_benchmark(name: str, quick: bool = False):
    """Run ``benchmarks.<name>.run(quick)`` and return its DataFrame."""
    return importlib.import_module(f"benchmarks.{name}").run(quick=quick)

"""Runnable benchmark suite: ``python -m benchmarks``."""

"""Wall time of a plan's steps, reported to a progress callback as each starts and ends."""

import sys
import time
from contextlib import contextmanager

import pandas as pd


class Clock:
    """Times the steps and reports them to the progress callback."""

    def __init__(self, progress, steps):
        self.progress = progress
        self.steps = tuple(steps)
        self.times: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str):
        number = self.steps.index(step) + 1
        if self.progress is not None:
            self.progress(step, number, len(self.steps), None)
        t0 = time.perf_counter()
        yield
        self.times[step] = time.perf_counter() - t0
        if self.progress is not None:
            self.progress(step, number, len(self.steps), self.times[step])

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"time_s": pd.Series(self.times, dtype=float)}).rename_axis("step")


def print_progress(step: str, number: int, total: int, seconds: float | None) -> None:
    """A progress callback for the command line: one line on stderr as each step starts and
    ends."""
    if seconds is None:
        print(f"[{number}/{total}] {step} ...", file=sys.stderr, flush=True)
    else:
        print(f"[{number}/{total}] {step} done in {seconds:.1f} s", file=sys.stderr)

"""Curtois & Qu employee scheduling benchmark: objective against the best known, and time.

Each instance is read from ``../shared/data/curtois``, solved by
:func:`roster.curtois.solve_curtois` (HiGHS branch-and-cut on the exact programme, then
fix-and-optimise large-neighbourhood search) within 60 s, and the returned roster is scored by
the solver-independent :func:`roster.curtois.curtois_objective`. ``gap_pct`` is the excess over
the best known value; ``bound`` is the lower bound HiGHS proved.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from roster.curtois import BEST_KNOWN, curtois_objective, read_curtois, solve_curtois


def data_dir() -> Path:
    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "curtois"
    if not path.is_dir():
        raise FileNotFoundError(f"Curtois instances not found in {path}")
    return path


def run(quick: bool = False, time_limit: float = 60.0) -> pd.DataFrame:
    """Solve Instance1..12 (``quick``: Instance1..3 with 20 s each)."""
    numbers = range(1, 4) if quick else range(1, 13)
    limit = 20.0 if quick else time_limit
    rows = []
    for k in numbers:
        inst = read_curtois(data_dir() / f"Instance{k}.txt")
        t0 = time.perf_counter()
        try:
            sol = solve_curtois(inst, time_limit=limit)
        except RuntimeError:
            rows.append(
                {
                    "instance": inst.name,
                    "employees": len(inst.employees),
                    "days": inst.horizon,
                    "shift_types": len(inst.shift_ids),
                    "objective": float("nan"),
                    "best_known": BEST_KNOWN[k],
                    "gap_pct": float("nan"),
                    "bound": float("nan"),
                    "proved_optimal": False,
                    "feasible": False,
                    "time_s": round(time.perf_counter() - t0, 1),
                }
            )
            continue
        ev = curtois_objective(inst, sol.grid)
        rows.append(
            {
                "instance": inst.name,
                "employees": len(inst.employees),
                "days": inst.horizon,
                "shift_types": len(inst.shift_ids),
                "objective": ev.objective,
                "best_known": BEST_KNOWN[k],
                "gap_pct": round(100.0 * (ev.objective - BEST_KNOWN[k]) / BEST_KNOWN[k], 2),
                "bound": round(sol.bound, 1),
                "proved_optimal": sol.optimal,
                "feasible": ev.feasible,
                "time_s": round(time.perf_counter() - t0, 1),
            }
        )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    from benchmarks import print_table

    print_table(run())

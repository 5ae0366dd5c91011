"""Curtois & Qu employee scheduling benchmark: objective against the best known, and time.

Each instance is read from ``../shared/data/curtois``, solved by
:func:`benchmarks.curtois.solve_curtois` (construction by exact one-employee best responses,
column generation over employee months with diving (repeated on small instances), then
large-neighbourhood search; on the smallest instances branch-and-cut on a second thread)
within 60 s, and the returned roster is
scored by the solver-independent :func:`benchmarks.curtois.curtois_objective`. ``gap_pct`` is the
excess over the best known value; ``bound`` is the best lower bound proved (rounded up, the
objective being integral), ``column_bound`` the Lagrangian bound of column generation, and
``bound_gap_pct`` the excess of the objective over ``bound``; ``start`` is the objective of
the constructed roster the search begins from.

``python -m benchmarks.roster_curtois --rounds N`` runs a fixed amount of work instead
(``N`` neighbourhood rounds, no branch-and-cut): its objectives do not depend on the machine
or its load, which makes runs on a busy machine comparable.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from benchmarks import shared_data
from benchmarks.curtois import BEST_KNOWN, curtois_objective, read_curtois, solve_curtois


def data_dir() -> Path:
    return shared_data("curtois")


def run(
    quick: bool = False,
    time_limit: float = 60.0,
    rounds: int | None = None,
    instances=None,
    progress: bool = False,
) -> pd.DataFrame:
    """Solve Instance1..12 (``quick``: Instance1..3 with 20 s each).

    ``rounds`` fixes the work (neighbourhood rounds, no branch-and-cut) instead of the time;
    ``instances`` picks instance numbers; ``progress`` prints each row as it is done.
    """
    numbers = instances or (range(1, 4) if quick else range(1, 13))
    limit = 20.0 if quick else time_limit
    rows = []
    for k in numbers:
        inst = read_curtois(data_dir() / f"Instance{k}.txt")
        row = {
            "instance": inst.name,
            "employees": len(inst.employees),
            "days": inst.horizon,
            "shift_types": len(inst.shift_ids),
            "best_known": BEST_KNOWN[k],
        }
        t0 = time.perf_counter()
        try:
            if rounds is None:
                sol = solve_curtois(inst, time_limit=limit)
            else:
                sol = solve_curtois(inst, time_limit=1e6, mip_share=0.0, max_rounds=rounds)
        except RuntimeError:
            row.update(objective=float("nan"), feasible=False)
            row["time_s"] = round(time.perf_counter() - t0, 1)
            rows.append(row)
            continue
        ev = curtois_objective(inst, sol.grid)
        row.update(
            objective=ev.objective,
            gap_pct=round(100.0 * (ev.objective - BEST_KNOWN[k]) / BEST_KNOWN[k], 2),
            bound=round(sol.bound, 1),
            column_bound=round(sol.column_bound, 1),
            bound_gap_pct=round(100.0 * (ev.objective - sol.bound) / ev.objective, 2),
            proved_optimal=sol.optimal,
            feasible=ev.feasible,
            start=sol.construction_objective,
            rounds=sol.rounds,
            time_s=round(time.perf_counter() - t0, 1),
        )
        rows.append(row)
        if progress:
            print(row, flush=True)
    return pd.DataFrame(rows)


if __name__ == "__main__":
    from benchmarks import print_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--rounds", type=int, default=None, help="fixed work instead of time")
    parser.add_argument("instances", type=int, nargs="*", help="instance numbers (all)")
    args = parser.parse_args()
    table = run(
        time_limit=args.time_limit, rounds=args.rounds, instances=args.instances, progress=True
    )
    print_table(table)

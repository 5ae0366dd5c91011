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

The full run adds the instances of :data:`benchmarks.curtois.stretch.STRETCHED`, stretched
from the published ones by :func:`benchmarks.curtois.stretch.write_stretched` (its factors on
weeks, staff and shift types and its seed in the columns ``source``, ``weeks_x``,
``staff_x``, ``types_x``, ``seed``): instances of the published format's larger sizes the
solver was not developed on, with no best known value; ``limit_reached`` says whether the
time limit stopped the search, ``time_s`` is the solve time the solver measured.

``python -m benchmarks.roster_curtois --rounds N`` runs a fixed amount of work instead
(``N`` neighbourhood rounds, no branch-and-cut): its objectives do not depend on the machine
or its load, which makes runs on a busy machine comparable.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks import shared_data
from benchmarks.curtois import BEST_KNOWN, curtois_objective, read_curtois, solve_curtois
from benchmarks.curtois.stretch import STRETCHED, write_stretched


def data_dir() -> Path:
    return shared_data("curtois")


def run(
    quick: bool = False,
    time_limit: float = 60.0,
    rounds: int | None = None,
    instances=None,
    progress: bool = False,
    stretched: bool | None = None,
) -> pd.DataFrame:
    """Solve Instance1..12 and the stretched instances (``quick``: Instance1..3 with 20 s
    each, none stretched).

    ``rounds`` fixes the work (neighbourhood rounds, no branch-and-cut) instead of the time;
    ``instances`` picks instance numbers (then no stretched ones unless ``stretched``);
    ``progress`` prints each row as it is done.
    """
    numbers = instances or (range(1, 4) if quick else range(1, 13))
    limit = 20.0 if quick else time_limit
    if stretched is None:
        stretched = not quick and not instances
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        cases = [
            (read_curtois(data_dir() / f"Instance{k}.txt"), {}, BEST_KNOWN[k]) for k in numbers
        ]
        for name, k, weeks, staff, types, seed in STRETCHED if stretched else ():
            inst = write_stretched(
                data_dir() / f"Instance{k}.txt",
                Path(folder) / f"{name}.txt",
                weeks=weeks,
                staff=staff,
                types=types,
                seed=seed,
            )
            spec = {"source": f"Instance{k}", "weeks_x": weeks, "staff_x": staff,
                    "types_x": types, "seed": seed}  # fmt: skip
            cases.append((inst, spec, math.nan))
        for inst, spec, best in cases:
            rows.append(_solve(inst, spec, best, limit, rounds))
            if progress:
                print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def _solve(inst, spec: dict, best: float, limit: float, rounds: int | None) -> dict:
    """One row: the instance, its generator settings ``spec``, and the solver's result."""
    row = {
        "instance": inst.name,
        **spec,
        "employees": len(inst.employees),
        "days": inst.horizon,
        "shift_types": len(inst.shift_ids),
        "best_known": best,
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
        return row
    ev = curtois_objective(inst, sol.grid)
    row.update(
        objective=ev.objective,
        gap_pct=round(100.0 * (ev.objective - best) / best, 2),
        bound=round(sol.bound, 1),
        column_bound=round(sol.column_bound, 1),
        bound_gap_pct=round(100.0 * (ev.objective - sol.bound) / max(ev.objective, 1), 2),
        proved_optimal=sol.optimal,
        feasible=ev.feasible,
        start=sol.construction_objective,
        rounds=sol.rounds,
        limit_reached=sol.limit_reached,
        time_s=round(sol.time_s, 2),
    )
    return row


if __name__ == "__main__":
    from benchmarks import print_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--rounds", type=int, default=None, help="fixed work instead of time")
    parser.add_argument("instances", type=int, nargs="*", help="instance numbers (all)")
    parser.add_argument(
        "--stretched", action="store_true", help="the stretched instances too (with numbers)"
    )
    args = parser.parse_args()
    table = run(
        time_limit=args.time_limit,
        rounds=args.rounds,
        instances=args.instances,
        progress=True,
        stretched=True if args.stretched else None,
    )
    print_table(table)

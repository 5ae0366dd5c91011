"""Solving a Curtois & Qu instance: the solver's entry point and the solution it returns."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.curtois.instance import CurtoisInstance
from benchmarks.curtois.pricing import compile_pricing
from benchmarks.curtois.search import search

__all__ = ["CurtoisSolution", "solve_curtois"]


@dataclass(frozen=True)
class CurtoisSolution:
    """A solved instance.

    Attributes
    ----------
    grid : pandas.DataFrame
        Employees x days of shift ids ('' off).
    objective : int
        Exact objective of ``grid`` by :func:`curtois_objective`.
    bound : float
        Best lower bound proven, by branch-and-cut on the compact programme or by column
        generation (``-inf`` when neither ran).
    optimal : bool
        Whether the objective is proven optimal (it meets the bound).
    column_bound : float
        Lagrangian bound of column generation over whole employee months (``-inf`` when it
        did not run); the LP bound of the set-partitioning master once converged.
    time_s : float
        Wall time [s].
    construction_objective : int
        Objective of the constructed start roster.
    rounds : int
        Large-neighbourhood search rounds run (on an instance too large for the compact
        programme: ruin and recreate moves and rounds of blocks).
    limit_reached : bool
        Whether the time limit stopped the search (rather than a proof of optimality or
        ``max_rounds``); ``time_s`` passes ``time_limit`` only where placing every
        employee once takes longer.
    """

    grid: pd.DataFrame
    objective: int
    bound: float
    optimal: bool
    time_s: float
    construction_objective: int
    rounds: int
    column_bound: float = -np.inf
    limit_reached: bool = False


def solve_curtois(
    instance: CurtoisInstance,
    *,
    time_limit: float = 60.0,
    mip_share: float | None = None,
    max_rounds: int | None = None,
    node_limit: int = 500,
    workers: int = 2,
    seed: int = 0,
    columns: bool = True,
) -> CurtoisSolution:
    """Solve an instance: construction, branch-and-cut, column generation with diving, and
    large-neighbourhood search.

    See :mod:`benchmarks.curtois.search` for the method, :mod:`benchmarks.curtois.model` for the
    compact integer programme and :mod:`benchmarks.curtois.columns` for column generation. The
    roster returned is re-scored by :func:`curtois_objective`.

    Parameters
    ----------
    instance : CurtoisInstance
    time_limit : float
        Wall-clock limit [s]; the search stops early enough (1% of the limit and the time
        of the final check) for the best roster found to be returned within it, unless
        placing every employee once takes longer. The first call
        after installation compiles the labelling kernel (some 15 s, then cached on disk)
        before the clock starts.
    mip_share : float, optional
        Share of the time given to branch-and-cut on the whole programme (which proves the
        lower bound), in ``[0, 1]``. With two workers it runs on its own thread beside the
        search. By default, when the programme has at most 1000 shift variables (5000
        without ``columns``; there branch-and-cut often finds or proves the optimum), 1 with
        two workers and 0.5 with one; above that 0 (branch-and-cut finds nothing the search
        does not find sooner, and its bound is weaker than column generation's).
    max_rounds : int, optional
        Stop after this many neighbourhood rounds: a fixed amount of work, whose result does
        not depend on the machine's speed as long as ``time_limit`` is not reached first (and
        ``mip_share`` is 0, branch-and-cut being limited by time only).
    node_limit : int
        Branch-and-bound nodes allowed per neighbourhood.
    workers : {1, 2}
        Threads: with 2, branch-and-cut and the search run side by side; without
        branch-and-cut each round of the search repairs two neighbourhoods at once, and
        the sweeps of best responses label two employees at once.
    seed : int
        Seed of the neighbourhood draws; equal seeds give equal runs at a fixed amount of
        work.
    columns : bool
        Run column generation and diving (until 45% and 72% of the time limit at most;
        small instances dive repeatedly, until 20 dives in a row find nothing better, and
        keep the best roster), and the compact programme over any employees the dive's
        deadline leaves (until 95%), before the neighbourhood search.

    Returns
    -------
    CurtoisSolution

    Raises
    ------
    RuntimeError
        If some employee has no month that keeps its hard rules (the instance is
        infeasible). A roster is returned however short the limit: the construction places
        every employee even past it (``limit_reached`` then says so).
    """
    if not time_limit > 0:
        raise ValueError(f"time_limit={time_limit!r} must be positive")
    if mip_share is None:
        size = len(instance.employees) * instance.horizon * len(instance.shift_ids)
        # column generation's bound is the stronger one beyond the smallest programmes
        mip_size = 1000 if columns else 5000
        mip_share = (1.0 if workers == 2 else 0.5) if size <= mip_size else 0.0
    if not 0 <= mip_share <= 1:
        raise ValueError(f"mip_share={mip_share!r} must lie in [0, 1]")
    if max_rounds is not None and max_rounds < 0:
        raise ValueError(f"max_rounds={max_rounds!r} must be >= 0")
    if node_limit < 1:
        raise ValueError(f"node_limit={node_limit!r} must be >= 1")
    if workers not in (1, 2):
        raise ValueError(f"workers={workers!r} must be 1 or 2")
    compile_pricing()
    t0 = time.perf_counter()
    found = search(
        instance,
        time_limit=time_limit,
        mip_share=mip_share,
        max_rounds=max_rounds,
        node_limit=node_limit,
        workers=workers,
        seed=seed,
        columns=columns,
    )
    return CurtoisSolution(
        grid=pd.DataFrame(found.grid, index=pd.Index(instance.employees, name="employee")),
        objective=found.objective,
        bound=found.bound,
        optimal=found.optimal,
        time_s=time.perf_counter() - t0,
        construction_objective=found.construction_objective,
        rounds=found.rounds,
        column_bound=found.column_bound,
        limit_reached=found.limit_reached,
    )

"""The Curtois & Qu shift scheduling benchmark: instances, exact objective, and our solver.

The solver serves the benchmark, not the hotline planner: it carries its own rules, pricing
kernel and master, and only ``benchmarks`` and its tests use it.
"""

from benchmarks.curtois.instance import (
    BEST_KNOWN,
    CurtoisInstance,
    CurtoisObjective,
    curtois_objective,
    read_curtois,
)
from benchmarks.curtois.solve import CurtoisSolution, solve_curtois

__all__ = [
    "BEST_KNOWN",
    "CurtoisInstance",
    "CurtoisObjective",
    "CurtoisSolution",
    "curtois_objective",
    "read_curtois",
    "solve_curtois",
]

"""Measured patience: the M/M/n+G queue, patience laws and their Kaplan-Meier estimate.

Pass a law as ``patience=`` to :func:`erlang.kpis`, :func:`erlang.required_agents`,
:func:`roster.simulate` or a queue of :func:`erlang.skills.simulate_centre`; estimate one from
call records with :func:`fit_patience`.
"""

from .distributions import Deterministic, Empirical, Exponential, LogNormal, Patience, Weibull
from .fit import PatienceFit, fit_patience

__all__ = [
    "Deterministic",
    "Empirical",
    "Exponential",
    "LogNormal",
    "Patience",
    "PatienceFit",
    "Weibull",
    "fit_patience",
]

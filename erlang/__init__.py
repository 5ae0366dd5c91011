"""Vectorized queueing core: Erlang B, C and A metrics and staffing, all times in seconds."""

from .metrics import (
    abandon_rate,
    answer_rate,
    asa,
    blocking,
    erlang_b,
    erlang_c,
    kpis,
    occupancy,
    service_level,
)
from .staffing import TrunksTooFew, max_volume, required_agents
from .targets import Targets

__all__ = [
    "Targets",
    "TrunksTooFew",
    "abandon_rate",
    "answer_rate",
    "asa",
    "blocking",
    "erlang_b",
    "erlang_c",
    "kpis",
    "max_volume",
    "occupancy",
    "required_agents",
    "service_level",
]

"""Vectorized queueing core: Erlang B, C and A metrics and staffing, all times in seconds."""

from .chat import Chat
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
from .minimum import TrunksTooFew
from .offered_load import effective_volume, modified_offered_load
from .patience import (
    Deterministic,
    Empirical,
    Exponential,
    LogNormal,
    PatienceFit,
    Weibull,
    fit_patience,
)
from .queues import required_agents_by_queue
from .redials import Redials
from .risk import expected_service_level, required_agents_at_risk, volume_quantile
from .staffing import max_volume, required_agents
from .targets import Targets

__all__ = [
    "Chat",
    "Deterministic",
    "Empirical",
    "Exponential",
    "LogNormal",
    "PatienceFit",
    "Redials",
    "Targets",
    "TrunksTooFew",
    "Weibull",
    "abandon_rate",
    "answer_rate",
    "asa",
    "blocking",
    "effective_volume",
    "erlang_b",
    "erlang_c",
    "expected_service_level",
    "fit_patience",
    "kpis",
    "max_volume",
    "modified_offered_load",
    "occupancy",
    "required_agents",
    "required_agents_at_risk",
    "required_agents_by_queue",
    "service_level",
    "volume_quantile",
]

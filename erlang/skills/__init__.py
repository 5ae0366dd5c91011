"""Several queues and skills: a centre's description, its skill-based routing and simulation."""

from .centre import AgentGroup, Centre, Queue
from .simulation import CentreSimulation, simulate_centre
from .staffing import CentreStaffing, staff_centre

__all__ = [
    "AgentGroup",
    "Centre",
    "CentreSimulation",
    "CentreStaffing",
    "Queue",
    "simulate_centre",
    "staff_centre",
]

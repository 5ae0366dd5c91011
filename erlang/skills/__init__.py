"""Several queues and skills: a centre's description, routing, simulation and staffing."""

from .centre import AgentGroup, Centre, Queue
from .simulation import CentreSimulation, simulate_centre
from .staffing import CentreStaffing, staff_centre
from .steps import GroupSteps

__all__ = [
    "AgentGroup",
    "Centre",
    "CentreSimulation",
    "CentreStaffing",
    "GroupSteps",
    "Queue",
    "simulate_centre",
    "staff_centre",
]

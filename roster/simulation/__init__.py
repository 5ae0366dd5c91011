"""Simulation of the service a staffing plan or a roster as built gives (:func:`simulate`; a
multi-skill centre's rosters: :func:`simulate_rosters`)."""

from roster.simulation.agents import InitialState
from roster.simulation.centre import simulate_rosters
from roster.simulation.engine import METRICS, SimulationResult, simulate

__all__ = ["METRICS", "InitialState", "SimulationResult", "simulate", "simulate_rosters"]

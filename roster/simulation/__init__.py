"""Simulation of the service a staffing plan or a roster as built gives (:func:`simulate`)."""

from roster.simulation.agents import InitialState
from roster.simulation.engine import METRICS, SimulationResult, simulate

__all__ = ["METRICS", "InitialState", "SimulationResult", "simulate"]

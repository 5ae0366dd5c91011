"""Simulation of the service a staffing plan or a roster as built gives (:func:`simulate`)."""

from roster.simulation.engine import METRICS, SimulationResult, simulate

__all__ = ["METRICS", "SimulationResult", "simulate"]

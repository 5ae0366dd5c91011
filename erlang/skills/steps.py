"""Agents of each group as a step function of time: the staffing the centre simulation serves
calls with, at any resolution (per interval, or at the minute shifts and breaks start)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["GroupSteps"]


@dataclass(frozen=True)
class GroupSteps:
    """Agents of each group over time: ``agents[m]`` are on over ``[times[m], times[m + 1])``,
    the last row until every call is settled.

    Parameters
    ----------
    times : array-like of float (M,)
        Increasing times from the start of the first interval; ``times[0] <= 0``. [s]
    agents : array-like of int (M, G)
        Agents of each group (columns in the centre's group order) from each time on.
    leave : {"idle", "any"}
        Who leaves when a level drops: ``"idle"`` agents first (a pool sized per interval:
        whoever is free logs off), or ``"any"``, drawn at random among the agents present
        (named agents going on a break or off shift whatever they are doing; a busy one
        leaves as its call ends).

    Notes
    -----
    Built from named agents' availability windows (shift less meals, short breaks and
    absence), the steps give the simulation each group's level to the second. The kernel
    serves a group as a pool: when the level drops, idle agents leave first and a busy agent
    beyond the new level leaves as its call ends, so a break that a call runs into is delayed
    and then shortened to end on time (``late_breaks="shorten"`` of :func:`roster.simulate`).
    Which agents leave matters: with idle agents first, a break taken while every agent of a
    group was busy would cost capacity at once that a named agent only gives up after its
    call, and the service comes out a few points lower than with named agents.
    """

    times: np.ndarray
    agents: np.ndarray
    leave: str = "idle"

    def __post_init__(self):
        times = np.asarray(self.times, dtype=float)
        agents = np.asarray(self.agents, dtype=float)
        if times.ndim != 1 or not times.size:
            raise ValueError(f"times must be a non-empty 1-d array, got shape {times.shape}")
        if agents.ndim != 2 or agents.shape[0] != times.size:
            raise ValueError(
                f"agents must have one row per time ({times.size}), got shape {agents.shape}"
            )
        if not np.all(np.isfinite(times)) or np.any(np.diff(times) <= 0) or times[0] > 0:
            raise ValueError("times must be finite, increasing and start at or before 0 s")
        bad = ~np.isfinite(agents) | (agents < 0) | (agents != np.floor(agents))
        if bad.any():
            raise ValueError(f"agents must be whole numbers >= 0, got {agents[bad][0]!r}")
        if self.leave not in ("idle", "any"):
            raise ValueError(f"leave={self.leave!r} must be 'idle' or 'any'")
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "agents", agents.astype(np.int64))

    @classmethod
    def from_intervals(cls, staffing: pd.DataFrame, interval: float) -> GroupSteps:
        """Agents per interval (rows, consecutive intervals of ``interval`` seconds) as steps."""
        values = np.asarray(staffing, dtype=float)
        return cls(np.arange(values.shape[0], dtype=float) * float(interval), values)

    @classmethod
    def from_windows(cls, start, end, group, groups: int, leave="any") -> GroupSteps:
        """The steps of named agents' availability windows: each window ``[start, end)`` [s]
        adds one agent of its ``group`` (0 .. ``groups`` - 1)."""
        # a window open before 0 s counts from 0 s; one that closed before then, not at all
        start = np.maximum(np.asarray(start, float), 0.0)
        end = np.maximum(np.asarray(end, float), start)
        group = np.asarray(group, np.int64)
        times = np.concatenate([[0.0], start, end])
        where = np.concatenate([[0], group, group])
        delta = np.concatenate([[0.0], np.ones(start.size), -np.ones(end.size)])
        unique, slot = np.unique(times, return_inverse=True)
        change = np.zeros((unique.size, int(groups)))
        np.add.at(change, (slot, where), delta)
        return cls(unique, np.round(np.cumsum(change, axis=0)), leave)

    def logged_time(self, intervals: int, interval: float) -> np.ndarray:
        """Agent-seconds each group is on in each interval, shape (G, intervals). [s]"""
        edges = np.arange(intervals + 1, dtype=float) * float(interval)
        # integral of the level from times[0] to each edge, column by column
        width = np.diff(np.append(self.times, np.inf))
        area = np.vstack(
            [np.zeros(self.agents.shape[1]), np.cumsum(self.agents[:-1] * width[:-1, None], 0)]
        )
        m = np.searchsorted(self.times, edges, side="right") - 1
        at_edge = area[m] + self.agents[m] * (edges - self.times[m])[:, None]
        return np.diff(at_edge, axis=0).T

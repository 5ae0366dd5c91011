"""The staffing gap of the rest of the day, by formula and by simulation from the live queue."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import erlang
from erlang.replications import mean_half_width
from roster.intraday.floor import DayFloor
from roster.simulation import InitialState, simulate

__all__ = ["RestOfDay", "formula_gap", "simulate_rest"]


@dataclass(frozen=True)
class RestOfDay:
    """What the simulation of the rest of the day needs, fixed for every scenario compared.

    Attributes
    ----------
    volume : pandas.Series or pandas.DataFrame
        What the simulation draws the calls of each remaining interval from: their mean
        (a Series) or their quantiles (columns ``q0.1``...), indexed by interval start; the
        first is "now". [contacts]
    mean : pandas.Series
        Expected calls per remaining interval, for the formula. [contacts]
    aht : pandas.Series
        Mean handle time per remaining interval. [s]
    targets : erlang.Targets
    patience : float or None
        Mean patience, exponential. [s]
    initial : InitialState
        Callers waiting and agents busy now.
    replications : int
    seed : int
        Every scenario is simulated with this seed: common random numbers, so that the
        same callers (arrivals, handle times, patience) meet every floor.
    """

    volume: object
    mean: pd.Series
    aht: pd.Series
    targets: erlang.Targets
    patience: float | None
    initial: InitialState
    replications: int
    seed: int

    @property
    def index(self) -> pd.DatetimeIndex:
        return self.volume.index

    def simulate(self, floor: DayFloor, seed=None):
        """:func:`roster.simulate` of ``floor`` over the rest of the day."""
        targets = self.targets
        if self.patience is None:
            targets = targets.without("short_abandon")
        return simulate(
            self.volume,
            self.aht.to_numpy(float),
            targets=targets,
            patience=self.patience,
            initial=self.initial,
            spread="day",
            replications=self.replications,
            seed=self.seed if seed is None else seed,
            **floor.simulation_inputs(),
        )


def per_replication_sl(result) -> np.ndarray:
    """Service level of each replication over all the intervals simulated."""
    totals = result.replications.groupby(level="replication").sum()
    short = totals["short_abandoned"] if result.short_abandon is not None else 0.0
    counted = (totals["offered"] - short).to_numpy(float)
    return totals["answered_within"].to_numpy(float) / np.maximum(counted, 1e-12)


def formula_gap(floor: DayFloor, rest: RestOfDay, interval: int) -> pd.DataFrame:
    """Agents required by Erlang against agents on the phones, per remaining interval.

    Returns
    -------
    pandas.DataFrame
        Indexed by interval start: ``volume`` [contacts], ``aht`` [s], ``required``
        (:func:`erlang.required_agents` on the mean volume, with the targets and patience),
        ``on_phones`` (the floor net of meals, pull-offs and short breaks) and ``gap``
        (``on_phones - required``; negative is a shortfall). [agents]
    """
    volume = rest.mean
    required = erlang.required_agents(
        volume.to_numpy(float),
        rest.aht.to_numpy(float),
        interval=interval,
        targets=rest.targets,
        patience=rest.patience,
    )
    on = floor.on_phones(rest.index, interval)
    return pd.DataFrame(
        {
            "volume": volume.to_numpy(float),
            "aht": rest.aht.to_numpy(float),
            "required": np.asarray(required, dtype=float),
            "on_phones": on,
            "gap": on - np.asarray(required, dtype=float),
        },
        index=rest.index,
    )


def simulate_rest(floor: DayFloor, rest: RestOfDay, interval: int) -> tuple[pd.DataFrame, object]:
    """The service of each remaining interval, simulated from the live queue.

    Returns
    -------
    frame : pandas.DataFrame
        Indexed by interval start: ``offered``, ``service_level``, ``service_level_hw``
        (half-width of its confidence interval), ``abandon_rate``, ``asa`` [s] and
        ``waiting`` (mean callers waiting, by Little's law: the answered callers' waits plus
        the mean patience for each caller who hung up, which overstates their waits a
        little when most callers are answered). The simulated gap.
    result : roster.SimulationResult
    """
    result = rest.simulate(floor)
    mean = result.mean
    patience = 0.0 if rest.patience is None else float(rest.patience)
    frame = pd.DataFrame(
        {
            "offered": mean["offered"],
            "service_level": mean["service_level"],
            "service_level_hw": result.half_width["service_level"],
            "abandon_rate": mean["abandon_rate"],
            "asa": mean["asa"],
            "waiting": (mean["wait_answered"] + mean["abandoned"] * patience) / float(interval),
        },
        index=rest.index,
    )
    return frame, result


def paired_gain(after, before, confidence: float = 0.95) -> tuple[float, float]:
    """Mean and half-width of the per-replication service-level gain of ``after`` over
    ``before`` (the same seed: common random numbers, so the pairs share their callers)."""
    diff = per_replication_sl(after) - per_replication_sl(before)
    mean, half = mean_half_width(diff[:, None], confidence)
    return float(mean[0]), float(half[0])

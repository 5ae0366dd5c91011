"""Simulation with redials: the same calls as without when nobody redials, the tallies add up,
it agrees with the exact retrial Markov chain, and the stationary fixed point of
:mod:`erlang.redials` agrees with it within its confidence intervals plus the model error the
fixed point makes (redials are not Poisson)."""

import itertools

import numpy as np
import pandas as pd
import pytest

import erlang
import roster
from erlang import Redials
from tests.erlang.retrial_chain import retrial_chain

N_INT = 96
# Stationary figures: skip the first two hours (the warm-up fills the queue, not the redials)
# and the last four (callers of those intervals redial past the horizon, into an empty queue).
BODY = slice(4, -8)


def _run(volume, agents, patience, redials, trunks=None, replications=10, seed=2, **kw):
    return roster.simulate(
        np.full(N_INT, float(volume)), 300.0, np.full(N_INT, agents), interval=1800,
        patience=patience, trunks=trunks, seed=seed, replications=replications, warmup=3600,
        redials=redials, **kw,
    )  # fmt: skip


@pytest.mark.parametrize("trunks", [None, 22])
def test_nobody_redialling_gives_the_calls_of_the_plain_simulation(trunks):
    plain = roster.simulate(
        np.full(12, 100.0), 300.0, np.full(12, 18), interval=1800, patience=60.0,
        trunks=trunks, staffing="cap", seed=5, replications=3, warmup=1800,
    )  # fmt: skip
    again = roster.simulate(
        np.full(12, 100.0), 300.0, np.full(12, 18), interval=1800, patience=60.0,
        trunks=trunks, seed=5, replications=3, warmup=1800, redials=Redials(0.0),
    )  # fmt: skip
    pd.testing.assert_frame_equal(again.replications, plain.replications)
    pd.testing.assert_frame_equal(again.mean, plain.mean)
    assert plain.callers is None
    callers = again.callers.replications
    np.testing.assert_array_equal(callers["fresh"], plain.replications["offered"])
    assert (callers["redials"] == 0).all()


def test_tallies_add_up_and_seeds_repeat():
    r = Redials(0.6, delay=120.0, blocked_probability=0.9)
    result = _run(100.0, 17, 90.0, r, trunks=21, replications=3)
    callers = result.callers.replications
    attempts = result.replications
    # Every attempt is a fresh call or a redial of the interval it arrives in.
    np.testing.assert_array_equal(attempts["offered"], callers["fresh"] + callers["redials"])
    # Each fresh caller ends served, abandoned for good or blocked for good.
    ends = callers["served"] + callers["abandoned"] + callers["blocked"]
    np.testing.assert_array_equal(ends, callers["fresh"])
    assert callers["redials"].sum() > 0
    again = _run(100.0, 17, 90.0, r, trunks=21, replications=3)
    pd.testing.assert_frame_equal(again.callers.replications, callers)


def test_unsupported_inputs_are_named():
    r = Redials(0.5)
    with pytest.raises(ValueError, match="shifts"):
        roster.simulate(
            np.full(2, 10.0), 300.0, shifts=pd.DataFrame({"start": [0.0], "end": [3600.0]}),
            interval=1800, redials=r,
        )  # fmt: skip
    with pytest.raises(ValueError, match="handle_times"):
        roster.simulate(np.full(2, 10.0), agents=np.full(2, 3), interval=1800,
                        handle_times=[200.0, 300.0], redials=r)  # fmt: skip
    with pytest.raises(TypeError, match="redials"):
        roster.simulate(np.full(2, 10.0), 300.0, np.full(2, 3), interval=1800, redials=0.5)


@pytest.mark.parametrize(
    "rate, agents, patience, p_ab, p_bl, trunks, delay",
    [(0.04, 3, 90.0, 0.5, 0.9, 4, 60.0), (0.05, 3, 30.0, 0.6, 0.6, 14, 30.0),
     (0.03, 2, 60.0, 0.3, 0.8, 3, 300.0)],
)  # fmt: skip
def test_simulation_agrees_with_the_exact_retrial_chain(
    rate, agents, patience, p_ab, p_bl, trunks, delay
):
    """Short delays, where the fixed point is off by up to 12% in attempts: the simulation
    follows the exact chain instead."""
    r = Redials(p_ab, delay=delay, blocked_probability=p_bl)
    result = roster.simulate(
        np.full(N_INT, rate * 1800.0), 60.0, np.full(N_INT, agents), interval=1800,
        patience=patience, trunks=trunks, seed=3, replications=10, warmup=3600, redials=r,
    )  # fmt: skip
    attempts, callers = result.summary(BODY), result.callers.summary(BODY)
    exact = retrial_chain(rate, 60.0, agents, patience, p_ab, p_bl, delay, trunks, 300)
    per_caller = attempts.loc["offered", "mean"] / callers.loc["fresh", "mean"]
    rel_hw = 2 * attempts.loc["offered", "half_width"] / attempts.loc["offered", "mean"]
    assert per_caller == pytest.approx(exact["attempts"] / rate, rel=rel_hw + 2e-3)
    for name, row, frame in (("served_share", "served_share", callers),
                             ("abandon_rate", "abandon_rate", attempts),
                             ("blocking", "blocking_rate", attempts)):  # fmt: skip
        hw = frame.loc[row, "half_width"]
        assert abs(frame.loc[row, "mean"] - exact[name]) <= hw + 2e-3, name


# The stationary fixed point treats redials as Poisson. They are not: a redial follows a
# loss, which happens when the queue is long, and comes back while it may still be long, so
# the fixed point is optimistic. Measured on the grid below and with a 300 s delay (10
# replications of 96 half hours, AHT 300 s): attempts per fresh caller low by up to 0.043 at
# p = 0.7 (0.005 at p = 0.3), the service level on attempts high by up to 0.075 (0.033), the
# share of callers finally served high by up to 0.019 (0.008), the caller service level high
# by up to 0.068 (0.032); mostly less with the 300 s delay than with 60 s. The allowances below
# are those figures as a share of p, on top of the confidence half-widths, one-sided where
# the error has one sign (the simulation may not beat the fixed point beyond its noise).
ALLOWANCE = {"attempts": 0.07, "service_level": 0.12, "served_share": 0.035, "callers": 0.10}


GRID = list(
    itertools.product(
        (0.3, 0.7),  # redial probability
        ((100.0, 20), (600.0, 100)),  # fresh calls per half hour, agents (16.7 and 100 Erl)
        (60.0, 300.0),  # mean patience
        (None, 5),  # trunks beyond the agents
    )
)


@pytest.mark.parametrize("p, case, patience, spare", GRID)
def test_fixed_point_agrees_with_simulation(p, case, patience, spare):
    volume, agents = case
    trunks = None if spare is None else agents + spare
    r = Redials(p, delay=60.0)
    result = _run(volume, agents, patience, r, trunks=trunks)
    attempts = result.summary(BODY)
    callers = result.callers.summary(BODY)
    fp = erlang.kpis(volume, 300.0, agents, patience=patience, trunks=trunks, redials=r).iloc[0]

    def check(sim, hw, value, allowance, sign):
        """``sign = +1``: the simulation may fall below the fixed point by the allowance;
        ``-1``: above it."""
        gap = sign * (value - sim)
        assert -hw - 1e-3 <= gap <= hw + allowance * p, (sim, hw, value)

    # Attempts per fresh caller: the ratio of the two means, with the caller count's noise.
    ratio = attempts.loc["offered", "mean"] / callers.loc["fresh", "mean"]
    rel_hw = attempts.loc["offered", "half_width"] / attempts.loc["offered", "mean"]
    check(ratio, ratio * 2 * rel_hw, fp["attempts"] / volume, ALLOWANCE["attempts"], -1)
    check(
        attempts.loc["service_level", "mean"], attempts.loc["service_level", "half_width"],
        fp["service_level"], ALLOWANCE["service_level"], +1,
    )  # fmt: skip
    for name, key in (("served_share", "served_share"), ("caller_service_level", "callers")):
        check(callers.loc[name, "mean"], callers.loc[name, "half_width"], fp[name],
              ALLOWANCE[key], +1)  # fmt: skip

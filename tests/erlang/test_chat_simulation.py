"""The chat chain against a session-by-session event simulation that shares none of its code."""

import re

import numpy as np
import pytest

import erlang
from erlang.chat import simulate_chat

METRICS = ["p_wait", "service_level", "asa", "abandon_rate", "occupancy", "busy_agents"]
AGENTS, AHT = 10, 300.0
MODELS = [erlang.Chat(1), erlang.Chat(2, slowdown=0.3), erlang.Chat(3, slowdown=0.2)]
GRID = [
    (chat, rho, patience)
    for chat in MODELS
    for rho in (0.8, 0.95)  # offered load over the service capacity of full agents
    for patience in (None, 120.0)
]


def _volume(chat, rho):
    return rho * AGENTS * chat.full_rate * 1800.0 / AHT


def _compare(chat, rho, patience, routing):
    volume = _volume(chat, rho)
    sim = simulate_chat(volume, AHT, AGENTS, chat=chat, patience=patience, routing=routing,
                        hours=400.0, replications=20, confidence=0.999, seed=11)  # fmt: skip
    chain = erlang.kpis(volume, AHT, AGENTS, chat=chat, patience=patience).iloc[0]
    return sim, chain


@pytest.mark.parametrize(("chat", "rho", "patience"), GRID)
def test_chain_lies_within_the_simulation_confidence_intervals(chat, rho, patience):
    sim, chain = _compare(chat, rho, patience, "balanced")
    assert sim.loc["service_level", "half_width"] < 0.03  # the check has teeth
    for name in METRICS:
        mean, half = sim.loc[name]
        assert abs(chain[name] - mean) <= max(half, 1e-12), name


@pytest.mark.parametrize("patience", [None, 120.0])
def test_without_slowdown_the_routing_does_not_matter(patience):
    # Linear throughput: the total rate is the sessions in service whatever their spread.
    sim, chain = _compare(erlang.Chat(3), 0.9, patience, "least_loaded")
    for name in ["p_wait", "service_level", "asa", "abandon_rate", "occupancy"]:
        mean, half = sim.loc[name]
        assert abs(chain[name] - mean) <= half, name


@pytest.mark.parametrize("patience", [None, 120.0])
def test_least_loaded_without_hand_over_is_no_better_than_the_chain(patience):
    # Uneven loads slow a concave throughput down: the chain is the optimistic side.
    sim, chain = _compare(erlang.Chat(3, slowdown=0.3), 0.9, patience, "least_loaded")
    assert sim.loc["p_wait", "mean"] + sim.loc["p_wait", "half_width"] >= chain.p_wait
    assert sim.loc["service_level", "mean"] - sim.loc["service_level", "half_width"] <= (
        chain.service_level
    )
    # Idle agents beside loaded ones: fewer agents hold a session than balanced.
    assert sim.loc["busy_agents", "mean"] < chain.busy_agents


def test_simulation_is_reproducible_and_checks_its_arguments():
    chat = erlang.Chat(2, slowdown=0.2)
    one = simulate_chat(100.0, AHT, 8, chat=chat, hours=5.0, replications=3, seed=4)
    two = simulate_chat(100.0, AHT, 8, chat=chat, hours=5.0, replications=3, seed=4)
    assert one.equals(two) and np.isfinite(one.to_numpy()).all()
    with pytest.raises(ValueError, match=re.escape("routing must be one of")):
        simulate_chat(100.0, AHT, 8, chat=chat, routing="random")
    with pytest.raises(ValueError, match=re.escape("replications must be an integer >= 2")):
        simulate_chat(100.0, AHT, 8, chat=chat, replications=1)
    with pytest.raises(ValueError, match=re.escape("agents must be whole numbers")):
        simulate_chat(100.0, AHT, 7.5, chat=chat)

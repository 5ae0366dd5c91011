"""Chat queues: the model's checks, the chain against a dense solve of its own generator, the
reductions to Erlang C and A, exact staffing and the monotonicity staffing relies on."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg

import erlang
from erlang.chat.chain import ChatQueue
from tests.erlang.exact import ExactQueue

COLUMNS = ["p_wait", "service_level", "asa", "mean_wait", "abandon_rate", "answer_rate"]


# The model -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_sessions": 0}, "max_sessions must be a whole number >= 1, got 0"),
        ({"max_sessions": 2.5}, "max_sessions must be a whole number >= 1, got 2.5"),
        ({"max_sessions": True}, "max_sessions must be a whole number >= 1, got True"),
        ({"max_sessions": 2, "slowdown": -0.1}, "slowdown must lie in [0, 1], got -0.1"),
        ({"max_sessions": 2, "slowdown": 1.5}, "slowdown must lie in [0, 1], got 1.5"),
        ({"max_sessions": 2, "slowdown": 0.1, "throughput": (1, 2)}, "not both"),
        ({"max_sessions": 2, "throughput": (1.0,)}, "one rate for each of 1..2 sessions"),
        ({"max_sessions": 2, "throughput": (1.0, -1.0)}, "finite and > 0"),
        ({"max_sessions": 2, "throughput": (1.0, np.nan)}, "finite and > 0"),
        ({"max_sessions": 3, "throughput": (1.0, 1.2, 2.0)}, "concave"),
        ({"max_sessions": 2, "throughput": (1.0, 0.8)}, "non-decreasing"),
    ],
)
def test_bad_models_are_named(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        erlang.Chat(**kwargs)


def test_slowdown_sets_the_throughput():
    chat = erlang.Chat(max_sessions=3, slowdown=0.25)
    assert chat.rates == pytest.approx([0.0, 1.0, 2 / 1.25, 3 / 1.5])
    assert erlang.Chat(3, throughput=[1, 1.6, 2]).rates == pytest.approx(chat.rates)
    assert erlang.Chat(4).rates == pytest.approx([0, 1, 2, 3, 4])  # no slowdown: linear
    assert erlang.Chat(3, slowdown=1.0).full_rate == 1.0


def test_bad_arguments_are_named():
    chat = erlang.Chat(2)
    whole = re.escape("agents must be whole numbers with chat=, got 2.5")
    with pytest.raises(ValueError, match=whole):
        erlang.kpis(100, 300, 2.5, chat=chat)
    with pytest.raises(ValueError, match=re.escape("trunks=30 is not supported with chat=")):
        erlang.kpis(100, 300, 20, chat=chat, trunks=30)
    with pytest.raises(ValueError, match=re.escape("trunks=30 is not supported with chat=")):
        erlang.required_agents(100, 300, chat=chat, trunks=30)
    with pytest.raises(ValueError, match=re.escape("fractional=True is not supported with chat=")):
        erlang.required_agents(100, 300, chat=chat, fractional=True)
    with pytest.raises(ValueError, match="max_blocking needs trunks"):
        erlang.required_agents(100, 300, chat=chat, max_blocking=0.01)
    with pytest.raises(TypeError, match=re.escape("must be an erlang.Chat")):
        erlang.kpis(100, 300, 20, chat=3)
    with pytest.raises(ValueError, match=re.escape("patience must be > 0.0, got -5.0")):
        erlang.kpis(100, 300, 20, chat=chat, patience=-5.0)


# An independent reference: the chain's generator, solved densely ---------------------------
def balanced_rate(s, n, rates):
    """Total service rate with ``s`` sessions dealt one by one to the least-loaded agent."""
    loads = np.zeros(n, dtype=int)
    for _ in range(s):
        loads[np.argmin(loads)] += 1
    return rates[loads].sum()


def dense_reference(volume, aht, n, chat, patience, threshold=20.0):
    """Metrics from the null space of the truncated generator, waits from a tagged session."""
    lam, theta = volume / 1800.0, 0.0 if patience is None else 1.0 / patience
    full = n * chat.max_sessions
    # Waiting places enough to hold all the mass, and no more: the solve's noise on each
    # state adds up in the mean wait.
    room = 400 if lam * aht > 1.0 else 40
    size = full + room + 1
    death = np.array([balanced_rate(min(s, full), n, chat.rates) / aht for s in range(size)])
    death += theta * np.maximum(np.arange(size) - full, 0)
    q = np.diag(np.full(size - 1, lam), 1) + np.diag(death[1:], -1)
    q -= np.diag(q.sum(axis=1))
    pi = linalg.null_space(q.T)[:, 0]
    pi /= pi.sum()
    assert pi[-1] < 1e-14  # the truncation holds no visible mass
    states = np.arange(size)
    waiting = np.maximum(states - full, 0)
    # The tagged session's wait only depends on what is ahead of it: ExactQueue's tagged chain,
    # with n agents finishing a session every aht / R(k) seconds, fed this chain's states.
    tagged = ExactQueue(lam, aht / chat.full_rate, n, np.inf if patience is None else patience)
    tagged.queue_pi = pi[full:]
    tagged.p_wait = pi[full:].sum()
    tagged.p_abandon = theta * (waiting * pi).sum() / lam
    busy_agents = np.array([min(s, n) if s <= full else n for s in states])
    return {
        "p_wait": tagged.p_wait,
        "service_level": tagged.answered_within(threshold),
        "asa": tagged.mean_wait_answered(),
        "mean_wait": (waiting * pi).sum() / lam,
        "abandon_rate": tagged.p_abandon,
        "occupancy": (np.minimum(states, full) * pi).sum() / full,
        "busy_agents": (busy_agents * pi).sum() / n,
    }


DENSE_CASES = [
    (100.0, 300.0, 12, erlang.Chat(2, slowdown=0.3), None),
    (100.0, 300.0, 7, erlang.Chat(3, slowdown=0.2), 90.0),
    (250.0, 240.0, 12, erlang.Chat(3, throughput=(1.0, 1.5, 1.8)), 60.0),
    (60.0, 600.0, 15, erlang.Chat(4, slowdown=0.5), None),
    (400.0, 300.0, 15, erlang.Chat(2, slowdown=0.1), 30.0),  # overloaded, impatient
    (5.0, 300.0, 6, erlang.Chat(3, slowdown=0.2), None),  # nearly idle
]


@pytest.mark.parametrize(("volume", "aht", "n", "chat", "patience"), DENSE_CASES)
def test_chain_matches_a_dense_solve(volume, aht, n, chat, patience):
    ref = dense_reference(volume, aht, n, chat, patience)
    got = erlang.kpis(volume, aht, n, chat=chat, patience=patience).iloc[0]
    for name, value in ref.items():
        # waits in seconds: the dense solve leaves about 1e-10 s of noise on vanishing waits
        tol = 1e-9 if name in ("asa", "mean_wait") else 1e-12
        assert got[name] == pytest.approx(value, rel=1e-8, abs=tol), name


# Reductions ------------------------------------------------------------------------------------
VOLUMES = np.array([0.0, 5.0, 120.0, 400.0, 700.0, 3000.0])
AGENTS = np.array([3, 2, 22, 70, 110, 520])


@pytest.mark.parametrize("patience", [None, 45.0, 180.0])
def test_one_session_is_erlang_c_and_a(patience):
    ref = erlang.kpis(VOLUMES, 300.0, AGENTS, patience=patience, short_abandon=10.0)
    got = erlang.kpis(VOLUMES, 300.0, AGENTS, patience=patience, short_abandon=10.0,
                      chat=erlang.Chat(1))  # fmt: skip
    pd.testing.assert_frame_equal(got[ref.columns], ref, rtol=1e-10, atol=1e-13)
    assert np.allclose(got.busy_agents, ref.occupancy, rtol=1e-12)


@pytest.mark.parametrize("patience", [None, 120.0])
def test_linear_throughput_is_erlang_with_every_slot_an_agent(patience):
    chat = erlang.Chat(3)
    got = erlang.kpis(VOLUMES, 300.0, AGENTS, patience=patience, chat=chat)
    ref = erlang.kpis(VOLUMES, 300.0, 3 * AGENTS, patience=patience)
    columns = [*COLUMNS, "occupancy"]
    pd.testing.assert_frame_equal(got[columns], ref[columns], rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize(
    "targets",
    [erlang.Targets(), erlang.Targets.hotline(), erlang.Targets(asa=30.0, max_occupancy=0.85)],
)
@pytest.mark.parametrize("patience", [None, 60.0])
def test_staffing_reduces_to_erlang(targets, patience):
    # (3 calls on 2 agents give an ASA of exactly 20 s, a tie that rounding may decide)
    volume = np.array([0.0, 3.2, 40.0, 400.0, 2500.0])
    ref = erlang.required_agents(volume, 300.0, patience=patience, targets=targets)
    one = erlang.required_agents(volume, 300.0, patience=patience, targets=targets,
                                 chat=erlang.Chat(1))  # fmt: skip
    np.testing.assert_array_equal(one, ref)
    three = erlang.required_agents(volume, 300.0, patience=patience, targets=targets,
                                   chat=erlang.Chat(3))  # fmt: skip
    np.testing.assert_array_equal(three, np.where(volume > 0, np.ceil(ref / 3), 0))


def test_large_centre_stays_finite():
    # 2 000 agents of 3 slots: the terms of the sum span e^5000 and are rescaled on the way.
    k = erlang.kpis([9000.0, 20.0], 600.0, [2000, 2000], chat=erlang.Chat(3))
    ref = erlang.kpis([9000.0, 20.0], 600.0, [6000, 6000])
    assert np.allclose(k[COLUMNS], ref[COLUMNS], rtol=1e-9, atol=1e-300)
    assert np.isfinite(k.drop(columns="asa").to_numpy()).all()


# Staffing ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("patience", [None, 90.0])
@pytest.mark.parametrize(
    "targets",
    [erlang.Targets(), erlang.Targets.hotline(), erlang.Targets(service_level=0.9, asa=10.0)],
)
def test_staffing_is_the_fewest_meeting_every_target(patience, targets):
    chat = erlang.Chat(3, slowdown=0.25)
    volume = pd.Series([0.0, 2.0, 30.0, 150.0, 600.0, 2000.0], index=list("abcdef"))
    n = erlang.required_agents(volume, 300.0, patience=patience, targets=targets, chat=chat)
    assert isinstance(n, pd.Series) and n.index.equals(volume.index)
    at = erlang.kpis(volume, 300.0, n, patience=patience, targets=targets, chat=chat)
    below = erlang.kpis(volume, 300.0, np.maximum(n - 1, 0), patience=patience,
                        targets=targets, chat=chat)  # fmt: skip
    assert at.meets_targets.all()
    busy = volume.to_numpy() > 0
    assert not below.meets_targets.to_numpy()[busy].any()


def test_staffing_keeps_shape_shrinkage_and_floor():
    chat = erlang.Chat(2, slowdown=0.2)
    volume = np.array([[0.0, 100.0], [300.0, 50.0]])
    n = erlang.required_agents(volume, 300.0, chat=chat, shrinkage=0.3, min_agents=4)
    productive = erlang.required_agents(volume, 300.0, chat=chat)
    assert n.shape == (2, 2) and n.dtype == np.int64
    assert (n == np.maximum(np.ceil(np.round(productive / 0.7, 9)), 4)).all()


# Properties --------------------------------------------------------------------------------------
chats = st.builds(erlang.Chat, st.integers(1, 4), st.floats(0.0, 1.0))
patiences = st.one_of(st.none(), st.floats(5.0, 3600.0))


@settings(max_examples=80, deadline=None)
@given(st.floats(1.0, 3000.0), st.floats(60.0, 900.0), st.integers(0, 300), chats, patiences)
def test_metrics_improve_with_agents_and_worsen_with_volume(volume, aht, n, chat, patience):
    by_agents = erlang.kpis(volume, aht, [n, n + 1], chat=chat, patience=patience)
    by_volume = erlang.kpis([volume, volume * 1.1], aht, n, chat=chat, patience=patience)
    for frame, sign in ((by_agents, 1.0), (by_volume, -1.0)):
        better, worse = frame.iloc[1], frame.iloc[0]
        if sign < 0:
            better, worse = worse, better
        assert better.service_level >= worse.service_level - 1e-9
        assert better.answer_rate >= worse.answer_rate - 1e-9
        assert better.abandon_rate <= worse.abandon_rate + 1e-9
        assert better.p_wait <= worse.p_wait + 1e-9
        assert better.mean_wait <= worse.mean_wait * (1 + 1e-9) + 1e-9
        assert better.occupancy <= worse.occupancy + 1e-9


@settings(max_examples=80, deadline=None)
@given(st.floats(1.0, 3000.0), st.floats(60.0, 900.0), st.integers(1, 300), chats, patiences)
def test_metrics_are_bounded_and_wait_less_than_full_agents(volume, aht, n, chat, patience):
    k = erlang.kpis(volume, aht, n, chat=chat, patience=patience, short_abandon=10.0).iloc[0]
    for name in ("occupancy", "busy_agents", "p_wait", "service_level", "abandon_rate"):
        assert 0.0 <= k[name] <= 1.0, name
    assert k.occupancy <= k.busy_agents + 1e-12 and k.asa >= 0.0
    p = np.array([np.inf if patience is None else patience])
    queue = ChatQueue(np.array([k.load]), np.array([float(n)]), np.array([aht]), p, chat.rates)
    # Below full the chat agents are slower than full ones: the chain waits no more often.
    assert queue.p_wait[0] <= queue.full.p_wait[0] * (1 + 1e-9)

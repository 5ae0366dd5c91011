"""The routing kernel: exact against the single-queue recursion, and the routing rules by hand."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from erlang.skills.kernel import ABANDONED, ANSWERED, UNRESOLVED, route_calls
from roster.simulation.kernel import simulate_pool

INF = np.inf


def _one_queue(arrival, service, patience, step_time, levels):
    n = arrival.size
    return route_calls(
        arrival,
        np.zeros(n, np.int64),
        service,
        patience,
        np.zeros((1, 1)),
        np.zeros((1, 1), np.int64),
        np.ones((1, 1)),
        np.zeros(1, np.int64),
        step_time,
        levels[:, None],
    )


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 400),
    st.integers(0, 2**32 - 1),
    st.booleans(),
    st.integers(1, 12),
)
def test_one_queue_one_group_is_the_single_queue_recursion(n, seed, impatient, steps):
    # the event calendar and the per-call FCFS recursion share no code: equal answers on
    # every call, under level changes (down to zero) and abandonment
    rng = np.random.default_rng(seed)
    horizon = 7200.0
    arrival = np.sort(rng.uniform(0, horizon, n))
    service = rng.exponential(300.0, n)
    patience = rng.exponential(60.0, n) if impatient else np.full(n, INF)
    step_time = np.linspace(0.0, horizon, steps, endpoint=False)
    levels = rng.integers(0, 8, steps).astype(np.int64)
    levels[-1] = max(levels[-1], 1) if not impatient else levels[-1]
    status, start = simulate_pool(arrival, service, patience, step_time, levels, -1)
    status2, start2, group, end = _one_queue(arrival, service, patience, step_time, levels)
    assert np.array_equal(status, status2)
    assert np.array_equal(np.isnan(start), np.isnan(start2))
    np.testing.assert_allclose(
        start[~np.isnan(start)], start2[~np.isnan(start2)], rtol=0, atol=1e-9
    )
    answered = status2 == ANSWERED
    assert np.all(group[answered] == 0) and np.all(group[~answered] == -1)
    np.testing.assert_allclose(end[answered], start2[answered] + service[answered])


def _route(arrival, queue, service, patience, delay, rank, priority, levels, factor=None):
    G, Q = np.shape(delay)
    return route_calls(
        np.asarray(arrival, float),
        np.asarray(queue, np.int64),
        np.asarray(service, float),
        np.asarray(patience, float),
        np.asarray(delay, float),
        np.asarray(rank, np.int64),
        np.ones((G, Q)) if factor is None else np.asarray(factor, float),
        np.asarray(priority, np.int64),
        np.zeros(1),
        np.asarray([levels], np.int64),
    )


def test_an_arriving_call_goes_to_the_group_that_ranks_its_queue_first():
    # group 0 ranks queue 0 second, group 1 ranks it first: both idle, group 1 answers
    status, start, group, _ = _route(
        [1.0], [0], [10.0], [INF], [[0, 0], [0, 0]], [[1, 0], [0, 1]], [0, 0], [1, 1]
    )
    assert status[0] == ANSWERED and start[0] == 1.0 and group[0] == 1


def test_overflow_answers_after_the_wait_and_not_before():
    # queue 0: group 0 at once (busy until 100), group 1 only after 30 s of waiting
    status, start, group, _ = _route(
        [0.0, 5.0],
        [0, 0],
        [100.0, 10.0],
        [INF, INF],
        [[0.0], [30.0]],
        [[0], [0]],
        [0],
        [1, 1],
    )
    assert (status == ANSWERED).all() and group.tolist() == [0, 1]
    assert start.tolist() == [0.0, 35.0]  # second call: its overflow timer fires at 5 + 30


def test_a_free_agent_takes_the_queue_its_group_ranks_first_then_priority_then_wait():
    # one agent busy until 50; calls wait on queues 0 (t=1), 1 (t=2) and 2 (t=3)
    arrival = [0.0, 1.0, 2.0, 3.0]
    queue = [0, 0, 1, 2]
    service = [50.0, 10.0, 10.0, 10.0]
    delay = [[0.0, 0.0, 0.0]]
    # ranks alike; queue 2 has the higher priority: it goes first although it came last
    _, start, _, _ = _route(arrival, queue, service, [INF] * 4, delay, [[0, 0, 0]], [0, 0, 1], [1])
    assert start.tolist() == [0.0, 60.0, 70.0, 50.0]  # then the longest wait
    # the group ranks queue 1 first: rank wins over priority
    _, start, _, _ = _route(arrival, queue, service, [INF] * 4, delay, [[1, 0, 1]], [0, 0, 1], [1])
    assert start.tolist() == [0.0, 70.0, 50.0, 60.0]
    # all alike: the longest wait
    _, start, _, _ = _route(arrival, queue, service, [INF] * 4, delay, [[0, 0, 0]], [0, 0, 0], [1])
    assert start.tolist() == [0.0, 50.0, 60.0, 70.0]


def test_handle_time_scales_with_the_group_factor_and_callers_hang_up():
    status, start, group, end = _route(
        [0.0, 1.0],
        [0, 0],
        [100.0, 100.0],
        [INF, 20.0],
        [[0.0]],
        [[0]],
        [0],
        [1],
        factor=[[1.5]],
    )
    assert end[0] == 150.0
    assert status.tolist() == [ANSWERED, ABANDONED] and np.isnan(start[1]) and group[1] == -1


def test_calls_nobody_can_answer_stay_unresolved():
    status, *_ = _route([0.0], [0], [10.0], [INF], [[0.0]], [[0]], [0], [0])
    assert status[0] == UNRESOLVED

"""Properties that must hold for every input: monotonicity, bounds, limits, minimality."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import erlang
from tests.erlang.exact import ExactQueue

volumes = st.floats(1.0, 5000.0)
ahts = st.floats(30.0, 900.0)
agent_counts = st.integers(1, 400)
patiences = st.one_of(st.none(), st.floats(5.0, 3600.0))
targets = st.floats(0.05, 0.99)


def _load(volume, aht):
    return volume * aht / 1800.0


@given(volumes, ahts, agent_counts, patiences)
def test_service_level_increases_with_agents(volume, aht, agents, patience):
    sl = erlang.service_level(volume, aht, np.array([agents, agents + 1]), patience=patience)
    assert sl[0] <= sl[1] + 1e-12


@given(volumes, ahts, agent_counts, patiences)
def test_service_level_decreases_with_volume_and_aht(volume, aht, agents, patience):
    sl_v = erlang.service_level(np.array([volume, volume * 1.1]), aht, agents, patience=patience)
    sl_a = erlang.service_level(volume, np.array([aht, aht * 1.1]), agents, patience=patience)
    assert sl_v[1] <= sl_v[0] + 1e-12 and sl_a[1] <= sl_a[0] + 1e-12


@given(volumes, ahts, agent_counts, patiences)
def test_probabilities_are_probabilities(volume, aht, agents, patience):
    k = erlang.kpis(volume, aht, agents, patience=patience, short_abandon=20).iloc[0]
    for name in ("occupancy", "p_wait", "service_level", "abandon_rate", "answer_rate"):
        assert 0.0 <= k[name] <= 1.0, name
    assert k.asa >= 0.0 and k.mean_wait >= 0.0
    if patience is not None:
        assert k.mean_wait < np.inf and k.abandon_rate <= k.p_wait + 1e-12


@given(st.floats(0.01, 2000.0), st.floats(0.0, 3000.0))
def test_erlang_c_at_least_erlang_b(load, agents):
    assert erlang.erlang_c(load, agents) >= erlang.erlang_b(load, agents) - 1e-15


@given(st.floats(0.01, 2000.0), st.floats(0.0, 3000.0))
def test_erlang_b_decreases_in_real_agents(load, agents):
    b = erlang.erlang_b(load, np.array([agents, agents + 0.25]))
    assert 0.0 <= b[1] <= b[0] <= 1.0


@given(volumes, ahts, agent_counts)
def test_littles_law_erlang_c(volume, aht, agents):
    # Mean queue length of M/M/n is C ρ/(1-ρ) (Kleinrock, vol. 1, eq. 3.40); Little: Lq = λ W.
    load = _load(volume, aht)
    wait = erlang.asa(volume, aht, agents, callers="all")
    if load < agents:
        lq = erlang.erlang_c(load, agents) * (load / agents) / (1 - load / agents)
        assert np.isclose(volume / 1800.0 * wait, lq, rtol=1e-9)
    else:
        assert wait == np.inf


@settings(max_examples=25, deadline=None)
@given(st.floats(1.0, 400.0), st.floats(60.0, 600.0), st.integers(1, 25), st.floats(10.0, 900.0))
def test_littles_law_erlang_a_against_chain(volume, aht, agents, patience):
    exact = ExactQueue(volume / 1800.0, aht, agents, patience)
    wait = erlang.asa(volume, aht, agents, patience=patience, callers="all")
    assert np.isclose(volume / 1800.0 * wait, exact.mean_queue, rtol=1e-9, atol=1e-12)


@given(st.floats(0.0, 20000.0), ahts, targets, patiences)
def test_required_agents_is_minimal(volume, aht, target, patience):
    n = erlang.required_agents(volume, aht, service_level=target, patience=patience)
    assert erlang.service_level(volume, aht, n, patience=patience) >= target
    if n > 0:
        assert erlang.service_level(volume, aht, n - 1, patience=patience) < target


@given(volumes, ahts, st.floats(1.0, 60.0), st.floats(0.01, 0.2), st.floats(20.0, 600.0))
def test_required_agents_minimal_under_joint_erlang_a_targets(
    volume, aht, asa, max_abandon, patience
):
    kw = {"patience": patience}
    n = erlang.required_agents(volume, aht, asa=asa, max_abandon=max_abandon, **kw)

    def ok(m):
        return erlang.asa(volume, aht, m, **kw) <= asa and (
            erlang.abandon_rate(volume, aht, m, **kw) <= max_abandon
        )

    assert ok(n) and erlang.service_level(volume, aht, n, **kw) >= 0.8
    assert n == 1 or not (ok(n - 1) and erlang.service_level(volume, aht, n - 1, **kw) >= 0.8)


def test_vanishing_load_is_finite():
    # A subnormal volume once gave 0 * inf in the Erlang A formulas.
    k = erlang.kpis(2.2250738585072e-309, 30.0, [1, 2], patience=5.0)
    assert np.isfinite(k.to_numpy()).all() and (k.service_level == 1.0).all()
    assert erlang.required_agents(2.2250738585072e-309, 30.0, patience=5.0) == 1

"""One Targets value for staffing, KPIs and the inverse: the same answers as the keywords."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import erlang

probabilities = st.floats(0.5, 0.99)
seconds = st.floats(5.0, 120.0)


@st.composite
def targets(draw):
    values = {
        "service_level": draw(st.none() | probabilities),
        "threshold": draw(seconds),
        "answer_rate": draw(st.none() | probabilities),
        "cutoff": draw(seconds),
        "asa": draw(st.none() | seconds),
        "max_abandon": draw(st.none() | st.floats(0.01, 0.2)),
        "short_abandon": draw(st.none() | st.floats(0.0, 30.0)),
        "max_occupancy": draw(st.none() | st.floats(0.6, 1.0)),
    }
    if all(values.get(k) is None for k in erlang.targets.GOALS):
        values["service_level"] = 0.8
    return erlang.Targets(**values)


def test_hotline_figures_and_overrides():
    t = erlang.Targets.hotline()
    assert (t.service_level, t.threshold, t.answer_rate, t.cutoff) == (0.8, 20.0, 0.85, 60.0)
    assert (t.asa, t.max_abandon, t.short_abandon, t.max_occupancy) == (20.0, 0.05, 20.0, 0.9)
    assert t.max_blocking is None
    vip = erlang.Targets.hotline(service_level=0.9, threshold=15)
    assert (vip.service_level, vip.threshold, vip.asa) == (0.9, 15, 20.0)
    with pytest.raises(ValueError, match=r"unknown targets \['sl'\]"):
        erlang.Targets.hotline(sl=0.9)
    # erlang's own defaults: 80/20 and nothing else, as required_agents
    assert erlang.Targets() == erlang.Targets(service_level=0.8, threshold=20.0)


def test_from_dict_applies_over_a_base():
    t = erlang.Targets.from_dict({"asa": None, "threshold": 15}, source="plan.toml [targets]")
    assert t.asa is None and t.threshold == 15 and t.answer_rate == 0.85
    base = erlang.Targets(service_level=0.7)
    assert erlang.Targets.from_dict({}, base=base) is not None
    assert erlang.Targets.from_dict({"threshold": 30}, base=base).service_level == 0.7
    with pytest.raises(ValueError, match=r"plan.toml \[targets\]: unknown keys \['sl'\]"):
        erlang.Targets.from_dict({"sl": 0.8}, source="plan.toml [targets]")


def test_validated_once_with_one_clear_error():
    with pytest.raises(ValueError, match="service_level must lie in"):
        erlang.Targets(service_level=1.0)
    with pytest.raises(ValueError, match="max_occupancy"):
        erlang.Targets(max_occupancy=1.2)
    with pytest.raises(ValueError, match="no staffing target"):
        erlang.Targets(service_level=None)
    with pytest.raises(ValueError, match="service_level must lie in"):
        erlang.Targets(service_level=[0.8, 1.5])
    with pytest.raises(TypeError, match=r"must be an erlang\.Targets"):
        erlang.required_agents(100.0, 300.0, targets={"service_level": 0.8})


def test_targets_given_twice_is_an_error():
    t = erlang.Targets.hotline()
    with pytest.raises(ValueError, match=r"targets given twice: .* \['service_level'\]"):
        erlang.required_agents(100.0, 300.0, targets=t, service_level=0.9)
    with pytest.raises(ValueError, match="targets given twice"):
        erlang.kpis(100.0, 300.0, 12, targets=t, threshold=15)
    with pytest.raises(ValueError, match="targets given twice"):
        erlang.max_volume(12, 300.0, targets=t, asa=30)


@settings(max_examples=40, deadline=None)
@given(
    targets(),
    st.lists(st.floats(0.0, 800.0), min_size=1, max_size=6),
    st.floats(60.0, 900.0),
    st.none() | st.floats(20.0, 600.0),
)
def test_one_value_gives_the_keywords_answer(t, volumes, aht, patience):
    volume = np.array(volumes)
    by_value = erlang.required_agents(volume, aht, patience=patience, targets=t)
    by_keywords = erlang.required_agents(volume, aht, patience=patience, **t.given)
    np.testing.assert_array_equal(by_value, by_keywords)
    k = erlang.kpis(volume, aht, by_value, patience=patience, targets=t)
    plain = erlang.kpis(
        volume,
        aht,
        by_value,
        patience=patience,
        threshold=t.threshold,
        cutoff=t.cutoff,
        short_abandon=t.short_abandon,
    )
    pd.testing.assert_frame_equal(k.drop(columns="meets_targets"), plain)
    # the fewest agents meeting every target meet them by the KPIs' own check
    assert k["meets_targets"].all()


def test_met_flags_the_interval_one_agent_short():
    volume = np.array([50.0, 200.0, 400.0])
    t = erlang.Targets.hotline()
    n = erlang.required_agents(volume, 240.0, patience=60.0, targets=t)
    k = erlang.kpis(volume, 240.0, n - 1, patience=60.0, targets=t)
    assert not k["meets_targets"].any()
    assert t.met(erlang.kpis(0.0, 240.0, 0, patience=60.0)).all()  # no calls, nothing missed


def test_per_interval_targets_and_inverse():
    index = pd.date_range("2026-03-02 08:00", periods=3, freq="30min")
    volume = pd.Series([120.0, 480.0, 900.0], index=index)
    t = erlang.Targets(service_level=[0.7, 0.8, 0.9], asa=20.0)
    n = erlang.required_agents(volume, 330.0, targets=t)
    assert n.index.equals(index)
    np.testing.assert_array_equal(
        n, erlang.required_agents(volume, 330.0, service_level=[0.7, 0.8, 0.9], asa=20.0)
    )
    most = erlang.max_volume(n, 330.0, targets=t)
    np.testing.assert_array_equal(
        most, erlang.max_volume(n, 330.0, service_level=[0.7, 0.8, 0.9], asa=20.0)
    )
    assert (most >= volume - 1e-6).all()

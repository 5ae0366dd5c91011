"""erlang.required_agents_by_queue: one vectorized call equals a loop over the queues."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import erlang

queue = st.fixed_dictionaries(
    {
        "service_level": st.sampled_from([0.7, 0.8, 0.9]),
        "threshold": st.sampled_from([10.0, 15.0, 20.0, 30.0]),
        "patience": st.floats(20.0, 300.0),
        "volumes": st.lists(st.floats(0.0, 800.0), min_size=1, max_size=6),
        "aht": st.floats(60.0, 900.0),
    }
)


@given(st.lists(queue, min_size=1, max_size=4), st.booleans())
@settings(max_examples=40, deadline=None)
def test_equals_a_loop_over_the_queues(queues, asa_target):
    rows, table = [], []
    for k, q in enumerate(queues):
        uid = f"q{k}"
        rows += [{"unique_id": uid, "y": v, "aht": q["aht"]} for v in q["volumes"]]
        table.append(
            {"unique_id": uid, **{n: q[n] for n in ("service_level", "threshold", "patience")}}
        )
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=0)  # queues interleaved
    base = erlang.Targets(asa=20.0 if asa_target else None)
    got = erlang.required_agents_by_queue(frame, pd.DataFrame(table), targets=base, shrinkage=0.1)
    assert got.index.equals(frame.index)
    for k, q in enumerate(queues):
        mine = frame["unique_id"] == f"q{k}"
        want = erlang.required_agents(
            frame.loc[mine, "y"].to_numpy(),
            q["aht"],
            service_level=q["service_level"],
            threshold=q["threshold"],
            asa=20.0 if asa_target else None,
            patience=q["patience"],
            shrinkage=0.1,
        )
        np.testing.assert_array_equal(got[mine].to_numpy(), want)


def test_defaults_fill_what_a_queue_leaves_out():
    frame = pd.DataFrame({"unique_id": ["a", "a", "b"], "y": [100.0, 200.0, 150.0]})
    table = pd.DataFrame({"unique_id": ["a"], "service_level": [0.9]})
    got = erlang.required_agents_by_queue(frame, table, aht=300.0, patience=60.0)
    want_a = erlang.required_agents([100.0, 200.0], 300.0, service_level=0.9, patience=60.0)
    want_b = erlang.required_agents(150.0, 300.0, service_level=0.8, patience=60.0)
    assert list(got) == [*want_a, want_b]


def test_bad_input_names_itself():
    frame = pd.DataFrame({"unique_id": ["a", "b"], "y": [1.0, 2.0], "aht": 300.0})
    with pytest.raises(ValueError, match="lacks columns"):
        erlang.required_agents_by_queue(frame.drop(columns="aht"))
    with pytest.raises(ValueError, match="unique_id='a' has several rows"):
        erlang.required_agents_by_queue(frame, pd.DataFrame({"unique_id": ["a", "a"]}))
    with pytest.raises(ValueError, match="patience is missing for unique_id='b'"):
        table = pd.DataFrame({"unique_id": ["a"], "patience": [60]})
        erlang.required_agents_by_queue(frame, table)

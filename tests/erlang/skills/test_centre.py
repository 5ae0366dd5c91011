"""The centre's description: validation, routing arrays and the TOML-style table."""

import numpy as np
import pytest

import erlang
from erlang.skills import AgentGroup, Centre, Queue


def carrier():
    return Centre(
        [
            Queue("pre-sales", aht=240.0, patience=90.0),
            Queue("after-sales", aht=360.0, patience=120.0),
            Queue("vip", aht=300.0, patience=60.0, priority=1,
                  targets=erlang.Targets.hotline(service_level=0.9, threshold=15)),
        ],
        [
            AgentGroup("sales", ["pre-sales"]),
            AgentGroup("service", ["after-sales", "pre-sales"], overflow={"pre-sales": 30.0},
                       rank={"pre-sales": 1}),
            AgentGroup("vip", ["vip", "after-sales"], aht_factor=0.9),
            AgentGroup("junior", ["pre-sales", "after-sales"], aht_factor={"after-sales": 1.3}),
        ],
    )  # fmt: skip


def test_routing_arrays():
    delay, rank, factor, priority = carrier().routing()
    inf = np.inf
    np.testing.assert_array_equal(delay, [[0, inf, inf], [30, 0, inf], [inf, 0, 0], [0, 0, inf]])
    assert rank[1].tolist()[:2] == [1, 0] and rank[0, 1] == 2  # no skill: ranked last
    np.testing.assert_allclose(factor, [[1, 1, 1], [1, 1, 1], [1, 0.9, 0.9], [1, 1.3, 1]])
    assert priority.tolist() == [0, 0, 1]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Centre([Queue("a", 300.0)], [AgentGroup("g", ["b"])]), "unknown queues"),
        (lambda: Centre([Queue("a", 300.0), Queue("b", 300.0)], [AgentGroup("g", ["a"])]),
         "no agent group serves queues \\['b'\\]"),
        (lambda: AgentGroup("g", ["a"], aht_factor=-1.0), "aht_factor=-1.0 must be positive"),
        (lambda: AgentGroup("g", ["a"], aht_factor={"b": 1.0}), "not in skills"),
        (lambda: AgentGroup("g", ["a"], overflow={"a": -5.0}), "overflow\\['a'\\]=-5.0"),
        (lambda: AgentGroup("g", ["a", "a"]), "appears twice"),
        (lambda: AgentGroup("g", ["a"], rank={"a": -1}), "rank\\['a'\\]=-1"),
        (lambda: AgentGroup("g", "a"), "list of queue names"),
        (lambda: Queue("a", aht=0.0), "aht=0.0 must be positive"),
        (lambda: Queue("a", aht=300.0, patience=float("nan")), "patience=nan"),
        (lambda: Centre([Queue("a", 1.0), Queue("a", 1.0)], [AgentGroup("g", ["a"])]),
         "queue names repeat"),
    ],
)  # fmt: skip
def test_bad_descriptions_are_named(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_from_a_toml_table():
    import tomllib

    table = tomllib.loads(
        """
        [[queues]]
        name = "general"
        aht = 300
        patience = 60
        [[queues]]
        name = "complaints"
        aht = 600
        priority = 1
        targets = {service_level = 0.9, threshold = 15}
        [[groups]]
        name = "all-round"
        skills = ["general", "complaints"]
        [[groups]]
        name = "complaints-desk"
        skills = ["complaints"]
        aht_factor = 0.8
        """
    )
    centre = Centre.from_dict(table, source="plan.toml")
    assert centre.queue_names == ["general", "complaints"]
    assert centre.queues[1].targets.service_level == 0.9
    assert centre.queues[1].targets.answer_rate == 0.85  # over the hotline figures
    assert centre.groups[1].factor("complaints") == 0.8
    with pytest.raises(ValueError, match=r"plan.toml groups\[0\]: unknown keys \['skill'\]"):
        Centre.from_dict({"queues": table["queues"], "groups": [{"name": "g", "skill": []}]},
                         source="plan.toml")  # fmt: skip

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roster.pulloffs import place_pulloffs

H = 3600
DAY0 = pd.Timestamp("2025-03-03")


def coverage(required, net):
    idx = pd.date_range(DAY0, periods=len(required), freq="h")
    return pd.DataFrame(
        {"required": np.asarray(required, float), "net": np.asarray(net, float)}, idx
    )


def request(activity, duration, earliest, latest, **extra):
    return {
        "activity": activity,
        "duration": duration,
        "earliest": DAY0 + pd.Timedelta(hours=earliest),
        "latest": DAY0 + pd.Timedelta(hours=latest),
        **extra,
    }


def test_block_goes_where_most_is_spare_and_never_into_the_peak():
    #            0  1  2  3  4  5  6  7
    required = [5, 5, 9, 9, 5, 5, 5, 5]
    net = [6, 7, 9, 10, 8, 8, 7, 6]
    reqs = pd.DataFrame([request("training", 2 * H, 0, 6, agents=1)])
    plan = place_pulloffs(coverage(required, net), reqs)
    # spare per start of a 2-h block: 0->1, 1->0, 2->-1, 3->0, 4->2, 5->1, 6->0; best is 04:00
    assert plan.placed.loc[0, "start"] == DAY0 + pd.Timedelta(hours=4)
    assert plan.placed.loc[0, "spare"] == 2
    np.testing.assert_array_equal(plan.coverage["pulled"], [0, 0, 0, 0, 1, 1, 0, 0])
    assert (plan.coverage["gap"] >= 0).all()


def test_unplaceable_request_is_reported_with_reason():
    reqs = pd.DataFrame(
        [
            request("meeting", H, 2, 3, agents=1),  # peak hours only
            request("coaching", H, 0, 7, agents=4),  # more than can be spared anywhere
            request("training", H, 0, 7, agents=1),
        ]
    )
    plan = place_pulloffs(coverage([5, 5, 9, 9, 5, 5, 5, 5], [6, 7, 9, 9, 7, 6, 7, 6]), reqs)
    assert list(plan.unplaced.index) == [0, 1]
    assert plan.unplaced["reason"].str.contains("at or above requirement").all()
    assert list(plan.placed.index) == [2]
    assert len(plan.placed) + len(plan.unplaced) == len(reqs)


def test_requests_share_the_spare_in_priority_order():
    reqs = pd.DataFrame([request(name, H, 0, 1) for name in "abcd"])
    plan = place_pulloffs(coverage([3, 3], [4, 5]), reqs)
    # one spare agent at 00:00, two at 01:00: a -> 01:00 (most spare), b -> 00:00 (tie,
    # earliest), c -> 01:00, d finds nothing left
    hours = ((plan.placed["start"] - DAY0) / pd.Timedelta(hours=1)).tolist()
    assert hours == [1, 0, 1]
    assert list(plan.unplaced.index) == [3]
    np.testing.assert_array_equal(plan.coverage["net"], [3, 3])


def test_short_break_share_and_floor():
    idx = pd.date_range(DAY0, periods=2, freq="h")
    cov = pd.DataFrame(
        {
            "required": [4.0, 4.0],
            "scheduled": [6.0, 6.0],
            "on_break": [0.0, 1.0],
            "net": [5.5, 5 * 11 / 12],
            "floor": [0.0, 5.0],
        },
        idx,
    )
    reqs = pd.DataFrame([request("x", H, 0, 1, agents=1)])
    plan = place_pulloffs(cov, reqs)
    # hour 1 would drop online agents below the floor of 5; hour 0 loses 5.5/6 net
    assert plan.placed.loc[0, "start"] == DAY0
    assert plan.coverage["net"].iloc[0] == pytest.approx(5.5 - 5.5 / 6)


def test_named_agent_must_be_on_shift_and_off_meal():
    assignments = pd.DataFrame(
        {
            "agent": ["li", "wang"],
            "start": [DAY0, DAY0 + pd.Timedelta(hours=4)],
            "end": [DAY0 + pd.Timedelta(hours=4), DAY0 + pd.Timedelta(hours=8)],
            "break_start": [DAY0 + pd.Timedelta(hours=2), pd.NaT],
            "break_end": [DAY0 + pd.Timedelta(hours=3), pd.NaT],
        }
    )
    reqs = pd.DataFrame(
        [
            request("coach li", H, 1, 7, agent="li"),
            request("coach li again", H, 1, 3, agent="li"),
            request("coach zhao", H, 0, 7, agent="zhao"),
        ]
    )
    plan = place_pulloffs(coverage([1] * 8, [5] * 8), reqs, assignments=assignments)
    # li works 0-4 with a meal 2-3: a 1-h block may start at 1 or 3 (inside the window)
    assert plan.placed.loc[0, "start"] == DAY0 + pd.Timedelta(hours=1)
    assert plan.placed.loc[1, "start"] == DAY0 + pd.Timedelta(hours=3)
    assert "zhao" in plan.unplaced.loc[2, "reason"]


@settings(max_examples=25, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 4)), min_size=6, max_size=12),
    asks=st.lists(
        st.tuples(st.integers(1, 3), st.integers(0, 11), st.integers(0, 11), st.integers(1, 2)),
        min_size=1,
        max_size=6,
    ),
)
def test_coverage_never_drops_below_requirement(data, asks):
    required = [r for r, _ in data]
    net = [r + s for r, s in data]
    reqs = pd.DataFrame(
        [
            request(f"r{i}", d * H, min(a, b), max(a, b), agents=k)
            for i, (d, a, b, k) in enumerate(asks)
        ]
    )
    plan = place_pulloffs(coverage(required, net), reqs)
    assert (plan.coverage["net"] >= plan.coverage["required"] - 1e-9).all()
    assert len(plan.placed) + len(plan.unplaced) == len(reqs)
    # what was pulled reconciles with the blocks placed
    pulled = np.zeros(len(required))
    for row in plan.placed.itertuples():
        h0 = int((row.start - DAY0) / pd.Timedelta(hours=1))
        h1 = int((row.end - DAY0) / pd.Timedelta(hours=1))
        pulled[h0:h1] += row.agents
    np.testing.assert_array_equal(plan.coverage["pulled"], pulled)


@pytest.mark.parametrize(
    ("rows", "kwargs", "match"),
    [
        ([request("x", 0, 0, 1)], {}, "duration"),
        ([request("x", H, 0, 1, agents=0)], {}, "agents"),
        ([request("x", H, 3, 1)], {}, "latest before earliest"),
        ([request("x", H, 0, 1, agent="li")], {}, "assignments"),
        ([request("x", H, 0, 1)], {"margin": -1}, "margin"),
        ([{"activity": "x"}], {}, "lacks columns"),
    ],
)
def test_bad_input(rows, kwargs, match):
    with pytest.raises(ValueError, match=match):
        place_pulloffs(coverage([1, 1], [2, 2]), pd.DataFrame(rows), **kwargs)

"""Rosters of several agent groups built side by side."""

import numpy as np
import pandas as pd
import pytest

from roster.people.build import build_roster
from roster.planning.centre import build_group_rosters
from roster.rules import Rules
from tests.roster.people.four_shifts import TEMPLATES, H

DATES = pd.date_range("2025-03-03", periods=6, freq="D")
RULES = Rules(
    monthly_paid=32 * H,
    monthly_paid_tolerance=8 * H,
    min_rest_days=2,
    soft_max_consecutive_days=4,
    max_consecutive_days=4,
    max_nights=1,
)


def _requirement(seed):
    rng = np.random.default_rng(seed)
    wide = pd.DataFrame(
        rng.integers(0, 3, (len(DATES), 4)), index=DATES, columns=["E", "L", "N", "M"]
    )
    long = wide.rename_axis("date").reset_index().melt("date", var_name="shift")
    return long.rename(columns={"value": "agents"}).astype({"agents": float})


def test_groups_side_by_side_give_the_rosters_of_one_at_a_time():
    requirements = {name: _requirement(seed) for seed, name in enumerate(["a", "b", "c"])}
    teams = {"a": 3, "b": 5, "c": 4}
    options = {"rules": RULES, "calendar": None, "time_limit": 600}
    both = build_group_rosters(requirements, teams, TEMPLATES, workers=2, **options)
    one = build_group_rosters(requirements, teams, TEMPLATES, workers=1, **options)
    assert list(both) == list(teams)
    for name in teams:
        pd.testing.assert_frame_equal(both[name].assignments, one[name].assignments)
        assert both[name].cost == one[name].cost
        # the same roster as a build of that group alone, on one thread
        alone = build_roster(
            requirements[name],
            TEMPLATES,
            [f"{name}-{k + 1:03d}" for k in range(teams[name])],
            workers=1,
            **options,
        )
        pd.testing.assert_frame_equal(both[name].assignments, alone.assignments)
        assert both[name].lower_bound <= both[name].cost + 1e-9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"workers": 3}, "workers=3"), ({"teams": {"z": 2}}, "no group")],
)
def test_bad_arguments_are_named(kwargs, message):
    args = {"teams": {"a": 2}, "workers": 2} | kwargs
    with pytest.raises(ValueError, match=message):
        build_group_rosters(
            {"a": _requirement(0)}, args["teams"], TEMPLATES, workers=args["workers"]
        )

"""The team a month needs, from the stage-1 schedule and the monthly band."""

import math

import numpy as np
import pandas as pd
import pytest

import forecast
from roster import Rules, check
from roster.planning.headcount import headcount
from roster.planning.pipeline import plan

H = 3600


def _shifts(per_day, days=31, paid_hours=8.0):
    dates = pd.date_range("2026-03-01", periods=days)
    return pd.DataFrame({"date": dates, "agents": per_day, "paid_hours": paid_hours})


def test_needed_is_paid_hours_over_the_target():
    need = headcount(_shifts(100), Rules(), 31)
    # 3,100 shifts of 8 h = 24,800 h; 176 h each -> 141 agents; 184 h each -> 135
    assert need.required_paid == 24_800 * H
    assert need.agent_shifts == 3_100
    assert need.needed == math.ceil(24_800 / 176) == 141
    assert need.fewest == math.ceil(24_800 / 184) == 135
    assert need.team is None and need.missing == 0 and need.spare == 0
    assert "needs about 141 agents" in need.advice


def test_short_days_bind_before_hours():
    # 4 h shifts: hours ask for 71 agents, but nobody works more than 24 of 31 days
    need = headcount(_shifts(100, paid_hours=4.0), Rules(), 31)
    assert need.max_working_days == 24
    assert need.needed == need.fewest == math.ceil(3_100 / 24) == 130


def test_busiest_day_binds():
    per_day = np.full(31, 10)
    per_day[5] = 60  # one agent works one shift a day
    assert headcount(_shifts(per_day), Rules(), 31).needed == 60


def test_prorated_over_part_of_a_month():
    need = headcount(_shifts(10, days=7), Rules(), 7, month_days=31)
    assert need.target == pytest.approx(176 * H * 7 / 31)
    assert need.needed == math.ceil(70 * 8 / (176 * 7 / 31))


@pytest.mark.parametrize(
    ("team", "missing", "spare", "words"),
    [
        (100, 41, 0, "hire or borrow"),
        (138, 3, 0, "allow overtime"),
        (141, 0, 0, "matches"),
        (150, 0, 9, "9 agents spare"),
    ],
)
def test_advice_against_a_team(team, missing, spare, words):
    need = headcount(_shifts(100), Rules(), 31, team=team)
    assert (need.missing, need.spare) == (missing, spare)
    assert words in need.advice
    series = need.to_series()
    assert series["missing"] == missing and series["spare"] == spare


def test_empty_schedule_needs_nobody():
    need = headcount(_shifts(0), Rules(), 31)
    assert need.needed == 0 and need.required_paid == 0


@pytest.mark.parametrize(("kwargs", "word"), [({"days": 0}, "days=0"), ({"team": -1}, "team=-1")])
def test_bad_arguments_are_named(kwargs, word):
    args = {"days": 31, **kwargs}
    with pytest.raises(ValueError, match=word):
        headcount(_shifts(10), Rules(), args.pop("days"), **args)


@pytest.fixture(scope="module")
def sample():
    return forecast.synthetic_hotline(
        start="2026-02-02", end="2026-02-28", seed=1, daily_volume=800, outage=False
    )


def _plan(sample, agents):
    return plan(
        sample.volume,
        aht=sample.aht,
        month="2026-03",
        days=7,
        agents=agents,
        replications=0,
        time_limit=5,
        seed=1,
    )


@pytest.mark.slow
def test_plan_without_a_team_sizes_it(sample):
    result = _plan(sample, None)
    need = result.headcount
    assert need.team is None and need.needed >= 1
    assert len(result.totals) == need.needed
    assert result.summary()["agents_needed"] == need.needed
    # the stage-1 hours fit the team's band
    assert need.required_paid <= need.needed * need.hi + 1e-6


@pytest.mark.slow
def test_spare_agents_are_rostered_not_violations(sample):
    sized = _plan(sample, None)
    extra = 12
    result = _plan(sample, sized.headcount.needed + extra)
    assert result.headcount.spare == extra
    assert "spare" in result.headcount.advice
    hard = result.violations[result.violations["severity"] == "hard"]
    assert hard.empty, hard
    lo, _ = result.rules.monthly_target(7, 31)
    assert (result.totals["paid"] >= lo - 1e-6).all()
    clean = check(
        result.roster,
        result.rules,
        dates=pd.date_range("2026-03-01", periods=7),
        agents=list(result.totals.index),
        month_days=31,
    )
    assert clean.empty or (clean["severity"] != "hard").all()

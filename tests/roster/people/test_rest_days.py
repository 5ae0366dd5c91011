"""Whole rest days in a built roster: nights past midnight are worked and still every agent
keeps the rest days required, counted as calendar days no shift touches."""

import numpy as np
import pandas as pd

from roster.check import check
from roster.people.build import build_roster
from roster.rules import Rules
from tests.roster.people.four_shifts import TEMPLATES, H

DATES = pd.date_range("2025-03-03", periods=14, freq="D")
REQ = pd.DataFrame({"E": 2.0, "L": 2.0, "N": 1.0}, index=DATES)


def whole_rest_days(assignments, agents):
    """Days of the horizon no shift of the agent touches, from start and end times."""
    out = {}
    for agent in agents:
        touched = set()
        for s, e in assignments.loc[assignments["agent"] == agent, ["start", "end"]].values:
            day = pd.Timestamp(s).normalize()
            while day < e:
                touched.add(day)
                day += pd.Timedelta(days=1)
        out[agent] = sum(d not in touched for d in DATES)
    return pd.Series(out)


def build(**kw):
    rules = Rules(
        monthly_paid=80 * H,
        monthly_paid_tolerance=8 * H,
        min_rest_days=4,
        max_nights=None,
        **kw,
    )
    r = build_roster(REQ, TEMPLATES, 8, rules=rules, calendar=None, time_limit=20)
    return rules, r


def test_roster_keeps_whole_rest_days_with_nights_past_midnight():
    rules, r = build()
    a = r.assignments
    nights = a[a["end"] > a["date"] + pd.Timedelta(days=1)]
    assert len(nights) > 0  # nights 22:00-06:00 are worked
    rest = whole_rest_days(a, r.totals.index)
    assert rest.min() >= 4
    assert (r.totals["rest_days"] == rest).all()
    v = check(a, rules, dates=DATES, agents=r.totals.index)
    assert v[v["severity"] == "hard"].empty
    # the days lost to nights are real: the old reading would count more rest days
    assert (r.totals["shifts"].rsub(len(DATES)) > rest).any()
    assert r.lower_bound <= r.cost + 1e-6


def test_old_reading_counts_days_without_a_shift_start():
    rules, r = build(whole_rest_days=False)
    a = r.assignments
    days_off = len(DATES) - r.totals["shifts"]
    assert (r.totals["rest_days"] == days_off).all()
    assert days_off.min() >= 4
    assert check(a, rules, dates=DATES, agents=r.totals.index).query("severity == 'hard'").empty
    # nights cost no rest day under it, so some agent is left short of whole days
    assert np.any(whole_rest_days(a, r.totals.index) < 4)

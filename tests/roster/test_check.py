import numpy as np
import pandas as pd
import pytest

from roster.check import check, night_class
from roster.rules import Rules

DAYS = pd.date_range("2025-03-03", periods=14, freq="D")  # starts on a Monday
RULES = Rules(
    monthly_paid=80 * 3600,
    monthly_paid_tolerance=8 * 3600,
    min_rest_days=4,
    max_nights=1,
)


def roster(plan, agent="A"):
    """plan: {day index: (start hour, length h)}."""
    rows = []
    for d, (h, n) in plan.items():
        start = DAYS[d] + pd.Timedelta(hours=h)
        rows.append(
            {
                "agent": agent,
                "date": DAYS[d],
                "shift": f"{h:02d}+{n}",
                "start": start,
                "end": start + pd.Timedelta(hours=n),
                "paid": n * 3600,
            }
        )
    return pd.DataFrame(rows)


def clean_plan():
    # 10 working days of 8 h, never more than 5 in a row
    return {d: (9, 8) for d in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)}


def rules_broken(frame, **kw):
    v = check(frame, RULES, dates=DAYS, **kw)
    return set(v.loc[v["severity"] == "hard", "rule"])


def test_clean_roster_has_no_violation():
    v = check(roster(clean_plan()), RULES, dates=DAYS)
    assert v.empty


def test_each_rule_is_caught():
    p = clean_plan()
    # too long a day
    q = dict(p) | {0: (9, 10)}
    assert "max_shift_paid" in rules_broken(roster(q))
    # monthly paid too low
    q = {d: v for d, v in p.items() if d < 8}
    assert "monthly_paid" in rules_broken(roster(q))
    # too few rest days: 11 days worked in 14 with 6 h shifts keeps the hours in band
    q = {d: (9, 7) for d in range(11)}
    got = rules_broken(roster(q))
    assert "min_rest_days" in got and "max_consecutive_days" in got
    # rest between shifts: 22:00-06:00 then 09:00 same morning -> 3 h rest
    q = dict(p) | {0: (22, 8)}
    got = rules_broken(roster(q))
    assert "min_rest_between_shifts" in got
    assert "rest_after_big_night" in got
    # two big nights over the cap of one
    q = dict(p) | {4: (16, 8), 11: (16, 8)}
    assert "max_nights" in rules_broken(roster(q))
    # work on approved leave
    leave = pd.DataFrame({"agent": ["A"], "date": [DAYS[2]]})
    assert "leave" in rules_broken(roster(p), leave=leave)
    # two shifts on one day
    two = pd.concat([roster(p), roster({0: (18, 1)})])
    assert "one_shift_per_day" in rules_broken(two)


def test_rest_days_are_whole_calendar_days():
    # Friday's shift becomes a night 22:00-06:00: Saturday is off but not a whole rest day,
    # so 4 days without a shift start leave 3 whole rest days
    q = clean_plan() | {4: (22, 8)}
    v = check(roster(q), RULES, dates=DAYS)
    assert list(v["rule"]) == ["min_rest_days"]
    assert v["detail"].iloc[0] == "3 whole rest days (4 days off) < 4"
    # the old reading counts days on which no shift starts
    old = Rules(**{**RULES.__dict__, "whole_rest_days": False})
    assert check(roster(q), old, dates=DAYS).empty
    # a night ending at midnight takes no minute of the next day
    assert check(roster(clean_plan() | {4: (16, 8)}), RULES, dates=DAYS).empty
    # the last day's night reaches past the horizon: no day of it is lost
    late = {d: (9, 8) for d in (0, 1, 2, 3, 4, 7, 8, 9, 10)} | {13: (22, 8)}
    assert check(roster(late), RULES, dates=DAYS).empty
    # a shift the morning after the night: that day is worked anyway, no day is lost
    swing = {d: (9, 8) for d in (1, 2, 3, 8, 9, 10, 11, 12)} | {4: (17, 8), 5: (14, 8)}
    free = Rules(**{**RULES.__dict__, "rest_after_big_night": False})
    assert check(roster(swing), free, dates=DAYS).empty
    assert "min_rest_days" in rules_broken(roster(swing | {5: (22, 8)}))


def test_soft_runs_are_reported_as_soft():
    q = {d: (9, 8) for d in (0, 1, 2, 3, 4, 5, 8, 9, 10, 11)}
    v = check(roster(q), RULES, dates=DAYS)
    assert list(v["rule"]) == ["soft_max_consecutive_days"]
    assert list(v["severity"]) == ["soft"]


def test_weekends_forbidden_and_caps():
    rules = Rules(
        monthly_paid=80 * 3600,
        monthly_paid_tolerance=8 * 3600,
        min_rest_days=4,
        max_weekends=1,
        forbidden_next={"09+8": ("06+8",)},
        max_shifts={"09+8": 8},
    )
    plan = {d: (9, 8) for d in (0, 1, 2, 4, 5, 6, 9, 10, 12, 13)}
    plan[10] = (6, 8)
    v = check(roster(plan), rules, dates=DAYS)
    got = set(v["rule"])
    assert {"max_weekends", "forbidden_next"} <= got
    plan = {d: (9, 8) for d in (0, 1, 3, 5, 6, 7, 8, 10, 11, 12)}
    v = check(roster(plan), rules, dates=DAYS)
    assert "max_shifts" in set(v["rule"])


def test_agent_without_shift_is_checked():
    v = check(roster(clean_plan()), RULES, dates=DAYS, agents=["A", "B"])
    assert set(v.loc[v["agent"] == "B", "rule"]) == {"monthly_paid"}


def test_coverage_shortfall_is_listed():
    frame = roster(clean_plan())
    frame["break_start"] = frame["start"] + pd.Timedelta(hours=4)
    frame["break_end"] = frame["break_start"] + pd.Timedelta(minutes=30)
    idx = pd.date_range(DAYS[0], periods=48, freq="30min")
    req = pd.Series(np.where((idx.hour >= 9) & (idx.hour < 17), 1.0, 0.0), idx)
    v = check(frame, RULES, dates=DAYS, requirement=req)
    cov = v[v["rule"] == "coverage"]
    # only the meal half hour is short
    assert len(cov) == 1 and "13:00" in cov["detail"].iloc[0]


def test_night_class_matches_end_time_rule():
    start = pd.to_datetime(
        [
            "2025-03-03 14:00",
            "2025-03-03 15:00",
            "2025-03-03 16:00",
            "2025-03-03 00:00",
            "2025-03-03 08:00",
        ]
    )
    end = start + pd.to_timedelta([8, 8, 8, 8, 8], unit="h")
    assert list(night_class(start, end)) == ["small", "small", "big", "big", "none"]


def test_bad_input_names_columns():
    with pytest.raises(ValueError, match="missing \\['end'\\]"):
        check(roster(clean_plan()).drop(columns="end"), RULES)

import pandas as pd
import pytest

from roster.rules import Rules
from roster.swap import swap

DAYS = pd.date_range("2025-03-03", periods=14, freq="D")
RULES = Rules(monthly_paid=80 * 3600, monthly_paid_tolerance=8 * 3600, min_rest_days=4)


def rows(agent, plan):
    out = []
    for d, h in plan.items():
        start = DAYS[d] + pd.Timedelta(hours=h)
        out.append(
            {
                "agent": agent,
                "date": DAYS[d],
                "shift": f"{h:02d}",
                "start": start,
                "end": start + pd.Timedelta(hours=8),
                "paid": 8 * 3600,
            }
        )
    return out


WORK = (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)


def roster():
    a = rows("A", dict.fromkeys(WORK, 8))
    b = rows("B", dict.fromkeys(WORK, 12))
    return pd.DataFrame(a + b)


def test_valid_swap_is_applied():
    res = swap(roster(), "A", DAYS[2], "B", requested_at=DAYS[0], rules=RULES, dates=DAYS)
    assert res.accepted, res.reasons
    new = res.assignments
    got = new[new["date"] == DAYS[2]].set_index("agent")["shift"]
    assert got.to_dict() == {"A": "12", "B": "08"}
    assert new.loc[new["date"] == DAYS[2], "swapped"].all()
    assert len(new) == len(roster())


def test_notice_and_same_day_are_refused():
    late = swap(
        roster(),
        "A",
        DAYS[2],
        "B",
        requested_at=DAYS[1] + pd.Timedelta(hours=12),
        rules=RULES,
        dates=DAYS,
    )
    assert not late.accepted and "notice" in late.reasons[0]
    same = swap(roster(), "A", DAYS[2], "B", requested_at=DAYS[2], rules=RULES, dates=DAYS)
    assert not same.accepted and "same-day" in same.reasons[0]
    assert same.assignments.drop(columns="swapped").equals(roster())  # unchanged
    assert not same.assignments["swapped"].any()


def test_monthly_limit_counts_given_and_taken():
    history = pd.DataFrame(
        {
            "agent": ["A", "C", "A", "D"],
            "date": [DAYS[0], DAYS[1], DAYS[3], DAYS[4]],
            "with_agent": ["C", "A", "D", "A"],
            "with_date": [DAYS[0], DAYS[1], DAYS[3], DAYS[4]],
        }
    )
    res = swap(roster(), "A", DAYS[8], "B", requested_at=DAYS[5], rules=RULES, history=history)
    assert not res.accepted
    assert "4 swaps" in res.reasons[0]
    ok = swap(
        roster(), "A", DAYS[8], "B", requested_at=DAYS[5], rules=RULES, history=history.iloc[:3]
    )
    assert ok.accepted, ok.reasons


def test_swapped_shift_cannot_be_swapped_again():
    first = swap(roster(), "A", DAYS[2], "B", requested_at=DAYS[0], rules=RULES, dates=DAYS)
    again = swap(
        first.assignments, "A", DAYS[2], "B", requested_at=DAYS[0], rules=RULES, dates=DAYS
    )
    assert not again.accepted and "already swapped" in again.reasons[0]


def test_rule_breaking_swap_is_refused():
    # 12:00-20:00 followed by 08:00 leaves 12 h of rest: fine at 11 h, not at 13 h
    strict = Rules(
        monthly_paid=80 * 3600,
        monthly_paid_tolerance=8 * 3600,
        min_rest_days=4,
        min_rest_between_shifts=13 * 3600,
    )
    res = swap(roster(), "A", DAYS[2], "B", requested_at=DAYS[0], rules=strict, dates=DAYS)
    assert not res.accepted
    assert any("min_rest_between_shifts" in x for x in res.reasons)
    assert set(res.new_violations["rule"]) == {"min_rest_between_shifts"}
    # A takes B's day-4 shift onto day 5: 11 days worked of 14 leaves 3 rest days < 4
    res = swap(
        roster(),
        "A",
        DAYS[5],
        "B",
        with_date=DAYS[4],
        requested_at=DAYS[0],
        rules=RULES,
        dates=DAYS,
    )
    assert not res.accepted
    assert res.reasons == ("A: min_rest_days (3 days off < 4)",)


def test_swap_onto_a_night_past_midnight_counts_whole_rest_days():
    # A takes C's Friday night 22:00-06:00: Saturday is then off but no whole rest day,
    # A is left 3 whole rest days; with the old reading the swap keeps every rule
    c = dict.fromkeys(WORK, 12) | {4: 22}
    frame = pd.DataFrame(rows("A", dict.fromkeys(WORK, 8)) + rows("C", c))
    res = swap(frame, "A", DAYS[4], "C", requested_at=DAYS[0], rules=RULES, dates=DAYS)
    assert not res.accepted
    assert res.reasons == ("A: min_rest_days (3 whole rest days (4 days off) < 4)",)
    old = Rules(**{**RULES.__dict__, "whole_rest_days": False})
    res = swap(frame, "A", DAYS[4], "C", requested_at=DAYS[0], rules=old, dates=DAYS)
    assert res.accepted, res.reasons


def test_coverage_must_hold():
    LOOSE = Rules(monthly_paid=80 * 3600, monthly_paid_tolerance=8 * 3600, min_rest_days=3)
    idx = pd.date_range(DAYS[2], periods=48, freq="30min")
    req = pd.Series(0.0, idx)
    req[(idx.hour >= 8) & (idx.hour < 16)] = 1.0
    # same-day trade keeps one head on 08-16
    ok = swap(
        roster(), "A", DAYS[2], "B", requested_at=DAYS[0], rules=LOOSE, requirement=req, dates=DAYS
    )
    assert ok.accepted, ok.reasons
    # moving A's day-2 shift to B's free day 6 leaves day 2 short
    res = swap(
        roster(),
        "A",
        DAYS[2],
        "B",
        with_date=DAYS[6],
        requested_at=DAYS[0],
        rules=LOOSE,
        requirement=req,
        dates=DAYS,
    )
    assert not res.accepted
    assert res.reasons[0].startswith("coverage")
    assert swap(
        roster(),
        "A",
        DAYS[2],
        "B",
        with_date=DAYS[6],
        requested_at=DAYS[0],
        rules=LOOSE,
        dates=DAYS,
    ).accepted


def test_bad_input_names_argument():
    with pytest.raises(ValueError, match="with_agent='Z'"):
        swap(roster(), "A", DAYS[2], "Z", requested_at=DAYS[0])

import itertools

import numpy as np
import pandas as pd
import pytest

from forecast import get_calendar
from roster.check import check
from roster.people.build import build_roster
from roster.people.pricing import PatternPricer, compat_matrix
from roster.rules import Rules
from roster.shifts import BreakRule, ShiftTemplate
from tests.roster.people.four_shifts import TEMPLATES, H

# a 6-day "month": 32-40 h paid, 2 rest days, runs of 3 (4th day penalised)
SMALL = Rules(
    monthly_paid=36 * H,
    monthly_paid_tolerance=4 * H,
    min_rest_days=2,
    soft_max_consecutive_days=3,
    max_consecutive_days=4,
    consecutive_penalty=7.0,
    max_nights=None,
)


def feasible(pattern, rules, templates, forced=()):
    """Independent statement of the pricing rules for one pattern (-1 = off)."""
    days = len(pattern)
    work = [p >= 0 for p in pattern]
    if any(work[d] for d in forced):
        return False
    paid = sum(templates[p].paid_time for p in pattern if p >= 0)
    if not rules.min_shift_paid <= 7 * H:
        return False
    lo, hi = rules.monthly_target(days)
    if not lo - 1e-6 <= paid <= hi + 1e-6:
        return False
    if days - sum(work) < rules.min_rest_days:
        return False
    run = 0
    for d in range(days):
        run = run + 1 if work[d] else 0
        if run > rules.max_consecutive_days:
            return False
        if d and work[d] and work[d - 1]:
            a, b = templates[pattern[d - 1]], templates[pattern[d]]
            end_a = a.start + a.length  # seconds after day d-1 midnight
            if 86400 + b.start - end_a < rules.min_rest_between_shifts:
                return False
            if rules.rest_after_big_night and a.night_class == "big":
                return False
    return True


def pattern_cost(pattern, cost, rules):
    total, run = 0.0, 0
    for d, p in enumerate(pattern):
        run = run + 1 if p >= 0 else 0
        if p >= 0:
            total += cost[d, p]
        if run > rules.soft_max_consecutive_days:
            total += rules.consecutive_penalty
    return total


@pytest.mark.parametrize("seed", range(6))
def test_pricing_matches_enumeration(seed):
    rng = np.random.default_rng(seed)
    days, S = 6, len(TEMPLATES)
    cost = rng.normal(0, 10, (days, S))
    forced = np.zeros(days, dtype=bool)
    forced[rng.integers(days)] = seed % 2 == 0
    paid = np.array([t.paid_time for t in TEMPLATES], float)
    lo, hi = SMALL.monthly_target(days)
    pricer = PatternPricer(
        compat_matrix(TEMPLATES, SMALL), paid, SMALL, days, lo, hi, SMALL.max_working_days(days)
    )
    ((value, pattern),) = pricer.solve(cost, forced, np.ones(S, dtype=bool))
    best = min(
        (
            pattern_cost(p, cost, SMALL)
            for p in itertools.product(range(-1, S), repeat=days)
            if feasible(p, SMALL, TEMPLATES, np.flatnonzero(forced))
        ),
        default=np.inf,
    )
    assert value == pytest.approx(best)
    assert feasible(tuple(pattern), SMALL, TEMPLATES, np.flatnonzero(forced))
    assert pattern_cost(pattern, cost, SMALL) == pytest.approx(value)


def per_shift_requirement(days=6):
    dates = pd.date_range("2025-03-03", periods=days, freq="D")
    return pd.DataFrame({"E": 1, "L": 1, "N": 0, "M": 0}, index=dates)


def test_two_agents_match_brute_force():
    req = per_shift_requirement()
    roster = build_roster(req, TEMPLATES, ["a", "b"], rules=SMALL, calendar=None, time_limit=600)
    # brute force over every pair of feasible patterns
    days, S = 6, len(TEMPLATES)
    pats = [
        p for p in itertools.product(range(-1, S), repeat=days) if feasible(p, SMALL, TEMPLATES)
    ]
    paid = np.array([t.paid_time / H for t in TEMPLATES])
    cost = np.array([pattern_cost(p, np.tile(paid, (days, 1)), SMALL) for p in pats])
    onehot = np.zeros((len(pats), days, S))
    for k, p in enumerate(pats):
        for d, s in enumerate(p):
            if s >= 0:
                onehot[k, d, s] = 1
    need = req.to_numpy(float)
    best = np.inf
    for k in range(len(pats)):
        cover = onehot[k] + onehot  # (n, days, S)
        short = np.clip(need - cover, 0, None).sum(axis=(1, 2))
        total = cost[k] + cost + SMALL.under_penalty * short
        best = min(best, float(total.min()))
    assert roster.lower_bound <= best + 1e-6
    assert roster.cost == pytest.approx(best)
    hard = check(roster.assignments, SMALL, dates=req.index, agents=["a", "b"])
    assert hard[hard["severity"] == "hard"].empty


def test_per_interval_roster_checks_clean_and_reports():
    tpl = [
        ShiftTemplate.from_clock(
            f"{h:02d}:00",
            f"{(h + 8) % 24:02d}:30",
            name=f"S{h:02d}",
            breaks=(BreakRule(1800, 3 * H, 5 * H),),
        )
        for h in (6, 10, 14)
    ]
    idx = pd.date_range("2025-03-03", periods=7 * 48, freq="30min")
    req = pd.Series(np.where((idx.hour >= 8) & (idx.hour < 20), 2.0, 0.0), idx)
    rules = Rules(max_nights=None)
    roster = build_roster(req, tpl, 6, rules=rules, calendar=None, month_days=30, time_limit=600)
    a = roster.assignments
    assert list(a.columns[:7]) == [
        "agent",
        "date",
        "shift",
        "start",
        "end",
        "break_start",
        "break_end",
    ]
    assert ((a["break_start"] >= a["start"]) & (a["break_end"] <= a["end"])).all()
    assert (a["paid"] == 8 * H).all()
    v = check(a, rules, dates=idx.normalize().unique(), agents=roster.totals.index, month_days=30)
    assert v[v["severity"] == "hard"].empty
    assert roster.totals["shifts"].sum() == len(a)
    assert roster.totals["rest_days"].min() >= 7 * 7 / 30 - 1
    # coverage frame reconciles with the assignments and the reported unmet requirement
    cov = roster.coverage
    assert len(cov) == len(req)
    short = (cov["required"] - cov["net"]).clip(lower=0)
    assert short.sum() == pytest.approx(roster.unmet["short"].sum())
    assert roster.lower_bound <= roster.cost + 1e-6


def test_uncoverable_period_is_diagnosed():
    tpl = [ShiftTemplate.from_clock("08:00", "16:00", name="D", paid=8 * H)]
    idx = pd.date_range("2025-03-03", periods=7 * 24, freq="h")
    req = pd.Series(np.where(idx.hour.isin([9, 10, 3]), 1.0, 0.0), idx)
    roster = build_roster(req, tpl, 2, calendar=None, month_days=30, time_limit=600)
    assert any("covered by no template" in d for d in roster.diagnosis)
    assert (roster.unmet["period"].dt.hour == 3).all()
    assert len(roster.unmet) == 7
    assert len(roster.assignments) > 0


def test_leave_breaking_monthly_hours_is_diagnosed():
    req = per_shift_requirement()
    leave = pd.DataFrame({"agent": ["a"] * 3, "date": req.index[:3]})
    roster = build_roster(
        req, TEMPLATES, ["a", "b"], rules=SMALL, leave=leave, calendar=None, time_limit=600
    )
    assert any("'a'" in d and "monthly paid band" in d for d in roster.diagnosis)
    assert not (roster.assignments["agent"] == "a").any()
    assert roster.unmet["short"].sum() > 0


def test_statutory_holiday_costs_three_times():
    req = per_shift_requirement()
    agents = ["a", "b", "c"]
    hol = build_roster(req, TEMPLATES, agents, rules=SMALL, calendar=[req.index[0]])
    a = hol.assignments
    on_holiday = a["date"] == req.index[0]
    assert on_holiday.sum() >= 1  # coverage still wins over triple pay
    assert a["holiday"].sum() == on_holiday.sum() == hol.totals["holidays_worked"].sum()
    pay = (a["paid"] / H * np.where(on_holiday, 3.0, 1.0)).sum()
    short = (hol.coverage["required"] - hol.coverage["net"]).clip(lower=0).sum()
    runs = 0
    for _, g in a.groupby("agent"):
        work = np.isin(req.index, g["date"])
        run = 0
        for w in work:
            run = run + 1 if w else 0
            runs += run > SMALL.soft_max_consecutive_days
    assert hol.cost == pytest.approx(
        pay + SMALL.under_penalty * short + SMALL.consecutive_penalty * runs
    )
    assert hol.totals["cost"].sum() == pytest.approx(pay + SMALL.consecutive_penalty * runs)


def test_calendar_given_as_code_object_or_dates():
    req = per_shift_requirement().set_axis(pd.date_range("2025-09-29", periods=6))
    cn = get_calendar("CN")
    statutory = cn.day_types(req.index)["is_statutory"]
    assert 0 < statutory.sum() < len(req)
    built = [
        build_roster(req, TEMPLATES, ["a", "b", "c"], rules=SMALL, calendar=c, time_limit=600)
        for c in ("CN", cn, statutory.index[statutory])
    ]
    for roster in built:
        a = roster.assignments
        assert a["holiday"].tolist() == statutory.reindex(a["date"]).tolist()
        assert roster.cost == pytest.approx(built[0].cost)
    with pytest.raises(TypeError, match="holidays"):
        build_roster(req, TEMPLATES, 2, rules=SMALL, holidays="CN")
    with pytest.raises(ValueError, match="calendar"):
        build_roster(req, TEMPLATES, 2, rules=SMALL, calendar="XX")


def test_bad_inputs_name_argument():
    req = per_shift_requirement()
    with pytest.raises(ValueError, match="unknown agents \\['zed'\\]"):
        build_roster(
            req,
            TEMPLATES,
            ["a"],
            rules=SMALL,
            calendar=None,
            leave=pd.DataFrame({"agent": ["zed"], "date": [req.index[0]]}),
        )
    with pytest.raises(ValueError, match="agents=0"):
        build_roster(req, TEMPLATES, 0, rules=SMALL, calendar=None)
    with pytest.raises(ValueError, match="shifts \\['X'\\] not in templates"):
        build_roster(req.assign(X=1), TEMPLATES, 2, rules=SMALL, calendar=None)
    long = [ShiftTemplate.from_clock("06:00", "18:00", name="T12")]
    with pytest.raises(ValueError, match="T12"):
        build_roster(pd.DataFrame({"T12": [1]}, index=req.index[:1]), long, 2, calendar=None)
    with pytest.raises(ValueError, match="time_limit=0"):
        build_roster(req, TEMPLATES, 2, rules=SMALL, calendar=None, time_limit=0)


def test_requests_skills_and_night_cap_are_honoured():
    req = per_shift_requirement().assign(N=1)
    agents = pd.DataFrame(
        {
            "agent": ["a", "b", "c", "d"],
            "shifts": [["E", "L"], ["E", "L"], ["N"], None],
        }
    )
    rules = Rules(
        monthly_paid=32 * H,
        monthly_paid_tolerance=8 * H,
        min_rest_days=2,
        soft_max_consecutive_days=3,
        max_consecutive_days=4,
        max_nights=2,
    )
    requests = pd.DataFrame(
        {
            "agent": ["a", "b"],
            "date": [req.index[1], req.index[2]],
            "shift": [None, "E"],
            "kind": ["off", "on"],
            "weight": [50.0, 50.0],
        }
    )
    r = build_roster(
        req, TEMPLATES, agents, rules=rules, requests=requests, calendar=None, time_limit=600
    )
    a = r.assignments
    assert set(a.loc[a["agent"].isin(["a", "b"]), "shift"]) <= {"E", "L"}
    assert set(a.loc[a["agent"] == "c", "shift"]) <= {"N"}
    assert not ((a["agent"] == "a") & (a["date"] == req.index[1])).any()
    assert ((a["agent"] == "b") & (a["date"] == req.index[2]) & (a["shift"] == "E")).any()
    assert (r.totals["nights"] <= 2).all()
    # c may only work nights and at most two: it cannot reach the monthly band, which the
    # roster states and the checker confirms
    assert any("'c'" in d and "monthly paid band" in d for d in r.diagnosis)
    v = check(a, rules, dates=req.index, agents=agents["agent"])
    hard = v[v["severity"] == "hard"]
    assert list(zip(hard["agent"], hard["rule"], strict=True)) == [("c", "monthly_paid")]

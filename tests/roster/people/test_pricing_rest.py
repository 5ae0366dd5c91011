"""Whole rest days in the pricing DP: its optimum against enumeration of every pattern.

Small horizons (6-8 days), 3-5 shifts drawn from a set with nights past midnight (22:00-06:00,
16:00-00:30), a big night that ends before midnight (15:00-23:30) and a 7-hour shift, both
settings of ``rest_after_big_night`` and ``whole_rest_days``, a capped and priced count of
big nights and a capped and priced count of weekends. The reference restates every rule from
its definition, rest days as calendar days no shift touches.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roster.people.pricing import PatternPricer, Resource, compat_matrix
from roster.rules import Rules
from roster.shifts import DAY, ShiftTemplate

H = 3600
POOL = [
    ShiftTemplate.from_clock("06:00", "14:00", name="E", paid=8 * H),
    ShiftTemplate.from_clock("14:00", "22:00", name="L", paid=8 * H),
    ShiftTemplate.from_clock("22:00", "06:00", name="N", paid=8 * H),
    ShiftTemplate.from_clock("16:00", "00:30", name="X", paid=8 * H),
    ShiftTemplate.from_clock("15:00", "23:30", name="B", paid=8 * H),
    ShiftTemplate.from_clock("09:00", "16:00", name="M", paid=7 * H),
]


def all_patterns(S, D):
    """Every pattern of ``D`` days over ``S`` shifts (-1 off), one per row."""
    return np.indices((S + 1,) * D).reshape(D, -1).T - 1


def whole_rest(P, templates):
    """Days no shift touches, from the shifts' clock times (the reference count)."""
    work = P >= 0
    ends = np.array([t.end for t in templates])
    spill = work & (ends[np.maximum(P, 0)] > DAY)  # the shift works into the next day
    touched = work.copy()
    touched[:, 1:] |= spill[:, :-1]
    return (~touched).sum(axis=1)


def reference(P, templates, r, cost, forced, night_cap, night_cost, wk_cap, wk_cost, dates):
    """(admissible, cost) of each pattern, every rule stated from its definition."""
    D = P.shape[1]
    work = P >= 0
    q = np.maximum(P, 0)
    start = np.array([t.start for t in templates])
    end = np.array([t.end for t in templates])
    big = np.array([t.night_class == "big" for t in templates])
    paid = np.array([t.paid_time for t in templates], float)
    ok = ~(work & forced[None, :]).any(axis=1)
    lo, hi = r.monthly_target(D)
    total = (paid[q] * work).sum(axis=1)
    ok &= (total >= lo - 1e-6) & (total <= hi + 1e-6)
    need = r.rest_days_needed(D)
    rest = whole_rest(P, templates) if r.whole_rest_days else D - work.sum(axis=1)
    ok &= rest >= need
    run = np.zeros(len(P), np.int64)
    value = (cost[np.arange(D)[None, :], q] * work).sum(axis=1)
    for d in range(D):
        run = np.where(work[:, d], run + 1, 0)
        ok &= run <= r.max_consecutive_days
        value += np.where(run > r.soft_max_consecutive_days, r.consecutive_penalty, 0.0)
        if d:
            both = work[:, d] & work[:, d - 1]
            a, b = q[:, d - 1], q[:, d]
            bad = DAY + start[b] - end[a] < r.min_rest_between_shifts
            if r.rest_after_big_night:
                bad |= big[a]
            ok &= ~(both & bad)
    nights = (big[q] & work).sum(axis=1)
    ok &= nights <= night_cap
    value += night_cost[np.minimum(nights, night_cap)]
    week = dates.isocalendar().week.to_numpy()
    weekend = np.asarray(dates.day_of_week >= 5)
    worked_weeks = [work[:, (week == w) & weekend].any(axis=1) for w in np.unique(week)]
    weekends = np.sum(worked_weeks, axis=0)
    ok &= weekends <= wk_cap
    value += wk_cost[np.minimum(weekends, wk_cap)]
    return ok, value


@st.composite
def problems(draw):
    S = draw(st.integers(3, 5))
    D = draw(st.integers(6, 8 if S == 3 else 7))
    picks = draw(st.permutations(range(len(POOL))))[:S]
    templates = [POOL[i] for i in sorted(picks)]
    if not any(t.crosses_midnight for t in templates):
        templates[0] = POOL[draw(st.sampled_from([2, 3]))]
    rest_days = draw(st.integers(1, 3))
    slack = draw(st.integers(0, 2))
    C = draw(st.integers(3, 5))
    r = Rules(
        monthly_paid=8 * H * (D - rest_days - slack),
        monthly_paid_tolerance=8 * H,
        min_rest_days=rest_days,
        soft_max_consecutive_days=C - 1,
        max_consecutive_days=C,
        consecutive_penalty=3.0,
        rest_after_big_night=draw(st.booleans()),
        whole_rest_days=draw(st.booleans()),
        max_nights=None,
    )
    seed = draw(st.integers(0, 2**32 - 1))
    start = pd.Timestamp("2025-03-03") + pd.Timedelta(days=draw(st.integers(0, 6)))
    return templates, D, r, seed, start


@settings(max_examples=40, deadline=None)
@given(problems())
def test_pricing_with_whole_rest_days_matches_enumeration(problem):
    templates, D, r, seed, start = problem
    rng = np.random.default_rng(seed)
    S = len(templates)
    dates = pd.date_range(start, periods=D, freq="D")
    # negative costs make work and nights past midnight attractive: the rest-day rule binds
    cost = rng.normal(-5, 10, (D, S))
    cost[:, [t.crosses_midnight for t in templates]] -= 10.0
    forced = rng.random(D) < 0.1
    big = np.array([t.night_class == "big" for t in templates])
    night_cap = int(rng.integers(1, D))
    night_cost = np.abs(rng.normal(0, 3, night_cap + 1))
    n_weekends = len(set(dates.isocalendar().week.to_numpy()[np.asarray(dates.day_of_week >= 5)]))
    wk_cap = int(rng.integers(0, n_weekends + 1))
    wk_cost = np.abs(rng.normal(0, 3, wk_cap + 1))
    nights = Resource("nights", np.tile(big.astype(np.int64), (D, 1)), night_cap, night_cost)
    lo, hi = r.monthly_target(D)
    pricer = PatternPricer(
        compat_matrix(templates, r),
        [t.paid_time for t in templates],
        r,
        D,
        lo,
        hi,
        r.max_working_days(D),
        resources=[nights],
        saturday=np.asarray(dates.day_of_week == 5),
        sunday=np.asarray(dates.day_of_week == 6),
        weekend_cap=wk_cap,
        weekend_cost=wk_cost,
        crosses=[t.crosses_midnight for t in templates],
        min_rest=r.rest_days_needed(D),
    )
    P = all_patterns(S, D)
    ok, value = reference(
        P, templates, r, cost, forced, night_cap, night_cost, wk_cap, wk_cost, dates
    )
    allowed = np.ones(S, dtype=bool)
    found = pricer.solve(cost, forced, allowed, k=4)
    if not ok.any():
        assert found == []
        return
    assert found, "the rules admit patterns, pricing found none"
    assert found[0][0] == pytest.approx(value[ok].min())
    for v, pattern in found:
        i = np.ravel_multi_index(tuple(pattern + 1), (S + 1,) * D)  # row of P
        assert ok[i]
        assert value[i] == pytest.approx(v)
        assert pricer.admits(pattern, forced, allowed)
    # the best pattern, or a lower bound that reaches the cutoff, at cutoffs around the
    # optimum (the relaxed programme answers when its bound reaches the cutoff)
    best = value[ok].min()
    for cutoff in (np.inf, best + 1.0, best, best - 1.0, best - 100.0):
        v, pattern = pricer.best(cost, forced, allowed, cutoff)
        if pattern is None:
            assert cutoff <= v <= best + 1e-9
        else:
            assert v == pytest.approx(best)
            assert ok[np.ravel_multi_index(tuple(pattern + 1), (S + 1,) * D)]
    # admits agrees with the reference on a sample of all patterns
    for i in rng.choice(len(P), 200, replace=False):
        assert pricer.admits(P[i], forced, allowed) == ok[i]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(-1, len(POOL) - 1), min_size=1, max_size=12),
    st.booleans(),
)
def test_rest_days_counts_days_no_shift_touches(pattern, whole):
    P = np.array([pattern])
    work = P >= 0
    crosses = np.array([t.crosses_midnight for t in POOL])[np.maximum(P, 0)]
    got = Rules(whole_rest_days=whole).rest_days(work, crosses)
    want = whole_rest(P, POOL) if whole else len(pattern) - work.sum(axis=1)
    assert got.tolist() == want.tolist()
    assert Rules(whole_rest_days=whole).rest_days(work[0], crosses[0]) == want[0]

"""The pricing DP against enumeration of every pattern, with caps and fair-share costs."""

import itertools

import numpy as np
import pandas as pd
import pytest

from roster.people.pricing import PatternPricer, Resource, compat_matrix
from roster.rules import Rules
from tests.roster.people.four_shifts import TEMPLATES, H

DAYS = 6
DATES = pd.date_range("2025-03-01", periods=DAYS, freq="D")  # Saturday .. Thursday
WEEKS = DATES.isocalendar().week.to_numpy()
WEEKEND = np.asarray(DATES.day_of_week >= 5)


def rules(**kw):
    base = dict(
        monthly_paid=36 * H,
        monthly_paid_tolerance=6 * H,
        min_rest_days=2,
        soft_max_consecutive_days=3,
        max_consecutive_days=4,
        consecutive_penalty=7.0,
        max_nights=None,
    )
    base.update(kw)
    return Rules(**base)


def feasible(pattern, r, forced, night_cap, weekend_cap, shift_cap):
    """Every rule the pricing enforces, stated again from the definitions."""
    work = [p >= 0 for p in pattern]
    if any(work[d] for d in forced):
        return False
    lo, hi = r.monthly_target(DAYS)
    paid = sum(TEMPLATES[p].paid_time for p in pattern if p >= 0)
    if not lo - 1e-6 <= paid <= hi + 1e-6 or DAYS - sum(work) < r.min_rest_days:
        return False
    run = 0
    for d in range(DAYS):
        run = run + 1 if work[d] else 0
        if run > r.max_consecutive_days:
            return False
        if d and work[d] and work[d - 1]:
            a, b = TEMPLATES[pattern[d - 1]], TEMPLATES[pattern[d]]
            if 86400 + b.start - a.end < r.min_rest_between_shifts:
                return False
            if r.rest_after_big_night and a.night_class == "big":
                return False
    nights = sum(TEMPLATES[p].night_class == "big" for p in pattern if p >= 0)
    weekends = len({WEEKS[d] for d in range(DAYS) if work[d] and WEEKEND[d]})
    n_e = sum(p == 0 for p in pattern)
    return nights <= night_cap and weekends <= weekend_cap and n_e <= shift_cap


def cost_of(pattern, cost, r, night_cost, weekend_cost):
    total, run = 0.0, 0
    for d, p in enumerate(pattern):
        run = run + 1 if p >= 0 else 0
        if p >= 0:
            total += cost[d, p]
        if run > r.soft_max_consecutive_days:
            total += r.consecutive_penalty
    nights = sum(TEMPLATES[p].night_class == "big" for p in pattern if p >= 0)
    work = [p >= 0 for p in pattern]
    weekends = len({WEEKS[d] for d in range(DAYS) if work[d] and WEEKEND[d]})
    return total + night_cost[nights] + weekend_cost[weekends]


@pytest.mark.parametrize("seed", range(6))
def test_pricing_with_caps_and_fair_costs_matches_enumeration(seed):
    rng = np.random.default_rng(seed)
    S = len(TEMPLATES)
    r = rules(forbidden_next={"L": ("E",)} if seed % 3 == 0 else {})
    cost = rng.normal(0, 10, (DAYS, S))
    forced = np.zeros(DAYS, dtype=bool)
    if seed % 2:
        forced[rng.integers(DAYS)] = True
    night_cap = int(rng.integers(1, 3))
    weekend_cap = 1 if seed % 4 < 2 else 2
    shift_cap = int(rng.integers(1, 4))
    big = np.array([t.night_class == "big" for t in TEMPLATES])
    night_cost = np.abs(rng.normal(0, 5, night_cap + 1))
    weekend_cost = np.abs(rng.normal(0, 5, weekend_cap + 1))
    use_e = np.zeros((DAYS, S), dtype=np.int64)
    use_e[:, 0] = 1
    resources = [
        Resource("nights", np.tile(big.astype(np.int64), (DAYS, 1)), night_cap, night_cost),
        Resource("E", use_e, shift_cap, np.zeros(shift_cap + 1)),
    ]
    lo, hi = r.monthly_target(DAYS)
    pricer = PatternPricer(
        compat_matrix(TEMPLATES, r),
        [t.paid_time for t in TEMPLATES],
        r,
        DAYS,
        lo,
        hi,
        r.max_working_days(DAYS),
        resources=resources,
        saturday=np.asarray(DATES.day_of_week == 5),
        sunday=np.asarray(DATES.day_of_week == 6),
        weekend_cap=weekend_cap,
        weekend_cost=weekend_cost,
    )
    allowed = np.ones(S, dtype=bool)
    found = pricer.solve(cost, forced, allowed, k=5)
    values = sorted(
        cost_of(p, cost, r, night_cost, weekend_cost)
        for p in itertools.product(range(-1, S), repeat=DAYS)
        if feasible(p, r, np.flatnonzero(forced), night_cap, weekend_cap, shift_cap)
    )
    assert found, "the rules admit patterns, pricing found none"
    assert found[0][0] == pytest.approx(values[0])
    for value, pattern in found:
        assert feasible(
            tuple(pattern), r, np.flatnonzero(forced), night_cap, weekend_cap, shift_cap
        )
        assert cost_of(pattern, cost, r, night_cost, weekend_cost) == pytest.approx(value)
        assert pricer.admits(pattern, forced, allowed)
        assert value == pytest.approx(
            float(cost[np.flatnonzero(pattern >= 0), pattern[pattern >= 0]].sum())
            + pricer.extras(pattern)
        )
    # the k patterns are k distinct end states' best paths: their values are feasible values
    assert [v for v, _ in found] == sorted(v for v, _ in found)


def test_compiled_kernels_serve_real_pricing_without_recompiling():
    from roster.people import pricing_kernel as kernel
    from roster.people.pricing import compile_pricing
    from tests.roster.people.test_build import SMALL

    compile_pricing()
    seen = (list(kernel.forward.signatures), list(kernel.backtrack.signatures))
    assert all(seen)
    days, S = 6, len(TEMPLATES)
    lo, hi = SMALL.monthly_target(days)
    pricer = PatternPricer(
        compat_matrix(TEMPLATES, SMALL),
        np.array([t.paid_time for t in TEMPLATES], float),
        SMALL,
        days,
        lo,
        hi,
        SMALL.max_working_days(days),
    )
    assert pricer.solve(np.ones((days, S)), np.zeros(days, bool), np.ones(S, bool), k=2)
    assert (list(kernel.forward.signatures), list(kernel.backtrack.signatures)) == seen


def test_tables_are_lent_again_and_grow_in_place_of_smaller_ones():
    from roster.people.pricing import Tables

    tables = Tables()
    small = tables.take(100, 10)
    assert small[0].size == 100 and small[1].dtype == np.int16 and small[2].size == 10
    tables.give(small)
    assert tables.take(50, 5) is small  # a free table that fits is lent again
    tables.give(small)
    big = tables.take(80, 40)  # none fits: the small one gives way to one holding both
    assert big is not small and big[0].size == 100 and big[2].size == 40
    tables.give(big)
    assert len(tables._free) == 1 and tables._free[0] is big
    # two solves at once hold two tables; both come back
    a, b = tables.take(10, 1), tables.take(10, 1)
    assert a is big and b is not big
    tables.give(a)
    tables.give(b)
    assert len(tables._free) == 2

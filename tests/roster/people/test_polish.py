"""Agent-by-agent best response, systematic rounding and the integer aggregate bound, each
against an independent statement (enumeration, counting, an exact compact MIP)."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import get_calendar
from roster.people.bound import aggregate_bound
from roster.people.groups import Group
from roster.people.inputs import prepare
from roster.people.integer import systematic_round
from roster.people.polish import CoverageLedger, best_response
from roster.people.pricing import PatternPricer, compat_matrix
from roster.rules import Rules
from roster.shifts import BreakRule, ShiftTemplate
from tests.roster.people.four_shifts import TEMPLATES
from tests.roster.people.test_bound import DATES, RULES, compact_optimum
from tests.roster.people.test_build import SMALL, feasible, pattern_cost

DAYS, S = 6, len(TEMPLATES)
PAID_H = np.array([t.paid_time / 3600 for t in TEMPLATES])


def small_groups(n_agents):
    """One group per agent over the four shifts, per-shift coverage rows ``d * S + s``."""
    lo, hi = SMALL.monthly_target(DAYS)
    pricer = PatternPricer(
        compat_matrix(TEMPLATES, SMALL), PAID_H * 3600, SMALL, DAYS, lo, hi,
        SMALL.max_working_days(DAYS),
    )  # fmt: skip
    base = np.tile(PAID_H, (DAYS, 1))

    def columnize(dd, ss):
        return dd * S + ss, np.ones(len(dd))

    return [
        Group(np.array([i]), pricer, base, 0.0, np.zeros(DAYS, bool), np.ones(S, bool),
               columnize, 1)
        for i in range(n_agents)
    ]  # fmt: skip


def roster_value(grid, need, under):
    """Objective of a grid stated directly: pay and run penalties plus uncovered shifts."""
    base = np.tile(PAID_H, (DAYS, 1))
    total = sum(pattern_cost(p, base, SMALL) for p in grid)
    count = np.zeros((DAYS, S))
    for p in grid:
        for d, s in enumerate(p):
            if s >= 0:
                count[d, s] += 1
    return total + under * np.clip(need - count, 0, None).sum()


@pytest.mark.parametrize("seed", range(2))
def test_best_response_reaches_a_single_agent_local_optimum(seed):
    rng = np.random.default_rng(seed)
    need = rng.integers(0, 3, (DAYS, S)).astype(float)
    n_agents, under = 3, 25.0
    groups = small_groups(n_agents)
    shift_cov = [(np.array([j]), np.ones(1)) for j in range(DAYS * S)]
    ledger = CoverageLedger(shift_cov, need.ravel(), under, 0.0)
    grid = np.full((n_agents, DAYS), -1, dtype=np.int64)
    value, moves, _ = best_response(
        grid, np.arange(n_agents), groups, ledger, S,
        movable=np.ones(n_agents, bool), deadline=np.inf, max_sweeps=50,
    )  # fmt: skip
    assert moves >= n_agents  # every agent got a month
    assert value == pytest.approx(roster_value(grid, need, under))
    assert all(feasible(tuple(p), SMALL, TEMPLATES) for p in grid)
    # no single agent can change to any feasible month and lower the objective
    months = [
        p for p in itertools.product(range(-1, S), repeat=DAYS) if feasible(p, SMALL, TEMPLATES)
    ]
    for i in range(n_agents):
        trial = grid.copy()
        best = np.inf
        for p in months:
            trial[i] = p
            best = min(best, roster_value(trial, need, under))
        assert value <= best + 1e-6


def plain_best_response(grid, groups, ledger, sweeps):
    """Best response that prices every agent at every turn (no bounds): the reference."""
    A, D = grid.shape
    for _ in range(sweeps):
        moved = False
        for i in range(A):
            work = np.flatnonzero(grid[i] >= 0)
            mine = work * S + grid[i][work]
            ledger.apply(mine, -1.0)
            delta = ledger.delta()
            now = groups[i].column(grid[i])[0] + float(delta[mine].sum())
            value, pat = groups[i].price(-delta.reshape(D, S), k=1)[0]
            if value < now - 1e-7 * max(1.0, abs(now)) or (not work.size and (pat >= 0).any()):
                grid[i] = pat
                work = np.flatnonzero(pat >= 0)
                mine = work * S + pat[work]
                moved = True
            ledger.apply(mine, 1.0)
        if not moved:
            break
    return grid


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 5), st.integers(1, 6))
def test_skipped_agents_are_those_pricing_would_leave(seed, n_agents, sweeps):
    # the bound that skips an agent is exact: the same moves as pricing every agent
    rng = np.random.default_rng(seed)
    need = rng.integers(0, 3, (DAYS, S)).astype(float)
    groups = small_groups(n_agents)
    shift_cov = [(np.array([j]), np.ones(1)) for j in range(DAYS * S)]
    start = np.full((n_agents, DAYS), -1, dtype=np.int64)
    ref = plain_best_response(
        start.copy(), groups, CoverageLedger(shift_cov, need.ravel(), 25.0, 1.0), sweeps
    )
    grid, tally = start.copy(), {}
    best_response(
        grid, np.arange(n_agents), groups, CoverageLedger(shift_cov, need.ravel(), 25.0, 1.0),
        S, movable=np.ones(n_agents, bool), deadline=np.inf, max_sweeps=sweeps, tally=tally,
    )  # fmt: skip
    np.testing.assert_array_equal(grid, ref)
    assert tally["priced"] + tally["skipped"] >= n_agents


def test_the_last_sweep_skips_agents_nothing_moved_around():
    # the sweep that proves the local optimum does not price the agents priced after the
    # last move: their costs are those they were priced at
    need = np.full((DAYS, S), 1.0)
    groups = small_groups(3)
    shift_cov = [(np.array([j]), np.ones(1)) for j in range(DAYS * S)]
    grid, tally = np.full((3, DAYS), -1, dtype=np.int64), {}
    _, _, sweeps = best_response(
        grid, np.arange(3), groups, CoverageLedger(shift_cov, need.ravel(), 25.0, 0.0), S,
        movable=np.ones(3, bool), deadline=np.inf, max_sweeps=50, tally=tally,
    )  # fmt: skip
    assert sweeps >= 2
    assert tally["priced"] + tally["skipped"] == 3 * sweeps
    assert tally["skipped"] >= 1


def test_best_response_never_worsens_a_roster():
    need = np.full((DAYS, S), 1.0)
    groups = small_groups(2)
    shift_cov = [(np.array([j]), np.ones(1)) for j in range(DAYS * S)]
    start = np.array([[0, 0, 0, -1, -1, 0], [1, 1, -1, 1, 1, -1]], dtype=np.int64)
    before = roster_value(start, need, 25.0)
    grid = start.copy()
    ledger = CoverageLedger(shift_cov, need.ravel(), 25.0, 0.0)
    value, _, _ = best_response(
        grid, np.arange(2), groups, ledger, S, movable=np.array([True, False]),
        deadline=np.inf,
    )  # fmt: skip
    assert value <= before + 1e-9
    assert (grid[1] == start[1]).all()  # not movable
    np.testing.assert_allclose(ledger.cover.reshape(DAYS, S).sum(), (grid >= 0).sum())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 3.0), min_size=1, max_size=12),
    st.lists(st.integers(0, 2), min_size=12, max_size=12),
)
def test_systematic_rounding_keeps_group_sizes_and_rounds_each_column(values, groups):
    x = np.array(values)
    group = np.array(groups[: len(x)])
    sizes = np.array([round(x[group == g].sum()) for g in range(3)], dtype=float)
    # the LP's group totals are whole: scale each group's values to its size
    for g in range(3):
        mine = group == g
        if x[mine].sum() > 0:
            x[mine] *= sizes[g] / x[mine].sum()
    counts = systematic_round(group, x, sizes)
    for g in range(3):
        mine = group == g
        if mine.any():
            assert counts[mine].sum() == sizes[g]
    has_lp = np.array([x[group == g].sum() > 0 for g in group])
    lo, hi = np.floor(x - 1e-9), np.ceil(x + 1e-9)
    assert np.all((counts[has_lp] >= lo[has_lp]) & (counts[has_lp] <= hi[has_lp]))


@pytest.mark.parametrize("seed", range(2))
def test_integer_aggregate_bound_lies_between_its_lp_and_the_exact_optimum(seed):
    rng = np.random.default_rng(10 + seed)
    req = pd.DataFrame(
        rng.integers(0, 3, (DAYS, 4)), index=DATES, columns=["E", "L", "N", "M"]
    ).astype(float)
    n_agents = 3
    p = prepare(req, TEMPLATES, n_agents, RULES, None, None, None, get_calendar(None), None)
    shift_cov = [(np.array([j]), np.ones(1)) for j in range(DAYS * S)]
    ok = np.ones(n_agents, bool)
    lp, _, _ = aggregate_bound(p, RULES, shift_cov, ok)
    whole, _, _ = aggregate_bound(p, RULES, shift_cov, ok, integer_nodes=1000)
    best = compact_optimum(req, n_agents, RULES)
    assert lp <= whole + 1e-6
    assert whole <= best + 1e-6


def test_integer_aggregate_bound_is_stronger_where_meals_split_coverage():
    # a meal spread over four half-hour starts leaves 3/4 of an agent in its window: the LP
    # staffs 2 2/3 agents to cover 2 there, whole agents need 3
    tpl = [
        ShiftTemplate.from_clock(
            "08:00", "16:30", name="D", breaks=(BreakRule(1800, 2 * 3600, 3 * 3600 + 1800),)
        )
    ]
    days = 4
    idx = pd.date_range("2025-03-03", periods=days * 48, freq="30min")
    on = (idx.hour >= 8) & (idx.hour < 16)
    req = pd.Series(np.where(on, 2.0, 0.0), idx)
    rules = Rules(
        monthly_paid=4 * 8 * 3600, monthly_paid_tolerance=4 * 8 * 3600, min_rest_days=0,
        fair_nights_weight=0.0, fair_weekends_weight=0.0, fair_holidays_weight=0.0,
    )  # fmt: skip
    p = prepare(req, tpl, 4, rules, None, None, None, get_calendar(None), None)
    vec_rows = np.flatnonzero(p.vecs[0])
    shift_cov = [(d * p.per_day + vec_rows, p.vecs[0][vec_rows]) for d in range(days)]
    ok = np.ones(4, bool)
    lp, _, _ = aggregate_bound(p, rules, shift_cov, ok)
    whole, _, _ = aggregate_bound(p, rules, shift_cov, ok, integer_nodes=1000)
    pay = 8.0 * rules.hourly_rate
    assert lp == pytest.approx(days * pay * 8 / 3)
    assert whole == pytest.approx(days * pay * 3)

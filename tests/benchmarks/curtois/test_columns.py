"""Column generation and the one-employee moves against the exact evaluator and known optima."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.curtois import curtois_objective, read_curtois, solve_curtois
from benchmarks.curtois.columns import (
    Master,
    _draw_totals,
    _lookahead,
    dive,
    generate,
    price_until,
)
from benchmarks.curtois.model import build_model, shift_grid
from benchmarks.curtois.moves import EmployeeMoves
from benchmarks.curtois.pricing import EmployeeRules
from roster.highs import highs_model

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "curtois"


def load(number):
    path = DATA / f"Instance{number}.txt"
    if not path.exists():
        pytest.skip("benchmark data absent")
    return read_curtois(path)


@pytest.mark.slow
def test_moves_keep_the_objective_exact():
    inst = load(4)
    rng = np.random.default_rng(0)
    moves = EmployeeMoves.greedy(inst, rng)
    ev = curtois_objective(inst, shift_grid(inst, moves.codes))
    assert ev.feasible and ev.objective == moves.objective
    for _ in range(20):
        before = moves.objective
        kept = moves.ruin_recreate(rng.choice(len(moves.codes), 3, replace=False), rng)
        assert moves.objective <= before if kept else moves.objective == before
        ev = curtois_objective(inst, shift_grid(inst, moves.codes))
        assert ev.feasible and ev.objective == moves.objective
    # a descent ends where no single employee can improve
    moves.descent(rng)
    assert all(moves.best_response(i) == 0 for i in range(len(moves.codes)))


def test_column_bound_beats_compact_lp_and_reaches_optimum():
    """Instance 4 (optimum 1716): the master's LP bound reaches the optimum, above the
    compact programme's LP relaxation, and diving finds the optimum."""
    inst = load(4)
    rules = EmployeeRules.of(inst)
    start = EmployeeMoves.greedy(inst, np.random.default_rng(0), rules).codes
    master, bound, lp, converged, _ = generate(inst, rules, start, deadline=float("inf"))
    assert converged and np.isclose(bound, lp)
    assert np.ceil(bound - 1e-6) == 1716
    model = build_model(inst, range(len(inst.employees)))
    h = highs_model(model.c, model.A, model.lo, model.hi, np.zeros(model.n), model.ub)
    h.run()
    compact = h.getInfo().objective_function_value + model.const
    assert compact < bound - 1
    codes, fixed = dive(master, deadline=float("inf"))
    assert fixed.all()
    ev = curtois_objective(inst, shift_grid(inst, codes))
    assert ev.feasible and ev.objective >= 1716
    assert ev.objective <= 1716 * 1.01


def held_by_bounds(master, picks):
    """Fix pool columns ``picks`` at 1 and their owners' other columns at 0 on ``master``;
    returns the held employees and their months."""
    owner = np.asarray(master.pool.owner)
    fixed = np.zeros(master.E, dtype=bool)
    codes = np.full((master.E, master.H), -1)
    for j in picks:
        e = owner[j]
        fixed[e] = True
        codes[e] = master.pool.months[j]
        cols = (master.n_slack + np.flatnonzero(owner == e)).astype(np.int32)
        master.h.changeColsBounds(len(cols), cols, np.zeros(len(cols)), np.zeros(len(cols)))
        master.h.changeColBounds(int(master.n_slack + j), 1.0, 1.0)
    return fixed, codes


def converged_instance4():
    """Instance 4, its rules, and its master after column generation to convergence, with
    the LP value and the index of each employee's largest month in the LP."""
    inst = load(4)
    rules = EmployeeRules.of(inst)
    start = EmployeeMoves.greedy(inst, np.random.default_rng(0), rules).codes
    master, _, lp, converged, _ = generate(inst, rules, start, deadline=float("inf"))
    assert converged
    x = np.asarray(master.h.getSolution().col_value)[master.n_slack :]
    owner = np.asarray(master.pool.owner)
    largest = [int(np.flatnonzero(owner == e)[np.argmax(x[owner == e])]) for e in range(master.E)]
    return inst, rules, master, lp, largest


def test_restricted_master_is_the_lp_with_held_months():
    """A master restricted to the free employees (twice over) has the LP value of the full
    master with the held months fixed by bounds; diving from it with drawn candidates gives
    rosters that keep every hard rule and whose value is at least the LP's."""
    inst, _, master, lp, largest = converged_instance4()
    # the largest month of employees 0..3, then of 4..5
    first, second = largest[:4], largest[4:6]
    fixed, codes = held_by_bounds(master, first)
    master.h.run()
    one = master.h.getInfo().objective_function_value
    sub = master.restrict(fixed, codes)
    assert np.isclose(sub.solve_lp()[0], one)
    assert one >= lp - 1e-6
    _, codes2 = held_by_bounds(master, second)
    master.h.run()
    two = master.h.getInfo().objective_function_value
    # the sub-master's months carry the same indices for the free employees
    sub_owner = np.asarray(sub.pool.owner)
    picks = [
        int(
            np.flatnonzero(sub_owner == e)[
                [np.array_equal(m, codes2[e]) for m in np.asarray(sub.pool.months)[sub_owner == e]]
            ][0]
        )
        for e in (4, 5)
    ]
    fixed_sub, codes_sub = held_by_bounds(sub, picks)
    # only the newly held months are passed: the sub-master knows its own held ones
    subsub = sub.restrict(fixed | fixed_sub, codes_sub)
    assert np.isclose(subsub.solve_lp()[0], two)
    rng = np.random.default_rng(3)
    for _ in range(3):
        part, done = dive(subsub, deadline=float("inf"), rng=rng)
        assert done.all()
        full = np.where(part >= 0, part, np.where(fixed[:, None], codes, codes2))
        ev = curtois_objective(inst, shift_grid(inst, full))
        assert ev.feasible and ev.objective >= two - 1e-6


def test_restricted_master_carrying_few_columns_prices_back_to_the_same_lp():
    """A master restricted with only the 2 cheapest columns of each free employee carries
    exactly those (cheapest at the last cover duals, by brute force over the pool), starts at
    or above the LP of the master carrying all, and column generation brings both to the
    same LP (the labelling finds any dropped column that prices out)."""
    _, rules, master, _, largest = converged_instance4()
    fixed, codes = held_by_bounds(master, largest[:4])
    y = np.asarray(master.h.getSolution().row_dual)[: master.H * master.T]
    y = y.reshape(master.H, master.T)
    full = master.restrict(fixed, codes)
    few = master.restrict(fixed, codes, per_employee=2)
    for e in np.flatnonzero(~fixed):
        mine = master.by_employee[e]
        cost = [
            sum(rules.request_cost[e, d, t] - y[d, t] for d, t in enumerate(m) if t >= 0)
            for m in mine
        ]
        carried = [m for o, m in zip(few.pool.owner, few.pool.months, strict=True) if o == e]
        assert len(carried) == min(2, len(mine))
        cut = np.sort(cost)[len(carried) - 1]
        for m in carried:
            j = next(i for i, k in enumerate(mine) if np.array_equal(k, m))
            assert cost[j] <= cut + 1e-9
    lp_full = full.solve_lp()[0]
    assert few.solve_lp()[0] >= lp_full - 1e-6
    for sub in (few, full):
        *_, done, _ = price_until(sub, deadline=float("inf"))
        assert done
    assert np.isclose(few.solve_lp()[0], full.solve_lp()[0], atol=1e-6)


def test_lookahead_moves_the_least_rise_to_the_front():
    """Strong diving: the month put first raises the LP least among the first candidates of
    distinct employees, each measured by fixing it alone."""
    inst = load(4)
    rules = EmployeeRules.of(inst)
    start = EmployeeMoves.greedy(inst, np.random.default_rng(0), rules).codes
    master, _, _, _, _ = generate(inst, rules, start, deadline=float("inf"))
    master.h.run()
    x = np.asarray(master.h.getSolution().col_value)[master.n_slack :]
    owner = np.asarray(master.pool.owner)
    take = np.argsort(-x, kind="stable")
    seen, trials = set(), []
    for j in take:
        if owner[j] not in seen:
            seen.add(owner[j])
            trials.append(int(j))
        if len(trials) == 4:
            break
    rises = []
    for j in trials:
        # the same pool in a fresh master, so that each trial starts from nothing held
        m2 = Master(inst, rules)
        for e in range(m2.E):
            m2.add(e, master.by_employee[e])
        same = [
            o == owner[j] and np.array_equal(mo, master.pool.months[j])
            for o, mo in zip(m2.pool.owner, m2.pool.months, strict=True)
        ]
        k = int(np.flatnonzero(same)[0])
        held_by_bounds(m2, [k])
        m2.h.run()
        rises.append(m2.h.getInfo().objective_function_value)
    order = _lookahead(master.h, master.n_slack, owner, take, 4)
    assert order[0] in trials
    assert rises[trials.index(order[0])] <= min(rises) + 1e-6
    assert sorted(order.tolist()) == sorted(take.tolist())


def test_solver_proves_instance2_by_columns():
    # without branch-and-cut the run is paced by work (column generation to convergence,
    # dives until 20 in a row find nothing better, neighbourhood rounds): the time limit is
    # a ceiling far above what it needs, so the proof does not depend on the machine's speed
    inst = load(2)
    sol = solve_curtois(inst, time_limit=600, mip_share=0.0, max_rounds=100)
    assert sol.objective == 828 and sol.optimal and not sol.limit_reached
    assert np.isclose(sol.column_bound, 828, atol=1e-4)
    assert curtois_objective(inst, sol.grid).feasible


TYPES = """\
SECTION_HORIZON
7

SECTION_SHIFTS
A1,480,
A2,480,
B1,480,A1|A2
B2,480,A1|A2

SECTION_STAFF
P,A1=7|A2=7|B1=7|B2=7,3360,0,7,1,1,2
Q,A1=7|A2=0|B1=7|B2=7,3360,0,7,1,1,2
R,A1=7|A2=7|B1=7|B2=2,3360,0,7,1,1,2

SECTION_DAYS_OFF

SECTION_SHIFT_ON_REQUESTS
P,0,A2,3
Q,1,B1,2

SECTION_SHIFT_OFF_REQUESTS
R,0,A1,4
P,2,B2,1

SECTION_COVER
0,A1,1,100,1
0,A2,2,100,1
1,B1,1,100,1
1,B2,1,50,3
2,A1,1,100,1
2,B2,2,100,1
"""


@pytest.mark.slow
def test_type_reassignment_equals_enumeration(tmp_path):
    """Every choice of types inside the employees' classes, days and classes kept, scored by
    the evaluator: the reassignment reaches the best of them and keeps every hard rule."""
    import itertools

    path = tmp_path / "Types.txt"
    path.write_text(TYPES)
    inst = read_curtois(path)
    rules = EmployeeRules.of(inst)
    rng = np.random.default_rng(1)
    ids = np.asarray(inst.shift_ids, dtype=object)
    drops = []
    for _ in range(5):
        codes = np.full((3, 7), -1)
        # A1 or B1 on the first three days, never B before A (a forbidden succession)
        codes[:, :3] = np.sort(rng.choice([0, 2], size=(3, 3)), axis=1)
        start = curtois_objective(inst, shift_grid(inst, codes))
        assert start.feasible
        classes = [{int(t): m for m in rules.type_classes[e][0] for t in m} for e in range(3)]
        cells = list(zip(*np.nonzero(codes >= 0), strict=True))
        best = np.inf
        for pick in itertools.product(*(classes[e][codes[e, d]] for e, d in cells)):
            trial = codes.copy()
            for (e, d), t in zip(cells, pick, strict=True):
                trial[e, d] = t
            ev = curtois_objective(inst, np.where(trial >= 0, ids[np.maximum(trial, 0)], ""))
            if ev.feasible:
                best = min(best, ev.objective)
        moves = EmployeeMoves(inst, codes, rules)
        drop = moves.reassign_types()
        ev = curtois_objective(inst, shift_grid(inst, moves.codes))
        assert ev.feasible and ev.objective == moves.objective == best
        assert drop == start.objective - best
        assert np.array_equal(moves.codes >= 0, codes >= 0)
        drops.append(drop)
    assert max(drops) > 0


def test_counted_master_fixes_each_employees_time_then_dives_within_it():
    """Each employee of a counted master works the total of its months that weighs most in
    the LP (or one drawn among those in the LP); its months, priced ones included, all work
    that total, its LP is at or above the parent's, and dives from it give rosters keeping
    every hard rule with every employee at its total."""
    inst, rules, master, lp, _ = converged_instance4()
    seconds = inst.shifts["length"].loc[inst.shift_ids].to_numpy()

    def worked(month):
        return int(sum(seconds[t] for t in month if t >= 0))

    x = np.asarray(master.h.getSolution().col_value)[master.n_slack :]
    weights = [{} for _ in range(master.E)]
    for j, (e, month) in enumerate(zip(master.pool.owner, master.pool.months, strict=True)):
        if x[j] > 1e-6:
            weights[e][worked(month)] = weights[e].get(worked(month), 0.0) + x[j]
    heaviest = [max(w, key=w.get) for w in weights]
    for draw in (None, np.random.default_rng(5)):
        sub = master.counted(draw)
        target = sub.rules.min_units * rules.unit * 60
        assert np.array_equal(sub.rules.max_units, sub.rules.min_units)
        if draw is None:
            assert target.tolist() == heaviest
        assert all(target[e] in weights[e] for e in range(master.E))
        # the totals add up to the LP's, rounded
        lp_total = sum(t * w for e in range(master.E) for t, w in weights[e].items())
        assert target.sum() == round(lp_total / (rules.unit * 60)) * rules.unit * 60
        _, sub_lp, converged, _ = price_until(sub, deadline=float("inf"))
        assert converged and sub_lp >= lp - 1e-6
        full = np.zeros((master.E, master.T), dtype=bool) if sub.bias is None else sub.bias < 0
        for e, month in zip(sub.pool.owner, sub.pool.months, strict=True):
            assert worked(month) == target[e]
            for t in np.flatnonzero(full[e]):
                assert np.sum(month == t) == rules.caps[e, t]
        codes, fixed = dive(sub, deadline=float("inf"), rng=draw)
        assert fixed.all()
        ev = curtois_objective(inst, shift_grid(inst, codes))
        assert ev.feasible and ev.objective >= sub_lp - 1e-6
        assert [worked(codes[e]) for e in range(master.E)] == target.tolist()


@given(
    st.lists(
        st.lists(st.integers(0, 30), min_size=1, max_size=4, unique=True),
        min_size=1,
        max_size=8,
    ),
    st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_drawn_totals_take_listed_values_and_reach_the_target(values, seed):
    """Every entry takes one of its values, and for any target between the smallest and
    the largest sums the sum ends nearer to it than the widest gap between consecutive
    values of one entry (on it when there is no such gap); without a generator, totals
    already on the target are the heaviest values."""
    rng = np.random.default_rng(seed)
    options = []
    for v in values:
        w = rng.random(len(v)) + 0.01
        options.append((np.array(v), w / w.sum()))
    low = sum(min(v) for v in values)
    high = sum(max(v) for v in values)
    target = int(rng.integers(low, high + 1))
    for draw in (None, rng):
        pick = _draw_totals(options, target, draw)
        assert all(p in v for p, v in zip(pick, values, strict=True))
        widest = max(np.diff(sorted(v)).max(initial=0) for v in values)
        assert abs(int(pick.sum()) - target) < max(widest, 1)
    heaviest = np.array([v[np.argmax(w)] for v, w in options])
    assert np.array_equal(_draw_totals(options, int(heaviest.sum())), heaviest)


@pytest.mark.slow
def test_counted_master_works_full_types_to_their_cap():
    """Instance 8: the LP works every night an employee may; the counted master prices
    only months working every such type to its cap, and its LP stays at or above the
    parent's."""
    inst = load(8)
    rules = EmployeeRules.of(inst)
    start = EmployeeMoves.greedy(inst, np.random.default_rng(0), rules).codes
    master, _, lp, converged, _ = generate(inst, rules, start, deadline=float("inf"))
    assert converged
    sub = master.counted()
    assert sub.bias is not None
    full = sub.bias < 0
    assert full.any()
    _, sub_lp, converged, _ = price_until(sub, deadline=float("inf"))
    assert converged and sub_lp >= lp - 1e-6
    for e, month in zip(sub.pool.owner, sub.pool.months, strict=True):
        for t in np.flatnonzero(full[e]):
            assert np.sum(month == t) == rules.caps[e, t]

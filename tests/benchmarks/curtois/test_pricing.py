"""The one-employee labelling against enumeration of every schedule and the exact evaluator."""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.curtois.instance import curtois_objective, read_curtois
from benchmarks.curtois.pricing import EmployeeRules, schedule_cost


def instance_text(horizon, shifts, staff, days_off=""):
    """One-employee instance file; ``shifts`` is [(id, minutes, forbidden_next)]."""
    lines = ["SECTION_HORIZON", str(horizon), "", "SECTION_SHIFTS"]
    lines += [f"{s},{m},{'|'.join(f)}" for s, m, f in shifts]
    lines += ["", "SECTION_STAFF", staff, "", "SECTION_DAYS_OFF", days_off, ""]
    lines += ["SECTION_SHIFT_ON_REQUESTS", "", "SECTION_SHIFT_OFF_REQUESTS", ""]
    lines += ["SECTION_COVER", f"0,{shifts[0][0]},1,1,1"]
    return "\n".join(lines) + "\n"


def blocks(works):
    out, start = [], 0
    for d in range(1, len(works) + 1):
        if d == len(works) or works[d] != works[start]:
            out.append((start, d - start, works[start]))
            start = d
    return out


def feasible(rules, codes):
    """Every hard rule of employee 0, written out plainly (checked against the evaluator)."""
    H = len(codes)
    works = [c >= 0 for c in codes]
    if any(works[d] and rules.day_off[0, d] for d in range(H)):
        return False
    pairs = itertools.pairwise(codes)
    if any(a >= 0 and b >= 0 and rules.forbid[a, b] for a, b in pairs):
        return False
    if any(sum(c == t for c in codes) > rules.caps[0, t] for t in range(len(rules.units))):
        return False
    total = sum(rules.units[c] for c in codes if c >= 0)
    if not rules.min_units[0] <= total <= rules.max_units[0]:
        return False
    for start, n, work in blocks(works):
        inside = start > 0 and start + n < H
        if work and n > rules.max_run[0]:
            return False
        if work and inside and n < rules.min_run[0]:
            return False
        if not work and inside and n < rules.min_off[0]:
            return False
    weekends = sum(works[d] or works[d + 1] for d in range(5, H, 7))
    return weekends <= rules.max_weekends[0]


rule_sets = st.fixed_dictionaries(
    {
        "two_types": st.booleans(),
        "cap_late": st.integers(0, 7),
        "min_shifts": st.integers(0, 6),
        "extra_shifts": st.integers(0, 6),
        "max_run": st.integers(1, 6),
        "min_run": st.integers(1, 3),
        "min_off": st.integers(1, 3),
        "max_weekends": st.integers(0, 2),
        "day_off": st.integers(-1, 13),
        "seed": st.integers(0, 2**31),
    }
)


def make(tmp_path, p):
    if p["two_types"]:
        horizon, shifts = 7, [("E", 480, ()), ("L", 600, ("E",))]
        caps = f"E=7|L={p['cap_late']}"
    else:
        horizon, shifts, caps = 14, [("D", 480, ())], "D=14"
    lo = 480 * p["min_shifts"]
    hi = lo + 480 * p["extra_shifts"]
    staff = f"A,{caps},{hi},{lo},{p['max_run']},{p['min_run']},{p['min_off']},{p['max_weekends']}"
    off = f"A,{p['day_off']}" if 0 <= p["day_off"] < horizon else ""
    path = tmp_path / "One.txt"
    path.write_text(instance_text(horizon, shifts, staff, off))
    return read_curtois(path)


def priced(tmp_path, p):
    """The one-employee instance of ``p``, its rules and random whole prices per day and type."""
    inst = make(tmp_path, p)
    shape = (inst.horizon, len(inst.shift_ids))
    prices = np.random.default_rng(p["seed"]).integers(-9, 10, size=shape).astype(float)
    return inst, EmployeeRules.of(inst), prices


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@pytest.mark.slow
@given(p=rule_sets)
def test_cheapest_equals_enumeration(tmp_path, p):
    inst, rules, prices = priced(tmp_path, p)
    H, T = prices.shape
    every = [c for c in itertools.product(range(-1, T), repeat=H) if feasible(rules, c)]
    costs, schedules = rules.cheapest(0, prices, k=3)
    if not every:
        assert len(costs) == 0
        return
    best = min(schedule_cost(prices, np.array(c)) for c in every)
    assert costs[0] == best
    assert np.all(np.diff(costs) >= 0) and len(set(map(tuple, schedules))) == len(costs)
    for c, s in zip(costs, schedules, strict=True):
        assert c == schedule_cost(prices, s)
        grid = np.where(s >= 0, np.asarray(inst.shift_ids, dtype=object)[s], "")[None, :]
        assert curtois_objective(inst, grid).feasible
    # a known upper bound prunes without losing the optimum
    pruned, _ = rules.cheapest(0, prices, upper=best)
    assert pruned[0] == best
    assert len(rules.cheapest(0, prices, upper=best - 1)[0]) == 0


@pytest.mark.slow
def test_plain_checker_agrees_with_evaluator(tmp_path):
    p = {
        "two_types": True,
        "cap_late": 2,
        "min_shifts": 2,
        "extra_shifts": 2,
        "max_run": 3,
        "min_run": 2,
        "min_off": 2,
        "max_weekends": 1,
        "day_off": 3,
        "seed": 0,
    }
    inst = make(tmp_path, p)
    rules = EmployeeRules.of(inst)
    ids = np.asarray(inst.shift_ids, dtype=object)
    n_feasible = 0
    for codes in itertools.islice(itertools.product(range(-1, 2), repeat=7), 0, None, 7):
        grid = np.where(np.array(codes) >= 0, ids[list(codes)], "")[None, :]
        ok = curtois_objective(inst, grid).feasible
        assert ok == feasible(rules, codes), codes
        n_feasible += ok
    assert n_feasible > 3


@pytest.mark.parametrize("number", [2, 5])
def test_benchmark_employees_price_exactly(number):
    """On real instances: the schedule returned keeps every hard rule and its price equals
    the evaluator's request penalty when prices are the request costs alone."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[4] / "shared" / "data" / "curtois"
    path = path / f"Instance{number}.txt"
    if not path.exists():
        pytest.skip("benchmark data absent")
    inst = read_curtois(path)
    rules = EmployeeRules.of(inst)
    ids = np.asarray(inst.shift_ids, dtype=object)
    E, H = len(inst.employees), inst.horizon
    grid = np.full((E, H), "", dtype=object)
    total = 0.0
    for i in range(E):
        costs, schedules = rules.cheapest(i, rules.request_cost[i])
        s = schedules[0]
        grid[i] = np.where(s >= 0, ids[s], "")
        total += costs[0] + rules.request_constant[i]
    ev = curtois_objective(inst, grid)
    assert ev.feasible, ev.violations
    assert ev.on_requests + ev.off_requests == total


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(p=rule_sets)
def test_heuristic_pricing_is_feasible_and_no_cheaper(tmp_path, p):
    _, rules, prices = priced(tmp_path, p)
    exact, _ = rules.cheapest(0, prices)
    costs, schedules = rules.cheapest(0, prices, k=2, exact=False)
    if not len(exact):
        assert not len(costs)
    for c, s in zip(costs, schedules, strict=True):
        assert c >= exact[0] and feasible(rules, tuple(s))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(p=rule_sets)
def test_cheapest_of_some_types_equals_enumeration(tmp_path, p):
    # restricted to some types, the labelling counts time in their common unit (600-minute
    # shifts alone in units of 600 rather than 120 minutes): the minute band must round to
    # it exactly, the lower end up and the upper end down
    _, rules, prices = priced(tmp_path, p)
    H, T = prices.shape
    for only in [np.array([t]) for t in range(T)]:
        every = [
            c for c in itertools.product([-1, *only.tolist()], repeat=H) if feasible(rules, c)
        ]
        for exact in (True, False):
            costs, schedules = rules.cheapest(0, prices, exact=exact, only=only)
            if exact:
                assert len(costs) == bool(every)
                if every:
                    assert costs[0] == min(schedule_cost(prices, np.array(c)) for c in every)
            for c, s in zip(costs, schedules, strict=True):
                assert set(s.tolist()) <= {-1, *only.tolist()} and feasible(rules, tuple(s))
                assert c == schedule_cost(prices, s)


def test_type_classes_change_nothing_but_speed():
    """Interchangeable types merged (Instance 12: a1..a3, d1..d3, p1..p3) against every
    allowed type priced on its own."""
    from dataclasses import replace
    from pathlib import Path

    path = Path(__file__).resolve().parents[4] / "shared" / "data" / "curtois" / "Instance12.txt"
    if not path.exists():
        pytest.skip("benchmark data absent")
    inst = read_curtois(path)
    rules = EmployeeRules.of(inst)
    E, H, T = rules.request_cost.shape
    assert max(len(c[0]) for c in rules.type_classes) < T - 2

    def separate(i):
        allowed = np.flatnonzero(rules.caps[i] > 0)
        return (
            [np.array([t]) for t in allowed],
            rules.units[allowed],
            rules.caps[i][allowed],
            np.ascontiguousarray(rules.forbid[np.ix_(allowed, allowed)]),
        )

    plain = replace(rules, type_classes=tuple(separate(i) for i in range(E)))
    rng = np.random.default_rng(3)
    for i in range(0, E, 7):
        prices = rules.request_cost[i] + rng.integers(-5, 6, size=(H, T))
        merged, months = rules.cheapest(i, prices)
        alone, _ = plain.cheapest(i, prices)
        assert merged[0] == alone[0]
        assert merged[0] == schedule_cost(prices, months[0])


def test_relaxed_labelling_restores_what_the_cheapest_breaks(tmp_path):
    """The exact pricing relaxes the type caps and the weekend limit first: at prices that
    make the capped type and the weekends the most attractive, the relaxed cheapest breaks
    both, and the answer still equals the labelling that carries every resource throughout,
    on an 8-week stretch of Instance 5."""
    from pathlib import Path

    from benchmarks.curtois.pricing_kernel import cheapest_schedules
    from benchmarks.curtois.stretch import write_stretched

    path = Path(__file__).resolve().parents[4] / "shared" / "data" / "curtois" / "Instance5.txt"
    if not path.exists():
        pytest.skip("benchmark data absent")
    inst = write_stretched(path, tmp_path / "I5_w2.txt", weeks=2)
    rules = EmployeeRules.of(inst)
    H, T = inst.horizon, len(inst.shift_ids)
    i = next(i for i, (m, _, caps, _) in enumerate(rules.type_classes) if len(m) > 1)
    members, units, caps, forbid = rules.type_classes[i]
    capped = int(np.argmin(caps))
    assert caps[capped] < H
    rng = np.random.default_rng(0)
    prices = rng.uniform(-10.0, 0.0, (H, T))
    prices[:, members[capped]] -= 30.0
    prices[5::7] -= 30.0
    prices[6::7] -= 30.0
    costs, schedules = rules.cheapest(i, prices, k=3)
    reduced = np.stack([prices[:, m].min(axis=1) for m in members], axis=1)
    full, _, done, _ = cheapest_schedules(
        reduced, units, caps, int(rules.min_units[i]), int(rules.max_units[i]),
        int(rules.max_run[i]), int(rules.min_run[i]), int(rules.min_off[i]),
        int(rules.max_weekends[i]), rules.day_off[i], forbid, 1, np.inf, True,
        np.iinfo(np.int64).max,
    )  # fmt: skip
    assert done
    assert costs[0] == pytest.approx(full[0], abs=1e-9)
    relaxed, *_ = cheapest_schedules(
        reduced, units, np.full_like(caps, H), int(rules.min_units[i]),
        int(rules.max_units[i]), int(rules.max_run[i]), int(rules.min_run[i]),
        int(rules.min_off[i]), len(range(5, H, 7)), rules.day_off[i], forbid, 1, np.inf,
        True, np.iinfo(np.int64).max,
    )  # fmt: skip
    assert relaxed[0] < full[0] - 1.0  # the relaxation alone would be wrong here
    ids = np.asarray(inst.shift_ids, dtype=object)
    for c, s in zip(costs, schedules, strict=True):
        assert c == pytest.approx(schedule_cost(prices, s))
        grid = np.full((len(inst.employees), H), "", dtype=object)
        grid[i] = np.where(s >= 0, ids[s], "")
        broken = curtois_objective(inst, grid).violations
        assert broken[broken["employee"] == inst.employees[i]].empty

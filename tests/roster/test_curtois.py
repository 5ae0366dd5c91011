import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from roster.curtois import (
    BEST_KNOWN,
    curtois_objective,
    curtois_rules,
    read_curtois,
    solve_curtois,
)
from roster.rules import Rules

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "curtois"

TINY = """\
# a hand-made instance
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,480,D

SECTION_STAFF
A,D=7|N=2,2400,960,3,2,2,1
B,D=7|N=0,2400,960,3,1,1,0

SECTION_DAYS_OFF
A,6

SECTION_SHIFT_ON_REQUESTS
A,0,D,2
B,4,D,1

SECTION_SHIFT_OFF_REQUESTS
B,1,N,3
A,2,D,5

SECTION_COVER
0,D,1,100,1
1,N,1,100,1
2,D,2,100,1
3,D,1,10,4
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "Tiny.txt"
    path.write_text(TINY)
    return read_curtois(path)


def test_parse_tiny(tiny):
    assert tiny.horizon == 7
    assert tiny.shift_ids == ["D", "N"]
    assert tiny.shifts.loc["N", "length"] == 480 * 60
    assert tiny.shifts.loc["N", "forbidden_next"] == ("D",)
    assert tiny.staff.loc["A", "max_shifts"] == {"D": 7, "N": 2}
    assert tiny.staff.loc["B", "min_consecutive_off"] == 1
    assert tiny.days_off == {"A": (6,), "B": ()}
    assert len(tiny.on_requests) == 2 and len(tiny.cover) == 4


def test_objective_by_hand(tiny):
    grid = [
        ["D", "N", "", "", "", "", ""],  # A: 2 shifts, on-request met
        ["", "", "D", "D", "", "", ""],  # B: misses its on-request on day 4
    ]
    ev = curtois_objective(tiny, grid)
    # on: B day 4 (1); off: none; cover: day 2 D 1 < 2 -> 100; day 3 D 1 = 1
    assert (ev.on_requests, ev.off_requests, ev.under_cover, ev.over_cover) == (1, 0, 100, 0)
    assert ev.objective == 101
    # A: N then D is forbidden? N on day 1 is followed by nothing; feasible
    assert ev.feasible, ev.violations
    grid[0][2] = "D"  # A now works D after N (forbidden), and off-request (5)
    grid[1][3] = "D"
    grid[1][4] = "D"  # B on-request met; day 3 still 1
    ev = curtois_objective(tiny, grid)
    assert ev.objective == 0 + 5 + 0 + 0
    assert set(ev.violations["constraint"]) == {"succession"}


def test_every_hard_constraint_is_caught(tiny):
    def broken(grid):
        return set(curtois_objective(tiny, grid).violations["constraint"])

    b2 = ["D", "D", "", "", "", "", ""]
    assert "days_off" in broken([["D", "D", "", "", "", "", "D"], b2])
    assert "max_shifts" in broken([["N", "", "N", "", "N", "", ""], b2])
    assert "max_minutes" in broken([["D", "D"] + [""] * 5, ["D"] * 3 + [""] + ["D"] * 3])
    assert "min_minutes" in broken([["D"] + [""] * 6, ["D", "D"] + [""] * 5])
    assert "max_consecutive" in broken([["D"] * 4 + [""] * 3, ["D", "D"] + [""] * 5])
    assert "min_consecutive" in broken([["", "D", "", "", "D", "D", ""], ["D", "D"] + [""] * 5])
    assert "min_consecutive_off" in broken(
        [["D", "D", "", "D", "D", "", ""], ["D", "D"] + [""] * 5]
    )
    assert "max_weekends" in broken([["D", "D"] + [""] * 5, ["", "", "", "", "", "D", "D"]])


def test_long_form_solution_equals_grid(tiny):
    grid = [["D", "D", "", "", "", "", ""], ["", "", "D", "D", "", "", ""]]
    long = pd.DataFrame(
        [
            {"employee": e, "day": d, "shift": s}
            for e, row in zip(["A", "B"], grid, strict=True)
            for d, s in enumerate(row)
            if s
        ]
    )
    assert curtois_objective(tiny, long).objective == curtois_objective(tiny, grid).objective


def brute_force(inst):
    """Optimum by enumerating every grid (tiny instances only)."""
    options = ["", *inst.shift_ids]
    rows = []
    for e in inst.employees:
        ok = []
        for combo in itertools.product(options, repeat=inst.horizon):
            grid = [list(combo) if x == e else [""] * inst.horizon for x in inst.employees]
            ev = curtois_objective(inst, grid)
            if not any(ev.violations["employee"] == e):
                ok.append(combo)
        rows.append(ok)
    best = None
    for combo in itertools.product(*rows):
        value = curtois_objective(inst, [list(r) for r in combo]).objective
        best = value if best is None else min(best, value)
    return best


def test_solver_matches_brute_force(tmp_path):
    text = TINY.replace("7\n\nSECTION_SHIFTS", "7\n\nSECTION_SHIFTS").replace("N,480,D\n", "")
    text = text.replace("A,D=7|N=2,", "A,D=7,").replace("B,D=7|N=0,", "B,D=7,")
    text = text.replace("B,1,N,3\n", "").replace("1,N,1,100,1\n", "1,D,2,100,1\n")
    path = tmp_path / "Tiny1.txt"
    path.write_text(text)
    inst = read_curtois(path)
    sol = solve_curtois(inst, time_limit=20)
    assert sol.objective == brute_force(inst)
    assert sol.optimal
    assert curtois_objective(inst, sol.grid).feasible


def test_bad_file_names_line(tmp_path):
    path = tmp_path / "Bad.txt"
    path.write_text(TINY.replace("A,0,D,2", "A,0,X,2"))
    with pytest.raises(ValueError, match=r"Bad.txt:\d+: unknown shift id 'X'"):
        read_curtois(path)
    path.write_text(TINY.replace("A,0,D,2", "A,9,D,2"))
    with pytest.raises(ValueError, match="day=9 outside horizon"):
        read_curtois(path)
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        read_curtois(tmp_path / "nope.txt")


def test_rules_mapping(tiny):
    rules = curtois_rules(tiny)
    assert isinstance(rules["A"], Rules)
    assert rules["A"].max_consecutive_days == 3
    assert rules["A"].min_consecutive_days == 2
    assert rules["A"].max_weekends == 1
    assert rules["A"].forbidden_next == {"N": ("D",)}
    lo, hi = rules["A"].monthly_target(7)
    assert (lo, hi) == (960 * 60, 2400 * 60)


@pytest.mark.skipif(not (DATA / "Instance1.txt").exists(), reason="benchmark data absent")
def test_instance1_solves_to_best_known():
    inst = read_curtois(DATA / "Instance1.txt")
    assert (inst.horizon, len(inst.employees), inst.shift_ids) == (14, 8, ["D"])
    sol = solve_curtois(inst, time_limit=120)
    assert sol.objective == BEST_KNOWN[1] == 607
    assert curtois_objective(inst, sol.grid).feasible
    assert np.isclose(sol.bound, 607)

"""The Curtois & Qu employee shift scheduling benchmark: instances, reader, exact objective.

The benchmark (Curtois and Qu, 2014) describes each instance in a sectioned text file:
a horizon of whole weeks starting on a Monday, shift types with a length and the types that
may not follow them on the next day, per-employee limits (shifts of each type, total minutes,
consecutive shifts, consecutive days off, weekends worked), fixed days off, weighted
shift-on and shift-off requests, and a weighted cover requirement per day and shift type.

Hard constraints (the solution is infeasible if one fails):

* at most one shift per employee and day, none on a fixed day off;
* a shift of type ``u`` may not be worked the day after a shift type that forbids ``u``;
* for each type, at most ``max_shifts[type]`` shifts;
* total minutes within ``[min_minutes, max_minutes]``;
* at most ``max_consecutive`` shifts in a row;
* a block of worked days lying strictly inside the horizon (an off day on each side) is at
  least ``min_consecutive`` long; blocks touching either end of the horizon are exempt;
* likewise a block of days off lying strictly inside the horizon is at least
  ``min_consecutive_off`` long;
* at most ``max_weekends`` weekends (a Saturday or Sunday worked) are worked.

The objective sums the weights of unmet shift-on requests, of granted shift-off requests, and
``under_weight * shortfall + over_weight * excess`` per day and shift type.

References
----------
.. [1] T. Curtois and R. Qu, "Computational results on new staff scheduling benchmark
   instances", Technical report, ASAP group, University of Nottingham, 2014.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "BEST_KNOWN",
    "CurtoisInstance",
    "CurtoisObjective",
    "curtois_objective",
    "read_curtois",
]

#: Best known objective values of Instance1..Instance12 (Curtois and Qu, 2014).
BEST_KNOWN = {
    1: 607,
    2: 828,
    3: 1001,
    4: 1716,
    5: 1143,
    6: 1950,
    7: 1056,
    8: 1300,
    9: 439,
    10: 4631,
    11: 3443,
    12: 4040,
}

_SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


@dataclass(frozen=True)
class CurtoisInstance:
    """One benchmark instance.

    Attributes
    ----------
    name : str
        Instance name (file stem).
    horizon : int
        Number of days; day 0 is a Monday.
    shifts : pandas.DataFrame
        Indexed by shift id, columns ``length`` [s] and ``forbidden_next`` (tuple of shift ids
        that may not be worked the day after).
    staff : pandas.DataFrame
        Indexed by employee id, columns ``max_shifts`` (dict shift id -> int), ``max_minutes``,
        ``min_minutes`` [min], ``max_consecutive``, ``min_consecutive``,
        ``min_consecutive_off``, ``max_weekends``.
    days_off : dict
        Employee id -> tuple of fixed day-off indexes.
    on_requests, off_requests : pandas.DataFrame
        Columns ``employee``, ``day``, ``shift``, ``weight``.
    cover : pandas.DataFrame
        Columns ``day``, ``shift``, ``requirement``, ``under_weight``, ``over_weight``.
    """

    name: str
    horizon: int
    shifts: pd.DataFrame
    staff: pd.DataFrame
    days_off: dict
    on_requests: pd.DataFrame
    off_requests: pd.DataFrame
    cover: pd.DataFrame

    @property
    def employees(self) -> list:
        return list(self.staff.index)

    @property
    def shift_ids(self) -> list:
        return list(self.shifts.index)


def _split_sections(text: str, source: str) -> dict:
    sections: dict[str, list[str]] = {}
    current = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in _SECTIONS:
                raise ValueError(f"{source}:{lineno}: unknown section {line!r}")
            current = line
            sections[current] = []
            continue
        if current is None:
            raise ValueError(f"{source}:{lineno}: data before any SECTION_ header: {line!r}")
        sections[current].append((lineno, line))
    missing = [s for s in _SECTIONS if s not in sections]
    if missing:
        raise ValueError(f"{source}: missing sections {missing}")
    return sections


def read_curtois(path) -> CurtoisInstance:
    """Read a Curtois & Qu instance file.

    Parameters
    ----------
    path : str or path-like
        The ``InstanceN.txt`` file.

    Returns
    -------
    CurtoisInstance

    Raises
    ------
    ValueError
        Naming the file and line of a malformed entry.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r}: no such instance file")
    src = str(path)
    sec = _split_sections(path.read_text(), src)

    def fields(lineno, line, n, section):
        parts = line.split(",")
        if len(parts) != n:
            raise ValueError(
                f"{src}:{lineno}: {section} expects {n} comma-separated fields, got {line!r}"
            )
        return parts

    def to_int(lineno, value, what):
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{src}:{lineno}: {what}={value!r} is not an integer") from None

    (lineno, line) = sec["SECTION_HORIZON"][0]
    horizon = to_int(lineno, line, "horizon")
    if horizon < 7 or horizon % 7:
        # weekends are days 5 and 6 of each week from a Monday: the format counts whole weeks
        raise ValueError(f"{src}:{lineno}: horizon={horizon} is not a positive number of weeks")

    shift_rows = []
    for lineno, line in sec["SECTION_SHIFTS"]:
        sid, length, forbid = fields(lineno, line, 3, "SECTION_SHIFTS")
        shift_rows.append(
            {
                "shift": sid,
                "length": 60 * to_int(lineno, length, "length"),
                "forbidden_next": tuple(f for f in forbid.split("|") if f),
            }
        )
    shifts = pd.DataFrame(shift_rows).set_index("shift")
    known = set(shifts.index)

    def check_shift(lineno, sid):
        if sid not in known:
            raise ValueError(f"{src}:{lineno}: unknown shift id {sid!r}")
        return sid

    staff_rows = []
    for lineno, line in sec["SECTION_STAFF"]:
        parts = fields(lineno, line, 8, "SECTION_STAFF")
        caps = {}
        for item in parts[1].split("|"):
            sid, _, cap = item.partition("=")
            caps[check_shift(lineno, sid)] = to_int(lineno, cap, "max shifts")
        names = (
            "max_minutes",
            "min_minutes",
            "max_consecutive",
            "min_consecutive",
            "min_consecutive_off",
            "max_weekends",
        )
        row = {"employee": parts[0], "max_shifts": caps}
        row.update({k: to_int(lineno, v, k) for k, v in zip(names, parts[2:], strict=True)})
        staff_rows.append(row)
    staff = pd.DataFrame(staff_rows).set_index("employee")
    emps = set(staff.index)

    def check_emp(lineno, e):
        if e not in emps:
            raise ValueError(f"{src}:{lineno}: unknown employee id {e!r}")
        return e

    def check_day(lineno, d):
        d = to_int(lineno, d, "day")
        if not 0 <= d < horizon:
            raise ValueError(f"{src}:{lineno}: day={d} outside horizon 0..{horizon - 1}")
        return d

    days_off = {e: () for e in staff.index}
    for lineno, line in sec["SECTION_DAYS_OFF"]:
        parts = line.split(",")
        e = check_emp(lineno, parts[0])
        days_off[e] = tuple(check_day(lineno, d) for d in parts[1:] if d)

    def requests(section):
        rows = []
        for lineno, line in sec[section]:
            e, d, s, w = fields(lineno, line, 4, section)
            rows.append(
                {
                    "employee": check_emp(lineno, e),
                    "day": check_day(lineno, d),
                    "shift": check_shift(lineno, s),
                    "weight": to_int(lineno, w, "weight"),
                }
            )
        return pd.DataFrame(rows, columns=["employee", "day", "shift", "weight"])

    cover_rows = []
    for lineno, line in sec["SECTION_COVER"]:
        d, s, req, wu, wo = fields(lineno, line, 5, "SECTION_COVER")
        cover_rows.append(
            {
                "day": check_day(lineno, d),
                "shift": check_shift(lineno, s),
                "requirement": to_int(lineno, req, "requirement"),
                "under_weight": to_int(lineno, wu, "under weight"),
                "over_weight": to_int(lineno, wo, "over weight"),
            }
        )
    return CurtoisInstance(
        name=path.stem,
        horizon=horizon,
        shifts=shifts,
        staff=staff,
        days_off=days_off,
        on_requests=requests("SECTION_SHIFT_ON_REQUESTS"),
        off_requests=requests("SECTION_SHIFT_OFF_REQUESTS"),
        cover=pd.DataFrame(cover_rows),
    )


@dataclass(frozen=True)
class CurtoisObjective:
    """Objective of a solution, its parts and the hard constraints it breaks.

    Attributes
    ----------
    objective : int
        ``on_requests + off_requests + under_cover + over_cover``.
    on_requests, off_requests, under_cover, over_cover : int
        Weighted penalty of each part.
    violations : pandas.DataFrame
        One row per broken hard constraint: ``employee``, ``day`` (first day concerned or -1),
        ``constraint``, ``detail``. Empty for a feasible solution.
    """

    objective: int
    on_requests: int
    off_requests: int
    under_cover: int
    over_cover: int
    violations: pd.DataFrame = field(repr=False)

    @property
    def feasible(self) -> bool:
        return self.violations.empty


def _grid(instance: CurtoisInstance, solution) -> np.ndarray:
    """Solution as an (employees x days) object array of shift ids, '' for off."""
    emps, h = instance.employees, instance.horizon
    if isinstance(solution, pd.DataFrame) and {"employee", "day", "shift"} <= set(
        solution.columns
    ):
        grid = np.full((len(emps), h), "", dtype=object)
        pos = {e: i for i, e in enumerate(emps)}
        for e, d, s in solution[["employee", "day", "shift"]].itertuples(index=False):
            if e not in pos:
                raise ValueError(f"solution: unknown employee {e!r}")
            if not 0 <= d < h:
                raise ValueError(f"solution: day={d} outside horizon 0..{h - 1}")
            if grid[pos[e], d]:
                raise ValueError(f"solution: employee {e!r} has two shifts on day {d}")
            grid[pos[e], d] = s
    else:
        grid = np.asarray(
            solution.loc[emps].to_numpy() if isinstance(solution, pd.DataFrame) else solution,
            dtype=object,
        )
        if grid.shape != (len(emps), h):
            raise ValueError(
                f"solution: expected shape {(len(emps), h)} (employees x days), got {grid.shape}"
            )
        grid = np.where(pd.isna(grid), "", grid).astype(object)
    bad = set(grid.ravel()) - set(instance.shift_ids) - {""}
    if bad:
        raise ValueError(f"solution: unknown shift ids {sorted(bad)}")
    return grid


def _blocks(row: np.ndarray):
    """(start, length, value) of maximal runs of a boolean row."""
    out, start = [], 0
    for d in range(1, len(row) + 1):
        if d == len(row) or row[d] != row[start]:
            out.append((start, d - start, bool(row[start])))
            start = d
    return out


def curtois_objective(instance: CurtoisInstance, solution) -> CurtoisObjective:
    """Evaluate a solution exactly, independent of any solver.

    Parameters
    ----------
    instance : CurtoisInstance
    solution : array-like or pandas.DataFrame
        Either an (employees x days) grid of shift ids ('' or NaN for a day off), in the
        order of ``instance.employees``, or a long frame with columns ``employee``, ``day``,
        ``shift`` (one row per worked day).

    Returns
    -------
    CurtoisObjective
    """
    grid = _grid(instance, solution)
    emps, h = instance.employees, instance.horizon
    pos = {e: i for i, e in enumerate(emps)}
    on = sum(
        w for e, d, s, w in instance.on_requests.itertuples(index=False) if grid[pos[e], d] != s
    )
    off = sum(
        w for e, d, s, w in instance.off_requests.itertuples(index=False) if grid[pos[e], d] == s
    )
    under = over = 0
    for d, s, req, wu, wo in instance.cover.itertuples(index=False):
        n = int(np.sum(grid[:, d] == s))
        under += wu * max(req - n, 0)
        over += wo * max(n - req, 0)

    viol = []

    def bad(e, d, c, detail):
        viol.append({"employee": e, "day": d, "constraint": c, "detail": detail})

    length = instance.shifts["length"].to_dict()
    forbid = instance.shifts["forbidden_next"].to_dict()
    staff = instance.staff.to_dict("index")
    for i, e in enumerate(emps):
        row = grid[i]
        st = staff[e]
        works = row != ""
        for d in instance.days_off[e]:
            if works[d]:
                bad(e, d, "days_off", f"works {row[d]} on a fixed day off")
        for d in range(h - 1):
            if works[d] and works[d + 1] and row[d + 1] in forbid[row[d]]:
                bad(e, d, "succession", f"{row[d]} followed by {row[d + 1]}")
        for s, cap in st["max_shifts"].items():
            n = int(np.sum(row == s))
            if n > cap:
                bad(e, -1, "max_shifts", f"{n} shifts {s} > {cap}")
        minutes = sum(length[s] for s in row if s) // 60
        if minutes > st["max_minutes"]:
            bad(e, -1, "max_minutes", f"{minutes} > {st['max_minutes']}")
        if minutes < st["min_minutes"]:
            bad(e, -1, "min_minutes", f"{minutes} < {st['min_minutes']}")
        for start, n, work in _blocks(works):
            inside = start > 0 and start + n < h
            if work and n > st["max_consecutive"]:
                bad(e, start, "max_consecutive", f"{n} shifts in a row")
            if work and inside and n < st["min_consecutive"]:
                bad(e, start, "min_consecutive", f"{n} shifts in a row")
            if not work and inside and n < st["min_consecutive_off"]:
                bad(e, start, "min_consecutive_off", f"{n} days off in a row")
        weekends = int(np.sum(works[5::7] | works[6::7]))
        if weekends > st["max_weekends"]:
            bad(e, -1, "max_weekends", f"{weekends} > {st['max_weekends']}")
    return CurtoisObjective(
        objective=int(on + off + under + over),
        on_requests=int(on),
        off_requests=int(off),
        under_cover=int(under),
        over_cover=int(over),
        violations=pd.DataFrame(viol, columns=["employee", "day", "constraint", "detail"]),
    )

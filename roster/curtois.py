"""The Curtois & Qu employee shift scheduling benchmark: reader, objective and exact MIP.

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

import time
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = [
    "BEST_KNOWN",
    "CurtoisInstance",
    "CurtoisObjective",
    "CurtoisSolution",
    "curtois_objective",
    "curtois_rules",
    "read_curtois",
    "solve_curtois",
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

    length = instance.shifts["length"]
    forbid = instance.shifts["forbidden_next"]
    for i, e in enumerate(emps):
        row = grid[i]
        st = instance.staff.loc[e]
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


def curtois_rules(instance: CurtoisInstance) -> dict:
    """Map each employee's limits onto :class:`roster.Rules`.

    Returns
    -------
    dict
        Employee id -> ``Rules``; the horizon replaces the month, so monthly hours become the
        instance's total minutes. Limits with no counterpart in the hotline rules (forbidden
        successions, per-type caps) are carried by ``Rules.forbidden_next`` and
        ``Rules.max_shifts``.
    """
    from roster.rules import Rules

    out = {}
    forbid = {s: tuple(f) for s, f in instance.shifts["forbidden_next"].items() if f}
    for e, st in instance.staff.iterrows():
        lo, hi = st["min_minutes"] * 60, st["max_minutes"] * 60
        out[e] = Rules(
            min_shift_paid=float(instance.shifts["length"].min()),
            max_shift_paid=float(instance.shifts["length"].max()),
            monthly_paid=(lo + hi) / 2,
            monthly_paid_tolerance=(hi - lo) / 2,
            min_rest_days=0,
            max_consecutive_days=int(st["max_consecutive"]),
            soft_max_consecutive_days=int(st["max_consecutive"]),
            min_consecutive_days=int(st["min_consecutive"]),
            min_consecutive_days_off=int(st["min_consecutive_off"]),
            max_weekends=int(st["max_weekends"]),
            min_rest_between_shifts=0,
            rest_after_big_night=False,
            max_nights=None,
            forbidden_next=forbid,
            max_shifts=dict(st["max_shifts"]),
        )
    return out


@dataclass(frozen=True)
class CurtoisSolution:
    """A solved instance.

    Attributes
    ----------
    grid : pandas.DataFrame
        Employees x days of shift ids ('' off).
    objective : int
        Exact objective of ``grid`` by :func:`curtois_objective`.
    bound : float
        Lower bound proven by the solver.
    optimal : bool
        Whether the solver proved optimality.
    time_s : float
        Wall time [s].
    """

    grid: pd.DataFrame
    objective: int
    bound: float
    optimal: bool
    time_s: float


def _solve_highs(c, A, lo, hi, ub, integrality, time_limit, heuristic_effort):
    """Minimise ``c @ x`` s.t. ``lo <= A x <= hi``, ``0 <= x <= ub`` with HiGHS MIP."""
    A = sp.csc_array(A)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_ = np.zeros(A.shape[1])
    lp.col_upper_ = np.asarray(ub, dtype=float)
    lp.row_lower_ = np.asarray(lo, dtype=float)
    lp.row_upper_ = np.asarray(hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous
        for v in integrality
    ]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_heuristic_effort", float(heuristic_effort))
    h.passModel(lp)
    h.run()
    info = h.getInfo()
    status = h.getModelStatus()
    if info.primal_solution_status != 2:  # no feasible point
        return None, np.nan, False, h.modelStatusToString(status)
    x = np.asarray(h.getSolution().col_value)
    optimal = status == highspy.HighsModelStatus.kOptimal
    return x, float(info.mip_dual_bound), optimal, h.modelStatusToString(status)


def _model(instance: CurtoisInstance, members, base):
    """The integer programme restricted to employees ``members``, the others' cover
    contribution ``base`` (cover row -> count) held fixed.

    Returns (c, A, lo, hi, ub, integrality, nx, const); the first ``nx`` columns are
    ``x[i, d, t]`` for the i-th member at index ``(i * horizon + d) * T + t``.
    """
    emps, shifts, h = instance.employees, instance.shift_ids, instance.horizon
    E, T, W = len(members), len(shifts), h // 7
    nx = E * h * T

    def x(i, d, t):
        return (i * h + d) * T + t

    nk = E * W
    cov = instance.cover.reset_index(drop=True)
    nc = len(cov)
    n = nx + nk + 2 * nc
    kof = nx
    uof = nx + nk
    oof = nx + nk + nc

    c = np.zeros(n)
    const = 0.0
    sidx = {s: t for t, s in enumerate(shifts)}
    eidx = {emps[e]: i for i, e in enumerate(members)}
    for e, d, s, w in instance.on_requests.itertuples(index=False):
        if e in eidx:
            const += w
            c[x(eidx[e], d, sidx[s])] -= w
    for e, d, s, w in instance.off_requests.itertuples(index=False):
        if e in eidx:
            c[x(eidx[e], d, sidx[s])] += w
    c[uof : uof + nc] = cov["under_weight"].to_numpy()
    c[oof : oof + nc] = cov["over_weight"].to_numpy()

    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0

    def add(entries, lb, ub):
        nonlocal r
        for j, v in entries:
            rows.append(r)
            cols.append(j)
            vals.append(v)
        lo.append(lb)
        hi.append(ub)
        r += 1

    ub = np.ones(n)
    ub[uof:] = np.inf
    length = instance.shifts["length"].to_numpy() // 60
    for i, ei in enumerate(members):
        e = emps[ei]
        st = instance.staff.loc[e]
        work = [[(x(i, d, t), 1.0) for t in range(T)] for d in range(h)]
        for d in range(h):
            add(work[d], 0, 1)
        for d in instance.days_off[e]:
            for t in range(T):
                ub[x(i, d, t)] = 0
        for t, s in enumerate(shifts):
            cap = st["max_shifts"].get(s, h)
            if cap == 0:
                for d in range(h):
                    ub[x(i, d, t)] = 0
            elif cap < h:
                add([(x(i, d, t), 1.0) for d in range(h)], 0, cap)
        for t, s in enumerate(shifts):
            for f in instance.shifts.at[s, "forbidden_next"]:
                u = sidx[f]
                for d in range(h - 1):
                    add([(x(i, d, t), 1.0), (x(i, d + 1, u), 1.0)], 0, 1)
        add(
            [(x(i, d, t), float(length[t])) for d in range(h) for t in range(T)],
            st["min_minutes"],
            st["max_minutes"],
        )
        cmax = st["max_consecutive"]
        for d in range(h - cmax):
            add([p for dd in range(d, d + cmax + 1) for p in work[dd]], 0, cmax)
        # off at d, work d+1..d+k, off at d+k+1 is forbidden for k < min_consecutive:
        # w_d - sum w + w_{d+k+1} >= 1 - k
        for k in range(1, st["min_consecutive"]):
            for d in range(h - k - 1):
                ent = [*work[d], *work[d + k + 1]]
                ent += [(j, -1.0) for dd in range(d + 1, d + k + 1) for j, _ in work[dd]]
                add(ent, 1 - k, np.inf)
        # work at d, off d+1..d+k, work at d+k+1 is forbidden for k < min_consecutive_off:
        # -w_d + sum w - w_{d+k+1} >= -1
        for k in range(1, st["min_consecutive_off"]):
            for d in range(h - k - 1):
                ent = [(j, -1.0) for j, _ in work[d]] + [(j, -1.0) for j, _ in work[d + k + 1]]
                ent += [p for dd in range(d + 1, d + k + 1) for p in work[dd]]
                add(ent, -1, np.inf)
        for w in range(W):
            k = kof + i * W + w
            for d in (7 * w + 5, 7 * w + 6):
                add([(k, 1.0)] + [(j, -1.0) for j, _ in work[d]], 0, np.inf)
            add(
                [(k, 1.0)] + [(j, -1.0) for dd in (7 * w + 5, 7 * w + 6) for j, _ in work[dd]],
                -np.inf,
                0,
            )
        add([(kof + i * W + w, 1.0) for w in range(W)], 0, st["max_weekends"])
    for q, (d, s, req) in enumerate(cov[["day", "shift", "requirement"]].itertuples(index=False)):
        t = sidx[s]
        ent = [(x(i, d, t), 1.0) for i in range(E)] + [(uof + q, 1.0), (oof + q, -1.0)]
        rhs = req - base[q]
        add(ent, rhs, rhs)

    A = sp.csr_array((vals, (rows, cols)), shape=(r, n))
    integrality = np.zeros(n)
    integrality[: nx + nk] = 1
    return c, A, np.asarray(lo), np.asarray(hi), ub, integrality, nx, const


def _solve_highs(c, A, lo, hi, ub, integrality, time_limit, start=None, heuristic_effort=0.05):
    """Minimise ``c @ x`` s.t. ``lo <= A x <= hi``, ``0 <= x <= ub`` with HiGHS MIP.

    ``start`` is a feasible point handed to HiGHS as its incumbent.
    """
    A = sp.csc_array(A)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_ = np.zeros(A.shape[1])
    lp.col_upper_ = np.asarray(ub, dtype=float)
    lp.row_lower_ = np.asarray(lo, dtype=float)
    lp.row_upper_ = np.asarray(hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous
        for v in integrality
    ]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_heuristic_effort", float(heuristic_effort))
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(map(float, start))
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    info = h.getInfo()
    status = h.getModelStatus()
    if info.primal_solution_status != 2:  # no feasible point
        return None, np.nan, False, h.modelStatusToString(status)
    x = np.asarray(h.getSolution().col_value)
    optimal = status == highspy.HighsModelStatus.kOptimal
    return x, float(info.mip_dual_bound), optimal, h.modelStatusToString(status)


def _decode(instance, members, xval, nx):
    h, T = instance.horizon, len(instance.shift_ids)
    sol = np.round(xval[:nx]).reshape(len(members), h, T)
    grid = np.full((len(members), h), "", dtype=object)
    ii, dd, tt = np.nonzero(sol > 0.5)
    grid[ii, dd] = np.asarray(instance.shift_ids, dtype=object)[tt]
    return grid


def _encode(instance, grid, members, n):
    """Full column vector of the restricted model for the members' rows of ``grid``."""
    h, shifts = instance.horizon, instance.shift_ids
    T, W = len(shifts), h // 7
    E = len(members)
    x = np.zeros(n)
    sidx = {s: t for t, s in enumerate(shifts)}
    for i, ei in enumerate(members):
        for d in range(h):
            s = grid[ei, d]
            if s:
                x[(i * h + d) * T + sidx[s]] = 1.0
        for w in range(W):
            x[E * h * T + i * W + w] = float(bool(grid[ei, 7 * w + 5] or grid[ei, 7 * w + 6]))
    return x


def _cover_counts(instance, grid, members):
    rows = instance.cover[["day", "shift", "requirement"]].to_numpy()
    sub = grid[list(members)]
    return np.array([np.sum(sub[:, d] == s) for d, s, _ in rows], dtype=float)


def _slacks(instance, grid, x, nx_nk):
    rows = instance.cover[["day", "shift", "requirement"]].to_numpy()
    have = np.array([np.sum(grid[:, d] == s) for d, s, _ in rows], dtype=float)
    req = rows[:, 2].astype(float)
    nc = len(rows)
    x[nx_nk : nx_nk + nc] = np.clip(req - have, 0, None)
    x[nx_nk + nc :] = np.clip(have - req, 0, None)
    return x


def solve_curtois(
    instance: CurtoisInstance,
    *,
    time_limit: float = 60.0,
    method: str = "lns",
    neighbourhood: int = 3,
    seed: int = 0,
) -> CurtoisSolution:
    """Solve an instance by its integer programme with HiGHS.

    Variables ``x[e, d, t]`` (employee works type t on day d), weekend indicators and cover
    slacks; every hard constraint of the module docstring is a linear row (the min-block
    rules as the usual "no off-work^k-off pattern" cuts).

    Parameters
    ----------
    instance : CurtoisInstance
    time_limit : float
        Wall-clock limit [s]; the best solution found is returned.
    method : {"lns", "mip"}
        ``"mip"`` runs branch-and-cut on the whole programme. ``"lns"`` (default) spends two
        thirds of the time there, then improves the incumbent by large-neighbourhood search
        with the same programme: the schedules of ``neighbourhood`` employees at a time are
        re-optimised exactly while the others stay fixed (fix-and-optimise); the bound is the
        one proven by the first phase.
    neighbourhood : int
        Employees freed per LNS step.
    seed : int
        Seed of the neighbourhood choice.

    Returns
    -------
    CurtoisSolution

    Raises
    ------
    RuntimeError
        If no feasible solution is found within the limit.
    """
    if time_limit <= 0:
        raise ValueError(f"time_limit={time_limit!r} must be positive")
    if method not in ("lns", "mip"):
        raise ValueError(f"method={method!r} must be 'lns' or 'mip'")
    if neighbourhood < 1:
        raise ValueError(f"neighbourhood={neighbourhood!r} must be >= 1")
    t0 = time.perf_counter()
    emps, h = instance.employees, instance.horizon
    E = len(emps)
    everyone = list(range(E))
    nc = len(instance.cover)
    c, A, lo, hi, ub, integ, nx, const = _model(instance, everyone, np.zeros(nc))
    first = time_limit if method == "mip" else 2 * time_limit / 3
    xval, bound, optimal, message = _solve_highs(c, A, lo, hi, ub, integ, first)
    grid = None
    if xval is not None:
        grid = _decode(instance, everyone, xval, nx)
    elif method == "lns":
        # cover is soft: each employee's own feasible schedule makes a feasible roster
        grid = np.full((E, h), "", dtype=object)
        for i in everyone:
            ci, Ai, loi, hii, ubi, ii, nxi, _ = _model(instance, [i], np.zeros(nc))
            ci[nxi:] = 0.0
            xi, _, _, _ = _solve_highs(ci, Ai, loi, hii, ubi, ii, 5.0)
            if xi is None:
                grid = None
                break
            grid[i] = _decode(instance, [i], xi, nxi)[0]
    if grid is None:
        raise RuntimeError(
            f"{instance.name}: no feasible roster found within time_limit={time_limit} s "
            f"(HiGHS: {message})"
        )
    best = curtois_objective(instance, grid).objective
    rng = np.random.default_rng(seed)
    k = min(neighbourhood, E)
    while method == "lns" and not optimal and best > bound + 1e-6:
        left = time_limit - (time.perf_counter() - t0)
        if left < 0.5:
            break
        members = sorted(rng.choice(E, size=k, replace=False).tolist())
        others = [i for i in everyone if i not in members]
        base = _cover_counts(instance, grid, others)
        cs, As, los, his, ubs, ints, nxs, _ = _model(instance, members, base)
        start = _slacks(
            instance, grid, _encode(instance, grid, members, len(cs)), len(cs) - 2 * nc
        )
        xs, _, _, _ = _solve_highs(cs, As, los, his, ubs, ints, min(left, 3.0), start=start)
        if xs is None:
            continue
        trial = grid.copy()
        trial[members] = _decode(instance, members, xs, nxs)
        value = curtois_objective(instance, trial).objective
        if value <= best:
            grid, best = trial, value
    frame = pd.DataFrame(grid, index=pd.Index(emps, name="employee"))
    return CurtoisSolution(
        grid=frame,
        objective=int(best),
        bound=bound + const,
        optimal=bool(optimal or best <= bound + const + 1e-6),
        time_s=time.perf_counter() - t0,
    )

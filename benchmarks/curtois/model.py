"""The compact integer programme of a Curtois & Qu instance, for any subset of its employees.

Columns, for the ``E`` members of the model, ``H`` days, ``T`` shift types, ``W = H / 7``
weekends and ``C`` cover rows:

* ``x[i, d, t]`` (binary) at ``(i * H + d) * T + t``: member ``i`` works type ``t`` on day
  ``d``;
* ``k[i, w]`` (binary) at ``nx + i * W + w``: member ``i`` works weekend ``w``;
* ``under[q]`` and ``over[q]`` (continuous) at ``nx + nk + q`` and ``nx + nk + C + q``.

Every hard constraint of :mod:`.instance` is a linear row. Successions are written as
cliques (a shift on day ``d`` against all the types it forbids on ``d + 1``, and a type on
``d + 1`` against all the types forbidding it on ``d``), which the LP relaxation sees much
better than one row per forbidden pair. The minimum-block rules are the usual "no
off-work^k-off" (and "no work-off^k-work") pattern cuts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from benchmarks.curtois.instance import CurtoisInstance


@dataclass(frozen=True)
class CurtoisModel:
    """``min c @ z + const`` s.t. ``lo <= A z <= hi``, ``0 <= z <= ub``.

    Attributes
    ----------
    members : tuple of int
        Employee positions (in ``instance.employees``) the model schedules.
    c, lo, hi, ub, integrality : numpy.ndarray
    A : scipy.sparse.csc_array
    const : float
        Weight of all the members' shift-on requests (the objective counts the met ones
        negatively).
    nx, nk : int
        Number of shift and weekend columns.
    horizon, types : int
    """

    members: tuple
    c: np.ndarray
    A: sp.csc_array
    lo: np.ndarray
    hi: np.ndarray
    ub: np.ndarray
    integrality: np.ndarray
    const: float
    nx: int
    nk: int
    horizon: int
    types: int

    @property
    def n(self) -> int:
        return len(self.c)

    def decode(self, z: np.ndarray, shift_ids) -> np.ndarray:
        """Members x days grid of shift ids ('' off) from a column vector."""
        E, H, T = len(self.members), self.horizon, self.types
        on = np.round(z[: self.nx]).reshape(E, H, T) > 0.5
        grid = np.full((E, H), "", dtype=object)
        ii, dd, tt = np.nonzero(on)
        grid[ii, dd] = np.asarray(shift_ids, dtype=object)[tt]
        return grid

    def encode(self, instance: CurtoisInstance, grid: np.ndarray, base: np.ndarray):
        """Column vector of the members' rows of the full ``grid`` (slacks included)."""
        E, H, T, W = len(self.members), self.horizon, self.types, self.horizon // 7
        codes = shift_codes(instance, grid[list(self.members)])
        z = np.zeros(self.n)
        ii, dd = np.nonzero(codes >= 0)
        z[(ii * H + dd) * T + codes[ii, dd]] = 1.0
        works = codes >= 0
        z[self.nx : self.nx + self.nk] = (works[:, 5::7] | works[:, 6::7]).reshape(E * W)
        cover = instance.cover
        day = cover["day"].to_numpy()
        t = cover["shift"].map({s: j for j, s in enumerate(instance.shift_ids)}).to_numpy()
        have = np.sum(codes[:, day] == t, axis=0) + base
        req = cover["requirement"].to_numpy()
        nc = len(cover)
        z[self.nx + self.nk : self.nx + self.nk + nc] = np.clip(req - have, 0, None)
        z[self.nx + self.nk + nc :] = np.clip(have - req, 0, None)
        return z


def shift_codes(instance: CurtoisInstance, grid: np.ndarray) -> np.ndarray:
    """Integer grid: position of the shift type in ``instance.shift_ids``, -1 off."""
    lookup = {s: j for j, s in enumerate(instance.shift_ids)}
    lookup[""] = -1
    grid = np.asarray(grid, dtype=object)
    return np.vectorize(lookup.__getitem__, otypes=[np.int64])(grid).reshape(grid.shape)


def shift_grid(instance: CurtoisInstance, codes: np.ndarray) -> np.ndarray:
    """Object grid of shift ids ('' off) from type codes (-1 off): the inverse of
    :func:`shift_codes`."""
    codes = np.asarray(codes)
    ids = np.asarray(instance.shift_ids, dtype=object)
    return np.where(codes >= 0, ids[np.maximum(codes, 0)], "").astype(object)


def cover_counts(instance: CurtoisInstance, grid: np.ndarray) -> np.ndarray:
    """How many of ``grid``'s rows work each cover row's day and type."""
    codes = shift_codes(instance, grid)
    cover = instance.cover
    day = cover["day"].to_numpy()
    t = cover["shift"].map({s: j for j, s in enumerate(instance.shift_ids)}).to_numpy()
    return np.sum(codes[:, day] == t, axis=0).astype(float)


def window_instance(
    instance: CurtoisInstance, codes: np.ndarray, members, start: int, end: int
) -> CurtoisInstance:
    """The instance of ``members`` over days ``start`` to ``end`` (exclusive; whole weeks),
    their months in ``codes`` (type codes, -1 off) counted outside it.

    Each member's limits over the horizon (minutes, shifts per type, weekends) lose what its
    month works outside the window; days off, requests and cover rows are those inside it,
    renumbered from ``start``. Sequencing rules are kept as they are, so a block touching
    the window's edge is exempt from the minimum lengths there, as at the horizon's: a
    programme over it is exact for changes that stay more than the longest block rule away
    from the edges (unless the edge is the horizon's own).
    """
    H = instance.horizon
    if start % 7 or (end % 7 and end != H) or not 0 <= start < end <= H:
        raise ValueError(f"window [{start}, {end}) must be whole weeks within {H} days")
    members = [int(m) for m in members]
    emps = [instance.employees[m] for m in members]
    sidx = {s: t for t, s in enumerate(instance.shift_ids)}
    minutes = (instance.shifts["length"].to_numpy() // 60).astype(np.int64)
    outside = np.ones(H, dtype=bool)
    outside[start:end] = False
    # weekends of the weeks outside the window (the horizon is whole weeks)
    weeks_out = np.ones(len(range(5, H, 7)), dtype=bool)
    weeks_out[start // 7 : -(-end // 7)] = False
    staff = instance.staff.loc[emps].copy()
    caps, lo, hi, weekends = [], [], [], []
    for i, e in zip(members, emps, strict=True):
        row = codes[i]
        out = row[outside]
        worked = out[out >= 0]
        spent = int(minutes[worked].sum())
        st = instance.staff.loc[e]
        counts = np.bincount(worked, minlength=len(sidx))
        caps.append({s: int(n) - int(counts[sidx[s]]) for s, n in st["max_shifts"].items()})
        lo.append(max(0, int(st["min_minutes"]) - spent))
        hi.append(int(st["max_minutes"]) - spent)
        works = row >= 0
        at_weekend = works[5::7] | works[6::7]
        weekends.append(int(st["max_weekends"]) - int(at_weekend[weeks_out].sum()))
    staff["max_shifts"] = caps
    staff["min_minutes"] = lo
    staff["max_minutes"] = hi
    staff["max_weekends"] = weekends

    def inside(frame, by_employee=True):
        keep = (frame["day"] >= start) & (frame["day"] < end)
        if by_employee:
            keep &= frame["employee"].isin(emps)
        frame = frame[keep].reset_index(drop=True)
        return frame.assign(day=frame["day"] - start)

    return CurtoisInstance(
        name=f"{instance.name}[{start}:{end}]",
        horizon=end - start,
        shifts=instance.shifts,
        staff=staff,
        days_off={
            e: tuple(d - start for d in instance.days_off.get(e, ()) if start <= d < end)
            for e in emps
        },
        on_requests=inside(instance.on_requests),
        off_requests=inside(instance.off_requests),
        cover=inside(instance.cover, by_employee=False),
    )


class _Rows:
    """Accumulates sparse rows ``lo <= sum v z[j] <= hi``."""

    def __init__(self):
        self.rows, self.cols, self.vals, self.lo, self.hi = [], [], [], [], []

    def add(self, cols, vals, lo, hi):
        r = len(self.lo)
        self.rows.extend([r] * len(cols))
        self.cols.extend(cols)
        self.vals.extend(vals)
        self.lo.append(lo)
        self.hi.append(hi)

    def matrix(self, n):
        A = sp.csr_array(
            (np.asarray(self.vals, float), (np.asarray(self.rows), np.asarray(self.cols))),
            shape=(len(self.lo), n),
        )
        return sp.csc_array(A), np.asarray(self.lo, float), np.asarray(self.hi, float)


def build_model(instance: CurtoisInstance, members, base=None) -> CurtoisModel:
    """The integer programme of ``members``, the rest of the staff adding ``base`` to cover.

    Parameters
    ----------
    instance : CurtoisInstance
    members : sequence of int
        Positions in ``instance.employees`` to schedule.
    base : numpy.ndarray, optional
        Per cover row, how many of the other employees already work it (default none).

    Returns
    -------
    CurtoisModel
    """
    members = tuple(int(m) for m in members)
    emps, shifts, H = instance.employees, instance.shift_ids, instance.horizon
    E, T, W = len(members), len(shifts), H // 7
    cover = instance.cover.reset_index(drop=True)
    nc = len(cover)
    base = np.zeros(nc) if base is None else np.asarray(base, dtype=float)
    nx, nk = E * H * T, E * W
    n = nx + nk + 2 * nc
    uof, oof = nx + nk, nx + nk + nc
    sidx = {s: t for t, s in enumerate(shifts)}
    eidx = {emps[e]: i for i, e in enumerate(members)}

    def x(i, d, t):
        return (i * H + d) * T + t

    c = np.zeros(n)
    const = 0.0
    for e, d, s, w in instance.on_requests.itertuples(index=False):
        if e in eidx:
            const += w
            c[x(eidx[e], d, sidx[s])] -= w
    for e, d, s, w in instance.off_requests.itertuples(index=False):
        if e in eidx:
            c[x(eidx[e], d, sidx[s])] += w
    c[uof:oof] = cover["under_weight"].to_numpy()
    c[oof:] = cover["over_weight"].to_numpy()

    ub = np.ones(n)
    ub[uof:] = np.inf
    rows = _Rows()
    minutes = (instance.shifts["length"].to_numpy() // 60).astype(float)
    forbid = {
        sidx[s]: [sidx[f] for f in fs] for s, fs in instance.shifts["forbidden_next"].items()
    }
    forbidden_by = {u: [t for t in range(T) if u in forbid[t]] for u in range(T)}
    for i, ei in enumerate(members):
        e = emps[ei]
        st = instance.staff.loc[e]
        day = [[x(i, d, t) for t in range(T)] for d in range(H)]
        for d in range(H):
            rows.add(day[d], [1.0] * T, 0, 1)
        for d in instance.days_off[e]:
            ub[day[d]] = 0
        for t, s in enumerate(shifts):
            cap = st["max_shifts"].get(s, H)
            if cap == 0:
                ub[[x(i, d, t) for d in range(H)]] = 0
            elif cap < H:
                rows.add([x(i, d, t) for d in range(H)], [1.0] * H, 0, cap)
        for d in range(H - 1):
            for t in range(T):
                if forbid[t]:
                    cols = [x(i, d, t)] + [x(i, d + 1, u) for u in forbid[t]]
                    rows.add(cols, [1.0] * len(cols), 0, 1)
            for u in range(T):
                if len(forbidden_by[u]) > 1:
                    cols = [x(i, d, t) for t in forbidden_by[u]] + [x(i, d + 1, u)]
                    rows.add(cols, [1.0] * len(cols), 0, 1)
        every = [j for d in range(H) for j in day[d]]
        rows.add(every, list(np.tile(minutes, H)), st["min_minutes"], st["max_minutes"])
        cmax = int(st["max_consecutive"])
        for d in range(H - cmax):
            cols = [j for dd in range(d, d + cmax + 1) for j in day[dd]]
            rows.add(cols, [1.0] * len(cols), 0, cmax)
        # off on d, work on d+1..d+k, off on d+k+1 is forbidden for k < min_consecutive:
        # w_d - sum w + w_{d+k+1} >= 1 - k
        for k in range(1, int(st["min_consecutive"])):
            for d in range(H - k - 1):
                inner = [j for dd in range(d + 1, d + k + 1) for j in day[dd]]
                cols = day[d] + day[d + k + 1] + inner
                rows.add(cols, [1.0] * (2 * T) + [-1.0] * len(inner), 1 - k, np.inf)
        # work on d, off on d+1..d+k, work on d+k+1 is forbidden for k < min_consecutive_off:
        # -w_d + sum w - w_{d+k+1} >= -1
        for k in range(1, int(st["min_consecutive_off"])):
            for d in range(H - k - 1):
                inner = [j for dd in range(d + 1, d + k + 1) for j in day[dd]]
                cols = day[d] + day[d + k + 1] + inner
                rows.add(cols, [-1.0] * (2 * T) + [1.0] * len(inner), -1, np.inf)
        for w in range(W):
            kw = nx + i * W + w
            for d in (7 * w + 5, 7 * w + 6):
                rows.add([kw, *day[d]], [1.0] + [-1.0] * T, 0, np.inf)
        rows.add([nx + i * W + w for w in range(W)], [1.0] * W, 0, st["max_weekends"])
    cover_rows = cover[["day", "shift", "requirement"]].itertuples(index=False)
    for q, (d, s, req) in enumerate(cover_rows):
        t = sidx[s]
        cols = [x(i, d, t) for i in range(E)] + [uof + q, oof + q]
        rhs = req - base[q]
        rows.add(cols, [1.0] * E + [1.0, -1.0], rhs, rhs)

    A, lo, hi = rows.matrix(n)
    integrality = np.zeros(n, dtype=np.int8)
    integrality[: nx + nk] = 1
    return CurtoisModel(
        members=members,
        c=c,
        A=A,
        lo=lo,
        hi=hi,
        ub=ub,
        integrality=integrality,
        const=const,
        nx=nx,
        nk=nk,
        horizon=H,
        types=T,
    )

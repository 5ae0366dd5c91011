"""Blocks of (employee, day) cells for the large-neighbourhood search of a Curtois & Qu
roster, drawn by kind with adaptive weights and sizes (Shaw 1998; Ropke and Pisinger 2006),
and where a roster misses its cover, which the draws aim at."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.curtois.instance import CurtoisInstance
from benchmarks.curtois.model import cover_counts, shift_codes

#: Kinds of blocks: whole employees, employees over a window of days, the employees who may
#: mend a badly covered day over a window around it, and a share of the staff over a few
#: days.
KINDS = ("employees", "window", "cover", "days")


def type_codes(instance: CurtoisInstance) -> dict:
    return {s: t for t, s in enumerate(instance.shift_ids)}


@dataclass(frozen=True)
class CoverState:
    """Where a roster misses its cover: the roster as type codes (-1 off), the penalty of
    each cover row, which rows are short, and per day the over-covered type codes."""

    codes: np.ndarray
    penalty: np.ndarray
    short: np.ndarray
    excess: list

    @classmethod
    def of(cls, instance: CurtoisInstance, grid: np.ndarray) -> CoverState:
        cover = instance.cover
        have = cover_counts(instance, grid)
        need = cover["requirement"].to_numpy()
        short = np.clip(need - have, 0, None)
        over = np.clip(have - need, 0, None)
        penalty = cover["under_weight"].to_numpy() * short + cover["over_weight"].to_numpy() * over
        types = cover["shift"].map(type_codes(instance)).to_numpy()
        days = cover["day"].to_numpy()
        excess = [types[(days == d) & (over > 0)] for d in range(instance.horizon)]
        return cls(shift_codes(instance, grid), penalty, short > 0, excess)


class Neighbourhoods:
    """Draws blocks of (employee, day) cells to free, about ``self.size`` cells each."""

    def __init__(self, instance: CurtoisInstance, rng: np.random.Generator):
        self.rng = rng
        self.E, self.H = len(instance.employees), instance.horizon
        # per kind: whole-employee blocks carry every horizon-wide rule and are much harder
        # than day windows of the same size
        self.size = np.full(len(KINDS), float(min(self.E, 3) * self.H))
        self.min_size = float(self.H)
        self.max_size = float(self.E * self.H)
        self.weights = np.ones(len(KINDS))
        cover = instance.cover
        self.cover_day = cover["day"].to_numpy()
        self.cover_type = cover["shift"].map(type_codes(instance)).to_numpy()
        caps = instance.staff["max_shifts"]
        # may[q, i]: employee i may work cover row q at all
        self.may = np.array(
            [
                [
                    caps.iloc[i].get(s, self.H) > 0 and d not in instance.days_off[e]
                    for i, e in enumerate(instance.employees)
                ]
                for d, s in zip(cover["day"], cover["shift"], strict=True)
            ]
        )

    def adapt(self, kind: int, easy: bool):
        factor = 1.1 if easy else 0.8
        self.size[kind] = np.clip(self.size[kind] * factor, self.min_size, self.max_size)

    def reward(self, kind: int, improved: bool):
        self.weights[kind] = max(0.1, 0.8 * self.weights[kind] + 0.2 * (3.0 if improved else 0.0))

    def draw(self, state: CoverState, taken: np.ndarray, share: int):
        """``(kind, mask)``: a boolean employees x days block avoiding ``taken`` employees;
        a block over few days takes ``1 / share`` of the free employees."""
        E, H, rng = self.E, self.H, self.rng
        codes, penalty = state.codes, state.penalty
        pool = np.flatnonzero(~taken)
        kind = int(rng.choice(len(KINDS), p=self.weights / self.weights.sum()))
        if kind == 2 and penalty.sum() == 0:
            kind = 1
        mask = np.zeros((E, H), dtype=bool)
        if kind == 0:
            m = int(np.clip(round(self.size[kind] / H), 1, len(pool)))
            mask[rng.choice(pool, size=m, replace=False)] = True
            return kind, mask
        if kind == 3:
            who = rng.choice(pool, size=-(-len(pool) // share), replace=False)
            length = int(np.clip(round(self.size[kind] / len(who)), 2, H))
            a = int(rng.integers(0, H - length + 1))
            mask[np.ix_(who, np.arange(a, a + length))] = True
            return kind, mask
        length = int(rng.integers(min(7, H), min(14, H) + 1))
        m = int(np.clip(round(self.size[kind] / length), 1, len(pool)))
        if kind == 1:
            a = int(rng.integers(0, H - length + 1))
            who = rng.choice(pool, size=m, replace=False)
        else:
            q = int(rng.choice(len(penalty), p=penalty / penalty.sum()))
            a = int(np.clip(self.cover_day[q] - rng.integers(0, length), 0, H - length))
            # who can mend row q first: for a shortfall those allowed to work it who are off
            # that day or on an over-covered shift; for an excess those working it
            day = int(self.cover_day[q])
            on_it = codes[pool, day] == self.cover_type[q]
            if state.short[q]:
                spare = (codes[pool, day] < 0) | np.isin(codes[pool, day], state.excess[day])
                first = self.may[q, pool] & spare
                second = self.may[q, pool] & ~spare & ~on_it
            else:
                first, second = on_it, ~on_it & self.may[q, pool]
            rest = ~first & ~second
            who = np.concatenate([rng.permutation(pool[g]) for g in (first, second, rest)])[:m]
        mask[np.ix_(who, np.arange(a, a + length))] = True
        return kind, mask


def draw_block(moves, size: float, taken: np.ndarray, rng: np.random.Generator):
    """``(members, days)`` of a block of about ``size`` free (employee, day, type) cells of
    the roster of ``moves`` (:class:`benchmarks.curtois.moves.EmployeeMoves`), avoiding
    ``taken`` employees, over a window of one to four weeks (see :func:`draw_window`)."""
    H, T = moves.req.shape
    length = int(rng.integers(min(7, H), min(28, H) + 1))
    return draw_window(moves, length, round(size / (length * T)), rng, taken)


def draw_window(moves, length: int, m: int, rng: np.random.Generator, taken=None):
    """``(members, days)``: ``m`` employees of the roster of ``moves`` (not ``taken``) and
    ``length`` consecutive days, mostly around a (day, type) drawn by its cover penalty,
    with the employees off that day first; otherwise random employees over a random
    window."""
    penalty = moves.cover_penalty()
    H, T = penalty.shape
    penalty = penalty.ravel()
    taken = np.zeros(len(moves.codes), dtype=bool) if taken is None else taken
    pool = np.flatnonzero(~taken)
    length = min(length, H)
    m = int(np.clip(m, 1, len(pool)))
    if penalty.sum() > 0 and rng.random() < 0.7:
        d = int(rng.choice(len(penalty), p=penalty / penalty.sum())) // T
        a = int(np.clip(d - rng.integers(0, length), 0, H - length))
        off = moves.codes[pool, d] < 0
        order = np.concatenate([rng.permutation(pool[off]), rng.permutation(pool[~off])])
        members = order[:m]
    else:
        a = int(rng.integers(0, H - length + 1))
        members = rng.choice(pool, size=m, replace=False)
    return np.sort(members), np.arange(a, a + length)


def draw_windows_apart(moves, length: int, m: int, rng: np.random.Generator):
    """``(members, windows)``: ``m`` employees and, for each, the days of two windows of
    ``length`` days: one shared, drawn as by :func:`draw_window` (mostly around a badly
    covered day), and one of its own at a random place not touching the first (anywhere,
    should the horizon leave no such place).

    An employee's limits over the horizon (minutes, weekends, shifts of a type) bind its
    whole month: a best response over one window can only spend there what it saves there.
    Over two windows far apart, it can take work from where it helps little to where the
    cover is short.
    """
    members, days = draw_window(moves, length, m, rng)
    H = moves.codes.shape[1]
    length = len(days)
    # starts of a second window leaving a day between it and the first
    starts = np.arange(H - length + 1)
    apart = (starts + length < days[0]) | (starts > days[-1] + 1)
    starts = starts[apart] if apart.any() else starts
    own = rng.choice(starts, size=len(members))
    return members, [np.union1d(days, np.arange(a, a + length)) for a in own]

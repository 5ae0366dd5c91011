"""Larger Curtois & Qu instances stretched from a given one, in the benchmark's own text format.

The published instances grow from 8 employees, 2 weeks and 1 shift type to 150 employees,
52 weeks and 32 types (Curtois and Qu 2014). :func:`stretch_text` makes instances of that
range from a smaller one, deterministically given a seed:

* *weeks*: the horizon is repeated ``weeks`` times; each copy's fixed days off and requests
  are the original ones, each moved by a day now and then, a few dropped; each copy's cover
  requirement is the original one, now and then one more or one less. Every per-horizon
  limit of a contract (shifts per type, total minutes, weekends) is multiplied by
  ``weeks``; block lengths are kept.
* *staff*: ``round(staff * E)`` employees, the first ``E`` the originals, the others clones
  of their contracts (cycling through them) whose days off and requests are the original's
  moved by a random number of days; every cover requirement is scaled by ``staff``.
* *types*: every shift type ``s`` becomes ``types`` types ``s``, ``s_2``, ... of the same
  length, forbidding (and forbidden by) the copies of what ``s`` forbids (is forbidden by);
  a cap of ``s`` below the horizon is shared among the copies, rounded up; each cover row of
  ``s`` is split among the copies at random; a request on ``s`` falls on one copy.

Every hard rule stays per employee and cover stays soft, so a stretched instance is as
feasible as its source in all but contrived cases; :func:`benchmarks.curtois.solve_curtois`
reports the rare employee no month fits.

References
----------
.. [1] T. Curtois and R. Qu, "Computational results on new staff scheduling benchmark
   instances", Technical report, ASAP group, University of Nottingham, 2014.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.curtois.instance import CurtoisInstance, read_curtois

__all__ = ["STRETCHED", "stretch_text", "write_stretched"]

#: Stretched instances the benchmark runs: (name, source instance number, weeks, staff,
#: types, seed).
STRETCHED = (
    ("Instance5_w4", 5, 4, 1.0, 1, 0),
    ("Instance7_s2", 7, 1, 2.0, 1, 0),
    ("Instance10_w2s2", 10, 2, 2.0, 1, 0),
    ("Instance11_w4", 11, 4, 1.0, 1, 0),
    ("Instance7_w2t4", 7, 2, 1.0, 4, 0),
    ("Instance12_w13s2.5", 12, 13, 2.5, 1, 0),
)

#: Chance that a day off, a request or a cover requirement of a repeated copy moves.
_PERTURB = 0.15
#: Chance that a request of a repeated copy is dropped.
_DROP = 0.1


def _check(name, value, low):
    if not (isinstance(value, (int, float, np.integer, np.floating)) and value >= low):
        raise ValueError(f"{name}={value!r} must be a number >= {low}")


def stretch_text(
    instance: CurtoisInstance,
    *,
    weeks: int = 1,
    staff: float = 1.0,
    types: int = 1,
    seed: int = 0,
) -> str:
    """Text of an instance stretched from ``instance`` (see module).

    Parameters
    ----------
    instance : CurtoisInstance
        The source.
    weeks : int
        Copies of the horizon (the horizon grows ``weeks`` times).
    staff : float
        Factor on the number of employees, at least 1.
    types : int
        Copies of each shift type.
    seed : int
        Seed of every perturbation; equal arguments give equal text.

    Returns
    -------
    str
        The instance in the benchmark's text format, readable by
        :func:`benchmarks.curtois.read_curtois`.
    """
    _check("weeks", weeks, 1)
    _check("staff", staff, 1)
    _check("types", types, 1)
    if int(weeks) != weeks or int(types) != types:
        raise ValueError(f"weeks={weeks!r} and types={types!r} must be whole numbers")
    weeks, types = int(weeks), int(types)
    rng = np.random.default_rng(seed)
    H0 = instance.horizon
    H = H0 * weeks
    emps0 = instance.employees
    E0 = len(emps0)
    E = max(E0, round(staff * E0))
    scale = E / E0
    # employee j clones emps0[j % E0], its days moved by shift[j] (0 for the originals)
    names = [str(e) if j < E0 else f"{emps0[j % E0]}c{j // E0}" for j, e in enumerate(
        emps0[j % E0] for j in range(E))]  # fmt: skip
    shift = [0 if j < E0 else int(rng.integers(1, 7)) for j in range(E)]

    def copies(s):
        return [str(s)] + [f"{s}_{k}" for k in range(2, types + 1)]

    def moved(d, copy):
        """Day ``d`` of the source in repeated copy ``copy``, now and then a day off."""
        if copy and rng.random() < _PERTURB:
            d = int(np.clip(d + rng.choice((-1, 1)), 0, H0 - 1))
        return d + copy * H0

    lines = ["SECTION_HORIZON", str(H), "", "SECTION_SHIFTS"]
    shifts = instance.shifts
    for s, row in shifts.iterrows():
        forbid = [f for g in row["forbidden_next"] for f in copies(g)]
        for c in copies(s):
            lines.append(f"{c},{row['length'] // 60},{'|'.join(forbid)}")

    lines += ["", "SECTION_STAFF"]
    for j, name in enumerate(names):
        st = instance.staff.loc[emps0[j % E0]]
        caps = []
        for s in instance.shift_ids:
            cap = int(st["max_shifts"].get(s, H0))
            each = cap * weeks if cap >= H0 else -(-cap * weeks // types)
            caps += [f"{c}={each}" for c in copies(s)]
        lines.append(
            ",".join(
                [
                    name,
                    "|".join(caps),
                    str(int(st["max_minutes"]) * weeks),
                    str(int(st["min_minutes"]) * weeks),
                    str(int(st["max_consecutive"])),
                    str(int(st["min_consecutive"])),
                    str(int(st["min_consecutive_off"])),
                    str(int(st["max_weekends"]) * weeks),
                ]
            )
        )

    lines += ["", "SECTION_DAYS_OFF"]
    for j, name in enumerate(names):
        base = [(d + shift[j]) % H0 for d in instance.days_off[emps0[j % E0]]]
        days = sorted({moved(d, copy) for copy in range(weeks) for d in base})
        if days:
            lines.append(",".join([name, *map(str, days)]))

    def requests(frame):
        out = []
        by_emp = {e: frame[frame["employee"] == e] for e in emps0}
        for j, name in enumerate(names):
            mine = by_emp[emps0[j % E0]]
            for copy in range(weeks):
                for _, d, s, w in mine.itertuples(index=False):
                    if copy and rng.random() < _DROP:
                        continue
                    day = moved((d + shift[j]) % H0, copy)
                    out.append((name, day, copies(s)[int(rng.integers(types))], int(w)))
        # one request per (employee, day, type) at most
        seen, lines = set(), []
        for name, day, s, w in out:
            if (name, day, s) not in seen:
                seen.add((name, day, s))
                lines.append(f"{name},{day},{s},{w}")
        return lines

    lines += ["", "SECTION_SHIFT_ON_REQUESTS", *requests(instance.on_requests)]
    lines += ["", "SECTION_SHIFT_OFF_REQUESTS", *requests(instance.off_requests)]

    lines += ["", "SECTION_COVER"]
    for copy in range(weeks):
        for d, s, req, wu, wo in instance.cover.itertuples(index=False):
            need = round(req * scale)
            if copy and rng.random() < _PERTURB:
                need = max(0, need + int(rng.choice((-1, 1))))
            parts = rng.multinomial(need, np.full(types, 1 / types)) if types > 1 else [need]
            for c, n in zip(copies(s), parts, strict=True):
                lines.append(f"{d + copy * H0},{c},{int(n)},{int(wu)},{int(wo)}")
    return "\n".join(lines) + "\n"


def write_stretched(
    source, path, *, weeks: int = 1, staff: float = 1.0, types: int = 1, seed: int = 0
) -> CurtoisInstance:
    """Stretch the instance file ``source``, write the result to ``path`` and read it back.

    Parameters
    ----------
    source : str or path-like
        A benchmark instance file.
    path : str or path-like
        File to write; its stem becomes the instance's name.
    weeks, staff, types, seed
        As :func:`stretch_text`.

    Returns
    -------
    CurtoisInstance
        The stretched instance as :func:`benchmarks.curtois.read_curtois` reads it.
    """
    text = stretch_text(read_curtois(source), weeks=weeks, staff=staff, types=types, seed=seed)
    path = Path(path)
    path.write_text(text)
    return read_curtois(path)

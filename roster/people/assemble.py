"""Laying out a roster from its patterns: shifts with every meal placed, per-agent totals and
fair shares, coverage per interval (or per date and shift) and what is left unmet."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _interval_meals(p, dd, ss):
    """Meals placed, shift by shift, where the surplus over the requirement is largest.

    Returns (meal rows, scheduled, on_break, net) over the horizon's intervals.
    """
    per_day = p.per_day
    interval = p.interval
    n = len(p.required)
    sched = np.zeros(n + 2 * per_day)
    on_break = np.zeros_like(sched)
    lost = np.zeros_like(sched)
    frac = np.zeros_like(sched)
    for d, s in zip(dd, ss, strict=True):
        t = p.templates[s]
        cov = t.coverage(interval)
        sched[d * per_day : d * per_day + len(cov)] += cov
        frac[d * per_day : d * per_day + len(cov)] += cov * (1.0 - t.short_breaks / 3600.0)
    surplus = frac.copy()
    surplus[:n] -= p.required
    meals = []
    for k in np.argsort(ss, kind="stable"):
        d, s = dd[k], ss[k]
        t = p.templates[s]
        keep = 1.0 - t.short_breaks / 3600.0
        base = d * per_day
        taken = np.zeros(0, dtype=np.int64)
        for rule in t.breaks:
            st = t.break_starts(rule, interval)
            m = rule.length // interval
            span = base + st[:, None] + np.arange(m)[None, :]
            scores = surplus[span].min(axis=1)
            # two meals of one shift never overlap
            clash = np.isin(span, taken).any(axis=1)
            scores = np.where(clash, -np.inf, scores)
            a = int(st[int(np.argmax(scores))])
            sl = slice(base + a, base + a + m)
            surplus[sl] -= keep
            lost[sl] += keep
            on_break[sl] += 1.0
            taken = np.concatenate([taken, np.arange(base + a, base + a + m)])
            meals.append((k, rule, p.dates[d] + pd.Timedelta(seconds=int(a * interval))))
    net = frac[:n] - lost[:n]
    return meals, sched[:n], on_break[:n], net


def _staggered_meals(p, dd, ss, names_of, blocks, step):
    """Meals of a per-shift roster: stage-1 blocks handed out in start order to the agents
    of that shift and day (in name order), the rest staggered evenly over their windows."""
    meals = []
    given = {}
    if blocks is not None and len(blocks):
        b = blocks.copy()
        b["date"] = pd.to_datetime(b["date"]).dt.normalize()
        for key, g in b.sort_values("start").groupby(["date", "shift", "break"], sort=False):
            starts = np.repeat(
                pd.to_datetime(g["start"]).to_numpy(), g["agents"].to_numpy().astype(int)
            )
            given[key] = list(starts)
    by_day_shift = {}
    for k, (d, s) in enumerate(zip(dd, ss, strict=True)):
        by_day_shift.setdefault((d, s), []).append(k)
    for (d, s), rows in by_day_shift.items():
        t = p.templates[s]
        rows = sorted(rows, key=lambda k: names_of[k])
        day = p.dates[d]
        for rule in t.breaks:
            pool = given.get((day, t.name, rule.name), [])
            first = t.start + rule.earliest
            options = np.arange(first, t.start + rule.latest + 1, step)
            if len(options) == 0:
                options = np.array([first])
            for j, k in enumerate(rows):
                if j < len(pool):
                    at = pd.Timestamp(pool[j])
                else:
                    m = j - len(pool)
                    n_left = len(rows) - len(pool)
                    at = day + pd.Timedelta(seconds=int(options[(m * len(options)) // n_left]))
                meals.append((k, rule, at))
    return meals


def assemble(p, rules, grid, pricer_of, fair_means, diagnosis, *, meal_blocks):
    """Frames of a roster from its grid of patterns (agents x days, -1 off)."""
    A, D = grid.shape
    S = p.S
    ii, dd = np.nonzero(grid >= 0)
    ss = grid[ii, dd]
    tpl = p.templates
    starts = p.dates[dd] + pd.to_timedelta([tpl[s].start for s in ss], unit="s")
    ends = p.dates[dd] + pd.to_timedelta([tpl[s].end for s in ss], unit="s")
    names_of = np.asarray(p.agent_names, dtype=object)[ii]

    if p.per_shift:
        sched = np.zeros(D * S)
        np.add.at(sched, dd * S + ss, 1.0)
        on_break = np.zeros_like(sched)
        net = sched
        step = p.interval
        meals = []
        if meal_blocks is not None:
            blocks = None if isinstance(meal_blocks, str) else meal_blocks
            meals = _staggered_meals(p, dd, ss, names_of, blocks, step)
    else:
        meals, sched, on_break, net = _interval_meals(p, dd, ss)

    brk_start = np.full(len(ii), np.datetime64("NaT"), dtype="datetime64[ns]")
    brk_end = brk_start.copy()
    n_meals = np.zeros(len(ii), dtype=np.int64)
    rows = []
    for k, rule, at in sorted(meals, key=lambda m: (m[0], m[2])):
        end = at + pd.Timedelta(seconds=rule.length)
        if n_meals[k] == 0:
            brk_start[k] = np.datetime64(at, "ns")
            brk_end[k] = np.datetime64(end, "ns")
        n_meals[k] += 1
        rows.append((names_of[k], p.dates[dd[k]], p.names[ss[k]], rule.name, at, end, rule.paid))
    breaks = pd.DataFrame(
        rows, columns=["agent", "date", "shift", "break", "start", "end", "paid"]
    )

    assignments = pd.DataFrame(
        {
            "agent": names_of,
            "date": p.dates[dd],
            "shift": np.asarray(p.names, dtype=object)[ss],
            "start": starts,
            "end": ends,
            "break_start": brk_start,
            "break_end": brk_end,
            "paid": np.array([tpl[s].paid_time for s in ss], dtype=np.int64),
            "night": np.asarray([tpl[s].night_class for s in ss], dtype=object),
            "holiday": p.holiday[dd],
            "meals": n_meals,
            "short_breaks": np.array(
                [tpl[s].short_breaks * tpl[s].attendance // 3600 for s in ss], dtype=np.int64
            ),
        }
    )

    # totals, cost and fair shares
    work = grid >= 0
    paid_t = np.zeros(A)
    nights = np.zeros(A, dtype=np.int64)
    cost = np.zeros(A)
    np.add.at(paid_t, ii, [tpl[s].paid_time for s in ss])
    np.add.at(nights, ii, p.big[ss].astype(np.int64))
    np.add.at(cost, ii, p.pay_unit[dd, ss] * p.rate[ii] + p.req_cost[ii, dd, ss])
    cost += p.req_const
    week = p.dates.isocalendar().week.to_numpy()
    weekends = np.array([len(set(week[work[i] & p.weekend])) for i in range(A)])
    for i in range(A):
        cost[i] += pricer_of[i].extras(grid[i])
    holidays_worked = (work & p.holiday[None, :]).sum(axis=1)
    totals = pd.DataFrame(
        {
            "shifts": work.sum(axis=1),
            "paid": paid_t,
            "nights": nights,
            "rest_days": rules.rest_days(work, work & p.crosses[np.maximum(grid, 0)]),
            "weekend_days": (work & p.weekend[None, :]).sum(axis=1),
            "weekends": weekends,
            "holidays_worked": holidays_worked,
            "cost": cost,
        },
        index=pd.Index(p.agent_names, name="agent"),
    )
    for col, key in (
        ("nights", "nights"),
        ("weekends", "weekends"),
        ("holidays_worked", "holidays"),
    ):
        mean = totals[col].mean() if fair_means is None else fair_means[key]
        totals[f"{key}_dev"] = totals[col] - mean

    if p.per_shift:
        coverage = pd.DataFrame(
            {"required": p.required, "scheduled": sched, "on_break": on_break, "net": net},
            index=p.periods,
        )
    else:
        coverage = pd.DataFrame(
            {"required": p.required, "scheduled": sched, "on_break": on_break, "net": net},
            index=pd.Index(p.periods, name="interval"),
        )
    coverage["gap"] = coverage["net"] - coverage["required"]
    per_day_shift = np.zeros((D, S), dtype=np.int64)
    np.add.at(per_day_shift, (dd, ss), 1)
    shifts = pd.DataFrame(per_day_shift, index=pd.Index(p.dates, name="date"), columns=p.names)

    short = np.clip(-coverage["gap"].to_numpy(), 0, None)
    unmet_mask = short > 1e-6
    unmet = pd.DataFrame(
        {
            "period": coverage.index[unmet_mask],
            "required": coverage["required"].to_numpy()[unmet_mask],
            "net": coverage["net"].to_numpy()[unmet_mask],
            "short": short[unmet_mask],
        }
    )
    diagnosis = list(diagnosis)
    if p.reach is not None:
        dead = (~p.reach) & (np.asarray(p.required) > 0)
        if dead.any():
            first = coverage.index[dead][0]
            diagnosis.append(
                f"{int(dead.sum())} intervals with requirement are covered by no template "
                f"(first {first}); add a template spanning them"
            )
    if unmet_mask.any():
        diagnosis.append(
            f"requirement not met in {int(unmet_mask.sum())} periods, "
            f"{short.sum():.1f} agent-periods short in total"
        )
    return {
        "assignments": assignments,
        "totals": totals,
        "coverage": coverage,
        "unmet": unmet,
        "diagnosis": diagnosis,
        "breaks": breaks,
        "shifts": shifts,
    }

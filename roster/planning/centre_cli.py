"""``seatplan plan`` for a centre of several queues and skills (``--centre`` or ``--sample``)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

#: Flags of the single-queue plan that a centre's description settles per queue or per group.
_QUEUE_ONLY = ("agents", "aht", "risk", "calls")


def read_centre(path):
    """The centre of a TOML file of ``[[queues]]`` and ``[[groups]]`` tables."""
    from erlang.skills import Centre
    from roster.planning.tables import read_toml

    return Centre.from_dict(read_toml(path, f"--centre {path}"), source=str(path))


def run_centre(args, settings, rules, policy, reading) -> int:
    """Plan the centre, write its report folder and print its headline lines."""
    t0 = time.perf_counter()
    for key in _QUEUE_ONLY:
        if getattr(args, key, None) is not None or settings.get(key) is not None:
            raise ValueError(
                f"--{key.replace('_', '-')} is for one queue; a centre's queues and groups "
                "carry their own (see --centre)"
            )
    if args.centre:
        centre = read_centre(args.centre)
        if not args.history:
            raise ValueError("--centre needs --history: a file with columns queue, ds, y")
    elif args.history:
        raise ValueError("--sample carrier plans the bundled sample; give --centre with --history")
    from roster.planning.centre import plan_centre
    from roster.planning.clock import print_progress
    from roster.planning.inputs import read_history
    from roster.planning.samples import carrier_sample

    if args.centre:
        history = read_history(args.history, queues=True, **reading)
        what = f"history {args.history}, centre {args.centre}"
    else:
        history, centre = carrier_sample()
        what = "bundled carrier sample: pre-sales, after-sales and VIP, four agent groups"
    print(f"seatplan plan: {what}", file=sys.stderr)

    plan = plan_centre(
        history[["unique_id", "ds", "y"]],
        centre,
        month=settings["month"],
        days=settings["days"],
        policy=policy,
        rules=rules,
        calendar=settings["calendar"],
        model=settings["model"],
        replications=settings["replications"],
        seed=settings["seed"],
        time_limit=float(settings["time_limit"]),
        progress=None if args.quiet else print_progress,
    )
    from roster.planning.centre_report import write_centre_report

    files = write_centre_report(plan, args.out, calendar=settings["calendar"])
    s = plan.summary()
    queues, groups = plan.queues(), plan.groups()
    print(f"month: {s.first_day} to {s.last_day}  ({what.split(':')[0]})")
    print(f"contacts forecast: {s.contacts_forecast:,.0f} in {s.queues} queues")
    for name, row in groups.iterrows():
        print(
            f"group {name} ({row.skills}): {row.agents} agents, required "
            f"{row.required_agent_h:,.0f} agent-h, rostered net {row.net_agent_h:,.0f}"
        )
    print(f"pooling: {s.pooling_saved:.1%} fewer agent-intervals than separate pools")
    for name, row in queues.iterrows():
        line = f"queue {name}: {row.contacts_forecast:,.0f} contacts"
        if "service_level" in row:
            line += (
                f", service level ({row.threshold:g} s) simulated {row.service_level:.1%} "
                f"± {row.service_level_hw:.1%}, target {row.target_service_level:.0%}"
            )
        print(line)
    print(f"rule violations: {s.violations_hard} hard")
    print(f"report: {len(files)} files in {Path(args.out).resolve()}")
    print(f"time: {time.perf_counter() - t0:.0f} s")
    return 0

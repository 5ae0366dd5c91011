"""``seatplan plan`` on many queues: a history file with several queues, or the sample
network, planned by :func:`roster.plan_many` with one report folder per queue and a network
summary."""

from __future__ import annotations

import sys
import time
from pathlib import Path

__all__ = ["SAMPLE_QUEUES", "add_batch_flags", "network_history", "run_batch"]

#: Queues of ``seatplan plan --sample network`` unless ``--queues`` says otherwise.
SAMPLE_QUEUES = 50


def add_batch_flags(parser) -> None:
    """The flags of a batch plan on the ``plan`` command's parser."""
    group = parser.add_argument_group(
        "many queues",
        "a --history file with several queues (a queue column: 队列, 技能组, unique_id ...) or "
        "--sample network is planned queue by queue: forecast, requirement and KPIs (and "
        "stage-1 shifts with --shifts), one report folder per queue and summary.csv",
    )
    group.add_argument(
        "--engine",
        choices=("serial", "local", "dask"),
        help="where the queues run: this process, local processes (default) or Dask",
    )
    group.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler to run on, e.g. tcp://host:8786"
    )
    group.add_argument(
        "--workers", type=int, help="local processes or local Dask workers (default: cores)"
    )
    group.add_argument(
        "--queues",
        type=int,
        help=f"queues of --sample network (default {SAMPLE_QUEUES})",
    )
    group.add_argument("--shifts", action="store_true", help="stage-1 shift counts per queue")


def network_history(args, reading: dict):
    """The long history of a batch plan, or None when the plan is of one queue.

    ``--sample network`` gives :func:`roster.batch.synthetic_network`'s history and settings;
    a ``--history`` file with a queue column holding several queues gives its rows by queue.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame or None) or None
        The long history (``unique_id``, ``ds``, ``y``, optionally ``aht``) and the queues'
        own settings.
    """
    if args.calls is not None:
        return _one_queue(args)
    if args.history is None:
        if args.sample != "network":
            return _one_queue(args)
        from roster.batch.network import synthetic_network

        n = SAMPLE_QUEUES if args.queues is None else args.queues
        if n < 1:
            raise ValueError(f"--queues {n}: must be >= 1")
        net = synthetic_network(n, start="2025-09-01", end="2025-12-31", seed=0)
        print(f"seatplan plan: sample network of {n} synthetic hotlines", file=sys.stderr)
        return net.history, net.settings
    from roster.planning.inputs import read_history
    from roster.planning.tables import read_table, rename_columns

    table = read_table(args.history, encoding=reading["encoding"])
    named = rename_columns(table, args.history, ["queue"], columns=reading["columns"])
    if "queue" not in named.columns or named["queue"].nunique() <= 1:
        return _one_queue(args)
    frame = read_history(args.history, queues=True, table=table, **reading)
    return frame, None


def _one_queue(args) -> None:
    """None, for a plan of one queue; the batch's own flags are refused there."""
    for name in ("engine", "scheduler", "workers", "queues"):
        if getattr(args, name, None) is not None:
            raise ValueError(
                f"--{name} is for several queues: a --history file with a queue column or "
                "--sample network"
            )
    if getattr(args, "shifts", False):
        raise ValueError("--shifts is for several queues (one queue's plan always has them)")
    return None


def run_batch(args, network, settings: dict, staffing, queue: dict) -> int:
    """Plan every queue of ``network`` and write the report folders; the exit status."""
    from roster.batch.plan import plan_many

    history, queue_settings = network
    if args.scheduler and args.engine not in (None, "dask"):
        raise ValueError(f"--scheduler is for --engine dask, got --engine {args.engine}")
    for key, flag in (("trunks", "--trunks"), ("redials", "--redial-prob"), ("chat", "--chat")):
        if queue.get(key) is not None:
            raise ValueError(f"{flag} is for one queue; a batch plans Erlang A or C queues")
    patience = queue.get("patience")
    if patience is not None and not isinstance(patience, int | float):
        raise ValueError("a batch takes a mean patience (--patience), not a law or a fit")
    engine = args.scheduler or args.engine or "local"
    stages = ("forecast", "requirement", "schedule", "kpis") if args.shifts else None
    t0 = time.perf_counter()
    result = plan_many(
        history,
        queue_settings,
        engine=engine,
        workers=args.workers,
        **({"stages": stages} if stages else {}),
        seed=settings["seed"],
        month=settings["month"],
        days=settings["days"],
        targets=staffing.targets,
        policy=staffing.policy,
        patience=patience,
        aht=settings["aht"] if settings["aht"] is not None else 300.0,
        calendar=settings["calendar"],
        model=settings["model"],
        time_limit=float(settings["time_limit"]),
        out=args.out,
        quiet=args.quiet,
    )
    k = result.kpis
    planned = len(k) - k["unique_id"].isin(result.errors["unique_id"]).sum() if len(k) else 0
    print(
        f"queues: {planned} planned, {result.errors['unique_id'].nunique()} failed "
        f"(engine {result.engine}, {result.workers} workers)"
    )
    if len(k):
        print(f"days: {k['first_day'].min()} to {k['last_day'].max()}")
        print(f"contacts forecast: {k['contacts_forecast'].sum():,.0f}")
    if "required_agent_h" in k:
        print(f"agent-hours required: {k['required_agent_h'].sum():,.0f}")
    if "agent_shifts" in k:
        print(f"stage-1 agent shifts: {k['agent_shifts'].sum():,.0f}")
    for row in result.errors.head(5).itertuples(index=False):
        print(f"seatplan plan: {row.unique_id}: {row.stage}: {row.message}", file=sys.stderr)
    where = Path(args.out).resolve()
    print(f"report: one folder per queue, summary.csv and errors.csv in {where}")
    print(f"time: {time.perf_counter() - t0:.0f} s")
    return 0 if planned else 2

"""``seatplan intraday``: the re-plan of the rest of today from files."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["add_intraday", "read_roster", "run_intraday"]

_CODE = re.compile(r"^(\d{2})(\d{2})-(\d{2})(\d{2})$")
_HEADER_DATE = re.compile(r"^(\d{2})-(\d{2})")


def add_intraday(commands) -> None:
    """Add the ``intraday`` subcommand to the ``seatplan`` parser's subcommands."""
    p = commands.add_parser(
        "intraday",
        help="re-plan the rest of today: gap, escalation and ranked moves",
        description="Re-forecast the rest of today from the calls so far, find the staffing "
        "gap after absences (by Erlang and by simulation from the live queue) and rank the "
        "moves that close it. Prints a short table; progress goes to stderr.",
    )
    p.add_argument("--roster", required=True, help="roster: assignments CSV or the plan's "
                   "roster.xlsx (shift codes HHMM-HHMM)")  # fmt: skip
    p.add_argument("--forecast", help="the day's forecast CSV (interval_start, mean, q0.1..., "
                   "aht); default forecast.csv beside the roster")  # fmt: skip
    p.add_argument("--actuals", required=True, help="calls so far today: CSV ds,y")
    p.add_argument("--absences", help="CSV agent,status[,late_minutes] (absent / late)")
    p.add_argument("--now", help="time of the re-plan, HH:MM or a timestamp (default: after "
                   "the last actual interval)")  # fmt: skip
    p.add_argument("--waiting", type=int, default=0, help="callers waiting now")
    p.add_argument("--busy", type=int, default=0, help="agents on a call now")
    p.add_argument("--rules", help="TOML file with an [escalation] table")
    p.add_argument("--reserve", help="CSV agent,kind,start,end of floaters / back office")
    p.add_argument("--pulloffs", help="CSV agent,start,end[,activity] of today's pull-offs")
    p.add_argument("--aht", type=float, help="handle time when the forecast has none [s]")
    p.add_argument("--patience", type=float, default=60.0, help="mean caller patience [s]")
    p.add_argument("--replications", type=int, default=20, help="simulation runs per scenario")
    p.add_argument("--seed", type=int, default=0, help="simulation seed")
    p.add_argument("--top", type=int, default=10, help="actions shown")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(run=run_intraday)


def _say(args, text: str) -> None:
    if not args.quiet:
        print(text, file=sys.stderr, flush=True)


def read_roster(path, year: int | None = None) -> pd.DataFrame:
    """Assignments from a roster file: a CSV (or Excel first sheet) with ``agent``,
    ``start``, ``end`` (and optional ``shift``, ``break_start``, ``break_end``,
    ``short_breaks``), or the plan's ``roster.xlsx`` (its ``Roster`` sheet of shift codes
    ``HHMM-HHMM`` per agent and day; the meal is put in the middle of the default meal
    window of :func:`roster.shifts.default_meal`, the grid does not hold it).

    Parameters
    ----------
    path : str or path-like
    year : int, optional
        Year of the ``MM-DD`` day headers of a ``roster.xlsx``.
    """
    from roster.planning.tables import InputFileError, parse_times, read_table, require_columns

    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            sheets = pd.ExcelFile(path, engine="openpyxl").sheet_names
        except (OSError, ValueError) as exc:
            raise InputFileError(path, f"cannot be read ({exc})") from None
        if "Roster" in sheets:
            return _read_grid(path, year)
    frame = read_table(path)
    require_columns(frame, path, ["agent", "start", "end"])
    out = pd.DataFrame({"agent": frame["agent"].astype(str).str.strip()})
    for column in ("start", "end", "break_start", "break_end"):
        if column in frame:
            out[column] = parse_times(frame, path, column, optional=column.startswith("break"))
    if "shift" in frame:
        out["shift"] = frame["shift"].astype(str)
    if "short_breaks" in frame:
        out["short_breaks"] = pd.to_numeric(frame["short_breaks"], errors="coerce")
    bad = out["end"] <= out["start"]
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputFileError(path, "end must be after start", row=i + 1, column="end")
    return out


def _read_grid(path: Path, year: int | None) -> pd.DataFrame:
    from roster.planning.tables import InputFileError
    from roster.shifts import default_meal

    grid = pd.read_excel(path, sheet_name="Roster", dtype=str, index_col=0, engine="openpyxl")
    year = pd.Timestamp.today().year if year is None else year
    rows = []
    for column in grid.columns:
        found = _HEADER_DATE.match(str(column))
        if not found:
            continue
        day = pd.Timestamp(year=year, month=int(found[1]), day=int(found[2]))
        for agent, cell in grid[column].dropna().items():
            for code in str(cell).split("/"):
                code = code.strip()
                parts = _CODE.match(code)
                if not parts:
                    continue  # a rest day, leave, a legend line
                h0, m0, h1, m1 = (int(x) for x in parts.groups())
                start = day + pd.Timedelta(hours=h0, minutes=m0)
                end = day + pd.Timedelta(hours=h1, minutes=m1)
                if end <= start:
                    end += pd.Timedelta(days=1)
                length = int((end - start).total_seconds())
                meal = default_meal(length)
                b0 = b1 = pd.NaT
                if meal:
                    rule = meal[0]
                    mid = (rule.earliest + rule.latest) // 2 // 1800 * 1800
                    b0 = start + pd.Timedelta(seconds=mid)
                    b1 = b0 + pd.Timedelta(seconds=rule.length)
                rows.append((str(agent), code, start, end, b0, b1))
    if not rows:
        raise InputFileError(path, "the Roster sheet holds no shift codes HHMM-HHMM")
    columns = ["agent", "shift", "start", "end", "break_start", "break_end"]
    return pd.DataFrame(rows, columns=columns)


def _read_series(path, name: str) -> pd.Series:
    from roster.planning.tables import parse_numbers, parse_times, read_table, require_columns

    frame = read_table(path)
    require_columns(frame, path, ["ds", "y"])
    ds = parse_times(frame, path, "ds")
    y = parse_numbers(frame, path, "y")
    return pd.Series(y.to_numpy(float), index=pd.DatetimeIndex(ds), name=name)


def _read_forecast(path) -> pd.DataFrame:
    from roster.planning.tables import InputFileError, parse_numbers, parse_times, read_table

    frame = read_table(path)
    stamp = next((c for c in ("interval_start", "ds") if c in frame.columns), None)
    if stamp is None or "mean" not in frame.columns:
        raise InputFileError(path, "needs columns interval_start (or ds) and mean")
    keep = [c for c in frame.columns if c == "mean" or c == "aht" or str(c).startswith("q")]
    out = pd.DataFrame(
        {c: parse_numbers(frame, path, c, low=0).to_numpy() for c in keep},
        index=pd.DatetimeIndex(parse_times(frame, path, stamp), name="ds"),
    )
    return out


def _read_frame(path, columns, times=()) -> pd.DataFrame:
    from roster.planning.tables import parse_times, read_table, require_columns

    frame = read_table(path)
    require_columns(frame, path, columns)
    out = frame.copy()
    for column in times:
        out[column] = parse_times(frame, path, column)
    out["agent"] = out["agent"].astype(str).str.strip()
    return out


def _now(text, actuals: pd.Series, forecast: pd.DataFrame):
    if text is None:
        return None
    if re.fullmatch(r"\d{1,2}:\d{2}", text.strip()):
        base = actuals.index if len(actuals) else forecast.index
        day = pd.DatetimeIndex(base).min().normalize()
        hours, minutes = (int(x) for x in text.strip().split(":"))
        if hours > 24 or minutes > 59:
            raise ValueError(f"--now {text!r} is not a time of day")
        return day + pd.Timedelta(hours=hours, minutes=minutes)
    try:
        return pd.Timestamp(text)
    except ValueError:
        raise ValueError(f"--now {text!r} is neither HH:MM nor a timestamp") from None


def run_intraday(args) -> int:
    """Run ``seatplan intraday`` and print its table on stdout."""
    from roster.intraday.replan import replan
    from roster.intraday.rules import EscalationRules

    rules = EscalationRules.from_toml(args.rules) if args.rules else EscalationRules()
    forecast_path = (
        Path(args.forecast) if args.forecast else Path(args.roster).with_name("forecast.csv")
    )
    _say(args, f"reading {args.roster}, {forecast_path}, {args.actuals}")
    forecast = _read_forecast(forecast_path)
    actuals = _read_series(args.actuals, "actuals")
    roster = read_roster(args.roster, year=int(forecast.index[0].year))
    absences = None
    if args.absences:
        absences = _read_frame(args.absences, ["agent", "status"])
    reserve = None
    if args.reserve:
        reserve = _read_frame(args.reserve, ["agent", "kind", "start", "end"], ("start", "end"))
    pulloffs = None
    if args.pulloffs:
        pulloffs = _read_frame(args.pulloffs, ["agent", "start", "end"], ("start", "end"))
    now = _now(args.now, actuals, forecast)
    _say(args, f"simulating the rest of the day, {args.replications} replications per scenario")
    plan = replan(
        roster,
        forecast,
        actuals,
        now=now,
        absences=absences,
        waiting=args.waiting,
        busy=args.busy,
        aht=args.aht,
        pulloffs=pulloffs,
        reserve=reserve,
        patience=args.patience,
        rules=rules,
        replications=args.replications,
        seed=args.seed,
    )
    print(format_plan(plan, top=args.top))
    return 0


def format_plan(plan, top: int = 10) -> str:
    """The short text table ``seatplan intraday`` prints."""
    s = plan.summary
    lines = [
        f"now {s['now']:%Y-%m-%d %H:%M}: ladder level {s['level']}, "
        f"{s['agents_absent']} absent, {s['agents_late']} late",
        f"service level, rest of day: {s['sl_rest_before']:.1%} as rostered, "
        f"{s['sl_rest_after']:.1%} with {s['actions_applied']} action(s) "
        f"(+{s['sl_rest_gain']:.1%} ± {s['sl_rest_gain_hw']:.1%})",
    ]
    short = plan.gap[plan.gap["gap"] < 0]
    if len(short):
        lines.append(
            f"short by formula in {len(short)} of {len(plan.gap)} intervals, worst "
            f"{short['gap'].min():.1f} agents at {short['gap'].idxmin():%H:%M}"
        )
    for alarm in plan.alarms.itertuples(index=False):
        lines.append(
            f"alarm ({alarm.source}) {alarm.ds:%H:%M}: "
            f"{alarm.waiting:.0f} waiting -> {alarm.action}"
        )
    table = plan.actions.head(top)
    if len(table):
        shown = pd.DataFrame(
            {
                "rank": table["rank"],
                "action": table["kind"],
                "agent": table["agent"],
                "time": [
                    f"{a:%H:%M}-{b:%H:%M}"
                    for a, b in zip(table["start"], table["end"], strict=True)
                ],
                "hours": table["agent_hours"].round(1),
                "sl_gain": [
                    f"{g:+.1%} ± {h:.1%}"
                    for g, h in zip(table["sl_rest_gain"], table["sl_rest_gain_hw"], strict=True)
                ],
                "confirmed": table["confirmed"].map({True: "yes", False: "no"}),
                "allowed": table["allowed"].map({True: "yes", False: "not yet"}),
                "applied": table["applied"].map({True: "*", False: ""}),
            }
        )
        lines.append(shown.to_string(index=False))
    else:
        lines.append("no action to propose")
    return "\n".join(lines)

"""Work orders with deadlines: the model's checks, the deadlines on the calendar, the linear
program against an earliest-deadline-first simulation of single orders and against a dense
reference program, and the plan's hook."""

import heapq

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import forecast
from roster.planning import WorkOrderClass, WorkOrders, plan
from roster.workorders import due_intervals, schedule_work_orders

HOUR = 3600


# --- the model's checks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"handle_time": -5, "share": 0.1, "deadline": 7200}, "handle_time must be a positive"),
        ({"handle_time": 300, "deadline": 7200}, "exactly one of share"),
        ({"handle_time": 300, "share": 0.1, "volume": 2, "deadline": 7200}, "exactly one"),
        ({"handle_time": 300, "share": -0.1, "deadline": 7200}, "share must be a number >= 0"),
        ({"handle_time": 300, "share": 0.1}, "exactly one of deadline"),
        ({"handle_time": 300, "share": 0.1, "working_days": 1.5}, "working_days must be"),
        ({"handle_time": 300, "share": 0.1, "deadline": 0}, "deadline must be a positive"),
    ],
)
def test_bad_class_is_one_line_naming_it(kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        WorkOrderClass("complaint", **kwargs)
    assert "'complaint'" in str(err.value) and "\n" not in str(err.value)


def test_deadline_shorter_than_an_interval_is_named():
    index = pd.date_range("2026-03-02", periods=48, freq="30min")
    order = WorkOrderClass("callback", 300, share=0.1, deadline=600)
    message = r"'callback': deadline=600 s is shorter than an interval \(1800 s\)"
    with pytest.raises(ValueError, match=message):
        schedule_work_orders(
            WorkOrders([order]), pd.Series(10.0, index=index), pd.Series(1.0, index=index)
        )


def test_unknown_class_and_bad_tables_are_named():
    orders = WorkOrders([WorkOrderClass("a", 300, share=0.1, deadline=7200)])
    index = pd.date_range("2026-03-02", periods=8, freq="30min")
    with pytest.raises(ValueError, match=r"unknown work-order class 'b'; classes are \['a'\]"):
        schedule_work_orders(
            orders,
            pd.Series(10.0, index=index),
            pd.Series(1.0, index=index),
            arrivals=pd.DataFrame({"b": 1.0}, index=index),
        )
    message = r"cfg.toml \[\[work_orders\]\] #1: unknown keys \['sla'\]"
    with pytest.raises(ValueError, match=message):
        WorkOrders.from_config([{"name": "a", "handle_time": 60, "sla": 2}], source="cfg.toml")
    with pytest.raises(ValueError, match="class names must be unique"):
        WorkOrders([orders.classes[0], orders.classes[0]])
    with pytest.raises(ValueError, match="idle_share must be in"):
        WorkOrders(orders.classes, idle_share=1.5)
    with pytest.raises(ValueError, match="back_office must be a number of agents"):
        WorkOrders(orders.classes, back_office=-1)


# --- deadlines on the grid and the calendar --------------------------------------------------


def test_deadline_in_seconds_on_the_grid():
    index = pd.date_range("2026-03-02", periods=20, freq="30min")
    order = WorkOrderClass("a", 60, share=0.1, deadline=2 * HOUR)
    due = due_intervals(order, index, 1800)
    # worked from the next interval, due four intervals after the arrival interval
    assert list(due[:5]) == [4, 5, 6, 7, 8]
    assert (due[16:] == 20).all()  # after the horizon
    odd = WorkOrderClass("b", 60, share=0.1, deadline=2 * HOUR + 1700)
    assert due_intervals(odd, index, 1800)[0] == 4  # rounded down to the grid


def test_working_days_follow_holidays_and_make_up_days():
    """2026 Spring Festival: 15-23 Feb off, Saturdays 14 and 28 Feb worked."""
    index = pd.date_range("2026-02-12", "2026-02-28 23:30", freq="30min")
    ends = index + pd.Timedelta(minutes=30)

    def due_day(days, arrival):
        order = WorkOrderClass("c", 60, share=0.1, working_days=days)
        pos = due_intervals(order, index, 1800)[index.get_loc(pd.Timestamp(arrival))]
        return ends[pos] - pd.Timedelta(seconds=1) if pos < len(index) else None

    assert due_day(1, "2026-02-13 10:00").date() == pd.Timestamp("2026-02-14").date()
    assert due_day(2, "2026-02-13 10:00").date() == pd.Timestamp("2026-02-24").date()
    assert due_day(4, "2026-02-12 09:00").date() == pd.Timestamp("2026-02-25").date()
    assert due_day(1, "2026-02-15 09:00").date() == pd.Timestamp("2026-02-24").date()
    assert due_day(1, "2026-02-28 09:00") is None  # due after the horizon


# --- the program against independent computations --------------------------------------------


def _edf(arrivals, handle, due, capacity):
    """Single orders worked earliest deadline first, event by event, on ``capacity`` agent
    seconds per interval; orders come in at the end of their interval, and a late order is
    still worked.

    Returns the seconds of work late (open after its due interval), the work open at the end
    of each interval and the number of orders late.
    """
    n = len(capacity)
    heap, late, seq, late_orders = [], 0.0, 0, 0
    open_work = np.zeros(n)
    for t in range(n):
        left = capacity[t]
        while left > 1e-9 and heap:
            d, s, rest = heapq.heappop(heap)
            take = min(left, rest)
            left -= take
            if rest - take > 1e-7:
                heapq.heappush(heap, (d, s, rest - take))
        # open after the interval it is due in: late, and still to be worked
        for d, s, rest in heap:
            if d == t:
                late += rest
                late_orders += 1
        for k in range(arrivals.shape[0]):
            for _ in range(int(arrivals[k, t])):
                heapq.heappush(heap, (due[k][t], seq, handle[k]))
                seq += 1
        open_work[t] = sum(rest for _, _, rest in heap)
    return late, open_work, late_orders


@st.composite
def instances(draw):
    n = draw(st.integers(6, 60))
    k = draw(st.integers(1, 3))
    deadlines = draw(st.lists(st.sampled_from([1800, 3600, 7200, 4 * HOUR]), min_size=k,
                              max_size=k))  # fmt: skip
    handle = draw(st.lists(st.sampled_from([120.0, 300.0, 900.0, 1800.0]), min_size=k,
                           max_size=k))  # fmt: skip
    counts = np.array(draw(st.lists(st.integers(0, 4), min_size=k * n, max_size=k * n)))
    idle = np.array(draw(st.lists(st.floats(0, 2), min_size=n, max_size=n)))
    back = draw(st.floats(0, 1))
    return n, deadlines, handle, counts.reshape(k, n).astype(float), idle, back


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_capacity_found_closes_every_order_under_edf(instance):
    """Earliest deadline first on the time the program uses closes every order due within
    the horizon in time (Horn 1974), and leaves the same work open at every interval end."""
    n, deadlines, handle, counts, idle, back = instance
    index = pd.date_range("2026-03-02", periods=n, freq="30min")
    names = [f"c{k}" for k in range(len(deadlines))]
    orders = WorkOrders(
        [
            WorkOrderClass(name, h, volume=0.0, deadline=d)
            for name, h, d in zip(names, handle, deadlines, strict=True)
        ],
        back_office=back,
        idle_share=1.0,
    )
    result = schedule_work_orders(
        orders,
        pd.Series(0.0, index=index),
        pd.Series(idle, index=index),
        arrivals=pd.DataFrame(counts.T, index=index, columns=names),
    )
    cap = result.capacity
    assert (cap["idle_used"] <= cap["idle"] + 1e-6).all()
    assert (cap["back_office_used"] <= back + 1e-6).all()
    assert (cap["added"] >= 0).all()
    used = (cap["idle_used"] + cap["back_office_used"] + cap["added"]).to_numpy() * 1800
    # due interval on a contiguous grid, computed here: arrival + floor(D / I)
    due = [np.arange(n) + d // 1800 for d in deadlines]
    due = [np.where(d < n, d, 10**9) for d in due]
    late, open_work, _ = _edf(counts, handle, due, used + 1e-6)
    assert late < 1e-3
    assert result.on_time_share == pytest.approx(1.0) or np.isnan(result.on_time_share)
    # a fluid plan's open work at the end of each day against the simulation's
    total = np.cumsum(counts * np.array(handle)[:, None], axis=1).sum(axis=0)
    lp_open = total - result.work.sum(axis=1).cumsum().to_numpy()
    np.testing.assert_allclose(lp_open, open_work, atol=1e-3 * max(1.0, total[-1]))
    # agents are added only in intervals whose idle and back-office time are used up
    added = cap["added"] > 1e-6
    assert not (added & (cap["back_office_used"] < back - 1e-6)).any()
    assert not (added & (cap["idle_used"] < cap["idle"] - 1e-6)).any()


def test_added_time_is_the_least_a_dense_program_finds():
    """The sparse program's added agent time against a dense one written from cumulative
    sums and solved by scipy's linprog: same optimum."""
    rng = np.random.default_rng(3)
    n = 40
    index = pd.date_range("2026-03-02 06:00", periods=n, freq="30min")
    deadlines, handle = [3600, 4 * HOUR], [600.0, 1200.0]
    counts = rng.integers(0, 5, size=(2, n)).astype(float)
    idle = rng.uniform(0, 1.5, n)
    names = ["fast", "slow"]
    orders = WorkOrders(
        [
            WorkOrderClass(m, h, volume=0.0, deadline=d)
            for m, h, d in zip(names, handle, deadlines, strict=True)
        ],
        idle_share=1.0,
    )
    result = schedule_work_orders(
        orders,
        pd.Series(0.0, index=index),
        pd.Series(idle, index=index),
        arrivals=pd.DataFrame(counts.T, index=index, columns=names),
        night_cost=1.5,
    )
    weight = np.where((index.hour >= 8) & (index.hour < 22), 1.0, 1.5)
    ours = float((result.capacity["added"].to_numpy() * weight).sum())
    # dense: variables p[k, t] (agent intervals) and x[t]; cumulative work done between
    # what has arrived before t and what is due by t
    work = counts * np.array(handle)[:, None] / 1800
    A, b = [], []
    nv = 2 * n + n
    for k in range(2):
        m = deadlines[k] // 1800
        for t in range(n):
            row = np.zeros(nv)
            row[k * n : k * n + t + 1] = 1
            A.append(row)  # done <= arrived before t
            b.append(work[k, :t].sum())
            due = sum(work[k, a] for a in range(n) if a + m <= t)
            A.append(-row)  # done >= due by t
            b.append(-due)
    for t in range(n):
        row = np.zeros(nv)
        row[t] = row[n + t] = 1
        row[2 * n + t] = -1
        A.append(row)  # p[., t] <= idle + x
        b.append(idle[t])
    c = np.concatenate([np.zeros(2 * n), weight])
    ref = linprog(c, A_ub=np.array(A), b_ub=np.array(b), bounds=(0, None), method="highs")
    assert ref.status == 0
    assert ours == pytest.approx(ref.fun, rel=1e-6, abs=1e-6)


def test_without_added_agents_orders_run_late_and_are_counted():
    index = pd.date_range("2026-03-02", periods=96, freq="30min")
    orders = WorkOrders([WorkOrderClass("a", 1800, volume=2.0, deadline=2 * HOUR)], idle_share=1)
    result = schedule_work_orders(
        orders, pd.Series(0.0, index=index), pd.Series(1.0, index=index), add=False
    )
    # two agent-intervals of work arrive per interval and one is there: first come, first
    # served, the queue grows and only the first orders close in time, as single orders
    # worked one by one show
    assert result.capacity["added"].sum() == 0
    due = [np.where(np.arange(96) + 4 < 96, np.arange(96) + 4, 10**9)]
    _, _, late = _edf(np.full((1, 96), 2.0), [1800.0], due, np.full(96, 1800.0))
    due_in_horizon = 2 * 92
    assert result.on_time_share == pytest.approx(1 - late / due_in_horizon, abs=1 / due_in_horizon)
    assert result.on_time_share < 0.1
    day = result.daily.set_index("date")
    assert day["overdue"].iloc[-1] > 0
    assert (day["arrived"] == 96.0).all()


def test_orders_from_share_of_calls_and_backlog_per_day():
    index = pd.date_range("2026-03-02", periods=48 * 3, freq="30min")
    volume = pd.Series(100.0, index=index)
    orders = WorkOrders(
        [
            WorkOrderClass("q2h", 300, share=0.02, deadline=2 * HOUR),
            WorkOrderClass("q48h", 600, share=0.01, deadline=48 * HOUR),
        ],
        back_office=1.0,
    )
    result = schedule_work_orders(orders, volume, pd.Series(0.5, index=index))
    daily = result.daily.set_index(["date", "work_order"])
    assert daily.loc[(pd.Timestamp("2026-03-02"), "q2h"), "arrived"] == pytest.approx(96.0)
    assert daily.loc[(pd.Timestamp("2026-03-02"), "q48h"), "arrived"] == pytest.approx(48.0)
    # arrived - closed accumulates into the backlog
    for name in orders.names:
        d = result.daily[result.daily["work_order"] == name]
        np.testing.assert_allclose((d["arrived"] - d["closed"]).cumsum(), d["backlog"], atol=1e-6)
    assert result.on_time.tolist() == pytest.approx([1.0, 1.0])
    # per day: 8 + 8 agent-h of work, 12 of idle (0.5 × 0.5 × 48 h) + 24 of back office
    assert result.added_agent_hours.sum() == pytest.approx(0.0, abs=1e-6)
    assert (
        result.summary()["work_orders_idle_agent_h"]
        > result.summary()["work_orders_back_office_agent_h"]
    )


# --- the plan's hook --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def week():
    sample = forecast.synthetic_hotline(
        start="2026-02-02", end="2026-02-28", seed=1, daily_volume=800, outage=False
    )
    orders = WorkOrders(
        [
            WorkOrderClass("complaint_2h", 1200, share=0.05, deadline=2 * HOUR),
            WorkOrderClass("complaint_48h", 1800, share=0.10, deadline=48 * HOUR),
            WorkOrderClass("complaint_4wd", 1800, share=0.05, working_days=4),
        ],
        idle_share=0.2,
    )
    return plan(
        sample.volume,
        aht=sample.aht,
        month="2026-03",
        days=7,
        agents=45,
        replications=0,
        time_limit=5,
        work_orders=orders,
    )


@pytest.mark.slow
def test_plan_adds_the_missing_time_to_the_requirement(week):
    wo = week.work_orders
    req = week.requirement
    assert "work_orders" in req
    added = wo.capacity["added"] / (1 - week.policy.shrinkage)
    np.testing.assert_allclose(req["work_orders"], added)
    assert req["work_orders"].sum() > 0  # idle time alone does not close them
    s = week.summary()
    assert s["work_orders_on_time"] == pytest.approx(1.0)
    hours = float(req["work_orders"].sum() * 1800 / 3600)
    assert s["work_orders_added_agent_h"] * (1 / (1 - week.policy.shrinkage)) == pytest.approx(
        hours
    )
    # the agents added work the orders, not the phones
    net = week.coverage["net"] * (1 - week.policy.shrinkage)
    assert (week.coverage["on_phones"] <= net + 1e-9).all()
    assert (week.coverage["on_phones"] < net - 1e-9).any()
    # on the roster as built, without adding anyone, nearly every order closes in time
    assert s["work_orders_on_time_as_built"] > 0.95


# --- the command line's [[work_orders]] tables ------------------------------------------------


@pytest.fixture(scope="module")
def history_csv(tmp_path_factory):
    sample = forecast.synthetic_hotline(
        start="2026-02-02", end="2026-02-28", seed=2, daily_volume=800, outage=False
    )
    path = tmp_path_factory.mktemp("data") / "history.csv"
    pd.DataFrame(
        {"ds": sample.volume.index, "y": sample.volume.to_numpy(), "aht": sample.aht.round(1)}
    ).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[work_orders]]\nname = 'a'\nhandle_time = -60\nshare = 0.01\ndeadline = 7200\n",
            "[[work_orders]] #1: work order 'a': handle_time must be a positive number",
        ),
        (
            "[[work_orders]]\nname = 'a'\nhandle_time = 60\nshare = 0.01\ndeadline = 600\n"
            "[plan]\nmonth = '2026-03'\ndays = 1\n",
            "work order 'a': deadline=600 s is shorter than an interval (1800 s)",
        ),
        (
            "[plan]\nwork_order_idle_share = 2\n"
            "[[work_orders]]\nname = 'a'\nhandle_time = 60\nshare = 0.01\nworking_days = 4\n",
            "idle_share must be in [0, 1], got 2",
        ),
        ("[work_orders]\nname = 'a'\n", "[[work_orders]]: must be an array of tables"),
    ],
)
def test_config_work_order_errors_are_one_line(history_csv, tmp_path, capsys, text, message):
    from roster.planning.cli import main

    config = tmp_path / "orders.toml"
    config.write_text(text)
    args = ["plan", "--history", str(history_csv), "--config", str(config), "--quiet"]
    assert main([*args, "--out", str(tmp_path / "r"), "--replications", "0"]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0]


@pytest.mark.slow
def test_config_work_orders_reach_the_plan_and_its_report(history_csv, tmp_path, capsys):
    from roster.planning.cli import main

    config = tmp_path / "orders.toml"
    config.write_text(
        "[plan]\nmonth = '2026-03'\ndays = 2\nagents = 40\nreplications = 0\ntime_limit = 3\n"
        "work_order_back_office = 1\nwork_order_idle_share = 0.2\n"
        "[rules]\nmonthly_paid_tolerance = 216000\n"
        "[[work_orders]]\nname = 'complaint_2h'\nhandle_time = 1200\nshare = 0.05\n"
        "deadline = 7200\n"
        "[[work_orders]]\nname = 'complaint_48h'\nhandle_time = 1800\nshare = 0.1\n"
        "deadline = 172800\n"
    )
    out = tmp_path / "report"
    args = ["plan", "--history", str(history_csv), "--config", str(config), "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "work orders:" in printed and "agent-h added to the requirement" in printed
    daily = pd.read_csv(out / "work_orders.csv")
    assert set(daily["work_order"]) == {"complaint_2h", "complaint_48h"}
    summary = pd.read_csv(out / "summary.csv", index_col=0)["value"]
    assert float(summary["work_orders_on_time"]) == pytest.approx(1.0)
    capacity = pd.read_csv(out / "work_order_capacity.csv", index_col=0)
    assert (capacity["back_office"] == 1.0).all()
    hours = capacity["added"].sum() / 2
    assert float(summary["work_orders_added_agent_h"]) == pytest.approx(hours)


@pytest.mark.slow
def test_sample_month_closes_its_work_orders_with_the_added_requirement_stated():
    """The bundled sample's January 2026 with complaint tickets of 2 h, 48 h, 4 and 7 working
    days: every order is planned in time, the roster as built closes them in time too, and the
    agent-hours added to the requirement are stated per day."""
    from roster.planning.inputs import bundled_sample

    sample = bundled_sample()
    orders = WorkOrders(
        [
            WorkOrderClass("complaint_2h", 900, share=0.005, deadline=2 * HOUR),
            WorkOrderClass("complaint_48h", 1200, share=0.02, deadline=48 * HOUR),
            WorkOrderClass("complaint_4wd", 1800, share=0.01, working_days=4),
            WorkOrderClass("complaint_7wd", 1800, share=0.01, working_days=7),
        ]
    )
    month = plan(
        sample.volume,
        aht=sample.aht,
        events=sample.events,
        replications=0,
        time_limit=20,
        work_orders=orders,
    )
    s = month.summary()
    assert s["first_day"] == "2026-01-01" and s["last_day"] == "2026-01-31"
    assert s["work_orders_on_time"] == pytest.approx(1.0)
    assert s["work_orders_on_time_as_built"] > 0.99
    per_day = month.work_orders.added_agent_hours
    assert len(per_day) == 31 and per_day.sum() > 0
    assert s["work_orders_added_agent_h"] == pytest.approx(per_day.sum())
    assert s["work_orders_required_agent_h"] == pytest.approx(
        per_day.sum() / (1 - month.policy.shrinkage)
    )
    # idle time is used before any agent is added
    assert s["work_orders_idle_agent_h"] > 0
    daily = month.work_orders.daily
    assert set(daily["work_order"]) == set(orders.names)
    assert (daily.groupby("work_order")["on_time"].min().fillna(1) > 1 - 1e-6).all()

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roster.seats.schedule import ScheduleInfeasible, schedule_shifts
from roster.shifts import BreakRule, ShiftTemplate, shift_family, twelve_hour_bands

H = 3600


def hourly(values, start="2025-03-03"):
    idx = pd.date_range(start, periods=len(values), freq="h")
    return pd.Series(np.asarray(values, float), index=idx)


def six_hour_family():
    return [ShiftTemplate(f"S{s:02d}", s * H, 6 * H) for s in range(0, 19, 3)]


def brute_force(req, templates, hourly_rate, limit=3):
    """Cheapest counts by enumeration: shifts without breaks, hard coverage."""
    cover = np.array([t.coverage(H)[:24] for t in templates])
    price = np.array(
        [
            hourly_rate[t.name] * t.paid_time / H + _premium(t) * hourly_rate[t.name]
            for t in templates
        ]
    )
    grid = np.array(list(itertools.product(range(limit + 1), repeat=len(templates))))
    ok = np.all(grid @ cover >= req, axis=1)
    return (grid[ok] @ price).min()


def _premium(t):
    return {"none": 0.0, "small": 0.5, "big": 1.0}[t.night_class]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    req=st.lists(st.integers(0, 3), min_size=24, max_size=24),
    prices=st.lists(st.integers(1, 4), min_size=7, max_size=7),
)
def test_matches_brute_force_on_one_day(req, prices):
    templates = six_hour_family()
    cost = {t.name: float(p) for t, p in zip(templates, prices, strict=True)}
    got = schedule_shifts(
        hourly(req), templates, floors=None, hourly_rate=cost, boundary="closed", mip_rel_gap=0
    )
    assert got.status == "optimal"
    assert got.cost == pytest.approx(brute_force(np.array(req), templates, cost))
    assert (got.coverage["gap"] >= -1e-9).all()
    assert got.lp_bound <= got.cost + 1e-6


def test_breaks_spread_so_coverage_holds():
    # 8-hour shift, a 1-hour meal starting 3, 4 or 5 h in; two agents needed all day:
    # two agents cannot both eat, three can eat one an hour.
    t = ShiftTemplate("D", 0, 8 * H, breaks=(BreakRule(H, 3 * H, 5 * H),))
    req = hourly([2] * 8 + [0] * 16)
    got = schedule_shifts(req, [t], floors=None, boundary="closed")
    assert got.counts.loc[pd.Timestamp("2025-03-03"), "D"] == 3
    assert sorted(got.breaks["start"].dt.hour) == [3, 4, 5]
    assert got.breaks["agents"].tolist() == [1, 1, 1]
    np.testing.assert_allclose(got.coverage["net"].to_numpy()[:8], [3, 3, 3, 2, 2, 2, 3, 3])
    # 7 paid hours each (meal unpaid), plus an hour's big-night premium: it ends at 08:00
    assert got.cost == pytest.approx(3 * (7 + 1))


def recount(schedule):
    """Agents at work and on break per interval, from the shift and break tables alone."""
    cov = schedule.coverage
    step = pd.Timedelta(seconds=schedule.interval)
    starts = cov.index
    at_work = np.zeros(len(cov))
    on_break = np.zeros(len(cov))
    for row in schedule.shifts.itertuples():
        at_work += row.agents * ((starts >= row.start) & (starts + step <= row.end))
    for row in schedule.breaks.itertuples():
        on_break += row.agents * ((starts >= row.start) & (starts + step <= row.end))
    return at_work, on_break


def test_week_rolling_coverage_recomputed_from_tables():
    idx = pd.date_range("2025-03-03", periods=48 * 4, freq="30min")
    hour = (idx.hour + idx.minute / 60).to_numpy()
    req = pd.Series(np.ceil(3 + 12 * np.exp(-(((hour - 13) / 3) ** 2))), index=idx)
    templates = shift_family([8 * H], step=3600) + twelve_hour_bands()
    got = schedule_shifts(req, templates, floors=(4, 2), time_limit=30)
    assert got.status == "rolling"
    at_work, on_break = recount(got)
    np.testing.assert_allclose(got.coverage["scheduled"], at_work)
    np.testing.assert_allclose(got.coverage["on_break"], on_break)
    # net is what remains after meals and 5 min per hour of short breaks
    np.testing.assert_allclose(got.coverage["net"], (at_work - on_break) * (1 - 300 / 3600))
    assert (got.coverage["gap"] >= -1e-9).all()
    online = at_work - on_break
    assert (online >= got.coverage["floor"] - 1e-9).all()
    assert got.bound <= got.cost + 1e-6
    assert got.counts.to_numpy().sum() == got.shifts["agents"].sum() == got.agent_shifts
    assert got.cost == pytest.approx(got.shifts["cost"].sum())


def night_only_requirement():
    return hourly([3] * 6 + [0] * 18)


def test_boundary_closed_reports_uncovered_night():
    bands = twelve_hour_bands(["08:00", "20:00"], meal=0)
    with pytest.raises(ScheduleInfeasible, match=r"2025-03-03 00:00–06:00") as err:
        schedule_shifts(night_only_requirement(), bands, floors=None, boundary="closed")
    assert err.value.reason == "uncovered"
    assert len(err.value.intervals) == 6


def test_boundary_open_uses_the_night_before_and_wrap_the_same_day():
    bands = twelve_hour_bands(["08:00", "20:00"], meal=0)
    got = schedule_shifts(night_only_requirement(), bands, floors=None, boundary="open")
    assert got.shifts["date"].tolist() == [pd.Timestamp("2025-03-02")]
    assert got.shifts["agents"].tolist() == [4]  # 3 / (1 - 5/60) rounded up
    wrap = schedule_shifts(night_only_requirement(), bands, floors=None, boundary="wrap")
    assert wrap.shifts["date"].tolist() == [pd.Timestamp("2025-03-03")]
    assert wrap.cost == pytest.approx(got.cost)


def test_floor_above_seat_cap_is_named():
    req = hourly([1] * 24)
    with pytest.raises(ScheduleInfeasible, match="seat_cap=5") as err:
        schedule_shifts(req, six_hour_family(), floors=(8, 2), seat_cap=5)
    assert err.value.reason == "floor_above_seat_cap"
    assert (err.value.intervals["floor"] == 8).all()


def test_requirement_above_seat_cap_is_named():
    req = hourly([1] * 10 + [9] + [1] * 13)
    with pytest.raises(ScheduleInfeasible, match="10:00–11:00") as err:
        schedule_shifts(req, six_hour_family(), floors=None, seat_cap=8)
    assert err.value.reason == "requirement_above_seat_cap"


def test_seat_cap_with_handover_overlap_diagnosed():
    # 4 needed 0-6 and 6-12 by shifts that overlap 3 h; a cap of 5 seats forbids the overlap
    templates = [ShiftTemplate("A", 0, 9 * H), ShiftTemplate("B", 3 * H, 9 * H)]
    req = hourly([4] * 12 + [0] * 12)
    with pytest.raises(ScheduleInfeasible, match="cannot be met") as err:
        schedule_shifts(
            req, templates, floors=None, seat_cap=5, boundary="closed", night_premium={}
        )
    assert err.value.reason == "constraints"
    assert len(err.value.intervals) > 0


def test_statutory_holiday_paid_three_times():
    req = hourly([2] * 8 + [0] * 16 + [2] * 8 + [0] * 16)
    t = [ShiftTemplate("E", 0, 8 * H)]
    plain = schedule_shifts(req, t, floors=None, boundary="closed")
    hol = schedule_shifts(req, t, floors=None, boundary="closed", calendar=["2025-03-04"])
    assert plain.cost == pytest.approx(2 * 2 * 8 + 2 * 2 * 1.0)  # night premium: big
    by_day = hol.shifts.set_index("date")["cost"]
    assert by_day[pd.Timestamp("2025-03-04")] == pytest.approx(
        3 * by_day[pd.Timestamp("2025-03-03")] - 2 * 2
    )


def test_chinese_calendar_marks_national_day():
    req = hourly([1] * 24 * 2, start="2025-09-30")
    t = [ShiftTemplate("D", 0, 12 * H), ShiftTemplate("N", 12 * H, 12 * H)]
    got = schedule_shifts(req, t, floors=None, boundary="closed", calendar="CN", night_premium={})
    by_day = got.shifts.groupby("date")["cost"].sum()
    assert by_day[pd.Timestamp("2025-10-01")] == pytest.approx(
        3 * by_day[pd.Timestamp("2025-09-30")]
    )


def test_soft_coverage_trades_shortfall_for_pay():
    req = hourly([1] * 24)
    t = [
        ShiftTemplate("D", 0, 8 * H),
        ShiftTemplate("E", 8 * H, 8 * H),
        ShiftTemplate("N", 16 * H, 8 * H),
    ]
    cheap = schedule_shifts(
        req, t, floors=None, under_penalty=0.5, boundary="closed", night_premium={}
    )
    assert cheap.agent_shifts == 0 and cheap.shortfall == pytest.approx(24)
    dear = schedule_shifts(
        req, t, floors=None, under_penalty=50, boundary="closed", night_premium={}
    )
    assert dear.agent_shifts == 3 and dear.shortfall == 0


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.lists(st.integers(0, 4), min_size=24, max_size=24),
    extra=st.lists(st.integers(0, 2), min_size=24, max_size=24),
)
def test_cost_monotone_and_coverage_holds(base, extra):
    late = ShiftTemplate("L", 12 * H, 12 * H, breaks=(BreakRule(H, 4 * H, 7 * H),))
    templates = [*six_hour_family(), late]
    low = schedule_shifts(hourly(base), templates, floors=None, boundary="closed", mip_rel_gap=0)
    high_req = np.add(base, extra)
    high = schedule_shifts(
        hourly(high_req), templates, floors=None, boundary="closed", mip_rel_gap=0
    )
    assert high.cost >= low.cost - 1e-9
    for got, req in ((low, base), (high, high_req)):
        assert (got.coverage["net"].to_numpy() >= np.asarray(req) - 1e-9).all()


@pytest.mark.parametrize(
    ("requirement", "kwargs", "error", "match"),
    [
        ([1, 2, 3], {}, TypeError, "pandas Series"),
        (hourly([1, -1, 2]), {}, ValueError, "-1"),
        (hourly([1, np.nan, 2]), {}, ValueError, "finite"),
        (hourly([1] * 24), {"boundary": "circle"}, ValueError, "circle"),
        (hourly([1] * 24), {"under_penalty": -1}, ValueError, "under_penalty"),
        (hourly([1] * 24), {"floors": "high"}, ValueError, "floors"),
        (hourly([1] * 24), {"hourly_rate": {"nope": 2}}, ValueError, "nope"),
        (hourly([1] * 24), {"night_premium": {"huge": 2}}, ValueError, "huge"),
        (hourly([1] * 24), {"interval": 7}, ValueError, "interval=7"),
    ],
)
def test_bad_input_names_argument(requirement, kwargs, error, match):
    with pytest.raises(error, match=match):
        schedule_shifts(requirement, six_hour_family(), **({"floors": None} | kwargs))


def test_bad_templates():
    with pytest.raises(ValueError, match="duplicate"):
        schedule_shifts(hourly([1] * 24), [ShiftTemplate("A", 0, H)] * 2, floors=None)
    with pytest.raises(ValueError, match="empty"):
        schedule_shifts(hourly([1] * 24), [], floors=None)
    off = pd.Series([1.0, 1.0], index=pd.DatetimeIndex(["2025-03-03 00:10", "2025-03-03 01:10"]))
    with pytest.raises(ValueError, match="grid"):
        schedule_shifts(off, six_hour_family(), floors=None, interval=3600)


@pytest.mark.slow
def test_seat_cap_holds_across_midnight_in_a_rolling_solve():
    idx = pd.date_range("2025-03-03", periods=48 * 3, freq="30min")
    hour = (idx.hour + idx.minute / 60).to_numpy()
    req = pd.Series(np.where((hour >= 9) & (hour < 21), 6.0, 3.0), index=idx)
    templates = shift_family([8 * H], step=3600, short_breaks=0) + twelve_hour_bands(meal=0)
    got = schedule_shifts(req, templates, floors=None, seat_cap=7, mip_rel_gap=0.02)
    assert got.status == "rolling"
    assert (got.coverage["scheduled"] <= 7 + 1e-9).all()
    assert (got.coverage["gap"] >= -1e-9).all()
    assert got.cost >= got.lp_bound - 1e-6


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(req=st.lists(st.integers(0, 4), min_size=72, max_size=72))
def test_rolling_covers_every_interval(req):
    night = ShiftTemplate("N", 21 * H, 9 * H, breaks=(BreakRule(H, 3 * H, 5 * H),))
    got = schedule_shifts(hourly(req), [*six_hour_family(), night], floors=None, mip_rel_gap=0.01)
    assert got.status == "rolling"
    assert (got.coverage["net"].to_numpy() >= np.asarray(req) - 1e-9).all()
    assert got.cost >= got.lp_bound - 1e-6
    at_work, on_break = recount(got)
    np.testing.assert_allclose(got.coverage["scheduled"], at_work)
    np.testing.assert_allclose(got.coverage["on_break"], on_break)


def _fortnight():
    idx = pd.date_range("2025-03-03", periods=48 * 14, freq="30min")
    hour = (idx.hour + idx.minute / 60).to_numpy()
    day = np.asarray(idx.day_of_year)
    peak = 12 + 3 * np.sin(day)  # every day a little different
    req = np.ceil(3 + peak * np.exp(-(((hour - 13) / 3) ** 2)))
    return pd.Series(req, index=idx), shift_family([8 * H], step=3600) + twelve_hour_bands()


def test_same_input_gives_the_same_schedule_on_a_busy_machine():
    # the rolling solve is paced by nodes and sweeps, so that a machine's speed or load
    # cannot change the schedule; a CPU-burning process runs beside the second solve
    import subprocess
    import sys

    req, templates = _fortnight()
    first = schedule_shifts(req, templates, floors=(4, 2), time_limit=600)
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        again = schedule_shifts(req, templates, floors=(4, 2), time_limit=600)
    finally:
        burner.kill()
        burner.wait()
    assert first.status == again.status == "rolling"
    pd.testing.assert_frame_equal(first.counts, again.counts)
    pd.testing.assert_frame_equal(first.breaks, again.breaks)
    assert first.cost == again.cost


def test_a_starved_time_limit_still_gives_a_schedule_and_says_so():
    req, templates = _fortnight()
    got = schedule_shifts(req, templates, floors=(4, 2), time_limit=1e-3)
    assert got.status == "time_limit"
    assert got.agent_shifts > 0
    at_work, on_break = recount(got)
    online = at_work - on_break
    assert (online >= got.coverage["floor"] - 1e-9).all()  # still a schedule that holds
    assert (got.coverage["gap"] >= -1e-9).all()

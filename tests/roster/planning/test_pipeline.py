"""The end-to-end plan on a small hotline: four weeks of history, one week planned."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import erlang
import forecast
import roster
from roster import Rules, check
from roster.planning.inputs import plan_horizon, prepare_history
from roster.planning.pipeline import (
    Plan,
    _rate_quantiles,
    _simulate,
    _simulation_frame,
    plan,
)
from roster.planning.policy import StaffingPolicy
from roster.planning.queue_model import QueueModel
from roster.shifts import BreakRule

AGENTS = 40


@pytest.fixture(scope="module")
def sample():
    return forecast.synthetic_hotline(
        start="2026-02-02", end="2026-02-28", seed=1, daily_volume=800, outage=False
    )


@pytest.fixture(scope="module")
def week(sample):
    return plan(
        sample.volume,
        aht=sample.aht,
        month="2026-03",
        days=7,
        agents=AGENTS,
        replications=4,
        time_limit=5,
        seed=1,
    )


def _naive_on_floor(assignments, index, interval):
    """Share of each interval each assignment is at work and on its meal, row by row."""
    lo = index.as_unit("s").asi8
    hi = lo + interval

    def sec(value):
        return pd.Timestamp(value).timestamp()

    at_work = np.zeros(len(index))
    on_meal = np.zeros(len(index))
    for row in assignments.itertuples(index=False):
        at_work += np.clip(np.minimum(hi, sec(row.end)) - np.maximum(lo, sec(row.start)), 0, None)
        if pd.notna(row.break_start):
            meal = np.minimum(hi, sec(row.break_end)) - np.maximum(lo, sec(row.break_start))
            on_meal += np.clip(meal, 0, None)
    return at_work / interval, on_meal / interval


@pytest.mark.slow
def test_plan_keeps_every_step(week):
    assert isinstance(week, Plan)
    index = week.forecast.index
    assert len(index) == 7 * 48
    assert index[0] == pd.Timestamp("2026-03-01") and index[-1] == pd.Timestamp("2026-03-07 23:30")
    for frame in (week.requirement, week.coverage, week.kpis, week.simulation):
        assert frame.index.equals(index)
    assert list(week.steps.index) == [
        "history",
        "forecast",
        "requirement",
        "shifts",
        "roster",
        "kpis",
        "simulation",
    ]
    assert set(week.roster["agent"]) <= {f"A{i:02d}" for i in range(1, AGENTS + 1)}
    assert week.roster["date"].between("2026-03-01", "2026-03-07").all()
    report = dict(zip(week.history_report["item"], week.history_report["value"], strict=True))
    assert report["intervals given"] == 27 * 48


@pytest.mark.slow
def test_requirement_is_erlang_staffing_with_shrinkage_and_floors(week):
    req = week.requirement
    t = week.policy
    productive = erlang.required_agents(
        req["volume"],
        req["aht"],
        interval=1800,
        service_level=0.8,
        threshold=20,
        answer_rate=0.85,
        asa=20,
        max_abandon=0.05,
        short_abandon=20,
        max_occupancy=0.9,
        patience=60,
    )
    assert (req["productive"] == productive).all()
    expected = np.ceil(productive / (1 - t.shrinkage) - 1e-9)
    assert (req["required"] == expected).all()
    hour = req.index.hour
    assert (req["floor"][(hour >= 8) & (hour < 22)] == 8).all()
    assert (req["floor"][(hour < 8) | (hour >= 22)] == 2).all()
    # more demand, more agents: the upper quantile never needs fewer
    assert (req["required_q0.9"] >= req["required_q0.1"]).all()


@pytest.mark.slow
def test_coverage_is_recomputed_from_the_assignments(week):
    index = week.coverage.index
    at_work, on_meal = _naive_on_floor(week.roster, index, 1800)
    np.testing.assert_allclose(week.coverage["at_work"], at_work, atol=1e-9)
    np.testing.assert_allclose(week.coverage["on_break"], on_meal, atol=1e-9)
    # default templates: 5 minutes of short breaks per working hour
    np.testing.assert_allclose(week.coverage["net"], (at_work - on_meal) * 55 / 60, atol=1e-9)
    np.testing.assert_allclose(
        week.coverage["on_phones"], week.coverage["net"] * (1 - week.policy.shrinkage)
    )
    need = np.maximum(week.coverage["required"], week.coverage["floor"])
    gap = week.coverage["net"] - need
    np.testing.assert_allclose(week.coverage["gap"], gap)
    assert week.shortfall == pytest.approx(float(gap.clip(upper=0).abs().sum() / 2))
    # every meal lies inside its shift and the template's window
    meals = week.roster.dropna(subset=["break_start"])
    assert len(meals) == len(week.roster)
    assert (meals["break_start"] >= meals["start"] + pd.Timedelta(hours=2)).all()
    assert (meals["break_end"] <= meals["end"] - pd.Timedelta(hours=2)).all()


@pytest.mark.slow
def test_kpis_are_erlang_a_of_the_agents_on_the_phones(week):
    k = week.kpis
    busy = k.index[k["volume"] > 5]
    for t in (busy[0], busy[len(busy) // 2], busy[-1]):
        volume, aht = week.requirement.at[t, "volume"], week.requirement.at[t, "aht"]
        agents = week.coverage.at[t, "on_phones"]
        sl = erlang.service_level(
            volume, aht, agents, interval=1800, threshold=20, patience=60, short_abandon=20
        )
        assert k.at[t, "service_level"] == pytest.approx(float(sl), rel=1e-12)
        assert k.at[t, "agents"] == pytest.approx(agents)
        assert k.at[t, "occupancy"] == pytest.approx(
            float(erlang.occupancy(volume, aht, agents, interval=1800, patience=60)), rel=1e-12
        )
    meets = (
        (k["service_level"] >= 0.8 - 1e-9)
        & (k["answer_rate"] >= 0.85 - 1e-9)
        & ~(k["asa"] > 20 + 1e-9)
        & (k["abandon_rate"] <= 0.05 + 1e-9)
        & (k["occupancy"] <= 0.9 + 1e-9)
    ) | (k["volume"] <= 0)
    assert (k["meets_targets"] == meets).all()
    expected = np.average(k["service_level"], weights=k["volume"])
    assert week.summary()["service_level_expected"] == pytest.approx(expected)


@pytest.mark.slow
def test_violations_are_the_rule_check_of_the_roster(week):
    again = check(
        week.roster,
        Rules(),
        dates=pd.date_range("2026-03-01", periods=7),
        agents=list(week.totals.index),
        month_days=31,
    )
    pd.testing.assert_frame_equal(
        week.violations.reset_index(drop=True), again.reset_index(drop=True)
    )
    assert (week.violations["severity"] != "hard").all()
    s = week.summary()
    assert s["violations_hard"] == 0
    assert s["violations_hard"] + s["violations_soft"] == len(week.violations)


@pytest.mark.slow
def test_simulation_runs_the_roster_over_the_forecast(week):
    sim = week.simulation
    # arrivals follow the forecast: offered over the week within a few percent of the mean
    assert sim["offered"].sum() == pytest.approx(week.forecast["mean"].sum(), rel=0.06)
    sl = sim["service_level"].dropna()
    assert len(sl) > 0.9 * len(sim) and ((sl >= 0) & (sl <= 1)).all()
    assert (sim["service_level_hw"].dropna() >= 0).all()
    s = week.summary()
    assert 0 < s["service_level_simulated"] <= 1
    assert week.simulation_result.n_replications == 4
    # the simulated roster delivers what the Erlang KPIs of its net agents promise
    gap = s["service_level_simulated"] - s["service_level_expected"]
    assert abs(gap) < 2 * s["service_level_simulated_hw"] + 0.01


@pytest.mark.slow
def test_plan_keeps_the_forecast_details_and_simulates_with_their_dispersion(week):
    details = week.forecast_details
    assert isinstance(details, forecast.ForecastDetails)
    assert details.model in forecast.AUTO_CANDIDATES
    assert details.dispersion > 0
    assert week.summary()["forecast_model"] == details.model
    # The plan's forecast is the forecast's values, the details kept beside them.
    again = forecast.forecast(week.history, week.forecast.index, calendar="CN")
    pd.testing.assert_frame_equal(week.forecast, again.values)
    assert again.details.model == details.model
    assert again.details.dispersion == pytest.approx(details.dispersion)
    # The rate quantiles are the Gamma law of that dispersion around the mean.
    rates = _rate_quantiles(week.forecast, details.dispersion)
    assert list(rates.columns) == ["q0.1", "q0.5", "q0.9"]
    mean = week.forecast["mean"].to_numpy()
    busy = mean > 0
    assert busy.sum() > 0.9 * len(mean)
    r = 1 / details.dispersion
    expected = stats.gamma.ppf(0.9, r, scale=mean[busy] / r)
    np.testing.assert_allclose(rates["q0.9"].to_numpy()[busy], expected)
    assert (rates["q0.1"].to_numpy()[busy] < mean[busy]).all()
    assert (rates["q0.9"].to_numpy()[busy] > mean[busy]).all()
    assert (rates.to_numpy()[~busy] == 0).all()
    assert _rate_quantiles(week.forecast, None) is None
    flat = _rate_quantiles(week.forecast, 0.0)
    np.testing.assert_array_equal(flat.iloc[:, 0], mean)
    # The plan's simulation ran over the spread of that dispersion: rerun with it, it is
    # reproduced exactly; without it (the mean only) it is not.
    queue = QueueModel(week.targets, week.patience, week.trunks)
    inputs = (week.aht, week.roster, week.named_roster.breaks, week.templates, queue)
    inputs += (week.policy.shrinkage,)
    phones = week.coverage["on_phones"]
    rerun = _simulate(week.forecast, details.dispersion, *inputs, 4, True, 1, phones)
    pd.testing.assert_frame_equal(_simulation_frame(rerun), week.simulation)
    no_spread = _simulate(week.forecast, None, *inputs, 4, True, 1, phones)
    assert not _simulation_frame(no_spread)["offered"].equals(week.simulation["offered"])


def test_plan_horizon():
    last = pd.Timestamp("2025-12-31 23:30")
    days = plan_horizon(None, None, last)
    assert days[0] == pd.Timestamp("2026-01-01") and len(days) == 31
    assert len(plan_horizon("2026-02", 10, last)) == 10
    with pytest.raises(ValueError, match="month='2025-12'"):
        plan_horizon("2025-12", None, last)
    with pytest.raises(ValueError, match="month must be YYYY-MM"):
        plan_horizon("next", None, last)
    with pytest.raises(ValueError, match="days must be"):
        plan_horizon("2026-02", 29, last)


def test_targets_validation_and_from_dict():
    with pytest.raises(ValueError, match="service_level"):
        erlang.Targets(service_level=1.5)
    with pytest.raises(ValueError, match="shrinkage"):
        StaffingPolicy(shrinkage=1.0)
    # limits that only the staffing search knew are raised when the targets are made
    with pytest.raises(ValueError, match="service_level must lie in"):
        erlang.Targets(service_level=1.0)
    with pytest.raises(ValueError, match="asa must be > 0"):
        erlang.Targets(asa=0.0)
    with pytest.raises(ValueError, match="patience"):
        QueueModel(erlang.Targets(), patience=0.0, trunks=None)
    with pytest.raises(ValueError, match=r"cfg.toml \[targets\]: unknown keys \['sl'\]"):
        erlang.Targets.from_dict({"sl": 0.8}, source="cfg.toml [targets]")
    t = erlang.Targets.from_dict({"service_level": 0.9, "threshold": 15})
    assert (t.service_level, t.threshold, t.answer_rate) == (0.9, 15, 0.85)  # over the hotline


def test_history_from_call_records_reconciles():
    rng = np.random.default_rng(3)
    n = 400
    arrival = pd.Timestamp("2026-02-02") + pd.to_timedelta(rng.uniform(0, 2 * 86400, n), "s")
    wait = rng.exponential(15, n)
    answered = rng.random(n) < 0.9
    handle = rng.exponential(300, n)
    answer = pd.Series(arrival + pd.to_timedelta(wait, "s")).where(answered)
    end = np.where(
        answered, answer + pd.to_timedelta(handle, "s"), arrival + pd.to_timedelta(wait, "s")
    )
    calls = pd.DataFrame({"arrival": arrival, "answer": answer, "end": pd.to_datetime(end)})
    calls.loc[5, "end"] = pd.NaT  # malformed: skipped and counted
    hist = prepare_history(calls=calls)
    report = dict(zip(hist.report["item"], hist.report["value"], strict=True))
    assert report["call records"] == n
    assert report["records used"] + report["records skipped: missing_end"] == n
    assert hist.volume.sum() == n - 1
    assert hist.interval == 1800
    used = calls.drop(index=5)
    ok = used["answer"].notna()
    mean_handle = ((used["end"] - used["answer"])[ok]).dt.total_seconds()
    slot = used["arrival"][ok].dt.floor("30min")
    expected = mean_handle.groupby(slot).mean()
    np.testing.assert_allclose(hist.aht.reindex(expected.index), expected, rtol=1e-9)


def test_history_needs_handle_times():
    s = pd.Series(1.0, index=pd.date_range("2026-02-02", periods=96, freq="30min"))
    with pytest.raises(ValueError, match="aht"):
        prepare_history(s)
    with pytest.raises(ValueError, match="exactly one of history and calls"):
        prepare_history()


@pytest.mark.slow
def test_two_stage_roster_takes_its_meals_from_stage_one(sample):
    p = plan(
        sample.volume,
        aht=sample.aht,
        month="2026-03",
        days=7,
        agents=AGENTS,
        roster_from="schedule",
        replications=0,
        time_limit=3,
    )
    assert p.simulation.empty and p.simulation_result is None
    assert "simulation" not in p.steps.index
    assert p.roster["break_start"].notna().all()
    # per (date, shift), the meal blocks stage 1 placed are the ones the agents take, as far
    # as the roster works that shift as often as stage 1 asked
    blocks = p.shift_schedule.breaks
    for (date, shift), g in p.roster.groupby(["date", "shift"]):
        b = blocks[(blocks["date"] == date) & (blocks["shift"] == shift)]
        placed = np.repeat(b["start"].to_numpy(), b["agents"].to_numpy().astype(int))
        taken = np.sort(g["break_start"].to_numpy())
        if len(taken) <= len(placed):
            assert set(taken) <= set(placed)
    at_work, on_meal = _naive_on_floor(p.roster, p.coverage.index, 1800)
    np.testing.assert_allclose(p.coverage["at_work"] - p.coverage["on_break"], at_work - on_meal)
    with pytest.raises(ValueError, match="roster_from"):
        plan(sample.volume, aht=sample.aht, roster_from="people")


def test_targets_with_trunks_staff_for_blocking():
    volume = pd.Series(
        [50.0, 200.0, 400.0], index=pd.date_range("2026-03-02 08:00", periods=3, freq="30min")
    )
    aht = pd.Series(240.0, index=volume.index)
    targets = QueueModel(erlang.Targets.hotline(max_blocking=0.01), patience=60.0, trunks=80)
    agents = targets.agents(volume, aht, interval=1800)
    k = targets.kpis(volume, aht, agents, interval=1800)
    assert k["meets_targets"].all() and (k["blocking"] <= 0.01).all()
    # one agent fewer misses a target in every busy interval, blocking included in the check
    fewer = targets.kpis(volume, aht, agents - 1, interval=1800)
    assert not fewer["meets_targets"].any()
    capped = erlang.blocking(volume, aht, agents - 1, trunks=80, patience=60.0, interval=1800)
    np.testing.assert_allclose(fewer["blocking"], capped, rtol=1e-12)
    # a roster with more agents than lines is capped at the lines, not an error
    over = targets.kpis(volume, aht, agents + 100, interval=1800)
    assert (over["agents"] <= 80).all()
    with pytest.raises(ValueError, match="max_blocking"):
        QueueModel(erlang.Targets.hotline(max_blocking=1.5), patience=60.0, trunks=80)
    with pytest.raises(erlang.TrunksTooFew):
        QueueModel(erlang.Targets.hotline(), patience=60.0, trunks=20).agents(
            volume, aht, interval=1800
        )


@pytest.mark.slow
def test_plan_counts_every_meal_of_a_shift(sample):
    # 9 h shifts with two unpaid meals (30 and 30 min) keep 8 paid hours
    lunch = BreakRule(1800, earliest=2 * 3600, latest=4 * 3600, name="lunch")
    supper = BreakRule(1800, earliest=5 * 3600, latest=7 * 3600, name="supper")
    templates = [
        dataclasses.replace(t, name=f"M{i:02d}", breaks=(lunch, supper))
        for i, t in enumerate(roster.shift_family((9 * 3600,), step=3600, short_breaks=300))
    ]
    p = plan(
        sample.volume,
        aht=sample.aht,
        month="2026-03",
        days=3,
        agents=AGENTS,
        templates=templates,
        replications=2,
        time_limit=3,
    )
    meals = p.named_roster.breaks
    assert len(meals) == 2 * len(p.roster)  # both meals of every shift placed
    meal_h = ((meals["end"] - meals["start"]).dt.total_seconds().sum()) / 3600
    # the coverage takes every meal off the agents at work, inside the planned days
    inside = meals["start"] < p.coverage.index[-1] + pd.Timedelta(minutes=30)
    on_break_h = p.coverage["on_break"].sum() * 0.5
    assert on_break_h == pytest.approx(
        ((meals["end"] - meals["start"])[inside].dt.total_seconds().sum()) / 3600, abs=0.5
    )
    assert on_break_h > 0.9 * meal_h
    assert p.simulation_result is not None


def test_kpis_under_trunks_take_fractional_agents():
    # a roster's agents on the phones are fractional; the capped chain needs whole agents
    queue = QueueModel(erlang.Targets.hotline(), 60.0, 30)
    volume = pd.Series([100.0, 100.0, 100.0, 900.0])
    agents = pd.Series([20.0, 20.25, 21.0, 35.0])
    kpis = queue.kpis(volume, 300.0, agents, interval=1800)
    queue_model = {"interval": 1800, "patience": 60, "trunks": 30}
    whole = erlang.kpis(volume, 300.0, [20, 20, 21, 30], targets=queue.targets, **queue_model)
    up = erlang.kpis(volume, 300.0, [21, 21, 21, 30], targets=queue.targets, **queue_model)
    for column in ("service_level", "asa", "abandon_rate", "blocking", "occupancy"):
        expected = whole[column] * [1, 0.75, 1, 1] + up[column] * [0, 0.25, 0, 0]
        assert np.allclose(kpis[column], expected, rtol=1e-12, atol=1e-15), column
    assert kpis["agents"].tolist() == [20.0, 20.25, 21.0, 30.0]  # at most one per line
    assert kpis["meets_targets"].equals(erlang.Targets.hotline().met(kpis))


@pytest.mark.slow
def test_plan_gives_the_same_month_twice(sample):
    # both rostering stages are paced by work: equal inputs, equal plans
    kwargs = {"aht": sample.aht, "month": "2026-03", "days": 7, "replications": 0}
    first = plan(sample.volume, time_limit=600, **kwargs)
    again = plan(sample.volume, time_limit=600, **kwargs)
    assert not first.named_roster.stats["time_limit_hit"]
    assert first.shift_schedule.status != "time_limit"
    assert first.headcount == again.headcount
    pd.testing.assert_frame_equal(first.schedule, again.schedule)
    pd.testing.assert_frame_equal(first.roster, again.roster)


def test_risk_staffs_at_the_volume_quantile_and_keeps_the_mean():
    from roster.planning.pipeline import _at_risk

    index = pd.date_range("2026-03-02 08:00", periods=4, freq="30min")
    requirement = pd.DataFrame(
        {"volume": [50.0, 200.0, 600.0, 0.0], "aht": 300.0}, index=index
    ).assign(productive=0.0, required=0.0, floor=2.0)
    queue = QueueModel(erlang.Targets.hotline(), 60.0, None)
    policy = StaffingPolicy()
    at_mean = queue.agents(requirement["volume"], 300.0, interval=1800, shrinkage=policy.shrinkage)
    requirement["required"] = at_mean
    out = _at_risk(requirement, 0.02, queue, policy, 0.9, 1800)
    np.testing.assert_array_equal(out["required_at_mean"], at_mean)
    assert (out["required"] >= out["required_at_mean"]).all()
    # the staffing at risk is the exact staffing of the volume's 90% quantile
    high = erlang.volume_quantile(requirement["volume"], 0.02, 0.9)
    productive = queue.agents(high, 300.0, interval=1800)
    np.testing.assert_array_equal(out["productive"], productive)
    with pytest.raises(ValueError, match="dispersion"):
        _at_risk(requirement, None, queue, policy, 0.9, 1800)


@pytest.mark.slow
def test_plan_with_risk_shows_what_it_costs(sample):
    at_risk = plan(
        sample.volume, aht=sample.aht, month="2026-03", days=7, replications=0, risk=0.9
    )
    req = at_risk.requirement
    assert (req["required"] >= req["required_at_mean"]).all()
    assert req["required"].sum() > req["required_at_mean"].sum()  # the spread costs agents
    assert at_risk.summary()["violations_hard"] == 0

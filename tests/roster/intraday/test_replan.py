"""The intraday re-plan on the bundled sample with an absence spike at 10:00: the moves'
gains are confirmed by an independent simulation, and the day's floor, the ladder and the
errors on small hand-made rosters."""

import numpy as np
import pandas as pd
import pytest

import forecast
import roster
from roster.intraday import EscalationRules, day_floor, ladder_alarms, replan
from roster.simulation import simulate

DAY = pd.Timestamp("2026-03-02")
NOW = DAY + pd.Timedelta(hours=10)


@pytest.fixture(scope="module")
def sample_plan():
    sample = forecast.synthetic_hotline(
        start="2026-02-02", end="2026-02-28", seed=1, daily_volume=800, outage=False
    )
    return roster.plan(
        sample.volume,
        aht=sample.aht,
        month="2026-03",
        days=3,
        agents=30,
        replications=0,
        time_limit=5,
        seed=1,
    )


def _spike(plan):
    """20% of the day's agents absent, a busier morning than forecast, a reserve."""
    day_forecast = plan.forecast.assign(aht=plan.aht)
    today = day_forecast[day_forecast.index.normalize() == DAY]
    morning = today[today.index < NOW]
    actuals = pd.Series(
        np.random.default_rng(0).poisson(1.15 * morning["mean"]).astype(float), morning.index
    )
    rostered = plan.roster
    agents = sorted(set(rostered.loc[rostered["start"].dt.normalize() == DAY, "agent"]))
    absent = agents[::5]
    absences = pd.DataFrame({"agent": absent, "status": "absent"})
    off = sorted(set(rostered["agent"]) - set(agents))
    reserve = pd.DataFrame(
        {
            "agent": [off[0], off[1], "B01"],
            "kind": ["floater", "floater", "back_office"],
            "start": NOW,
            "end": DAY + pd.Timedelta(hours=20),
        }
    )
    present = rostered[
        (rostered["start"] <= NOW) & (rostered["end"] >= NOW + pd.Timedelta(hours=4))
        & ~rostered["agent"].isin(absent)
    ]  # fmt: skip
    coached = present.iloc[0]
    pulloffs = pd.DataFrame(
        {
            "agent": [coached["agent"]],
            "start": [NOW + pd.Timedelta(hours=1)],
            "end": [NOW + pd.Timedelta(hours=2)],
            "activity": ["coaching"],
        }
    )
    return day_forecast, actuals, absences, reserve, pulloffs


@pytest.fixture(scope="module")
def spike(sample_plan):
    day_forecast, actuals, absences, reserve, pulloffs = _spike(sample_plan)
    return replan(
        sample_plan,
        day_forecast,
        actuals,
        now=NOW,
        absences=absences,
        waiting=12,
        busy=5,
        reserve=reserve,
        pulloffs=pulloffs,
        replications=20,
        seed=0,
    )


def _rest_sl(rest, floor, seed, replications=40):
    """Service level of the rest of the day, simulated apart from the re-plan's runs."""
    result = simulate(
        rest.volume,
        rest.aht.to_numpy(float),
        targets=rest.targets,
        patience=rest.patience,
        initial=rest.initial,
        replications=replications,
        seed=seed,
        **floor.simulation_inputs(),
    )
    return float(result.summary().loc["service_level", "mean"])


@pytest.mark.slow
def test_absence_spike_gives_gap_alarm_and_confirmed_actions(spike):
    assert spike.summary["agents_absent"] >= 4
    assert spike.gap.index[0] == NOW
    assert (spike.gap["gap"] < 0).any()
    # 12 waiting now climbs the ladder to the back office
    assert spike.summary["level"] == 2
    assert {"live"} <= set(spike.alarms["source"])
    kinds = set(spike.actions["kind"])
    assert {"floater", "back_office", "cancel_pulloff", "overtime"} <= kinds
    assert list(spike.actions["rank"]) == list(range(1, len(spike.actions) + 1))
    applied = spike.actions[spike.actions["applied"]]
    assert len(applied) >= 1 and applied["confirmed"].all() and applied["allowed"].all()
    assert spike.summary["sl_rest_after"] > spike.summary["sl_rest_before"]


@pytest.mark.slow
def test_top_actions_are_confirmed_by_an_independent_simulation(spike):
    rest, floor = spike.rest, spike.floor
    before = _rest_sl(rest, floor, seed=12345)
    checked = 0
    for move, row in zip(spike.moves, spike.actions.itertuples(), strict=True):
        if not (row.confirmed and row.kind != "early_leave") or checked == 3:
            continue
        after = _rest_sl(rest, move.change(floor), seed=12345)
        assert after > before, row.note
        checked += 1
    assert checked == 3
    assert _rest_sl(rest, spike.floor_after, seed=999) > _rest_sl(rest, floor, seed=999)


@pytest.mark.slow
def test_same_inputs_and_seed_give_the_same_list(sample_plan, spike):
    day_forecast, actuals, absences, reserve, pulloffs = _spike(sample_plan)
    again = replan(
        sample_plan, day_forecast, actuals, now=NOW, absences=absences, waiting=12, busy=5,
        reserve=reserve, pulloffs=pulloffs, replications=20, seed=0,
    )  # fmt: skip
    pd.testing.assert_frame_equal(again.actions, spike.actions)


@pytest.mark.slow
def test_errors_name_the_input(sample_plan):
    day_forecast, actuals, *_ = _spike(sample_plan)
    with pytest.raises(ValueError, match=r"^absences: agent 'nobody' is not in the roster"):
        replan(sample_plan, day_forecast, actuals, now=NOW,
               absences=pd.DataFrame({"agent": ["nobody"], "status": ["absent"]}))  # fmt: skip
    with pytest.raises(ValueError, match=r"^actuals: interval .* after now="):
        replan(sample_plan, day_forecast, actuals, now=NOW - pd.Timedelta(hours=1))
    with pytest.raises(ValueError, match=r"^now=.* outside the forecast's days"):
        replan(sample_plan, day_forecast, actuals, now="2026-04-01 10:00")


def _files(plan, folder, kind="csv"):
    day_forecast, actuals, absences, reserve, _ = _spike(plan)
    day_forecast.to_csv(folder / "forecast.csv", index_label="interval_start")
    if kind == "csv":
        plan.roster.to_csv(folder / "roster.csv", index=False)
        path = folder / "roster.csv"
    else:
        path = roster.to_excel(folder / "roster.xlsx", plan.roster)
    actuals.rename("y").to_csv(folder / "actuals.csv", index_label="ds")
    absences.to_csv(folder / "absences.csv", index=False)
    reserve.to_csv(folder / "reserve.csv", index=False)
    return [
        "intraday", "--roster", str(path), "--actuals", str(folder / "actuals.csv"),
        "--absences", str(folder / "absences.csv"), "--reserve", str(folder / "reserve.csv"),
        "--replications", "8", "--quiet",
    ]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_command_line_prints_the_table(sample_plan, tmp_path, capsys, kind):
    from roster.planning.cli import main

    args = _files(sample_plan, tmp_path, kind)
    assert main([*args, "--now", "10:00", "--waiting", "12", "--busy", "4"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("now 2026-03-02 10:00: ladder level 2")
    assert "service level, rest of day" in out and "floater" in out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("rank"))
    assert header.split() == [
        "rank", "action", "agent", "time", "hours", "sl_gain", "confirmed", "allowed", "applied"
    ]  # fmt: skip


@pytest.mark.slow
def test_command_line_errors_are_one_line(sample_plan, tmp_path, capsys):
    from roster.planning.cli import main

    args = _files(sample_plan, tmp_path)
    (tmp_path / "bad.csv").write_text("agent,status\nnobody,absent\n")
    cases = {
        "absences: agent 'nobody' is not in the roster": [
            *args, "--absences", str(tmp_path / "bad.csv"),
        ],
        "after now=": [*args, "--now", "09:00"],
        "outside the forecast's days": [*args, "--now", "2026-04-01 10:00"],
    }  # fmt: skip
    for message, argv in cases.items():
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("seatplan intraday: error: ") and message in err
        assert err.count("\n") == 1


# --- small hand-made rosters --------------------------------------------------------------


def _roster():
    start = pd.to_datetime(["2026-03-02 08:00", "2026-03-02 09:00", "2026-03-02 12:00"])
    return pd.DataFrame(
        {
            "agent": ["a", "b", "c"],
            "shift": ["x", "x", "y"],
            "start": start,
            "end": start + pd.Timedelta(hours=8),
            "break_start": start + pd.Timedelta(hours=4),
            "break_end": start + pd.Timedelta(hours=4, minutes=30),
            "short_breaks": [0.0, 0.0, 0.0],
        }
    )


def test_day_floor_applies_absence_lateness_and_pulloffs():
    absences = pd.DataFrame(
        {"agent": ["a", "b"], "status": ["absent", "late"], "late_minutes": [np.nan, 45]}
    )
    pulloffs = pd.DataFrame(
        {"agent": ["c"], "start": ["2026-03-02 13:00"], "end": ["2026-03-02 14:00"]}
    )
    floor = day_floor(_roster(), DAY, absences=absences, pulloffs=pulloffs)
    assert list(floor.shifts["agent"]) == ["b", "c"]
    assert floor.shifts.loc[0, "start"] == pd.Timestamp("2026-03-02 09:45")
    index = pd.date_range("2026-03-02 09:00", periods=12, freq="30min")
    on = floor.on_phones(index, 1800)
    # b from 09:45 (half of 09:30), c from 12:00 with coaching 13:00-14:00, b's meal 13:00-13:30
    expected = np.array([0, 0.5, 1, 1, 1, 1, 2, 2, 0, 1, 2, 2], dtype=float)
    np.testing.assert_allclose(on, expected)


def test_day_floor_errors():
    with pytest.raises(ValueError, match=r"^absences: agent 'z' is not in the roster"):
        day_floor(_roster(), DAY, absences=pd.DataFrame({"agent": ["z"], "status": ["absent"]}))
    with pytest.raises(ValueError, match=r"^absences: status 'ill' of agent 'a'"):
        day_floor(_roster(), DAY, absences=pd.DataFrame({"agent": ["a"], "status": ["ill"]}))
    late = pd.DataFrame({"agent": ["a"], "status": ["late"], "late_minutes": [-5]})
    with pytest.raises(ValueError, match=r"^absences: late_minutes=-5 of agent 'a'"):
        day_floor(_roster(), DAY, absences=late)
    outside = pd.DataFrame(
        {"agent": ["a"], "start": ["2026-03-02 20:00"], "end": ["2026-03-02 21:00"]}
    )
    with pytest.raises(ValueError, match=r"^pulloffs: .* not inside one of their shifts"):
        day_floor(_roster(), DAY, pulloffs=outside)


def test_ladder_on_live_and_simulated_queue():
    rules = EscalationRules()
    assert rules.level(5, 600) == 0 and rules.level(6, 299) == 0
    assert rules.level(6, 300) == 1 and rules.level(11, 0) == 2
    index = pd.date_range("2026-03-02 10:00", periods=6, freq="30min")
    queue = pd.Series([0, 7, 12, 3, 6, 6], index, dtype=float)
    alarms = ladder_alarms(rules, 11, 0, queue, 1800)
    assert list(alarms["source"]) == ["live", "simulated", "simulated", "simulated"]
    simulated = alarms[alarms["source"] == "simulated"]
    assert list(simulated["level"]) == [1, 2, 1]
    assert list(simulated["ds"]) == [index[1], index[2], index[4]]


def test_rules_from_toml(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[escalation]\nfloaters_waiting = 3\nback_office_waiting = 8\n")
    rules = EscalationRules.from_toml(path)
    assert rules.floaters_waiting == 3 and rules.back_office_waiting == 8
    path.write_text("[escalation]\nfloaters = 3\n")
    with pytest.raises(ValueError, match=r"unknown keys \['floaters'\]"):
        EscalationRules.from_toml(path)
    with pytest.raises(ValueError, match="must be >= floaters_waiting"):
        EscalationRules(floaters_waiting=8, back_office_waiting=4)


def test_pulloff_moves_to_spare_time_and_early_leave_only_when_overstaffed():
    start = pd.Timestamp("2026-03-02 08:00")
    agents = [f"a{i:02d}" for i in range(12)]
    shifts = pd.DataFrame(
        {"agent": agents, "start": start, "end": start + pd.Timedelta(hours=12),
         "short_breaks": 0.0}
    )  # fmt: skip
    index = pd.date_range(start, periods=24, freq="30min", name="ds")
    busy = (index >= "2026-03-02 10:00") & (index < "2026-03-02 13:00")
    mean = np.where(busy, 80.0, 8.0)
    day_forecast = pd.DataFrame({"mean": mean, "q0.1": mean * 0.9, "q0.9": mean * 1.1}, index)
    actuals = pd.Series(mean[:4], index[:4])
    pulloffs = pd.DataFrame(
        {"agent": ["a00"], "activity": ["training"],
         "start": ["2026-03-02 11:00"], "end": ["2026-03-02 12:00"]}
    )  # fmt: skip
    result = replan(
        shifts, day_forecast, actuals, aht=300.0, pulloffs=pulloffs, replications=10, seed=1
    )
    gap = result.gap["gap"]
    assert (gap[busy[4:]] < 0).all() and (gap[~busy[4:]] >= 1).all()
    kinds = result.actions.set_index("kind")
    moved = kinds.loc[["move_pulloff"]].iloc[0]
    # never into a short interval: the training goes to the quiet afternoon
    assert moved["start"] >= pd.Timestamp("2026-03-02 13:00")
    assert moved["sl_rest_gain"] > 0 and moved["confirmed"]
    assert "cancel_pulloff" in kinds.index
    leave = kinds.loc[["early_leave"]]
    assert len(leave) >= 1 and (leave["start"] >= pd.Timestamp("2026-03-02 13:00")).all()
    assert (leave["agent_hours"] < 0).all() and not leave["applied"].any()
    assert (leave["sl_rest_gain"] <= leave["sl_rest_gain_hw"]).all()
    # early leave is listed after every move that adds service
    assert (result.actions["kind"] == "early_leave").to_numpy().argmax() >= (
        result.actions["kind"] != "early_leave"
    ).sum()

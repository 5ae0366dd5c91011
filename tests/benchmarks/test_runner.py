"""The benchmark runner's table: one row per (case, metric), cases kept apart by their labels."""

import numpy as np
import pandas as pd
import pytest

from benchmarks import shared_data
from benchmarks.__main__ import long_table, markdown


def test_long_table_keeps_text_columns_in_the_case():
    frame = pd.DataFrame(
        {"n_series": [10, 10], "model": ["auto", "top_down"], "time_s": [2.5, 1.0]}
    )
    long = long_table("forecast_speed", frame)
    assert list(long["case"]) == ["10 / auto", "10 / top_down"]
    assert list(long["metric"]) == ["time_s", "time_s"]
    assert list(long["value"]) == [2.5, 1.0]
    text = markdown(long)
    assert text.splitlines()[0] == "| benchmark | case | metric | value |"
    assert "| forecast_speed | 10 / auto | time_s | 2.5 |" in text


def test_long_table_drops_missing_values_and_formats_whole_numbers():
    frame = pd.DataFrame({"case": ["a"], "count": [100000.0], "peer": [None]})
    long = long_table("x", frame)
    assert list(long["metric"]) == ["count"]
    assert "| x | a | count | 100000 |" in markdown(long)


def test_shared_data_names_a_missing_file():
    assert shared_data("curtois").is_dir()
    with pytest.raises(FileNotFoundError, match=r"no_such_file\.csv"):
        shared_data("no_such_file.csv")


def test_headlines_put_ours_beside_the_reference():
    from benchmarks.summary import COLUMNS, headlines

    curtois = pd.DataFrame(
        {"instance": ["Instance1", "Instance2"], "objective": [607, 840], "best_known": [607, 828],
         "time_s": [3.0, 61.0]}
    )  # fmt: skip
    head = headlines("roster_curtois", curtois)
    assert list(head.columns) == COLUMNS
    assert head["ratio"].tolist()[:2] == [1.0, 840 / 828]
    assert head.iloc[-1]["figure"] == "objective / best known"
    assert head.iloc[-1]["ours"] == pytest.approx((840 / 828) ** 0.5)
    accuracy = pd.DataFrame(
        {"case": "bank", "lead": "1-day lead", "lead_days": 1, "model": ["seasonal_naive", "auto"],
         "days": "all", "wape_pct": [9.0, 6.0], "coverage80_pct": [70.0, 79.0]}
    )  # fmt: skip
    head = headlines("forecast_accuracy", accuracy).set_index("figure")
    assert head.loc["WAPE [%]", "ratio"] == pytest.approx(6.0 / 9.0)
    assert head.loc["80% interval coverage [%]", "reference"] == 80.0
    speed = pd.DataFrame(
        {"loads": ["typical"], "ours_us_per_interval": [0.6], "staff_c_over_eval": [1.4],
         "pyworkforce_us_per_interval": [None]}
    )  # fmt: skip
    head = headlines("erlang_speed", speed)
    assert "pyworkforce not installed" in head.iloc[0]["note"]
    assert np.isnan(head.iloc[0]["ratio"])
    assert headlines("unknown", curtois).empty
    speed = speed.assign(staff_a_us_per_interval=3.0, lagged_a_us_per_interval=3.5,
                         risk_quantile_a_us_per_interval=4.0,
                         risk_expected_a_us_per_interval=90.0)  # fmt: skip
    head = headlines("erlang_speed", speed).set_index("figure")
    assert head.loc["lag-corrected staffing [µs per interval]", "reference"] == 60.0
    assert head.loc["risk staffing, expected [µs per interval]", "ratio"] == pytest.approx(1.5)


def test_long_table_keeps_forecast_leads_apart():
    frame = pd.DataFrame(
        {"case": "bank", "lead": ["1-day lead", "7-day lead"], "lead_days": [1, 7],
         "model": "auto", "wape_pct": [6.0, 7.0]}
    )  # fmt: skip
    long = long_table("forecast_accuracy", frame)
    wape = long[long["metric"] == "wape_pct"]
    assert list(wape["case"]) == ["bank / 1-day lead / auto", "bank / 7-day lead / auto"]


def test_scale_months_load_the_team_to_84_percent():
    from benchmarks.roster_scale import month_requirement

    req, daily = month_requirement(150)
    assert len(req) == 31 * 48
    assert 0.83 * 150 * 176 <= req.sum() * 0.5 <= 0.84 * 150 * 176
    assert 4_000 < daily < 10_000
    # at 15-minute intervals: twice the intervals, the same hours
    req, daily = month_requirement(150, interval=900)
    assert len(req) == 31 * 96
    assert 0.83 * 150 * 176 <= req.sum() * 0.25 <= 0.84 * 150 * 176
    assert 4_000 < daily < 10_000


def test_scale_summary_sets_the_goals_and_reads_determinism():
    from benchmarks.summary import headlines

    frame = pd.DataFrame(
        [
            {"case": "400 agents x 31 days, 30-min, effort 1", "agents": 400,
             "time_limit_s": 900.0, "gap_pct": 0.8, "wall_s": 100.0, "time_limit_hit": False,
             "short_agent_h": 3.0, "hard_violations": 0, "peak_memory_mib": 900,
             "goal_gap_pct": 1.0, "goal_wall_s": 120.0},
            {"case": "1000 agents x 31 days, 30-min, effort 0.5", "agents": 1000,
             "time_limit_s": 900.0, "gap_pct": 1.5, "wall_s": 120.0, "time_limit_hit": True,
             "short_agent_h": 9.0, "hard_violations": 0, "peak_memory_mib": 1500,
             "goal_gap_pct": 2.0, "goal_wall_s": 120.0},
            # the determinism run's first month has no goal of its own
            {"case": "150 agents x 31 days, 30-min, effort 1", "agents": 150,
             "time_limit_s": 900.0, "gap_pct": 1.2, "wall_s": 60.0, "time_limit_hit": False,
             "short_agent_h": 3.0, "hard_violations": 0, "peak_memory_mib": 900},
            {"case": "determinism: 150 agents twice, limit 900 s", "agents": 150,
             "same_roster": True},
        ]
    )  # fmt: skip
    table = headlines("roster_scale", frame)
    assert table["reference"].tolist() == [1.0, 2.0, 1.0]
    assert "limit bound" in table["note"].iloc[1] and "goal 120 s" in table["note"].iloc[1]
    assert table["ours"].iloc[2] == 1.0


def test_curtois_headlines_keep_stretched_rows_apart():
    from benchmarks.summary import headlines

    frame = pd.DataFrame(
        {"instance": ["Instance1", "Instance5_w4"], "source": [None, "Instance5"],
         "weeks_x": [np.nan, 4], "staff_x": [np.nan, 1.0], "types_x": [np.nan, 1],
         "objective": [610, 9000], "best_known": [607, np.nan], "bound": [600.0, 8000.0],
         "limit_reached": [False, True], "time_s": [3.0, 59.5]}
    )  # fmt: skip
    head = headlines("roster_curtois", frame).set_index("figure")
    stretched = head.loc["objective, stretched"]
    assert stretched["reference"] == 8000.0 and stretched["ratio"] == 9000 / 8000
    assert "limit reached" in stretched["note"] and "x4" in stretched["case"]
    assert head.loc["objective / best known", "ours"] == pytest.approx(610 / 607)


def test_long_table_takes_a_label_missing_in_some_rows():
    from benchmarks.__main__ import long_table

    frame = pd.DataFrame(
        {"instance": ["Instance1", "Instance5_w4"], "source": [None, "Instance5"],
         "objective": [607.0, 9000.0]}
    )  # fmt: skip
    long = long_table("roster_curtois", frame)
    assert list(long["case"]) == ["Instance1", "Instance5_w4 / Instance5"]
    assert list(long["value"]) == [607.0, 9000.0]


def test_batch_headlines_state_the_goals():
    from benchmarks.summary import headlines

    base = {"case": "20 queues, forecast + requirement + KPIs", "workers": 2, "queues": 20,
            "wall_s": 10.0, "speedup": 1.8, "cpu_speedup": 1.9, "cpu_per_queue_ms": 500.0,
            "overhead_pct_of_work": 3.0, "driver_cpu_per_task_ms": 5.0,
            "driver_cpu_pct_of_work": 1.0, "noop_per_task_ms": 4.0, "load_1min": 0.5,
            "identical": True, "projected_10000q_32w_s": 160.0,
            "projected_10000q_256w_s": 50.0}  # fmt: skip
    frame = pd.DataFrame(
        [{**base, "engine": "serial", "speedup": 1.0}, {**base, "engine": "local"},
         {**base, "engine": "dask"}]
    )  # fmt: skip
    head = headlines("batch", frame)
    speed = head[head["figure"] == "speed-up against serial, wall"]
    assert list(speed["reference"]) == [1.7, 1.7]
    assert speed["ratio"].tolist() == pytest.approx([1.8 / 1.7] * 2)
    overhead = head[head["figure"].str.startswith("engine overhead")]
    assert list(overhead["reference"]) == [5.0, 5.0]
    projected = head[head["figure"].str.startswith("projected")]
    assert list(projected["case"]) == ["dask, 32 workers", "dask, 256 workers"]
    assert list(projected["ours"]) == [160.0, 50.0]

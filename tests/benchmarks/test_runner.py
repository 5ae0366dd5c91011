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


def test_long_table_keeps_forecast_leads_apart():
    frame = pd.DataFrame(
        {"case": "bank", "lead": ["1-day lead", "7-day lead"], "lead_days": [1, 7],
         "model": "auto", "wape_pct": [6.0, 7.0]}
    )  # fmt: skip
    long = long_table("forecast_accuracy", frame)
    wape = long[long["metric"] == "wape_pct"]
    assert list(wape["case"]) == ["bank / 1-day lead / auto", "bank / 7-day lead / auto"]


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

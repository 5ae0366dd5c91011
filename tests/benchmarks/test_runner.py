"""The benchmark runner's table: one row per (case, metric), cases kept apart by their labels."""

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

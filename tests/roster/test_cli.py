"""The ``seatplan`` command line, run in-process."""

import pandas as pd

import erlang
from roster.cli import main


def test_staff_on_bundled_sample(tmp_path, capsys):
    assert main(["staff", "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "requirement.csv", index_col=0, parse_dates=True)
    assert len(table) == 7 * 48
    assert (table.scheduled >= 2).all()
    assert (table.service_level >= 0.8 - 1e-12).all()
    assert (table.occupancy <= 0.9 + 1e-12).all()
    assert "peak:" in capsys.readouterr().out


def test_staff_on_user_csv(tmp_path):
    index = pd.date_range("2026-03-02 08:00", periods=4, freq="15min")
    path = tmp_path / "volume.csv"
    pd.DataFrame({"ds": index, "y": [40, 80, 120, 0], "aht": 240.0}).to_csv(path, index=False)
    out = tmp_path / "report"
    assert main(["staff", "--volume", str(path), "--out", str(out), "--patience", "0"]) == 0
    table = pd.read_csv(out / "requirement.csv", index_col=0, parse_dates=True)
    expected = erlang.required_agents(
        pd.Series([40.0, 80, 120, 0], index=index),
        240.0,
        interval=900.0,
        answer_rate=0.85,
        max_occupancy=0.9,
        shrinkage=0.3,
        min_agents=2,
    )
    assert list(table.scheduled) == list(expected)

"""``seatplan plan`` on many queues, run in-process."""

import pandas as pd
import pytest

from roster.batch.network import synthetic_network
from roster.planning.cli import main


@pytest.mark.slow
def test_sample_network_of_50_queues(tmp_path, capsys):
    out = tmp_path / "network"
    argv = ["plan", "--sample", "network", "--days", "2", "--model", "same_day_type"]
    argv += ["--engine", "local", "--workers", "2", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 50 and summary["unique_id"].is_unique
    assert pd.read_csv(out / "errors.csv").empty
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == sorted(summary["unique_id"])
    req = pd.read_csv(out / "q0049" / "requirement.csv", parse_dates=["ds"])
    assert req["ds"].dt.normalize().nunique() == 2
    assert (req["required"] >= req["productive"]).all()
    stdout = capsys.readouterr().out
    assert "queues: 50 planned, 0 failed (engine local, 2 workers)" in stdout


def test_history_file_with_several_queues(tmp_path, capsys):
    net = synthetic_network(2, start="2025-09-01", end="2025-10-31", seed=5)
    frame = net.history.rename(columns={"unique_id": "队列", "ds": "时间", "y": "呼入量"})
    # a third queue whose counts are all missing
    broken = frame[frame["队列"] == "q0000"].assign(**{"队列": "broken", "呼入量": None})
    path = tmp_path / "history.csv"
    pd.concat([frame, broken]).to_csv(path, index=False)
    out = tmp_path / "report"
    argv = ["plan", "--history", str(path), "--days", "1", "--model", "same_day_type"]
    argv += ["--engine", "serial", "--shifts", "--time-limit", "30", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["unique_id"]) == ["q0000", "q0001"]
    assert (summary["agent_shifts"] > 0).all()
    errors = pd.read_csv(out / "errors.csv")
    assert list(errors["unique_id"]) == ["broken"] and errors["stage"].iat[0] == "history"
    schedule = pd.read_csv(out / "q0001" / "schedule.csv")
    assert schedule["agents"].sum() == summary["agent_shifts"].iat[1]
    captured = capsys.readouterr()
    assert "queues: 2 planned, 1 failed" in captured.out
    assert "broken: history:" in captured.err


def test_batch_flags_are_refused_for_one_queue(tmp_path, capsys):
    index = pd.date_range("2025-10-01", periods=48 * 7, freq="30min")
    path = tmp_path / "one.csv"
    pd.DataFrame({"ds": index, "y": 10.0}).to_csv(path, index=False)
    assert main(["plan", "--history", str(path), "--engine", "dask"]) == 2
    assert "--engine is for several queues" in capsys.readouterr().err


def test_scheduler_needs_the_dask_engine(tmp_path, capsys):
    argv = ["plan", "--sample", "network", "--queues", "1", "--engine", "serial"]
    argv += ["--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "--scheduler is for --engine dask" in capsys.readouterr().err

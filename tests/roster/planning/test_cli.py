"""The ``seatplan`` command line, run in-process."""

import pandas as pd
import pytest

import erlang
from roster.planning.cli import main
from roster.planning.policy import DEFAULT_SHRINKAGE


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
    # the plan's defaults: the hotline targets under Erlang C, its shrinkage and day floor
    expected = erlang.required_agents(
        pd.Series([40.0, 80, 120, 0], index=index),
        240.0,
        interval=900.0,
        targets=erlang.Targets.hotline(),
        shrinkage=DEFAULT_SHRINKAGE,
        min_agents=8,
    )
    assert list(table.scheduled) == list(expected)
    assert (table.floor == 8).all()


@pytest.mark.parametrize(
    ("rows", "flags", "message"),
    [
        ("ds,y\n2026-03-02 08:00,40\n2026-03-02 08:30,nan\n", [], "row 2"),
        ("ds,y\n2026-03-02 08:00,40\n2026-03-02 08:30,-5\n", [], "row 2"),
        (
            "ds,y\n2026-03-02 08:00,40\n2026-03-02 08:30,50\n",
            ["--service-level", "1.5"],
            "service_level must lie in",
        ),
        ("ds,y,aht\n2026-03-02 08:00,40,0\n2026-03-02 08:30,50,300\n", [], "column 'aht'"),
        (
            "ds,y\n2026-03-02 08:00,40\n2026-03-02 08:30,40\n2026-03-02 08:30,50\n",
            [],
            "different counts",
        ),
    ],
)
def test_staff_reports_bad_input_in_one_line(tmp_path, capsys, rows, flags, message):
    path = tmp_path / "volume.csv"
    path.write_text(rows)
    assert main(["staff", "--volume", str(path), "--out", str(tmp_path / "o"), *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("seatplan staff: error:") and message in err[0]


def test_staff_names_a_missing_file_and_a_folder(tmp_path, capsys):
    assert main(["staff", "--volume", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: no such file" in capsys.readouterr().err
    assert main(["staff", "--volume", str(tmp_path)]) == 2
    assert "is a folder; give a file" in capsys.readouterr().err


# --- seatplan plan ---------------------------------------------------------------------------

import numpy as np  # noqa: E402
import openpyxl  # noqa: E402

import forecast  # noqa: E402


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


@pytest.mark.slow
def test_plan_on_user_csv_with_toml_config(history_csv, tmp_path, capsys):
    config = tmp_path / "plan.toml"
    config.write_text(
        "[plan]\nmonth = '2026-03'\ndays = 2\nagents = 40\nreplications = 2\ntime_limit = 3\n"
        "[targets]\nservice_level = 0.9\nthreshold = 15\n[staffing]\nfloor_day = 4\n"
        # two days of a 176 h month is 11.4 h: widen the band so that one 8 h shift fits
        "[rules]\nmonthly_paid_tolerance = 216000\n"
    )
    out = tmp_path / "report"
    code = main(
        ["plan", "--history", str(history_csv), "--config", str(config), "--out", str(out)]
    )
    assert code == 0
    captured = capsys.readouterr()
    for name in (
        "forecast.csv",
        "requirement.csv",
        "roster.xlsx",
        "kpis.csv",
        "violations.csv",
        "simulation.csv",
        "forecast.png",
        "coverage.png",
        "roster.png",
        "service_level.png",
    ):
        assert (out / name).stat().st_size > 0, name
    req = pd.read_csv(out / "requirement.csv", index_col=0, parse_dates=True)
    assert len(req) == 2 * 48 and req.index[0] == pd.Timestamp("2026-03-01")
    productive = erlang.required_agents(
        req["volume"],
        req["aht"],
        interval=1800.0,
        service_level=0.9,
        threshold=15,
        answer_rate=0.85,
        asa=20,
        max_abandon=0.05,
        short_abandon=20,
        max_occupancy=0.9,
        patience=60,
    )
    assert (req["productive"] == productive).all()
    assert (req["floor"][req.index.hour == 12] == 4).all()
    kpis = pd.read_csv(out / "kpis.csv", index_col=0, parse_dates=True)
    assert kpis.index.equals(req.index)
    workbook = openpyxl.load_workbook(out / "roster.xlsx", read_only=True)
    assert "Roster" in workbook.sheetnames
    assert "service level (15 s): expected" in captured.out
    assert "rule violations:" in captured.out
    assert "[5/7] roster" in captured.err  # progress on stderr


@pytest.mark.slow
def test_plan_reads_parquet_like_csv(history_csv, tmp_path):
    from roster.planning.inputs import read_history

    frame = pd.read_csv(history_csv, parse_dates=["ds"])
    path = tmp_path / "history.parquet"
    frame.to_parquet(path)
    a, b = read_history(history_csv), read_history(path)
    np.testing.assert_array_equal(a["y"], b["y"])
    assert (a["ds"] == b["ds"]).all()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("y", "abc", "'abc' is not a number"),
        ("ds", "2026-13-45 08:00", "is not a date and time"),
        ("y", "-3", "-3 must be >= 0"),
        ("aht", "0", "0 must be > 0"),
    ],
)
def test_plan_error_names_file_row_and_column(
    history_csv, tmp_path, capsys, column, value, message
):
    frame = pd.read_csv(history_csv, dtype=str)
    frame.loc[16, column] = value  # data row 17, line 18 of the file
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    assert main(["plan", "--history", str(path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert f"{path}, row 17 (line 18), column '{column}': " in err
    assert message in err
    assert not (tmp_path / "r").exists()


def test_plan_error_in_call_records(tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_text(
        "arrival,answer,end\n"
        "2026-02-02 08:00:00,2026-02-02 08:00:10,2026-02-02 08:05:00\n"
        "2026-02-02 08:01:00,,2026-02-02 08:01:40\n"
        "2026-02-02 08:02:00,soon,2026-02-02 08:06:00\n"
    )
    assert main(["plan", "--calls", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}, row 3 (line 4), column 'answer': 'soon' is not a date and time" in err


def test_plan_config_errors_name_file_and_key(history_csv, tmp_path, capsys):
    config = tmp_path / "bad.toml"
    config.write_text("[targets]\nsl = 0.8\n")
    assert main(["plan", "--history", str(history_csv), "--config", str(config)]) == 2
    assert f"{config} [targets]: unknown keys ['sl']" in capsys.readouterr().err
    config.write_text("[plan]\nmonths = '2026-03'\n")
    assert main(["plan", "--history", str(history_csv), "--config", str(config)]) == 2
    assert "unknown keys ['months'] in [plan]" in capsys.readouterr().err
    config.write_text("[plan\n")
    assert main(["plan", "--history", str(history_csv), "--config", str(config)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


@pytest.mark.slow
def test_plan_on_call_records(tmp_path, capsys):
    sample = forecast.synthetic_hotline(
        start="2026-02-02", end="2026-02-28", seed=5, daily_volume=500, outage=False
    )
    rng = np.random.default_rng(5)
    slot = np.repeat(sample.volume.index.as_unit("s").asi8, sample.volume.to_numpy())
    arrival = pd.to_datetime(slot + rng.uniform(0, 1800, slot.size), unit="s")
    wait = rng.exponential(8.0, slot.size)
    answered = rng.random(slot.size) < 0.95
    answer = (arrival + pd.to_timedelta(wait, "s")).where(answered)
    handle = pd.to_timedelta(rng.exponential(300.0, slot.size), "s")
    end = answer.where(answered, arrival + pd.to_timedelta(wait, "s")) + handle.where(
        answered, pd.Timedelta(0)
    )
    calls = pd.DataFrame({"arrival": arrival, "answer": answer, "end": end})
    path = tmp_path / "calls.csv"
    calls.to_csv(path, index=False)
    out = tmp_path / "report"
    args = ["plan", "--calls", str(path), "--days", "7", "--agents", "30", "--quiet"]
    assert main([*args, "--replications", "2", "--time-limit", "3", "--out", str(out)]) == 0
    report = pd.read_csv(out / "history_report.csv")
    rows = dict(zip(report["item"], report["value"], strict=True))
    assert int(rows["call records"]) == len(calls) == int(rows["records used"])
    assert float(rows["contacts"]) == len(calls)
    forecast_csv = pd.read_csv(out / "forecast.csv", index_col=0, parse_dates=True)
    assert forecast_csv.index[0] == pd.Timestamp("2026-03-01") and len(forecast_csv) == 7 * 48
    # the AHT forecast comes from the records' handle times (exponential, mean 300 s)
    assert forecast_csv["aht"].mean() == pytest.approx(300, rel=0.1)
    assert "2026-03-01 to 2026-03-07" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--service-level", "1.5"], "service_level must lie in (0, 1), got 1.5"),
        (["--agents", "-3"], "agents=-3 must be >= 1"),
        (["--time-limit", "0"], "time_limit=0.0 must be positive"),
        (["--history", "no-such.csv"], "--history no-such.csv: no such file"),
        (["--risk", "1.5"], "risk=1.5 must be in (0, 1)"),
    ],
)
def test_plan_rejects_bad_input_before_loading_the_solvers(flags, message):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from roster.planning.cli import main\n"
        f"rc = main(['plan', *{flags!r}])\n"
        "heavy = ('numba', 'highspy', 'matplotlib', 'statsmodels', 'roster.people')\n"
        "print(rc, [m for m in heavy if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "2 []", done.stdout + done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1

"""``seatplan plan`` for a centre of several queues: the bundled carrier sample and user files."""

import pandas as pd
import pytest

from roster.planning.cli import main
from roster.planning.samples import carrier_sample

CENTRE_TOML = """
[[queues]]
name = "general"
aht = 300
patience = 90

[[queues]]
name = "complaints"
aht = 420
patience = 120
targets = { service_level = 0.9, threshold = 15 }

[[groups]]
name = "general"
skills = ["general"]

[[groups]]
name = "senior"
skills = ["complaints", "general"]
rank = { general = 1 }
"""


@pytest.mark.slow
def test_plan_on_a_user_centre(tmp_path, capsys):
    history, _ = carrier_sample()
    # a 12345-style line: a general queue and a complaints queue, in Chinese headers
    two = history[history["unique_id"] != "vip"].replace(
        {"unique_id": {"presales": "general", "aftersales": "complaints"}}
    )
    two = two[two["ds"] >= "2025-09-01"]
    path = tmp_path / "history.csv"
    two.rename(columns={"unique_id": "技能组", "ds": "时间", "y": "呼入量"}).to_csv(
        path, index=False, encoding="gbk"
    )
    centre = tmp_path / "centre.toml"
    centre.write_text(CENTRE_TOML)
    out = tmp_path / "report"
    argv = ["plan", "--history", str(path), "--centre", str(centre), "--days", "2"]
    rc = main([*argv, "--replications", "3", "--out", str(out), "--quiet"])
    printed = capsys.readouterr().out
    assert rc == 0, printed
    assert "group senior (complaints, general)" in printed
    assert "queue complaints" in printed and "rule violations: 0 hard" in printed
    queues = pd.read_csv(out / "queues.csv", index_col=0)
    assert list(queues.index) == ["general", "complaints"]
    assert (
        queues["service_level"] + queues["service_level_hw"] >= queues["target_service_level"]
    ).all()
    roster = pd.read_csv(out / "roster.csv")
    assert set(roster["group"]) <= {"general", "senior"} and len(roster) > 0
    # the workbook gives each agent's group and skills
    totals = pd.read_excel(out / "roster.xlsx", sheet_name="Totals")
    assert set(totals["group"]) == set(roster["group"])
    assert set(totals.loc[totals["group"] == "senior", "skills"]) == {"complaints, general"}
    for figure in ("groups.png", "service_level.png", "roster.png"):
        assert (out / figure).stat().st_size > 10_000


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sample", "carrier", "--service-level", "0.9"], "--service-level is for one queue"),
        (["--sample", "carrier", "--agents", "40"], "--agents is for one queue"),
        (["--sample", "carrier", "--history", "h.csv"], "give --centre with --history"),
        (["--centre", "missing.toml"], "--centre missing.toml"),
    ],
)
def test_centre_flags_are_checked_in_one_line(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "h.csv").write_text("queue,ds,y\na,2026-01-01 00:00,1\n")
    rc = main(["plan", *argv, "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_centre_file_errors_name_the_file(tmp_path, capsys):
    bad = tmp_path / "centre.toml"
    bad.write_text('[[queues]]\nname = "a"\naht = 300\n[[groups]]\nname = "g"\nskills = ["b"]\n')
    (tmp_path / "h.csv").write_text("queue,ds,y\na,2026-01-01 00:00,1\n")
    rc = main(["plan", "--centre", str(bad), "--history", str(tmp_path / "h.csv"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "group 'g' names unknown queues ['b']" in err

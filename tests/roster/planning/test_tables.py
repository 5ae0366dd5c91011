"""Files as Chinese call centres export them: GBK, Chinese headers, Excel, split date and
time, and dates whose day/month order must be settled, never guessed."""

import pandas as pd
import pytest

from roster.planning.cli import main
from roster.planning.inputs import read_calls, read_history
from roster.planning.tables import InputFileError, parse_column_map, read_table

CHINESE = (
    "时间,呼入量,接通量,平均处理时长\n2026-03-02 08:00,40,38,310\n2026-03-02 08:30,52,50,295\n"
)


def test_gbk_export_with_chinese_headers(tmp_path):
    path = tmp_path / "话务.csv"
    path.write_bytes(CHINESE.encode("gbk"))
    frame = read_history(path)
    assert list(frame.columns) == ["ds", "y", "aht"]
    assert frame["y"].tolist() == [40.0, 52.0] and frame["aht"].tolist() == [310.0, 295.0]
    assert frame["ds"].iloc[1] == pd.Timestamp("2026-03-02 08:30")
    # UTF-8 with a byte-order mark, as Excel saves it, reads the same
    bom = tmp_path / "bom.csv"
    bom.write_bytes(CHINESE.encode("utf-8-sig"))
    pd.testing.assert_frame_equal(read_history(bom), frame)


def test_encoding_given_and_wrong_is_named(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(CHINESE.encode("gbk"))
    with pytest.raises(InputFileError, match="is not utf-8 text"):
        read_table(path, encoding="utf-8")
    with pytest.raises(InputFileError, match="unknown encoding='nope'"):
        read_table(path, encoding="nope")
    assert read_table(path, encoding="gbk").columns[0] == "时间"


def test_excel_with_date_and_time_slot_apart(tmp_path):
    path = tmp_path / "history.xlsx"
    pd.DataFrame(
        {"日期": ["2026-03-02", "2026-03-02"], "时段": ["08:00-08:30", "08:30-09:00"],
         "话务量": [12, 18]}
    ).to_excel(path, index=False)  # fmt: skip
    frame = read_history(path)
    assert frame["ds"].tolist() == [
        pd.Timestamp("2026-03-02 08:00"), pd.Timestamp("2026-03-02 08:30")
    ]  # fmt: skip
    assert frame["y"].tolist() == [12.0, 18.0]


def test_explicit_mapping_and_two_candidates(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("时间,呼入量,calls\n2026-03-02 08:00,40,41\n2026-03-02 08:30,52,53\n")
    with pytest.raises(InputFileError, match=r"could each be 'y'; choose with columns y="):
        read_history(path)
    frame = read_history(path, columns=parse_column_map("y=calls"))
    assert frame["y"].tolist() == [41.0, 53.0]
    with pytest.raises(InputFileError, match="columns maps y='来话'"):
        read_history(path, columns={"y": "来话"})
    with pytest.raises(ValueError, match="name=header"):
        parse_column_map("y")


def test_day_and_month_are_never_guessed(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("ds,y\n04/03/2026 08:00,40\n04/03/2026 08:30,52\n")
    with pytest.raises(InputFileError, match=r"column 'ds': .*--dayfirst / --monthfirst"):
        read_history(path)
    assert read_history(path, dayfirst=True)["ds"].iloc[0] == pd.Timestamp("2026-03-04 08:00")
    assert read_history(path, dayfirst=False)["ds"].iloc[0] == pd.Timestamp("2026-04-03 08:00")
    # a day above 12 settles the order for the whole column
    path.write_text("ds,y\n04/03/2026 08:00,40\n13/03/2026 08:30,52\n")
    assert read_history(path)["ds"].tolist()[0] == pd.Timestamp("2026-03-04 08:00")
    path.write_text("ds,y\n04/13/2026 08:00,40\n13/03/2026 08:30,52\n")
    with pytest.raises(InputFileError, match="mixes day-first and month-first"):
        read_history(path)
    # year first is unambiguous
    path.write_text("ds,y\n2026/3/4 08:00,40\n2026/3/4 08:30,52\n")
    assert read_history(path)["ds"].iloc[0] == pd.Timestamp("2026-03-04 08:00")


def test_call_records_with_chinese_headers(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_bytes(
        "来电时间,应答时间,挂机时间,主叫号码\n"
        "2026-03-02 08:00:05,2026-03-02 08:00:20,2026-03-02 08:05:00,138\n"
        "2026-03-02 08:01:00,,2026-03-02 08:01:30,139\n".encode("gb18030")
    )
    calls = read_calls(path)
    assert list(calls.columns) == ["arrival", "answer", "end", "caller"]
    assert calls["answer"].isna().tolist() == [False, True]


def test_cli_reads_gbk_and_refuses_ambiguous_dates(tmp_path, capsys):
    path = tmp_path / "话务.csv"
    path.write_bytes(CHINESE.encode("gbk"))
    assert main(["staff", "--volume", str(path), "--out", str(tmp_path / "out")]) == 0
    table = pd.read_csv(tmp_path / "out" / "requirement.csv")
    assert table["volume"].tolist() == [40.0, 52.0]
    dates = tmp_path / "dates.csv"
    dates.write_text("ds,y\n04/03/2026 08:00,40\n04/03/2026 08:30,52\n")
    assert main(["staff", "--volume", str(dates), "--out", str(tmp_path / "o2")]) == 2
    assert "--dayfirst" in capsys.readouterr().err
    out = tmp_path / "o3"
    assert main(["staff", "--volume", str(dates), "--dayfirst", "--out", str(out)]) == 0
    assert pd.read_csv(out / "requirement.csv")["interval_start"][0].startswith("2026-03-04")
    mapped = tmp_path / "mapped.csv"
    mapped.write_text("when,n\n2026-03-02 08:00,40\n2026-03-02 08:30,52\n")
    assert main(
        ["staff", "--volume", str(mapped), "--columns", "ds=when,y=n", "--out", str(out)]
    ) == 0  # fmt: skip


def test_gaps_and_missing_counts_are_reported_and_warned():
    from roster.planning.inputs import prepare_history
    from roster.planning.tables import InputWarning

    index = pd.date_range("2026-01-05", "2026-03-01 23:30", freq="30min")
    volume = pd.Series(10.0, index=index)
    week = (index >= "2026-02-02") & (index < "2026-02-09")  # a missing week
    volume = volume[~week]
    volume[volume.index.normalize() == "2026-02-16"] = float("nan")
    with pytest.warns(InputWarning) as caught:
        hist = prepare_history(volume, aht=300.0)
    messages = [str(w.message) for w in caught]
    assert any("no data on 7 days the centre opens: 2026-02-02" in m for m in messages)
    assert any("48 intervals with missing counts on 1 days: 2026-02-16" in m for m in messages)
    report = dict(zip(hist.report["item"], hist.report["value"], strict=True))
    assert report["days without data"] == 7 and report["days with missing counts"] == 1
    assert report["days without data (dates)"].startswith("2026-02-02, 2026-02-03")


def test_aht_in_minutes_is_flagged_in_one_line(tmp_path, capsys):
    path = tmp_path / "minutes.csv"
    path.write_text("ds,y,aht\n2026-03-02 08:00,40,5.5\n2026-03-02 08:30,52,4.8\n")
    assert main(["staff", "--volume", str(path), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"seatplan staff: warning: {path}: column 'aht' has a median of 5.15 s; AHT is in "
        "seconds (minutes given?)"
    ]

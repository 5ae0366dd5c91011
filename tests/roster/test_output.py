import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from openpyxl import load_workbook

from roster.excel import roster_grid, seats_grid, to_excel
from roster.plots import plot_coverage, plot_roster
from roster.seats.schedule import schedule_shifts
from roster.shifts import ShiftTemplate

H = 3600
D0 = pd.Timestamp("2025-03-01")


def assignments():
    rows = [
        ("li", 0, "0800-1700", 8, 17),
        ("li", 1, "2000-0800", 20, 32),
        ("wang", 0, "1400-2300", 14, 23),
        ("wang", 2, "0800-1700", 8, 17),
    ]
    return pd.DataFrame(
        {
            "agent": [r[0] for r in rows],
            "date": [D0 + pd.Timedelta(days=r[1]) for r in rows],
            "shift": [r[2] for r in rows],
            "start": [D0 + pd.Timedelta(days=r[1], hours=r[3]) for r in rows],
            "end": [D0 + pd.Timedelta(days=r[1], hours=r[4]) for r in rows],
            "break_start": [D0 + pd.Timedelta(hours=12), pd.NaT, pd.NaT, pd.NaT],
            "break_end": [D0 + pd.Timedelta(hours=12.5), pd.NaT, pd.NaT, pd.NaT],
        }
    )


def small_schedule():
    idx = pd.date_range(D0, periods=48, freq="h")
    req = pd.Series(np.where((idx.hour >= 8) & (idx.hour < 20), 3.0, 1.0), index=idx)
    templates = [
        ShiftTemplate.from_clock("08:00", "20:00"),
        ShiftTemplate.from_clock("20:00", "08:00"),
    ]
    return schedule_shifts(req, templates, floors=None, boundary="wrap")


def test_roster_grid_codes_and_rest_days():
    grid = roster_grid(assignments())
    assert list(grid.index) == ["li", "wang"]
    assert list(grid.columns) == list(pd.date_range(D0, periods=3))
    assert grid.loc["li"].tolist() == ["0800-1700", "2000-0800", "休"]
    assert grid.loc["wang"].tolist() == ["1400-2300", "休", "0800-1700"]


def test_excel_round_trip(tmp_path):
    sched = small_schedule()
    totals = pd.DataFrame({"shifts": [2, 2], "paid": [17 * H, 18 * H]}, index=["li", "wang"])
    path = to_excel(
        tmp_path / "roster.xlsx",
        assignments(),
        totals=totals,
        schedule=sched,
        calendar=["2025-03-02"],
    )
    wb = load_workbook(path)
    assert wb.sheetnames == ["Roster", "Totals", "Shifts", "Coverage", "Seats"]
    ws = wb["Roster"]
    assert [c.value for c in ws[1]] == ["agent", "03-01 六", "03-02 日 法", "03-03 一"]
    assert [c.value for c in ws[2]] == ["li", "0800-1700", "2000-0800", "休"]
    # the big night is shaded, the holiday header too
    assert ws["C2"].fill.start_color.rgb.endswith("D9D2E9")
    assert ws["C1"].fill.start_color.rgb.endswith("F4CCCC")
    cov = wb["Coverage"]
    assert cov.max_row == len(sched.coverage) + 1
    header = [c.value for c in cov[1]]
    req_col = header.index("required (agents)")  # headers carry their units
    got = [cov.cell(row=i + 2, column=req_col + 1).value for i in range(len(sched.coverage))]
    np.testing.assert_allclose(got, sched.coverage["required"].round(2))
    seats = wb["Seats"]
    assert seats.max_row == 25 and seats.max_column == 3  # 24 hours x 2 days + labels
    totals_sheet = wb["Totals"]
    assert [c.value for c in totals_sheet[1]] == [None, "shifts", "paid (h)"]
    assert totals_sheet["B2"].value == 2
    assert [totals_sheet["C2"].value, totals_sheet["C3"].value] == [17.0, 18.0]  # hours
    # a legend under the grid says what each shade and mark means
    keys = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=1) for r in range(5, 12)}
    assert ws["A5"].value == "legend"
    big = next(cell for text, cell in keys.items() if text and text.startswith("big night"))
    assert big.fill.start_color.rgb.endswith("D9D2E9")
    holiday = next(cell for text, cell in keys.items() if text and "statutory" in text)
    assert holiday.value == "法" and holiday.fill.start_color.rgb.endswith("F4CCCC")


def test_excel_needs_something(tmp_path):
    with pytest.raises(ValueError, match="nothing to write"):
        to_excel(tmp_path / "x.xlsx")


def test_seats_grid_layout():
    cov = small_schedule().coverage
    grid = seats_grid(cov, "required")
    assert grid.shape == (24, 2)
    assert grid.loc["09:00"].tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match="nope"):
        seats_grid(cov, "nope")


def test_plot_coverage_draws_the_data():
    sched = small_schedule()
    cov = sched.coverage.copy()
    cov.loc[cov.index[10], "net"] = 0  # force a shortfall to shade
    fig = plot_coverage(cov, start=D0, end=D0 + pd.Timedelta(days=1))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), cov["required"].iloc[:24])
    np.testing.assert_allclose(lines[1].get_ydata(), cov["net"].iloc[:24])
    assert len(ax.collections) == 1  # the shortfall band
    with pytest.raises(ValueError, match="no intervals"):
        plot_coverage(cov, start="2030-01-01")


def test_plot_roster_gantt_and_heatmap():
    a = assignments()
    fig = plot_roster(a)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_width() > 0]
    # four shifts, one meal cut out of li's first shift
    assert len(bars) == 5
    widths_h = sorted(round(p.get_width() * 24, 3) for p in bars)
    assert widths_h == [0.5, 9, 9, 9, 12]
    heat = plot_roster(a, kind="heatmap")
    image = heat.axes[0].get_images()[0].get_array()
    assert image[0, 0] == 8 and image[0, 1] == 20 and np.ma.is_masked(image[0, 2])
    with pytest.raises(ValueError, match="kind"):
        plot_roster(a, kind="pie")


def test_excel_marks_chinese_calendar_days(tmp_path):
    # Golden Week 2025: Sunday 28 Sep and Saturday 11 Oct are make-up workdays, 1 Oct is a
    # statutory holiday, 8 Oct a bridge day (State Council notice of November 2024)
    days = pd.to_datetime(["2025-09-28", "2025-10-01", "2025-10-08", "2025-10-09"])
    a = pd.DataFrame(
        {
            "agent": "li",
            "date": days,
            "shift": "0800-1700",
            "start": days + pd.Timedelta(hours=8),
            "end": days + pd.Timedelta(hours=17),
        }
    )
    path = to_excel(tmp_path / "cal.xlsx", a, calendar="CN")
    ws = load_workbook(path)["Roster"]
    cells = {c.value[:5]: c for c in ws[1][1:]}  # every day from 28 Sep to 9 Oct
    assert len(cells) == 12
    expect = {"09-28": "日 班", "10-01": "三 法", "10-08": "三 休", "10-09": "四"}
    assert {d: cells[d].value[6:] for d in expect} == expect
    fills = [cells[d].fill.start_color.rgb[-6:] for d in expect]
    assert fills[:3] == ["D9EAD3", "F4CCCC", "FCE5CD"]
    assert fills[3] != "F4CCCC"
    assert ws.cell(row=2, column=3).value == "休"  # 29 Sep: no shift


def test_plot_roster_refuses_an_empty_roster():
    a = assignments()
    with pytest.raises(ValueError, match="no shifts"):
        plot_roster(a.iloc[:0], kind="heatmap")
    with pytest.raises(ValueError, match="agents=\\['zhao'\\]"):
        plot_roster(a, agents=["zhao"])
    labels = [t.get_text() for t in plot_roster(a).axes[0].get_legend().get_texts()]
    assert labels == ["day shift", "small night", "big night"]  # 14-23 h ends at 23:00


HOSTILE = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1"]


def test_hostile_names_are_written_and_read_back_as_text(tmp_path):
    a = assignments()
    names = {"li": HOSTILE[0], "wang": HOSTILE[1]}
    a["agent"] = a["agent"].map(names)
    a["shift"] = [HOSTILE[2], HOSTILE[3], HOSTILE[4], "0800-1700"]
    totals = pd.DataFrame({"shifts": [2, 2]}, index=list(names.values()))
    path = to_excel(tmp_path / "roster.xlsx", a, totals=totals)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        cells = [c for row in ws.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
    ws = wb["Roster"]
    assert [ws.cell(row=i, column=1).value for i in (2, 3)] == [HOSTILE[0], HOSTILE[1]]
    assert [c.value for c in ws[2]][1:3] == [HOSTILE[2], HOSTILE[3]]
    assert [c.value for c in wb["Totals"]["A"]][1:] == [HOSTILE[0], HOSTILE[1]]


def test_csv_text_that_reads_as_a_formula_gets_an_apostrophe(tmp_path):
    from roster.cells import escape_csv_text

    frame = pd.DataFrame(
        {"agent": [*HOSTILE, "li"], "hours": [-1.0, 2.0, 3.0, 4.0, 5.0, -6.0]},
        index=pd.Index(["=x", "a", "b", "c", "d", "e"], name="row"),
    )
    out = escape_csv_text(frame)
    assert out["agent"].tolist() == ["'" + h for h in HOSTILE] + ["li"]
    assert out["hours"].tolist() == frame["hours"].tolist()  # numbers stay numbers
    assert out.index[0] == "'=x"
    path = tmp_path / "t.csv"
    out.to_csv(path)
    back = pd.read_csv(path, index_col=0)
    assert not back["agent"].str.startswith(("=", "+", "-", "@", "\t")).any()
    assert frame["agent"].tolist() == [*HOSTILE, "li"]  # the input is left as it was


def test_workbooks_are_read_with_protection_against_malformed_xml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML  # openpyxl parses with defusedxml (entity expansion, external entities)


def test_roster_classes_grid_and_legend():
    from roster.plots import SHIFT_CLASSES, shift_class

    a = assignments()
    # li: 08-17 early, 20-08 big night; wang: 14-23 small night, 08-17 early
    assert list(shift_class(a["start"], a["end"])) == [
        "early", "big night", "small night", "early"
    ]  # fmt: skip
    leave = pd.DataFrame({"agent": ["wang"], "date": [D0 + pd.Timedelta(days=1)]})
    fig = plot_roster(a, kind="classes", leave=leave, calendar=["2025-03-03"])
    grid = fig.axes[0].get_images()[0].get_array()
    code = {c: i for i, c in enumerate(SHIFT_CLASSES)}
    assert grid[0].tolist() == [code["early"], code["big night"], code["holiday"]]
    assert grid[1].tolist() == [code["small night"], code["leave"], code["early"]]
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["early", "small night", "big night", "leave", "holiday"]


def test_roster_classes_labels_stay_legible_for_a_big_team():
    base = assignments().iloc[[0]]
    many = pd.concat([base.assign(agent=f"A{i:03d}") for i in range(150)], ignore_index=True)
    fig = plot_roster(many, kind="classes")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert 30 <= len(ticks) <= 60 and ticks[0] == "A000"


def test_coverage_map_is_day_by_time_of_day_centred_at_zero():
    from roster.plots import plot_coverage_map

    cov = small_schedule().coverage.copy()
    cov["net"] = cov["required"]
    cov.loc[cov.index[10], "net"] = cov["required"].iloc[10] - 2  # day 1, 10:00, two short
    fig = plot_coverage_map(cov)
    image = fig.axes[0].get_images()[0]
    values = image.get_array()
    assert values.shape == (2, 24)
    assert values[0, 10] == -2 and np.nansum(np.abs(values)) == 2
    assert image.norm.vcenter == 0
    assert "shortfall: 2.0" in fig.axes[0].get_title()

"""The five tables against the records and the plan they come from, the capacity against the
staffing function it inverts, the workbook opened with openpyxl, and ``seatplan report``."""

import numpy as np
import openpyxl
import pandas as pd
import pytest

import erlang
import forecast
from roster.planning import plan
from roster.planning.cli import main
from roster.planning.queue_model import QueueModel
from roster.reports import five_tables, sample_calls, write_workbook
from roster.reports.tables import absorbable_contacts
from roster.reports.workbook import SHEETS


@pytest.fixture(scope="module")
def inputs():
    sample = forecast.synthetic_hotline(
        start="2025-12-01", end="2026-02-28", seed=4, daily_volume=800, outage=False
    )
    march = plan(
        sample.volume,
        aht=sample.aht,
        month="2026-03",
        days=3,
        agents=30,
        replications=0,
        time_limit=5,
    )
    february = sample.volume["2026-02"]
    calls = sample_calls(february, sample.aht, seed=4)
    last_forecast = forecast.forecast(
        sample.volume[:"2026-01-31"], february.index, quantiles=(0.1, 0.5, 0.9)
    ).values
    return march, calls, last_forecast


@pytest.fixture(scope="module")
def tables(inputs):
    march, calls, last_forecast = inputs
    return five_tables(march, calls, last_forecast=last_forecast, issued="2026-01-31")


@pytest.mark.slow
def test_tables_add_up_to_the_records_and_the_plan(inputs, tables):
    march, calls, _ = inputs
    # 1: agents at work per interval, time of day by date
    assert tables.seats.shape == (48, 3)
    assert tables.seats.to_numpy().sum() == pytest.approx(march.coverage["at_work"].sum())
    assert tables.seats.loc["10:00", "2026-03-02"] == pytest.approx(
        march.coverage.loc["2026-03-02 10:00", "at_work"]
    )
    # 2: the forecast and what the roster absorbs
    t2 = tables.forecast_vs_capacity
    assert t2["forecast"].sum() == pytest.approx(march.forecast["mean"].sum())
    assert (t2["capacity"] > 0).all()
    # 3: every record is a contact; answered are the records with an answer time
    t3 = tables.actual_vs_handled
    assert t3["offered"].sum() == len(calls)
    assert t3["answered"].sum() == calls["answer"].notna().sum()
    assert len(t3) == 28
    # 4 and 5: last month's forecast, the same actuals, the handled of table 3
    t4, t5 = tables.forecast_vs_actual, tables.forecast_vs_handled
    assert t4["actual"].sum() == len(calls)
    assert (t5["answered"] == t3["answered"]).all()
    assert t4["coverage"].between(0, 1).all()
    # daily KPIs: one day from the raw records
    day = calls[calls["arrival"].dt.normalize() == pd.Timestamp("2026-02-10")]
    wait = (day["answer"].fillna(day["end"]) - day["arrival"]).dt.total_seconds()
    answered = day["answer"].notna()
    short = ~answered & (wait <= 20)
    sl = (answered & (wait <= 20)).sum() / (len(day) - short.sum())
    within_cutoff = (answered & (wait <= 60)).sum() / (len(day) - short.sum())
    row = tables.daily_kpis.loc[pd.Timestamp("2026-02-10")]
    assert row["service_level"] == pytest.approx(sl)
    assert row["answer_rate"] == pytest.approx(within_cutoff)
    assert row["asa"] == pytest.approx(wait[answered].mean())
    # half hours: the offered of each half hour sums to the month
    assert tables.half_hour["offered"].sum() == len(calls)
    assert tables.half_hour["planned_service_level"].between(0, 1).all()


@pytest.mark.slow
def test_capacity_inverts_the_staffing(inputs):
    """Just below the contacts found the agents suffice; just above they do not."""
    march, _, _ = inputs
    queue = QueueModel(march.targets, march.patience, march.trunks)
    agents = np.array([3.0, 8.0, 17.0, 30.0])
    aht = np.array([240.0, 300.0, 360.0, 300.0])
    most = absorbable_contacts(queue, aht, agents, interval=1800)
    model = queue.model
    for v, n, a in zip(most, agents, aht, strict=True):
        below = erlang.required_agents(v * 0.999, a, interval=1800, targets=march.targets, **model)
        above = erlang.required_agents(v * 1.01, a, interval=1800, targets=march.targets, **model)
        assert below <= n < above


@pytest.mark.slow
def test_wrong_month_and_interval_are_named(inputs):
    march, calls, last_forecast = inputs
    early = calls.assign(
        arrival=calls["arrival"] - pd.Timedelta(days=31),
        answer=calls["answer"] - pd.Timedelta(days=31),
        end=calls["end"] - pd.Timedelta(days=31),
    )
    with pytest.raises(
        ValueError, match=r"outside 2026-02, the month before the plan's \(2026-03\)"
    ):
        five_tables(march, early)
    quarter = forecast.intervals_from_calls(calls, "15min", queue=None).intervals
    with pytest.raises(ValueError, match="calls: intervals of 900 s, the plan's are 1800 s"):
        five_tables(march, quarter)
    fine = last_forecast.resample("15min").ffill()
    with pytest.raises(ValueError, match="last_forecast: intervals of 900 s"):
        five_tables(march, calls, last_forecast=fine)


@pytest.mark.slow
def test_workbook_holds_the_tables_and_charts(tables, tmp_path):
    path = write_workbook(tables, tmp_path / "five.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [*SHEETS.values(), "说明 Notes"]
    ws = book[SHEETS["actual_vs_handled"]]
    header = [c.value for c in ws[1]]
    assert header == ["date", "offered", "answered", "abandoned", "short_abandons",
                      "handled_share"]  # fmt: skip
    offered = sum(ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1))
    assert offered == tables.actual_vs_handled["offered"].sum()
    assert ws.cell(row=2, column=6).number_format == "0.0%"
    assert ws.freeze_panes == "B2"
    seats = book[SHEETS["seats"]]
    assert [c.value for c in seats[1]][1:] == list(tables.seats.columns)
    total = sum(
        seats.cell(row=r, column=c).value
        for r in range(2, seats.max_row + 1)
        for c in range(2, seats.max_column + 1)
    )
    assert total == pytest.approx(tables.seats.to_numpy().sum())
    half = book[SHEETS["half_hour"]]
    assert [c.value for c in half[1]] == ["time", "offered", "service_level", "asa (s)",
                                          "planned_service_level", "planned_asa (s)"]  # fmt: skip
    for key in SHEETS:
        assert len(book[SHEETS[key]]._charts) == 1, key


@pytest.mark.slow
def test_seatplan_report_on_the_bundled_sample(tmp_path, capsys):
    out = tmp_path / "report"
    args = ["report", "--days", "2", "--time-limit", "5", "--quiet", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "this month: 2026-01, 2 days planned; last month: 2025-12" in printed
    book = openpyxl.load_workbook(out / "five_tables.xlsx")
    assert book.sheetnames[0] == SHEETS["seats"] and "说明 Notes" in book.sheetnames
    t3, t4 = book[SHEETS["actual_vs_handled"]], book[SHEETS["forecast_vs_actual"]]
    assert t3.max_row == 1 + 31 and t4.max_row == 1 + 31
    offered = sum(t3.cell(row=r, column=2).value for r in range(2, 33))
    actual_col = [c.value for c in t4[1]].index("actual") + 1
    actual = sum(t4.cell(row=r, column=actual_col).value for r in range(2, 33))
    assert actual == offered
    # the store: this month's forecast for next month, last month's accuracy
    stored = pd.read_csv(out / "forecast_2026-01.csv")
    t2 = book[SHEETS["forecast_vs_capacity"]]
    forecast_total = sum(t2.cell(row=r, column=2).value for r in range(2, t2.max_row + 1))
    assert forecast_total == pytest.approx(stored["mean"].sum())
    accuracy = pd.read_csv(out / "accuracy_2025-12.csv")
    assert accuracy["actual"].sum() == offered
    # next run reads December's forecast back from the store instead of making it
    (out / "forecast_2025-12.csv").write_text(
        pd.read_csv(out / "forecast_2026-01.csv")
        .assign(
            interval_start=lambda f: pd.to_datetime(f["interval_start"]) - pd.Timedelta(days=31)
        )
        .to_csv(index=False)
    )
    assert main(args) == 0
    assert f"read from {out / 'forecast_2025-12.csv'}" in capsys.readouterr().out


def test_report_rejects_half_given_files(tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_text("arrival,answer,end\n")
    assert main(["report", "--calls", str(path)]) == 2
    assert "give --history and --calls together" in capsys.readouterr().err
    assert main(["report", "--history", "none.csv", "--calls", str(path)]) == 2
    assert "--history none.csv: no such file" in capsys.readouterr().err

"""The five tables as one Excel workbook: a formatted sheet per table, with charts."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import pandas as pd

from roster.reports.tables import FiveTables

__all__ = ["SHEETS", "write_workbook"]

#: Sheet name (Chinese and English, at most 31 characters) of each table of
#: :class:`FiveTables`, in the workbook's order.
SHEETS = {
    "seats": "1 排班席位 Seats",
    "forecast_vs_capacity": "2 预测与承接 Forecast-capacity",
    "actual_vs_handled": "3 上月呼入与接通 Actual-handled",
    "forecast_vs_actual": "4 上月预测与实际 Fcst-actual",
    "forecast_vs_handled": "5 预测与接通 Fcst-handled",
    "half_hour": "半小时服务 SL-ASA",
    "daily_kpis": "日KPI Daily KPIs",
    "accuracy_by_lead": "预测准确率 Accuracy by lead",
}

# number formats by column name; the rest are whole numbers
_SHARE = "0.0%"
_FORMATS = {
    "handled_share": _SHARE,
    "ratio": _SHARE,
    "wape": _SHARE,
    "bias": _SHARE,
    "daily_ape": _SHARE,
    "coverage": _SHARE,
    "service_level": _SHARE,
    "planned_service_level": _SHARE,
    "answer_rate": _SHARE,
    "abandon_rate": _SHARE,
    "asa": "0.0",
    "planned_asa": "0.0",
    "aht": "0",
}
#: Column headers with their units, for people (the frames keep the library's names).
_HEADERS = {
    "asa": "asa (s)",
    "planned_asa": "planned_asa (s)",
    "aht": "aht (s)",
}


def write_workbook(tables: FiveTables, path: str | PathLike) -> Path:
    """Write ``tables`` into an Excel workbook at ``path``.

    One sheet per table (:data:`SHEETS`), frozen header row and first column, number formats
    (shares as percentages, times in seconds with their unit in the header), column widths,
    and charts: seats by time of day (line per day, at most 7), daily forecast against
    capacity (line), last month's offered against answered (bars), forecast against actual
    and against handled (lines), service level per half hour (line), service level and answer
    rate per day (line) and accuracy by lead (bars). A last sheet, ``说明 Notes``, says what the
    tables rest on.

    Parameters
    ----------
    tables : FiveTables
    path : path-like
        The ``.xlsx`` file written.

    Returns
    -------
    pathlib.Path
    """
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header_fill = PatternFill(start_color="DDEBF7", end_color="DDEBF7", fill_type="solid")
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for key, sheet in SHEETS.items():
            frame = getattr(tables, key)
            if frame is None or len(frame) == 0:
                frame = pd.DataFrame({"note": ["no data (see the Notes sheet)"]})
            frame = frame.copy()
            label = frame.index.name or ""
            if isinstance(frame.index, pd.DatetimeIndex):
                frame.index = pd.Index(frame.index.date, name=label)
            frame = frame.rename(columns={c: _HEADERS.get(c, c) for c in frame.columns})
            frame.to_excel(writer, sheet_name=sheet, index=True, index_label=label)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "B2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
                cell.fill = header_fill
                cell.alignment = Alignment(horizontal="center", wrap_text=True)
            names = [frame.index.name or "", *map(str, frame.columns)]
            for j, name in enumerate(names, start=1):
                letter = get_column_letter(j)
                ws.column_dimensions[letter].width = max(10, min(28, len(name) + 2))
                if j == 1:
                    continue
                raw = name.split(" ")[0]
                fmt = _FORMATS.get(raw, "#,##0" if key != "seats" else "0.0")
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    if isinstance(cell.value, int | float):
                        cell.number_format = fmt
        pd.DataFrame({"note": list(tables.notes)}).to_excel(
            writer, sheet_name="说明 Notes", index=False
        )
        writer.sheets["说明 Notes"].column_dimensions["A"].width = 110

        def column(ws, name):
            for cell in ws[1]:
                if cell.value == name:
                    return cell.column
            return None

        def line(sheet, columns, title, y_title, anchor, kind=LineChart, percent=False):
            ws = writer.sheets[sheet]
            if ws.max_row < 3:
                return
            chart = kind()
            chart.title, chart.y_axis.title, chart.height, chart.width = title, y_title, 8, 18
            for name in columns:
                j = column(ws, name)
                if j is None:
                    continue
                data = Reference(ws, min_col=j, min_row=1, max_row=ws.max_row)
                chart.add_data(data, titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=ws.max_row))
            if percent:
                chart.y_axis.number_format = "0%"
            ws.add_chart(chart, anchor)

        seats = writer.sheets[SHEETS["seats"]]
        if seats.max_row >= 3:
            chart = LineChart()
            chart.title, chart.y_axis.title = "Agents at work by time of day", "agents"
            chart.height, chart.width = 8, 18
            last = min(seats.max_column, 8)
            data = Reference(seats, min_col=2, max_col=last, min_row=1, max_row=seats.max_row)
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(Reference(seats, min_col=1, min_row=2, max_row=seats.max_row))
            seats.add_chart(chart, f"{get_column_letter(seats.max_column + 2)}2")
        line(SHEETS["forecast_vs_capacity"], ["forecast", "capacity"],
             "Daily forecast vs contacts the roster absorbs", "contacts", "J2")  # fmt: skip
        line(SHEETS["actual_vs_handled"], ["offered", "answered"],
             "Last month: offered vs handled", "contacts", "H2", kind=BarChart)  # fmt: skip
        line(SHEETS["forecast_vs_actual"], ["forecast", "actual"],
             "Last month: forecast vs actual", "contacts", "N2")  # fmt: skip
        line(SHEETS["forecast_vs_handled"], ["forecast", "answered"],
             "Last month: forecast vs handled", "contacts", "H2")  # fmt: skip
        line(SHEETS["half_hour"], ["service_level", "planned_service_level"],
             "Service level per half hour", "answered within threshold", "H2",
             percent=True)  # fmt: skip
        line(SHEETS["daily_kpis"], ["service_level", "answer_rate"],
             "Last month: service level and answer rate per day", "share", "K2",
             percent=True)  # fmt: skip
        line(SHEETS["accuracy_by_lead"], ["wape", "bias", "coverage"],
             "Forecast accuracy by lead (days)", "share", "I2", kind=BarChart,
             percent=True)  # fmt: skip
    return path

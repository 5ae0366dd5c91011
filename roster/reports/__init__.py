"""The planner's monthly reports: the "five tables" with service per half hour and daily KPIs
(:func:`five_tables`), their Excel workbook (:func:`write_workbook`) and the forecast accuracy
kept month to month (:mod:`roster.reports.accuracy`)."""

from roster.lazy import lazy_names

# Resolved on first use (PEP 562): the command line starts without pandas' Excel machinery.
_WHERE = {
    "FiveTables": "roster.reports.tables",
    "accuracy_by_day": "roster.reports.accuracy",
    "accuracy_by_lead": "roster.reports.accuracy",
    "five_tables": "roster.reports.tables",
    "read_forecast": "roster.reports.accuracy",
    "sample_calls": "roster.reports.sample",
    "store_forecast": "roster.reports.accuracy",
    "write_workbook": "roster.reports.workbook",
}

__all__ = sorted(_WHERE)

__getattr__, __dir__ = lazy_names("roster.reports", _WHERE, globals())

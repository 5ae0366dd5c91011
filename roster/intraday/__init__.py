"""Intraday management: the rest of today's staffing gap and the moves that close it.

:func:`replan` takes the published roster, today's absences and late arrivals, the
re-forecast (:class:`forecast.IntradayUpdate`) and the live queue, and returns the gap per
remaining interval (by Erlang and by simulation from the current queue), the escalation
ladder's alarms (:class:`EscalationRules`) and a ranked list of moves whose effect on the
service level is confirmed by simulation. ``seatplan intraday`` runs it from files
(:mod:`roster.intraday.cli`).
"""

from roster.lazy import lazy_names

# Resolved on first use (PEP 562), so that the command line's parser loads no solver.
_WHERE = {
    "Action": "roster.intraday.actions",
    "DayFloor": "roster.intraday.floor",
    "EscalationRules": "roster.intraday.rules",
    "IntradayPlan": "roster.intraday.replan",
    "candidate_actions": "roster.intraday.actions",
    "day_floor": "roster.intraday.floor",
    "ladder_alarms": "roster.intraday.rules",
    "replan": "roster.intraday.replan",
}

__all__ = [
    "Action",
    "DayFloor",
    "EscalationRules",
    "IntradayPlan",
    "candidate_actions",
    "day_floor",
    "ladder_alarms",
    "replan",
]

__getattr__, __dir__ = lazy_names("roster.intraday", _WHERE, globals())

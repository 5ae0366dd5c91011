"""Intraday management: the rest of today's staffing gap and the moves that close it.

:func:`replan` takes the published roster, today's absences and late arrivals, the
re-forecast (:class:`forecast.IntradayUpdate`) and the live queue, and returns the gap per
remaining interval (by Erlang and by simulation from the current queue), the escalation
ladder's alarms (:class:`EscalationRules`) and a ranked list of moves whose effect on the
service level is confirmed by simulation. ``seatplan intraday`` runs it from files.
"""

from roster.intraday.actions import Action, candidate_actions
from roster.intraday.floor import DayFloor, day_floor
from roster.intraday.replan import IntradayPlan, replan
from roster.intraday.rules import EscalationRules, ladder_alarms

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

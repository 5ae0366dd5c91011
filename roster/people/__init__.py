"""Stage 2: named agents on shifts over a month under the labour rules (:func:`build_roster`)."""

from roster.people.build import Roster, build_roster

__all__ = ["Roster", "build_roster"]

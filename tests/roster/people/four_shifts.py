"""The small shift set the named-roster tests share: early, late, night and a 7-hour middle."""

from roster.shifts import ShiftTemplate

H = 3600
TEMPLATES = [
    ShiftTemplate.from_clock("06:00", "14:00", name="E", paid=8 * H),
    ShiftTemplate.from_clock("14:00", "22:00", name="L", paid=8 * H),
    ShiftTemplate.from_clock("22:00", "06:00", name="N", paid=8 * H),
    ShiftTemplate.from_clock("09:00", "16:00", name="M", paid=7 * H),
]

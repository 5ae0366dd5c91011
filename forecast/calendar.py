"""Working-day calendars: statutory holidays, bridge days, make-up workdays and events.

The Chinese calendar follows the State Council's yearly notices (放假调休安排) as kept by the
``holidays`` package: statutory holidays, the days off that bridge them to a weekend, and the
weekend days worked in exchange (调休 make-up workdays). Years not yet announced follow the
lunar rules of the package with weekend holidays moved to the next workday; every date of such a
year is flagged ``provisional``. Other countries come through the same interface.

Day types
---------
``holiday``
    A statutory holiday (法定节假日), paid 3x when worked, whatever the weekday.
``bridge``
    A weekday off that is not statutory: a day moved by the yearly notice (调休), a statutory
    holiday falling on a weekend carried to the next workday, or a one-off extension.
``makeup_workday``
    A weekend day worked in exchange for a bridge day.
``weekend`` / ``workday``
    Every other day, by weekday.

Weekend days enclosed in a holiday break keep ``day_type == "weekend"`` but carry the break's
name in ``holiday`` and ``in_break == True``: for demand they belong to the break, for pay they
are ordinary rest days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

import holidays as holidays_pkg
import numpy as np
import pandas as pd

from forecast.events import Event

__all__ = [
    "DAY_TYPES",
    "ChineseCalendar",
    "HolidayCalendar",
    "PlainCalendar",
    "get_calendar",
]

DAY_TYPES = ("workday", "weekend", "holiday", "bridge", "makeup_workday")
_OFF_TYPES = ("weekend", "holiday", "bridge")
_COLUMNS = (
    "day_type",
    "is_statutory",
    "is_workday",
    "holiday",
    "month_start",
    "month_end",
    "provisional",
    "in_break",
    "makeup_for",
    "weekday",
)


def _to_date(value) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    if ts.tz is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


@dataclass(frozen=True)
class _Special:
    day_type: str
    name: str
    provisional: bool


@dataclass(frozen=True, eq=False)
class HolidayCalendar:
    """A country's working-day calendar built on the ``holidays`` package.

    Parameters
    ----------
    country : str
        ISO 3166 code known to ``holidays`` (``"US"``, ``"GB"``, ...).
    subdiv : str, optional
        Subdivision (state, province) code.
    overrides : mapping, optional
        ``{date: day_type}`` or ``{date: (day_type, name)}``, applied last. Use it for a
        local holiday, a schedule announced after the package was released, or a centre's own
        rules. Overridden dates are never provisional.
    events : iterable of Event, optional
        Outages, campaigns and announcements the forecasts should know about.
    month_start_days, month_end_days : int, default 3
        How many calendar days at each end of a month are flagged ``month_start`` /
        ``month_end`` (billing-day peaks, quiet month ends).
    language : str, default ``"en_US"``
        Language of holiday names, as supported by ``holidays`` (``"zh_CN"`` for China).
    """

    country: str
    subdiv: str | None = None
    overrides: Mapping = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    month_start_days: int = 3
    month_end_days: int = 3
    language: str | None = "en_US"

    _uses_holidays = True

    def __post_init__(self) -> None:
        if self._uses_holidays and self.country not in holidays_pkg.list_supported_countries():
            raise ValueError(f"calendar: unknown country code {self.country!r}")
        parsed = {}
        for key, value in dict(self.overrides).items():
            day_type, name = (value, "") if isinstance(value, str) else tuple(value)
            if day_type not in DAY_TYPES:
                raise ValueError(
                    f"overrides: day type for {key} must be one of {DAY_TYPES}, got {day_type!r}"
                )
            parsed[_to_date(key)] = (day_type, str(name))
        object.__setattr__(self, "overrides", parsed)
        events = tuple(self.events)
        for event in events:
            if not isinstance(event, Event):
                raise TypeError(f"events: expected Event objects, got {event!r}")
        object.__setattr__(self, "events", events)
        for name in ("month_start_days", "month_end_days"):
            value = getattr(self, name)
            if not (isinstance(value, int | np.integer) and 0 <= value <= 15):
                raise ValueError(f"{name} must be an integer in [0, 15], got {value!r}")

    # -- construction helpers ------------------------------------------------------------
    def with_overrides(self, overrides: Mapping) -> HolidayCalendar:
        """A copy with more overrides (later ones win)."""
        merged = {**self.overrides, **{_to_date(k): v for k, v in dict(overrides).items()}}
        return replace(self, overrides=merged)

    def with_events(self, events: Iterable[Event]) -> HolidayCalendar:
        """A copy with more events."""
        return replace(self, events=(*self.events, *events))

    # -- the country's special days ------------------------------------------------------
    @cached_property
    def _cache(self) -> dict[int, dict[pd.Timestamp, _Special]]:
        return {}

    @property
    def weekend(self) -> frozenset[int]:
        """Weekdays (Monday = 0) that are weekend days in this country."""
        return frozenset(self._holidays([2000]).weekend)

    def _holidays(self, years, observed: bool = True):
        return _country_holidays(
            self.country, self.subdiv, tuple(sorted(years)), self.language, observed
        )

    def _is_provisional_year(self, year: int) -> bool:
        return False

    def _year_special_days(self, year: int) -> dict[pd.Timestamp, _Special]:
        """Holidays, bridge days and make-up workdays of one year, before overrides."""
        provisional = self._is_provisional_year(year)
        statutory = self._holidays([year], observed=False)
        days_off = self._holidays([year])
        out: dict[pd.Timestamp, _Special] = {}
        for day, name in days_off.items():
            kind = "holiday" if day in statutory else "bridge"
            out[pd.Timestamp(day)] = _Special(kind, name, provisional)
        return out

    def special_days(self, years: Iterable[int]) -> pd.DataFrame:
        """Table of the non-ordinary days of some years (before overrides).

        Returns
        -------
        DataFrame indexed by date with columns ``day_type``, ``holiday``, ``provisional``.
        """
        rows = {}
        for year in sorted(set(int(y) for y in years)):
            rows.update(self._special_for(year))
        frame = pd.DataFrame(
            [(d, s.day_type, s.name, s.provisional) for d, s in sorted(rows.items())],
            columns=["date", "day_type", "holiday", "provisional"],
        )
        return frame.set_index("date")

    def _special_for(self, year: int) -> dict[pd.Timestamp, _Special]:
        cache = self._cache
        if year not in cache:
            cache[year] = self._year_special_days(year)
        return cache[year]

    # -- the public query ----------------------------------------------------------------
    def day_types(self, dates) -> pd.DataFrame:
        """Day type and flags of each date.

        Parameters
        ----------
        dates : DatetimeIndex, Series or array-like of dates or timestamps
            Times are dropped (interval starts may be passed directly); time zones are
            dropped after taking the local date.

        Returns
        -------
        pandas.DataFrame
            Indexed by the normalized dates given (order and repeats kept), with columns
            ``day_type`` (one of :data:`DAY_TYPES`), ``is_statutory`` (paid 3x if worked),
            ``is_workday`` (``workday`` or ``makeup_workday``), ``holiday`` (name or ""),
            ``month_start``, ``month_end``, ``provisional`` (schedule not yet announced),
            ``in_break`` (inside a run of days off that holds a statutory holiday),
            ``makeup_for`` (name of the holiday a make-up workday pays for, or "") and
            ``weekday`` (Monday = 0).
        """
        if isinstance(dates, pd.Series):
            dates = dates.to_numpy()
        try:
            index = pd.DatetimeIndex(dates)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"dates: cannot read as dates ({exc})") from None
        if index.tz is not None:
            index = index.tz_localize(None)
        if index.hasnans:
            raise ValueError("dates: contains missing values (NaT)")
        index = index.normalize()
        index.name = "date"
        if len(index) == 0:
            return pd.DataFrame(
                {
                    c: pd.Series(dtype=object if c in ("day_type", "holiday") else bool)
                    for c in _COLUMNS
                },
                index=index,
            )
        unique = pd.DatetimeIndex(np.unique(index.to_numpy()))
        # Pad so that a break cut by the query range is still seen whole.
        days = pd.date_range(unique[0] - pd.Timedelta(days=16), unique[-1] + pd.Timedelta(days=16))
        table = self._day_table(days)
        return table.reindex(index).rename_axis("date")

    def _day_table(self, days: pd.DatetimeIndex) -> pd.DataFrame:
        n = len(days)
        weekday = days.day_of_week.to_numpy()
        weekend = np.isin(weekday, sorted(self.weekend))
        day_type = np.where(weekend, "weekend", "workday").astype(object)
        name = np.full(n, "", dtype=object)
        provisional = np.zeros(n, dtype=bool)
        makeup_for = np.full(n, "", dtype=object)

        years = range(days[0].year, days[-1].year + 1)
        for year in years:
            provisional[days.year == year] = self._is_provisional_year(year)
        position = pd.Series(np.arange(n), index=days)
        specials = {}
        for year in years:
            specials.update(self._special_for(year))
        specials.update({d: _Special(t, nm, False) for d, (t, nm) in self.overrides.items()})
        for day, special in specials.items():
            i = position.get(day)
            if i is None:
                continue
            day_type[i] = special.day_type
            provisional[i] = special.provisional
            if special.day_type == "makeup_workday":
                makeup_for[i] = special.name
            else:
                name[i] = special.name

        is_statutory = day_type == "holiday"
        off = np.isin(day_type, _OFF_TYPES)
        # Runs of consecutive days off; a run holding a statutory day is a holiday break.
        run_id = np.cumsum(np.r_[True, off[1:] != off[:-1]])
        runs = pd.Series(is_statutory).groupby(run_id).transform("any").to_numpy()
        in_break = off & runs
        # A break's name is that of its most frequent statutory holiday.
        counts = (
            pd.DataFrame({"run": run_id[is_statutory], "name": name[is_statutory]})
            .value_counts(sort=False)
            .reset_index(name="n")
            .sort_values(["run", "n"], ascending=[True, False], kind="stable")
            .drop_duplicates("run")
        )
        main_name = (
            pd.Series(counts["name"].to_numpy(), index=counts["run"].to_numpy())
            .reindex(run_id)
            .fillna("")
            .to_numpy()
        )
        fill = in_break & ~is_statutory
        name[fill] = main_name[fill]

        dom = days.day.to_numpy()
        dim = days.days_in_month.to_numpy()
        return pd.DataFrame(
            {
                "day_type": day_type.astype(str).astype(object),
                "is_statutory": is_statutory,
                "is_workday": np.isin(day_type, ("workday", "makeup_workday")),
                "holiday": name,
                "month_start": dom <= self.month_start_days,
                "month_end": dom > dim - self.month_end_days,
                "provisional": provisional,
                "in_break": in_break,
                "makeup_for": makeup_for,
                "weekday": weekday,
            },
            index=days,
        )


@dataclass(frozen=True, eq=False)
class ChineseCalendar(HolidayCalendar):
    """Mainland China: statutory holidays, 调休 bridge days and make-up workdays.

    Announced years come from the State Council notices kept by the ``holidays`` package;
    later years are computed from the lunar rules (weekend holidays moved to the next
    workday, no make-up workdays) and flagged ``provisional`` until the notice is out and
    the package (or an ``overrides`` mapping) carries it.

    Parameters
    ----------
    See :class:`HolidayCalendar`; ``country`` is fixed to ``"CN"``.

    Examples
    --------
    >>> cal = get_calendar("CN")
    >>> cal.day_types(["2024-02-04", "2024-02-10", "2024-02-15"])["day_type"].tolist()
    ['makeup_workday', 'holiday', 'bridge']
    """

    country: str = "CN"

    @cached_property
    def last_announced_year(self) -> int:
        """Last year whose official schedule (with make-up workdays) is known."""
        return max(_china_substitutions())

    def _is_provisional_year(self, year: int) -> bool:
        return year > self.last_announced_year

    def _year_special_days(self, year: int) -> dict[pd.Timestamp, _Special]:
        out = super()._year_special_days(year)
        provisional = self._is_provisional_year(year)
        extended = _china_static().chinese_new_year_extended
        # The yearly notices are kept by the package as (month, day, from_month, from_day
        # [, from_year]) tuples: a day off and the weekend day worked in exchange, or as
        # (month, day, name) for a one-off day off. Moved days off are not statutory.
        for entry in _china_substitutions().get(year, ()):
            moved = pd.Timestamp(year, entry[0], entry[1])
            if len(entry) >= 4 or entry[2] == extended:
                out[moved] = _Special("bridge", out[moved].name, provisional)
        # A make-up workday may precede its break's year (a New Year break).
        for y in (year, year + 1):
            entries = [e for e in _china_substitutions().get(y, ()) if len(e) >= 4]
            for month, day, from_month, from_day, *rest in entries:
                from_year = rest[0] if rest else y
                if from_year != year:
                    continue
                out[pd.Timestamp(from_year, from_month, from_day)] = _Special(
                    "makeup_workday", self._break_name(pd.Timestamp(y, month, day)), provisional
                )
        return out

    def _break_name(self, day: pd.Timestamp) -> str:
        """Name of the most frequent statutory holiday in the break holding ``day``."""
        years = [day.year - 1, day.year, day.year + 1]
        off = {pd.Timestamp(d) for d in self._holidays(years)}
        statutory = self._holidays(years, observed=False)
        moved = {
            pd.Timestamp(y, e[0], e[1])
            for y in years
            for e in _china_substitutions().get(y, ())
            if len(e) >= 4 or e[2] == _china_static().chinese_new_year_extended
        }
        weekend = self.weekend
        names = []
        for step in (1, -1):
            d = day if step == 1 else day - pd.Timedelta(days=1)
            while d in off or d.weekday() in weekend:
                if d in off and d not in moved and d in statutory:
                    names.append(statutory[d])
                d += pd.Timedelta(days=step)
        return pd.Series(names).mode().iloc[0] if names else ""


@lru_cache(maxsize=512)
def _country_holidays(country, subdiv, years, language, observed):
    # Building a year of holidays is slow; the objects are only read, so share them.
    return holidays_pkg.country_holidays(
        country, subdiv=subdiv, years=list(years), language=language, observed=observed
    )


def _china_static():
    from holidays.countries.china import ChinaStaticHolidays

    return ChinaStaticHolidays


def _china_substitutions() -> dict:
    return _china_static().special_public_holidays


@dataclass(frozen=True, eq=False)
class PlainCalendar(HolidayCalendar):
    """Saturdays and Sundays off, no holidays: the calendar used when none is given.

    Overrides and events work as for any calendar.
    """

    country: str = ""
    _uses_holidays = False

    @property
    def weekend(self) -> frozenset[int]:
        return frozenset({5, 6})

    def _year_special_days(self, year: int) -> dict[pd.Timestamp, _Special]:
        return {}


def get_calendar(calendar) -> HolidayCalendar:
    """The calendar for a code or for a list of holidays, or the calendar given.

    Parameters
    ----------
    calendar : str, HolidayCalendar, iterable of date-like or None
        ``None`` for :class:`PlainCalendar` (weekends only), ``"CN"`` for the Chinese
        calendar, another ISO 3166 country code known to the
        ``holidays`` package (optionally ``"US-CA"`` for a subdivision), a calendar object,
        returned as is, or the statutory holidays themselves: a :class:`PlainCalendar` with
        those dates overridden as ``"holiday"``.

    Returns
    -------
    HolidayCalendar

    Raises
    ------
    ValueError
        If the code is unknown, or the value is neither a code, a calendar nor dates.
    """
    if isinstance(calendar, HolidayCalendar):
        return calendar
    if calendar is None:
        return PlainCalendar()
    if isinstance(calendar, str):
        return _calendar_for_code(calendar.strip().upper())
    try:
        days = pd.DatetimeIndex(pd.to_datetime(list(calendar)))
    except (TypeError, ValueError):
        raise ValueError(
            f"calendar: expected a country code, a calendar or dates, got {calendar!r}"
        ) from None
    return PlainCalendar(overrides=dict.fromkeys(days, "holiday"))


@lru_cache(maxsize=64)
def _calendar_for_code(code: str) -> HolidayCalendar:
    # Calendars are immutable and cache their years: one object per code.
    if code in ("CN", "CHN"):
        return ChineseCalendar()
    country, _, subdiv = code.partition("-")
    supported = holidays_pkg.list_supported_countries()
    if country not in supported:
        raise ValueError(f"calendar: unknown country code {code!r}")
    if subdiv and subdiv not in supported[country]:
        raise ValueError(f"calendar: unknown subdivision {code!r}")
    return HolidayCalendar(country, subdiv=subdiv or None)

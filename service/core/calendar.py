"""China's working days: weekends, public holidays and the make-up working days (调休).

``chinese-calendar`` carries the State Council's published schedule for the years it knows; a city
adds or corrects days in ``calendar.csv`` of its reference folder (``date,workday`` with workday
1 or 0), which is how a year the library does not know yet is filled in as soon as the schedule is
published. For a day neither knows, Monday to Friday are taken as working days and
:meth:`WorkCalendar.unknown_years` names the year so the operator sees it (``/api/v1/health``).
"""

from __future__ import annotations

import csv
import logging
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import chinese_calendar

log = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8))  # no daylight saving since 1991
CLOSE_OF_BUSINESS = time(18, 0)  # a promise "by the end of the working day" is kept by this hour, China time


class WorkCalendar:
    def __init__(self, overrides: dict[date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self._unknown: set[int] = set()
        self._known: dict[date, bool] = {}  # what was worked out (a year the library lacks raises per day)

    @classmethod
    def from_reference(cls, folder: Path) -> "WorkCalendar":
        path = Path(folder) / "calendar.csv"
        overrides: dict[date, bool] = {}
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for line, row in enumerate(csv.DictReader(fh), 2):
                    try:
                        overrides[date.fromisoformat((row.get("date") or "").strip())] = \
                            (row.get("workday") or "").strip() == "1"
                    except ValueError:
                        log.warning("calendar.csv:%d: not a date; row skipped", line)
        return cls(overrides)

    def is_workday(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._work_out(day)
        return known

    def _work_out(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self._unknown.add(day.year)
            return day.weekday() < 5

    def unknown_years(self) -> list[int]:
        """Years for which weekdays were assumed: the holiday schedule is missing."""
        return sorted(self._unknown)

    def add_working_days(self, start: date, days: int) -> date:
        """The working day ``days`` after ``start`` (0: ``start`` itself if it is one, else the next)."""
        day = start
        while not self.is_workday(day):
            day += timedelta(days=1)
        for _ in range(days):
            day += timedelta(days=1)
            while not self.is_workday(day):
                day += timedelta(days=1)
        return day

    def due(self, received: datetime, working_days: int) -> datetime:
        """When a promise of ``working_days`` made at ``received`` falls due: close of business (China
        time) on that working day. A request received after close of business counts from the next day."""
        local = received.astimezone(CHINA) if received.tzinfo else received.replace(tzinfo=CHINA)
        start = local.date() + (timedelta(days=1) if local.time() >= CLOSE_OF_BUSINESS else timedelta())
        return datetime.combine(self.add_working_days(start, working_days), CLOSE_OF_BUSINESS, CHINA)

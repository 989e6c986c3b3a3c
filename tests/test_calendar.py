"""Expected times in working days, counted on China's calendar (public holidays and make-up working days):
the one table of promises (service.contract.labels) through the platform's ``expected_by``."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from service.contract.labels import LINKED_SERVICES, expected_time
from service.core.calendar import CHINA, CLOSE_OF_BUSINESS, WorkCalendar

pytestmark = pytest.mark.timeout(90)

# 2026-04-03 is the Friday before the Qingming holiday (Saturday 4 to Monday 6 April, 国办发明电〔2025〕7号):
# one working day after it is Tuesday 7 April, not Saturday 4 (24 hours) nor Monday 6 (the next weekday).
QINGMING_FRIDAY = datetime(2026, 4, 3, 10, 0, tzinfo=CHINA)
# 2026-02-13 is the Friday before the Spring Festival; Saturday 14 February is a make-up working day (调休),
# then 15 to 23 February are off.
SPRING_FRIDAY = datetime(2026, 2, 13, 10, 0, tzinfo=CHINA)


def at_close(day: date) -> datetime:
    return datetime.combine(day, CLOSE_OF_BUSINESS, CHINA)


def test_the_friday_before_a_public_holiday_counts_working_days_only():
    cal = WorkCalendar()
    assert [cal.is_workday(date(2026, 4, d)) for d in range(3, 8)] == [True, False, False, False, True]
    assert cal.due(QINGMING_FRIDAY, 0) == at_close(date(2026, 4, 3))  # the same working day
    assert cal.due(QINGMING_FRIDAY, 1) == at_close(date(2026, 4, 7))
    assert cal.due(QINGMING_FRIDAY, 2) == at_close(date(2026, 4, 8))
    # after close of business it counts from the next working day
    late = QINGMING_FRIDAY.replace(hour=19)
    assert cal.due(late, 0) == at_close(date(2026, 4, 7)) and cal.due(late, 1) == at_close(date(2026, 4, 8))
    # a make-up Saturday is a working day; then the long holiday is skipped
    assert cal.due(SPRING_FRIDAY, 1) == at_close(date(2026, 2, 14))
    assert cal.due(SPRING_FRIDAY, 2) == at_close(date(2026, 2, 24))
    assert cal.unknown_years() == []


def test_a_citys_calendar_file_corrects_the_library(tmp_path):
    (tmp_path / "calendar.csv").write_text("date,workday\n2026-04-07,0\n", encoding="utf-8")
    cal = WorkCalendar.from_reference(tmp_path)
    assert cal.due(QINGMING_FRIDAY, 1) == at_close(date(2026, 4, 8))


def test_the_platform_promises_each_item_on_the_working_day_the_calendar_gives(tmp_path, monkeypatch):
    """An application made at 10:00 on the Friday before Qingming: each item's ``expected_by`` is the
    department's promise (the one table) counted in working days."""
    import service.platform as platform_module
    from tests.servicehelp import Kiosk, application, start_platform

    friday = QINGMING_FRIDAY.astimezone(timezone.utc)
    real_utcnow = platform_module.utcnow
    offset = real_utcnow() - friday

    def shifted() -> Any:  # the platform's clock, moved back to that Friday and running on
        return real_utcnow() - offset

    running = start_platform(tmp_path)
    try:
        monkeypatch.setattr(platform_module, "utcnow", shifted)
        kiosk = Kiosk(running)
        doc = application(submitted_at=QINGMING_FRIDAY.isoformat())
        for s in doc["shareholders"]:
            s["contribution_deadline"] = (QINGMING_FRIDAY.date() + timedelta(days=3 * 365)).isoformat()
        decision = kiosk.submit(doc)
        assert decision["decision"] == "approved", decision["reasons"]
        status = kiosk.client.status(doc["application_id"]) or {}
        due = {i["service"]: datetime.fromisoformat(str(i["expected_by"]).replace("Z", "+00:00"))
               for i in status["items"]}
        assert set(due) == set(LINKED_SERVICES)
        for code, service in LINKED_SERVICES.items():
            expected = at_close(date(2026, 4, 3) if service.working_days == 0 else
                                date(2026, 4, 7) if service.working_days == 1 else date(2026, 4, 8))
            moment = due[code] if due[code].tzinfo else due[code].replace(tzinfo=timezone.utc)
            assert moment == expected, (code, moment, expected)
        # and what every screen and receipt says of it comes from the same table
        assert {expected_time(c) for c in LINKED_SERVICES} == {"当日办结", "1个工作日内办结"}
        assert expected_time("tax", "en") == "within 1 working day"
    finally:
        running.stop()

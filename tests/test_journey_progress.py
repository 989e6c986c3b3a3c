"""The progress query as a state machine: every transition, without a display."""

from __future__ import annotations

from datetime import date

from kiosk.journeys.progress import NOT_FOUND, ProgressQuery, Stage
from service.contract import acceptance

NUMBER = acceptance.make(date(2026, 12, 1), 7, 3, b"x" * 32)


def test_scan_of_a_receipt_code_names_its_acceptance_number() -> None:
    q = ProgressQuery()
    q.choose("scan")
    assert q.stage is Stage.SCAN
    assert q.scanned(f"http://127.0.0.1:8700/p/{NUMBER}") == NUMBER and q.problems == []


def test_scan_of_something_else_says_what_to_show() -> None:
    q = ProgressQuery()
    q.choose("scan")
    assert q.scanned("https://example.com/hello") is None
    assert q.problems and q.problems[0].message_zh and q.stage is Stage.SCAN


def test_a_typed_number_is_checked_digit_by_digit() -> None:
    q = ProgressQuery()
    q.choose("number")
    assert q.stage is Stage.NUMBER
    assert q.typed(NUMBER[:10]) is None and "18位" in q.problems[0].message_zh
    slip = NUMBER[:5] + str((int(NUMBER[5]) + 1) % 10) + NUMBER[6:]  # one digit mistyped
    assert q.typed(slip) is None and "核对" in q.problems[0].message_zh
    swapped = NUMBER[:8] + NUMBER[9] + NUMBER[8] + NUMBER[10:]
    assert NUMBER[8] == NUMBER[9] or q.typed(swapped) is None  # neighbours swapped are caught too
    assert q.typed(acceptance.grouped(NUMBER)) == NUMBER and q.problems == []


def test_by_card_one_is_shown_and_several_are_listed_to_choose() -> None:
    q = ProgressQuery()
    q.choose("card")
    assert q.stage is Stage.CARD
    assert q.found([]) == [NOT_FOUND] and q.stage is Stage.CARD
    one = {"application_id": "a", "decision": "approved", "items": []}
    assert q.found([one, {**one, "application_id": "b"}]) == [] and q.stage is Stage.LIST
    q.pick(1)
    assert q.stage is Stage.RESULTS and q.current["application_id"] == "b"
    q.back()
    assert q.stage is Stage.LIST  # back to the list, not the start
    q.back()
    assert q.stage is Stage.CHOOSE and q.results == []
    assert q.found(one) == [] and q.stage is Stage.RESULTS and q.current is one

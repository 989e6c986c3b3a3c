"""The progress query as a state machine: every transition, without a display."""

from __future__ import annotations

import uuid

from kiosk.journeys.progress import NOT_FOUND, ProgressQuery, Stage


def test_scan_of_a_receipt_code_names_its_application() -> None:
    q = ProgressQuery()
    q.choose("scan")
    assert q.stage is Stage.SCAN
    app_id = str(uuid.uuid4())
    assert q.scanned(f"http://127.0.0.1:8700/progress/{app_id}") == app_id and q.problems == []


def test_scan_of_something_else_says_what_to_show() -> None:
    q = ProgressQuery()
    q.choose("scan")
    assert q.scanned("https://example.com/hello") is None
    assert q.problems and q.problems[0].message_zh and q.stage is Stage.SCAN


def test_results_by_card_and_by_code() -> None:
    q = ProgressQuery()
    q.choose("card")
    assert q.stage is Stage.CARD
    assert q.found([]) == [NOT_FOUND] and q.stage is Stage.CARD
    one = {"application_id": "a", "decision": "approved", "items": []}
    assert q.found([one, {**one, "application_id": "b"}]) == [] and q.stage is Stage.RESULTS
    assert q.current["application_id"] == "a"
    q.back()
    assert q.stage is Stage.CHOOSE and q.results == []
    assert q.found(one) == [] and q.current is one

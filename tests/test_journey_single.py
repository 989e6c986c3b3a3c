"""Single items for an existing company (单链式单独办) as a state machine, and the platform's view of it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from service.contract.ids import make_id
from kiosk.journeys.registration import Step
from kiosk.journeys.single import SingleItemJourney
from tests.servicehelp import Kiosk, application, codes, start_platform

REP = {"card_type": "resident", "name": "周法人", "id_number": make_id("441702", date(1980, 2, 2), 77),
       "valid_to": "2036-01-01", "birth": "1980-02-02"}


def walk(j: SingleItemJourney, verified: dict[str, Any], card: dict[str, Any] = REP) -> None:
    assert j.current is Step.LICENCE
    assert j.licence_read(verified) == [] and j.current is Step.APPLICANT_CARD
    assert j.card_read(card) == [] and j.current is Step.PHONE
    assert j.phone_verified("13800138000", "ph_test-proof") == [] and j.current is Step.LIVENESS
    assert j.liveness_result(True, 0.9, "fa_test-proof") == [] and j.current is Step.LINKED
    assert j.set_linked({}) != [] and j.current is Step.LINKED  # at least one item
    assert j.set_linked({"seal": {"shop": "诚信刻章店", "kinds": ["公章"]}}) == [] and j.current is Step.CHECK
    assert j.confirm_answers() == [] and j.current is Step.SIGN
    assert [s["name"] for s in j.signers] == [card["name"]]
    assert j.signed(card["id_number"], "c" * 64) == [] and j.current is Step.SUBMIT


def test_a_bad_or_unregistered_licence_keeps_the_citizen_on_the_first_step() -> None:
    j = SingleItemJourney(today=date(2026, 11, 22))
    assert j.licence_read({"valid": False, "message": "电子营业执照二维码校验失败"})[0].message_zh.startswith("电子营业执照")
    assert j.licence_read({"valid": True, "uscc": "91441702MA00000150", "name": "x", "registered": False})
    assert j.current is Step.LICENCE
    assert j.back() is Step.LICENCE


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Any:
    r = start_platform(tmp_path_factory.mktemp("single"), dispatch_scale=0.001)
    yield r
    r.stop()


def registered(client: Kiosk, rep: dict[str, Any], linked: dict[str, Any] | None = None) -> dict[str, Any]:
    """A company of ``rep``'s, registered earlier (full chain unless ``linked`` says which items)."""
    doc = application()
    if linked is not None:
        doc.update(mode="partial_chain", linked_services=linked)
    person = {"name": rep["name"], "id_type": "resident_id", "id_number": rep["id_number"]}
    doc["officers"].update(legal_representative=person, directors=[person], managers=[person])
    doc["shareholders"][0].update(person)
    doc["applicant"]["person"].update(person)
    doc["signatures"][0]["id_number"] = rep["id_number"]
    decision = client.submit(doc)
    assert decision["decision"] == "approved", decision["reasons"]
    return decision


def test_the_legal_representative_files_one_item_and_gets_it_dispatched(running: Any) -> None:
    kiosk = Kiosk(running)
    decision = registered(kiosk, REP, linked={"bank_account": {"bank": "中国银行"}})
    verified = kiosk.client.verify_licence(decision["e_license"])
    j = SingleItemJourney(today=date.today(), kiosk_id="K1")
    walk(j, verified)
    doc = j.application()
    assert doc["mode"] == "single_item" and doc["uscc"] == decision["uscc"]
    answer = kiosk.submit(doc)
    assert answer["decision"] == "approved", answer["reasons"]
    assert answer["uscc"] == decision["uscc"] and "e_license" not in answer
    assert [i["service"] for i in kiosk.client.status(doc["application_id"])["items"]] == ["seal"]


def test_someone_else_cannot_file_for_the_company(running: Any) -> None:
    kiosk = Kiosk(running)
    owner = {**REP, "name": "吴老板", "id_number": make_id("441702", date(1975, 5, 5), 88)}
    decision = registered(kiosk, owner)
    j = SingleItemJourney(today=date.today())
    walk(j, kiosk.client.verify_licence(decision["e_license"]))  # REP reads their own card, not the owner's
    answer = kiosk.submit(j.application())
    assert answer["decision"] == "rejected" and "LEGAL_REP_MISMATCH" in codes(answer)


def test_an_unknown_company_is_refused(running: Any) -> None:
    kiosk = Kiosk(running)
    j = SingleItemJourney(today=date.today())
    walk(j, {"valid": True, "uscc": "91441702MA0000ZZZ1", "name": "阳江市无此科技有限公司", "registered": True})
    answer = kiosk.submit(j.application())
    assert answer["decision"] == "rejected" and "ENTITY_UNKNOWN" in codes(answer)


def test_the_same_item_is_not_ordered_twice_while_one_is_open(tmp_path: Path) -> None:
    slow = start_platform(tmp_path, dispatch_scale=100)  # departments take their time: items stay open
    try:
        kiosk = Kiosk(slow)
        rep = {**REP, "name": "郑双单", "id_number": make_id("441702", date(1982, 3, 3), 19)}
        decision = registered(kiosk, rep, linked={"bank_account": {"bank": "中国银行"}})
        verified = kiosk.client.verify_licence(decision["e_license"])

        def order(items: dict[str, Any]) -> dict[str, Any]:
            j = SingleItemJourney(today=date.today())
            walk(j, verified, rep)
            j.draft.linked = items
            return kiosk.submit(j.application())

        first = order({"seal": {"kinds": ["公章"]}})
        again = order({"seal": {"kinds": ["公章"]}})  # the citizen starts again after a crash
        assert again["application_id"] == first["application_id"]  # recognised: the first one answers
        more = order({"seal": {"kinds": ["公章"]}, "tax": {"ukey": True}})
        assert more["decision"] == "rejected" and "ITEM_ALREADY_OPEN" in codes(more)
        assert order({"tax": {"ukey": True}})["decision"] == "approved"  # a different item is fine
        with slow.platform.store.read() as s:
            from service.models import Item

            seals = s.query(Item).filter_by(uscc=decision["uscc"], service="seal", action="open").count()
        assert seals == 1  # one seal ordered, however often the citizen asked
    finally:
        slow.stop()

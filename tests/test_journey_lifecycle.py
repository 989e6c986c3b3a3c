"""A company's later life as state machines (kiosk/journeys/lifecycle.py), walked with a real platform:
identify the company and its legal representative, then change, deregister, suspend or reprint."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest

from kiosk.journeys.lifecycle import LifeStep, LifecycleJourney, add_months
from kiosk.journeys.registration import Step
from service.contract import law
from service.contract.ids import make_id
from tests.servicehelp import (LI, TODAY, Kiosk, application, codes, fresh_address, fresh_phone, live_image,
                               start_platform)

REP = {"card_type": "resident", "name": "钱法人", "id_number": make_id("441702", date(1979, 7, 7), 55),
       "valid_to": "2039-01-01", "birth": "1979-07-07", "address": "广东省阳江市江城区南恩路8号"}
LI_CARD = {"card_type": "resident", "name": LI["name"], "id_number": LI["id_number"], "valid_to": "2039-01-01",
           "birth": "1990-09-03"}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Any:
    r = start_platform(tmp_path_factory.mktemp("life-journey"), dispatch_scale=0.001)
    yield r
    r.stop()


@pytest.fixture(scope="module")
def kiosk(running: Any) -> Kiosk:
    return Kiosk(running, "YJ-LIFE-01")


_serial = iter(range(100, 999))


def registered(kiosk: Kiosk, wanted: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A company of a fresh legal representative and 李秀英 (registered earlier), and its representative's card."""
    for _ in range(80):
        rep = {**REP, "id_number": make_id("441702", date(1979, 7, 7), next(_serial))}
        person = {"name": rep["name"], "id_type": "resident_id", "id_number": rep["id_number"]}
        doc = application()
        doc["officers"].update(legal_representative=person, directors=[person], managers=[person],
                               finance_officer=person)
        doc["shareholders"][0].update(person)
        doc["applicant"]["person"].update(person)
        doc["signatures"][0]["id_number"] = rep["id_number"]
        decision = kiosk.submit(doc)
        assert decision["decision"] == "approved", decision["reasons"]
        if wanted is None or wanted(kiosk.client.clearance(decision["uscc"])):
            return decision, rep
    raise AssertionError("no such company")


def identify(kiosk: Kiosk, j: LifecycleJourney, decision: dict[str, Any], card: dict[str, Any],
             typed: bool = False) -> None:
    """The company (QR or USCC), the legal representative's card, phone (real SMS proof), face (real proof)."""
    if typed:
        found = kiosk.client.clearance(decision["uscc"])
        assert j.uscc_typed(" " + decision["uscc"].lower() + " ", found) == []
    else:
        assert j.licence_read(kiosk.client.verify_licence(decision["e_license"])) == []
    assert j.current is Step.APPLICANT_CARD
    assert j.card_read(card) == [] and j.current is Step.PHONE
    phone = fresh_phone()
    kiosk.client.send_sms_code(phone, card["id_number"], card["name"])
    proof = kiosk.client.verify_sms_code(phone, kiosk.client.dev_sms_code(phone) or "", card["id_number"])
    assert j.phone_verified(phone, proof) == [] and j.current is Step.LIVENESS
    face = kiosk.client.verify_face(card["id_number"], card["name"], live_image())
    assert j.liveness_result(True, face["score"], face["verification_id"]) == []
    try:
        record = kiosk.client.record(j.company["uscc"], card["id_number"], face["verification_id"], j.kind)
    except Exception:
        j.record_refused()
        return
    assert j.record_loaded(record) == []


def sign_all(j: LifecycleJourney, cards: dict[str, dict[str, Any]]) -> None:
    assert j.current is LifeStep.SIGN
    while j.unsigned:
        who = j.unsigned[0]["id_number"]
        if not j.card_read_for(who):
            assert j.signed(who, "a" * 64)  # refused: the card first
            assert j.signer_card(cards[who]) == []
        j.signed(who, "b" * 64)
    assert j.current is Step.SUBMIT


def test_the_company_is_identified_by_its_licence_or_its_uscc() -> None:
    j = LifecycleJourney("change", today=TODAY)
    assert j.current is LifeStep.COMPANY
    assert j.licence_read({"valid": False})[0].message_zh.startswith("电子营业执照")
    assert j.uscc_typed("91441702MA0000001", None)[0].field == "uscc"  # 17 characters
    assert j.uscc_typed("91441702MA00000150", None)  # well formed, but nobody holds it
    assert j.licence_read({"valid": True, "uscc": "91441702MA00000150", "name": "x", "registered": True,
                           "status": "suspended"})[0].message_zh.find("恢复营业") >= 0  # no change while suspended
    assert j.current is LifeStep.COMPANY
    r = LifecycleJourney("reprint", today=TODAY)
    assert r.licence_read({"valid": True, "uscc": "91441702MA00000150", "name": "旧名", "current_name": "新名",
                           "registered": True, "status": "deregistering"}) == []
    assert r.company["name"] == "新名" and r.current is Step.APPLICANT_CARD  # a reprint while announced is fine
    assert [s.value for s in r.steps] == ["company", "applicant_card", "phone", "liveness", "copies", "submit",
                                      "life_result"]


def test_a_name_change_walks_only_the_name_step_and_every_shareholder_signs(kiosk: Kiosk) -> None:
    decision, rep = registered(kiosk)
    j = LifecycleJourney("change", today=TODAY, kiosk_id="YJ-LIFE-01")
    identify(kiosk, j, decision, rep)
    assert j.current is LifeStep.CHANGE_WHAT and j.draft.name["full"] and j.draft.shareholders
    assert j.choose_changes([]) and j.current is LifeStep.CHANGE_WHAT
    assert j.choose_changes(["name"]) == [] and j.current is Step.NAME
    now = j.draft.name
    assert j.set_name(now["region"], now["trade_name"], now["industry"], now["form"], {"available": False})  # same
    check = kiosk.client.check_name(now["region"], now["trade_name"], now["industry"], "有限责任公司")
    assert not check["available"]  # the public check sees its own name as taken …
    assert j.set_name(now["region"], now["trade_name"], now["industry"], "有限责任公司", check) == []  # … not here
    assert j.current is LifeStep.CHECK
    rows = [r[0] for r in j.summary_rows(lambda k, **kw: k, lambda p: p["name"], lambda p: p)]
    assert rows == ["company", "applicant_card", "phone", "change_what", "name"]
    assert j.confirm_answers() == [] and j.current is LifeStep.SIGN
    assert [s["name"] for s in j.signers] == [rep["name"], LI["name"]]
    sign_all(j, {LI["id_number"]: LI_CARD})
    doc = j.application()
    assert doc["kind"] == "change" and list(doc["changes"]) == ["name"] and doc["uscc"] == decision["uscc"]
    answer = kiosk.submit(doc, prove=False)
    assert answer["decision"] == "approved" and answer["uscc"] == decision["uscc"], answer["reasons"]
    assert j.decided(answer) is LifeStep.RESULT
    licence = j.licence_application()
    assert licence["name"]["form"] == "有限责任公司" and licence["established_on"] == TODAY.isoformat()


def test_a_rejected_change_goes_back_to_its_step(kiosk: Kiosk) -> None:
    decision, rep = registered(kiosk)
    j = LifecycleJourney("change", today=TODAY)
    identify(kiosk, j, decision, rep)
    j.choose_changes(["address"])
    assert j.set_address(j.draft.address["code"], j.draft.address["text"])  # the address it has
    assert j.set_address("441702000002", "保护区") == [] and j.current is LifeStep.CHECK
    j.confirm_answers()
    sign_all(j, {LI["id_number"]: LI_CARD})
    answer = kiosk.submit(j.application(), prove=False)
    assert answer["decision"] == "rejected" and "ADDRESS_RESTRICTED" in codes(answer)
    j.decided(answer)
    assert j.correct() is Step.ADDRESS and j.changing
    moved = fresh_address()
    assert j.set_address(moved["code"], moved["text"]) == [] and j.current is LifeStep.CHECK
    j.confirm_answers()
    sign_all(j, {LI["id_number"]: LI_CARD})
    again = kiosk.submit(j.application(), prove=False)
    assert again["decision"] == "approved", again["reasons"]


def test_capital_and_an_equity_transfer(kiosk: Kiosk) -> None:
    decision, rep = registered(kiosk)
    j = LifecycleJourney("change", today=TODAY)
    identify(kiosk, j, decision, rep)
    j.choose_changes(["registered_capital_cny"])
    assert [s.value for s in j.steps][4:7] == ["change_what", "capital", "equity"]
    assert j.set_capital(2_000_000) == [] and j.current is LifeStep.EQUITY
    assert sorted(s["subscribed_cny"] for s in j.draft.shareholders) == [800_000, 1_200_000]  # shares kept
    buyer = {**REP, "name": "郑受让", "id_number": make_id("441702", date(1988, 8, 8), 31), "birth": "1988-08-08"}
    assert j.transfer(LI["id_number"], buyer, 900_000)  # more than 李秀英 holds
    assert j.transfer(LI["id_number"], buyer, 800_000) == []
    assert [s["name"] for s in j.draft.shareholders] == [rep["name"], "郑受让"]
    assert j.shareholders_done() == [] and j.current is LifeStep.CHECK
    doc_changes = j.changes()
    assert doc_changes["registered_capital_cny"] == 2_000_000 and len(doc_changes["shareholders"]) == 2
    j.confirm_answers()
    assert {s["name"] for s in j.signers} == {rep["name"], LI["name"], "郑受让"}
    sign_all(j, {LI["id_number"]: LI_CARD})
    answer = kiosk.submit(j.application(), prove=False)
    assert answer["decision"] == "approved", answer["reasons"]


def test_a_new_legal_representative_signs_too(kiosk: Kiosk) -> None:
    decision, rep = registered(kiosk)
    j = LifecycleJourney("change", today=TODAY)
    identify(kiosk, j, decision, rep)
    j.choose_changes(["officers"])
    roles = j.current_roles()
    assert roles["legal_representative"] == rep["id_number"] and roles["supervisor"] == LI["id_number"]
    newcomer = {**REP, "name": "吴新任", "id_number": make_id("441702", date(1983, 3, 3), 44), "birth": "1983-03-03"}
    assert j.person_read(newcomer) == []
    assert j.set_officers(newcomer["id_number"], [newcomer["id_number"]], LI["id_number"]) == []
    j.confirm_answers()
    assert [s["name"] for s in j.signers] == [rep["name"], "吴新任"]  # officers only: no shareholders
    sign_all(j, {})
    answer = kiosk.submit(j.application(), prove=False)
    assert answer["decision"] == "approved", answer["reasons"]


def test_someone_who_is_not_the_legal_representative_is_told_what_to_do(kiosk: Kiosk) -> None:
    decision, _rep = registered(kiosk)
    j = LifecycleJourney("deregistration", today=TODAY)
    identify(kiosk, j, decision, LI_CARD)  # 李秀英 holds shares but does not represent the company
    assert j.refused and "授权委托书" in j.problems[0].message_zh and j.record is None


def test_deregistration_shows_the_one_table_and_offers_simplified_only_when_it_qualifies(kiosk: Kiosk,
                                                                                       running: Any) -> None:
    decision, rep = registered(kiosk, lambda t: any(m["service"] == "tax" for m in t["open_matters"]))
    j = LifecycleJourney("deregistration", today=TODAY)
    identify(kiosk, j, decision, rep)
    assert j.current is LifeStep.CLEARANCE and j.clearance_seen()  # not asked yet
    j.clearance_loaded(kiosk.client.clearance(decision["uscc"]))
    assert j.clearance_seen() == [] and j.current is LifeStep.PROCEDURE
    assert not j.simplified_allowed
    refused = j.choose_procedure("simplified", "决议解散")
    assert refused and "普通注销" in refused[0].message_zh and "办税服务厅" in refused[0].message_zh
    assert j.announcement("ordinary")["days"] == law.LIQUIDATION_ANNOUNCE_DAYS
    assert j.choose_procedure("ordinary", "决议解散") == [] and j.current is LifeStep.CHECK
    j.confirm_answers()
    sign_all(j, {LI["id_number"]: LI_CARD})
    answer = kiosk.submit(j.application(), prove=False)
    assert answer["decision"] == "manual_review" and codes(answer) == {"DEREG_OPEN_ITEMS"}

    clean, rep2 = registered(kiosk, lambda t: not t["open_matters"])
    j = LifecycleJourney("deregistration", today=TODAY)
    identify(kiosk, j, clean, rep2)
    j.clearance_loaded(kiosk.client.clearance(clean["uscc"]))
    j.clearance_seen()
    a = j.announcement("simplified")
    assert a["until"] == TODAY + timedelta(days=law.SIMPLE_DEREG_ANNOUNCE_DAYS) and a["public"]
    assert j.choose_procedure("simplified", "") and j.choose_procedure("simplified", "决议解散") == []
    rows = dict((r[1], r[2]) for r in j.summary_rows(lambda k, **kw: f"{k}{kw}" if kw else k, lambda p: p["name"], lambda p: p))
    assert a["until"].isoformat() in rows["life.row.effective"]
    j.confirm_answers()
    sign_all(j, {LI["id_number"]: LI_CARD})
    answer = kiosk.submit(j.application(), prove=False)
    assert answer["decision"] == "approved" and answer["announcement_until"] == a["until"].isoformat()


def test_suspension_then_resuming_early(kiosk: Kiosk, running: Any) -> None:
    decision, rep = registered(kiosk)
    j = LifecycleJourney("suspension", today=TODAY)
    identify(kiosk, j, decision, rep)
    assert j.current is LifeStep.SUSPENSION and not j.suspended
    where = j.address_choices()
    assert where[0] == j.draft.address["text"] and where[1] == REP["address"]
    assert j.set_suspension(TODAY, 48, law.SUSPENSION_CAUSES[2], where[0])  # four years: too long
    assert j.set_suspension(TODAY - timedelta(days=1), 6, law.SUSPENSION_CAUSES[2], where[0])
    assert j.set_suspension(TODAY, 6, "", "")
    assert j.resume()  # nothing to resume
    assert j.set_suspension(TODAY, 36, law.SUSPENSION_CAUSES[2], where[0]) == []
    assert j.period["to"] == law.years_after(TODAY, 3)
    j.confirm_answers()
    assert [s["name"] for s in j.signers] == [rep["name"]]  # the legal representative alone
    sign_all(j, {})
    answer = kiosk.submit(j.application(), prove=False)
    assert answer["decision"] == "approved", answer["reasons"]

    back = LifecycleJourney("suspension", today=TODAY)
    identify(kiosk, back, decision, rep)
    assert back.suspended
    assert back.resume() == [] and back.period["to"] == TODAY
    back.confirm_answers()
    sign_all(back, {})
    doc = back.application()
    assert doc["from"] == doc["to"] == TODAY.isoformat()
    answer = kiosk.submit(doc, prove=False)
    assert answer["decision"] == "approved", answer["reasons"]
    assert kiosk.client.verify_licence(decision["e_license"])["status"] == "active"


def test_reprint_needs_the_record_and_a_copy(kiosk: Kiosk) -> None:
    decision, rep = registered(kiosk)
    j = LifecycleJourney("reprint", today=TODAY)
    assert j.choose_copies(["original"])  # no record yet
    identify(kiosk, j, decision, rep)
    assert j.current is LifeStep.COPIES
    assert j.choose_copies([]) and j.choose_copies(["duplicate", "original"]) == []
    assert j.copies == ["original", "duplicate"]
    licence = j.licence_application()
    assert licence["name"]["full"] and licence["officers"]["legal_representative"]["name"] == rep["name"]
    j.printed({"copies": {"original": True}})
    assert j.current is LifeStep.RESULT


def test_months_and_years() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2028, 2, 29), 36) == date(2031, 2, 28)
    assert copy.copy(add_months(date(2026, 5, 1), 6)) == date(2026, 11, 1)


# -- the receipts of lifecycle documents ----------------------------------------------------------------------
KIOSK = {"id": "YJ-LIFE-01", "site": "阳江市政务服务中心", "platform_public_url": "https://yzt.yangjiang.gov.cn"}


def _doc(kind: str, **fields: Any) -> dict[str, Any]:
    from service.contract import acceptance

    number = acceptance.make(TODAY, 7, 3, b"k" * 32)
    return {"application_id": "0e8f0c3a-3d5e-4a55-9a9b-5b0f7f6c1a20", "acceptance_no": number, "kind": kind,
            "uscc": "91441702MA00000150", "company_name": "阳江市星河科技有限公司",
            "applicant": {"person": {"name": "张伟明", "id_number": REP["id_number"]}},
            "submitted_at": "2026-12-02T10:00:00+08:00", **fields}


def test_a_deregistration_receipt_says_the_announcement_and_the_day_it_takes_effect() -> None:
    from kiosk.documents import acceptance_receipt, progress_receipt, result_notice

    app = _doc("deregistration", procedure="simplified", reason="股东会决议解散")
    decision = {"decision": "approved", "acceptance_no": app["acceptance_no"], "kind": "deregistration",
                "uscc": app["uscc"], "announcement_until": "2026-12-22", "effective_on": "2026-12-23", "reasons": []}
    text = result_notice(app, decision, KIOSK).plain_text()
    assert "注销登记" in text and "简易注销" in text and "公示期至" in text and "2026-12-22" in text
    assert "预计注销生效" in text and "2026-12-23" in text and "异议" in text
    assert text.count("91441702MA00000150") == 1 and "张伟明" not in text and REP["id_number"] not in text
    assert "营业执照" not in text.split("审批结果")[1].split("请妥善")[0].replace("营业执照已", "")  # no licence issued
    review = dict(decision, decision="manual_review", announcement_until=None, effective_on=None,
                  reasons=[{"code": "DEREG_OPEN_ITEMS", "severity": "review", "message": "尚有未办结事项"}])
    assert "公示期至" not in acceptance_receipt(app, review, KIOSK).plain_text()
    later = progress_receipt(None, {**decision, "name": app["company_name"]},
                             [{"service": "tax", "status": "done"}, {"service": "seal", "status": "pending"}],
                             KIOSK).plain_text()
    assert "注销登记" in later and "税务注销（清税）" in later and "印章缴销" in later and "公示期至" in later


def test_a_suspension_receipt_says_the_period_and_the_address_and_a_resumption_its_day() -> None:
    from kiosk.documents import result_notice

    app = _doc("suspension", **{"from": "2026-12-02", "to": "2027-06-02", "service_address": "阳江市东风二路88号"})
    decision = {"decision": "approved", "acceptance_no": app["acceptance_no"], "kind": "suspension",
                "uscc": app["uscc"], "effective_on": "2026-12-02", "reasons": []}
    text = result_notice(app, decision, KIOSK).plain_text()
    assert "歇业备案" in text and "2026-12-02 至 2027-06-02" in text and "东风二路88号" in text
    assert "30日内" in text and "3年" in text
    back = result_notice(_doc("suspension", **{"from": "2026-12-09", "to": "2026-12-09", "service_address": "x"}),
                         {**decision, "effective_on": "2026-12-09"}, KIOSK).plain_text()
    assert "恢复营业" in back and "2026-12-09" in back and "歇业期限" not in back


def test_a_change_receipt_says_what_changed_and_who_was_told() -> None:
    from kiosk.documents import linked_items_receipt, result_notice

    app = _doc("change", changes={"name": {"full": "阳江市远航科技有限公司"}, "address": {"code": "1", "text": "x"}})
    decision = {"decision": "approved", "acceptance_no": app["acceptance_no"], "kind": "change", "uscc": app["uscc"],
                "effective_on": "2026-12-02", "reasons": [], "e_license": "x"}
    text = result_notice(app, decision, KIOSK).plain_text()
    assert "变更登记" in text and "名称、住所" in text and "统一社会信用代码不变" in text and "新印章" in text
    items = [{"service": s, "status": "pending", "action": "update"} for s in ("seal", "tax", "bank_account")]
    told = linked_items_receipt(app, decision, KIOSK, items).plain_text()
    assert "刻制新印章" in told and "税务登记信息变更" in told and "银行账户信息变更" in told

"""The open-a-company journey as a state machine: every transition, without a display."""

from datetime import date

import pytest

from service.contract.ids import make_id
from kiosk.journeys.registration import LINKED_SERVICES, RegistrationJourney, Step

TODAY = date(2026, 11, 22)


def card(name, birth, seq, valid_to="2036-01-01", card_type="resident"):
    return {"card_type": card_type, "name": name, "id_number": make_id("441702", birth, seq),
            "birth": birth.isoformat(), "address": "广东省阳江市江城区东风一路1号", "valid_to": valid_to}


ZHANG = card("张伟", date(1985, 3, 14), 11)
LI = card("李娜", date(1990, 7, 2), 22)
WANG = card("王强", date(1978, 1, 9), 33)
AVAILABLE = {"available": True, "reasons": []}


def walk_to_check(j: RegistrationJourney, entity="llc"):
    assert j.choose_entity_type(entity) == []
    assert j.card_read(ZHANG) == [] and j.current is Step.PHONE
    assert j.phone_verified("13800138000", "ph_test-proof") == [] and j.current is Step.LIVENESS
    assert j.liveness_result(True, 0.93, "fa_test-proof") == [] and j.current is Step.NAME
    assert j.set_name("阳江市", "星河", "科技", "有限公司", AVAILABLE) == [] and j.current is Step.ADDRESS
    assert j.set_address("441702001001001", "阳江市江城区东风一路1号101房") == []
    assert j.set_scope([{"code": "I6510", "text": "软件开发", "permit": "none"}]) == []
    assert j.set_capital(1_000_000) == []
    if entity == "llc":
        assert j.current is Step.SHAREHOLDERS
        assert j.add_shareholder(ZHANG, 600_000, date(2030, 12, 31)) == []
        assert j.add_shareholder(LI, 400_000, date(2030, 12, 31)) == []
        assert j.shareholders_done() == [] and j.current is Step.OFFICERS
        assert j.person_read(WANG) == []
        assert j.set_officers(ZHANG["id_number"], [ZHANG["id_number"]], LI["id_number"], WANG["id_number"]) == []
    assert j.current is Step.LINKED
    assert j.set_linked(j.default_linked() | {"bank_account": {"bank": "中国银行", "branch": "阳江分行"}}) == []
    assert j.current is Step.CHECK


def test_full_llc_walk_builds_the_contract_document():
    j = RegistrationJourney(today=TODAY, kiosk_id="YZT-1")
    walk_to_check(j)
    assert j.confirm_answers() == [] and j.current is Step.SIGN
    assert [s["name"] for s in j.signers] == ["张伟", "李娜"]
    assert j.signed(ZHANG["id_number"], "a" * 64) == [] and j.current is Step.SIGN
    assert j.signed(LI["id_number"], "b" * 64) == [] and j.current is Step.SUBMIT
    doc = j.application()
    assert doc["mode"] == "full_chain" and set(doc["linked_services"]) == set(LINKED_SERVICES)
    assert doc["name"]["full"] == "阳江市星河科技有限公司"
    assert sum(s["subscribed_cny"] for s in doc["shareholders"]) == doc["registered_capital_cny"]
    assert doc["officers"]["supervisor"]["name"] == "李娜"
    assert doc["applicant"]["verification"]["phone_verified"] is True
    assert len(doc["signatures"]) == 2


def test_individual_business_skips_shareholders_and_officers_and_partial_chain():
    j = RegistrationJourney(today=TODAY)
    assert j.choose_entity_type("individual_business") == []
    j.card_read(ZHANG)
    j.phone_verified("13800138000", "ph_test-proof")
    j.liveness_result(True, 0.9, "fa_test-proof")
    j.set_name("阳江市", "星河", "餐饮", "店", AVAILABLE)
    j.set_address("441702001001001", "某地址")
    j.set_scope([{"code": "H6210", "text": "餐饮服务", "permit": "pre"}])
    j.set_capital(50_000)
    assert j.current is Step.LINKED
    assert j.set_linked({"tax": {"invoice_kinds": [], "ukey": True}}) == []
    j.confirm_answers()
    assert [s["name"] for s in j.signers] == ["张伟"]
    doc = j.application()
    assert doc["mode"] == "partial_chain" and doc["officers"]["legal_representative"]["name"] == "张伟"


@pytest.mark.parametrize("bad, field", [
    (card("小明", date(2012, 1, 1), 44), "applicant_card"),
    (card("老赵", date(1960, 1, 1), 55, valid_to="2020-01-01"), "applicant_card"),
    ({**ZHANG, "id_number": ZHANG["id_number"][:-1] + ("0" if ZHANG["id_number"][-1] != "0" else "1")},
     "applicant_card"),
])
def test_bad_cards_are_refused_with_a_message(bad, field):
    j = RegistrationJourney(today=TODAY)
    j.choose_entity_type("llc")
    problems = j.card_read(bad)
    assert problems and problems[0].field == field and j.current is Step.APPLICANT_CARD
    assert all(p.message_zh and p.message_en for p in problems)


def test_step_problems_keep_the_citizen_on_the_step():
    j = RegistrationJourney(today=TODAY)
    j.choose_entity_type("llc")
    j.card_read(ZHANG)
    assert j.phone_verified("123", "ph_test-proof")[0].field == "phone"
    assert j.phone_verified("13800138000", None)[0].field == "sms_code"
    j.phone_verified("13800138000", "ph_test-proof")
    assert j.liveness_result(False, 0.2)[0].field == "liveness" and j.current is Step.LIVENESS
    j.liveness_result(True, 0.95, "fa_test-proof")
    assert j.set_name("阳江市", "星", "科技", "有限公司", AVAILABLE)[0].field == "name.trade_name"
    taken = {"available": False, "reasons": [{"code": "NAME_DUPLICATE", "severity": "error",
                                               "message": "已有同名企业"}]}
    assert "已有同名企业" in j.set_name("阳江市", "星河", "科技", "有限公司", taken)[0].message_zh
    assert j.set_name("阳江市", "星河", "科技", "有限公司", None)[0].field == "name"
    assert j.current is Step.NAME
    j.set_name("阳江市", "星河", "科技", "有限公司", AVAILABLE)
    j.set_address("441702001001001", "x")
    assert j.set_scope([])[0].field == "business_scope"
    j.set_scope([{"code": "I6510", "text": "软件开发"}])
    assert j.set_capital(0)[0].field == "registered_capital_cny"
    j.set_capital(100)
    assert j.add_shareholder(ZHANG, 100, date(2032, 1, 1))[0].field == "shareholders.contribution_deadline"
    j.add_shareholder(ZHANG, 60, date(2030, 1, 1))
    assert "不一致" in j.shareholders_done()[0].message_zh
    j.add_shareholder(ZHANG, 100, date(2030, 1, 1))  # the same card again replaces the entry
    assert len(j.draft.shareholders) == 1 and j.shareholders_done() == []
    assert j.set_officers(ZHANG["id_number"], [ZHANG["id_number"]], ZHANG["id_number"])[0].field == "officers.supervisor"
    assert j.set_officers(ZHANG["id_number"], [], WANG["id_number"])[0].field == "officers"  # WANG not read
    assert j.set_linked({"housing_fund": {"deposit_ratio_percent": 30}})[0].field == "linked_services.housing_fund"
    assert j.set_linked({"bank_account": {"bank": ""}})[0].field == "linked_services.bank_account"


def test_back_keeps_answers_and_change_returns_to_check():
    j = RegistrationJourney(today=TODAY)
    walk_to_check(j)
    j.back()
    assert j.current is Step.LINKED and j.draft.linked
    j.back()
    j.back()
    assert j.current is Step.SHAREHOLDERS and len(j.draft.shareholders) == 2
    j.change(Step.ADDRESS)
    assert j.current is Step.ADDRESS
    j.set_address("441702001001002", "新地址")
    assert j.current is Step.CHECK and j.draft.address["code"] == "441702001001002"
    j.change(Step.NAME)
    j.back()  # changed nothing: back to the check page
    assert j.current is Step.CHECK and j.draft.name["trade_name"] == "星河"


def test_rejection_leads_back_to_the_faulty_step_with_everything_kept():
    j = RegistrationJourney(today=TODAY)
    walk_to_check(j)
    j.confirm_answers()
    j.signed(ZHANG["id_number"], "a" * 64)
    j.signed(LI["id_number"], "b" * 64)
    first_id = j.draft.application_id
    j.submitting()
    j.decided({"decision": "rejected", "reasons": [
        {"code": "SCOPE_POST_PERMIT", "severity": "notice", "field": "business_scope[0]", "message": "x"},
        {"code": "ADDRESS_RESTRICTED", "severity": "error", "field": "address.code", "message": "负面清单"}]})
    assert j.current is Step.RESULT and j.fix_step() is Step.ADDRESS
    assert j.correct() is Step.ADDRESS and j.current is Step.ADDRESS
    assert j.draft.application_id != first_id and not j.draft.signatures
    j.set_address("441702001001003", "另一个地址")
    assert j.current is Step.CHECK and j.draft.name["full"] == "阳江市星河科技有限公司"
    assert j.confirm_answers() == [] and j.current is Step.SIGN


def test_approved_result_has_no_fix_step():
    j = RegistrationJourney(today=TODAY)
    walk_to_check(j)
    j.decided({"decision": "approved", "reasons": [], "uscc": "91441702MA00000000"})
    assert j.current is Step.RESULT and j.fix_step() is None


def test_check_refuses_when_a_step_is_missing():
    j = RegistrationJourney(today=TODAY)
    j.choose_entity_type("llc")
    j.change(Step.CHECK)
    problems = j.confirm_answers()
    assert problems and j.current is Step.APPLICANT_CARD


def test_bank_branch_preselects_its_bank():
    j = RegistrationJourney(today=TODAY, preset_bank={"bank": "中国工商银行", "branch": "阳江江城支行"})
    assert j.default_linked()["bank_account"] == {"bank": "中国工商银行", "branch": "阳江江城支行"}

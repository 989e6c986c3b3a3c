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
        assert j.add_shareholder(ZHANG) == [] and j.add_shareholder(LI) == []
        assert j.shareholders_done() == [] and j.current is Step.CONTRIBUTIONS
        assert j.set_contribution(ZHANG["id_number"], 600_000, "currency", date(2030, 12, 31)) == []
        assert j.set_contribution(LI["id_number"], 400_000, "in_kind", date(2030, 12, 31)) == []
        assert j.contributions_done() == [] and j.current is Step.OFFICERS
        assert j.person_read(WANG) == []
        assert j.set_officers(ZHANG["id_number"], [ZHANG["id_number"]], supervisor=LI["id_number"],
                              finance_officer=WANG["id_number"], managers=[ZHANG["id_number"]]) == []
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
    assert doc["officers"]["supervisor"]["name"] == "李娜" and doc["officers"]["managers"][0]["name"] == "张伟"
    assert doc["officers"]["registration_contact"]["name"] == "张伟"  # the applicant, unless another is chosen
    assert [(s["subscribed_cny"], s["contribution_method"], s["contribution_deadline"]) for s in doc["shareholders"]] \
        == [(600_000, "currency", "2030-12-31"), (400_000, "in_kind", "2030-12-31")]
    from service.contract.models import ApplicationIn

    ApplicationIn.model_validate(doc)  # the wire model takes it as it is
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
    assert j.shareholders_done() == [] and j.current is Step.CONTRIBUTIONS
    assert "不一致" in j.contributions_done()[0].message_zh and j.current is Step.CONTRIBUTIONS
    j.add_shareholder(ZHANG, 100, date(2030, 1, 1))  # the same card again replaces the entry
    assert len(j.draft.shareholders) == 1 and j.contributions_done() == []
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


# -- issue 19: every card type, the 2024 officers, contributions, names, who the kiosk cannot serve ------------
def to_contributions(j: RegistrationJourney, *holders, capital=1_000_000, entity="llc"):
    """The identity and company steps done, then the shareholders read: at the contributions step."""
    assert j.choose_entity_type(entity) == []
    assert j.card_read(holders[0]) == []
    j.phone_verified("13800138000", "ph_test-proof")
    j.liveness_result(True, 0.93, "fa_test-proof")
    j.set_name("阳江市", "星河", "科技", "有限公司", AVAILABLE)
    j.set_address("441702001001001", "阳江市江城区东风一路1号101房")
    j.set_scope([{"code": "I6510", "text": "软件开发"}])
    j.set_capital(capital)
    for h in holders:
        assert j.add_shareholder(h) == []
    assert j.shareholders_done() == [] and j.current is Step.CONTRIBUTIONS


def ids_of(*cards):
    return [c["id_number"] if isinstance(c, dict) else c.id_number for c in cards]


def test_contributions_are_proposed_then_confirmed_within_five_years():
    from service.contract import law

    j = RegistrationJourney(today=TODAY)
    to_contributions(j, ZHANG, LI, WANG)
    # proposed: the capital shared in 万元, the remainder to the first; currency; the last day the law allows
    assert [s["subscribed_cny"] for s in j.draft.shareholders] == [340_000, 330_000, 330_000]
    assert {s["contribution_method"] for s in j.draft.shareholders} == {"currency"}
    limit = law.contribution_limit(TODAY)
    assert limit == date(2031, 11, 22) and {s["contribution_deadline"] for s in j.draft.shareholders} == {"2031-11-22"}
    assert Step.CONTRIBUTIONS not in j.done  # proposed is not confirmed
    # five years and one day: CONTRIBUTION_TOO_LATE, in the platform's words; the last day itself is fine
    late = j.set_contribution(LI["id_number"], 330_000, "currency", date(2031, 11, 23))
    assert [p.field for p in late] == ["shareholders.contribution_deadline"]
    assert late[0].message_zh == law.contribution_too_late("李娜", date(2031, 11, 23), TODAY)[0]
    assert "2031年11月22日" in late[0].message_zh and "2031-11-22" in late[0].message_en
    assert j.set_contribution(LI["id_number"], 330_000, "currency", limit) == []
    assert j.set_contribution(LI["id_number"], 330_000, "barter", limit)[0].field == "shareholders.contribution_method"
    assert j.set_contribution(LI["id_number"], 0, "currency", limit)[0].field == "shareholders.subscribed_cny"
    assert j.set_contribution(LI["id_number"], 330_000, "currency", TODAY.replace(year=2025))[0].field == \
        "shareholders.contribution_deadline"  # not in the past
    assert j.set_contribution(WANG["id_number"], 300_000, "ip", date(2027, 6, 30)) == []
    problems = j.contributions_done()
    assert "不一致" in problems[0].message_zh and "970,000" in problems[0].message_en
    assert j.set_contribution(WANG["id_number"], 330_000, "ip", date(2027, 6, 30)) == []
    assert j.contributions_done() == [] and j.current is Step.OFFICERS
    rows = dict((label, value) for _, label, value in j.people_rows("zh"))
    assert "王强：33万元，知识产权，2027年06月30日前缴足" in rows["出资情况"]
    assert rows["执照上的类型"] == "有限责任公司（自然人投资或控股）"


def test_the_platform_and_the_kiosk_refuse_the_same_officers_in_the_same_words():
    from service.contract.models import Officers
    from service.engine.rules import officer_reasons

    j = RegistrationJourney(today=TODAY)
    to_contributions(j, ZHANG, LI)
    j.contributions_done()
    assert j.person_read(WANG) == []
    z, li, w = ids_of(ZHANG, LI, WANG)
    cases = [  # (offices, the field refused, a word the message must hold) — each with its near miss after
        (dict(legal_rep=z, directors=[z], supervisor=li, finance_officer=li), "officers.supervisor", "财务负责人"),
        (dict(legal_rep=z, directors=[z], supervisor=li, finance_officer=z), None, None),
        (dict(legal_rep=z, directors=[z], supervisor=z), "officers.supervisor", "董事不得兼任监事"),
        (dict(legal_rep=z, directors=[z], managers=[li], supervisor=li), "officers.supervisor", "经理"),
        (dict(legal_rep=z, directors=[z], managers=[w], supervisor=li), None, None),
        (dict(legal_rep=z, directors=[z, li]), "officers.directors", "三人以上"),
        (dict(legal_rep=z, directors=[z, li, w], no_supervisor_consent=True), None, None),
        (dict(legal_rep=w, directors=[z], supervisor=li), "officers.legal_representative", "董事或者经理"),
        (dict(legal_rep=w, directors=[z], managers=[w], supervisor=li), None, None),  # the manager may be it
        (dict(legal_rep=z, directors=[z]), "officers.supervisor", "全体股东一致同意"),
        (dict(legal_rep=z, directors=[z], no_supervisor_consent=True), None, None),
        (dict(legal_rep=z, directors=[z], supervisors=[li, w]), "officers.supervisors", "监事会"),
    ]
    for offices, field, word in cases:
        legal_rep = offices.pop("legal_rep")
        officers = j.officers_of(legal_rep, **offices)
        platform = [(r.field, r.message) for r in officer_reasons(Officers.model_validate(officers), True)]
        kiosk = [(p.field, p.message_zh) for p in j.officer_problems(officers)]
        assert kiosk == platform, (offices, kiosk, platform)
        if field is None:
            assert kiosk == [], (offices, kiosk)
        else:
            assert kiosk and kiosk[0][0] == field and word in kiosk[0][1], (offices, kiosk)
            assert all(p.message_en for p in j.officer_problems(officers))
    # set_officers refuses what officer_problems names, and keeps the citizen on the step
    refused = j.set_officers(z, [z], supervisor=li, finance_officer=li)
    assert refused and "李娜" in refused[0].message_zh and "李娜" in refused[0].message_en
    assert j.current is Step.OFFICERS
    assert j.set_officers(z, [z], no_supervisor_consent=True, finance_officer=z, managers=[z],
                          registration_contact=w) == []
    o = j.draft.officers
    assert o["no_supervisor_consent"] is True and "supervisor" not in o and o["registration_contact"]["name"] == "王强"
    assert {s["id_number"] for s in j.signers} == {z, li}  # every shareholder signs the consent (and the articles)
    lines = dict((label, value) for _, label, value in j.people_rows("zh"))["主要人员"]
    assert "董事：张伟" in lines and "经理：张伟" in lines and "不设监事" in lines and "联络员：王强" in lines
    assert "执行董事" not in lines


def test_every_card_type_as_applicant_shareholder_and_officer():
    from devices.idcard.samples import SAMPLE_CARDS
    from service.contract.models import ApplicationIn

    tanaka, smith, wong = SAMPLE_CARDS["tanaka"], SAMPLE_CARDS["smith"], SAMPLE_CARDS["wong"]
    j = RegistrationJourney(today=TODAY)
    to_contributions(j, tanaka, wong, smith)
    assert j.entity_type_label() == "有限责任公司（外商投资、非独资）"
    j.contributions_done()
    t, w, s = ids_of(tanaka, wong, smith)
    assert j.set_officers(t, [t], supervisor=w, finance_officer=s, managers=[t]) == []
    assert j.set_linked({}) == [] and j.confirm_answers() == []
    assert [x["name"] for x in j.signers] == ["田中浩（TANAKA, HIROSHI）", "黄嘉欣",
                                              "史密斯（SMITH-WORTHINGTON, ALEXANDER JONATHAN MICHAEL）"]
    doc = j.application()
    ApplicationIn.model_validate(doc)
    kinds = {p["id_number"]: (p["id_type"], p.get("name_en"), p.get("nationality")) for p in doc["shareholders"]}
    assert kinds == {t: ("foreign_permanent_resident_id", "TANAKA, HIROSHI", "JPN"),
                     w: ("gat_residence_permit", None, None),
                     s: ("foreign_permanent_resident_id", "SMITH-WORTHINGTON, ALEXANDER JONATHAN MICHAEL", "CAN")}
    assert doc["applicant"]["person"]["id_type"] == "foreign_permanent_resident_id"
    assert doc["officers"]["legal_representative"]["name_en"] == "TANAKA, HIROSHI"
    assert doc["officers"]["supervisor"]["id_type"] == "gat_residence_permit"
    rows = {label: value for _, label, value in j.people_rows("en")}
    assert "TANAKA, HIROSHI" in rows["Shareholders"] and "SMITH-WORTHINGTON" in rows["Officers"]
    # the licence's type follows the investors: a Hong Kong resident alone, with a citizen
    for holders, label in (([wong], "有限责任公司（港澳台自然人独资）"), ([wong, ZHANG], "有限责任公司（港澳台投资、非独资）"),
                           ([tanaka], "有限责任公司（外国自然人独资）"), ([ZHANG], "有限责任公司（自然人独资）")):
        k = RegistrationJourney(today=TODAY)
        to_contributions(k, *holders)
        assert k.entity_type_label() == label, holders


def test_a_foreigner_is_told_kindly_that_an_individual_business_is_not_for_them():
    from devices.idcard.samples import SAMPLE_CARDS
    from service.contract import law

    j = RegistrationJourney(today=TODAY)
    j.choose_entity_type("individual_business")
    refused = j.card_read(SAMPLE_CARDS["tanaka"])
    words = law.individual_business_refusal("foreign_permanent_resident_id")
    assert refused and refused[0].message_zh.startswith(words[0]) and refused[0].message_en.startswith(words[1])
    assert "有限责任公司" in refused[0].message_zh and "staffed counter" in refused[0].message_en
    assert j.current is Step.APPLICANT_CARD and j.draft.entity_type == "individual_business"
    assert j.back() is Step.ENTITY_TYPE and j.choose_entity_type("llc") == []
    assert j.card_read(SAMPLE_CARDS["tanaka"]) == []  # a limited company is open to them
    # and the other way round: with a foreign applicant, an individual business is refused at the type step
    j.change(Step.ENTITY_TYPE)
    assert j.choose_entity_type("individual_business")[0].field == "entity_type" and j.draft.entity_type == "llc"
    # near miss: a Hong Kong resident may register one
    k = RegistrationJourney(today=TODAY)
    k.choose_entity_type("individual_business")
    assert k.card_read(SAMPLE_CARDS["wong"]) == [] and k.current is Step.PHONE


def test_minors_are_sent_to_the_counter_as_shareholders_and_refused_as_officers():
    from devices.idcard.samples import SAMPLE_CARDS

    j = RegistrationJourney(today=TODAY)
    to_contributions(j, ZHANG)
    minor = SAMPLE_CARDS["minor"]
    as_holder = j.add_shareholder(minor)
    assert "人工窗口" in as_holder[0].message_zh and "监护人" in as_holder[0].message_zh
    assert "Nothing you entered is lost" in as_holder[0].message_en
    as_officer = j.person_read(minor)
    assert "不能担任" in as_officer[0].message_zh and "不会丢失" in as_officer[0].message_zh
    assert len(j.draft.shareholders) == 1 and j.draft.name["trade_name"] == "星河"  # nothing lost


def test_a_rejection_leads_to_the_step_of_the_person_or_the_deadline():
    j = RegistrationJourney(today=TODAY)
    walk_to_check(j)
    j.confirm_answers()
    for field, step in (("officers.managers[0]", Step.OFFICERS), ("shareholders[1]", Step.SHAREHOLDERS),
                        ("shareholders[1].contribution_deadline", Step.CONTRIBUTIONS),
                        ("entity_type", Step.ENTITY_TYPE), ("name.trade_name", Step.NAME)):
        j.decided({"decision": "rejected", "reasons": [{"code": "X", "severity": "error", "field": field,
                                                         "message": "m"}]})
        assert j.correct() is step and j.rejected_here(step)[0]["field"] == field
        assert not j.rejected_here(Step.LINKED)
        j.change(Step.CHECK)


# -- the journey against a real platform: what the kiosk refuses first, what the platform refuses, near misses --
@pytest.fixture(scope="module")
def kiosk(tmp_path_factory):
    from tests.servicehelp import Kiosk, start_platform

    running = start_platform(tmp_path_factory.mktemp("journey-platform"))
    yield Kiosk(running)
    running.stop()


def platform_journey(kiosk, trade=None, officer=None):
    """A journey walked to signing with fresh people, the name checked by the platform; ``officer`` (a card)
    is read on the officers step and made manager."""
    from datetime import datetime, timezone

    from tests.servicehelp import fresh_address, fresh_person, fresh_phone, unique_trade

    def fresh(name):
        p = fresh_person(name)
        return {"card_type": "resident", "name": p["name"], "id_number": p["id_number"], "valid_to": "2036-01-01",
                "address": "广东省阳江市江城区东风一路1号"}

    today = datetime.now(timezone.utc).astimezone().date()
    j = RegistrationJourney(today=today, kiosk_id=kiosk.kiosk_id)
    a, b = fresh("张伟明"), fresh("李秀英")
    assert j.choose_entity_type("llc") == [] and j.card_read(a) == []
    j.phone_verified("13800138000", "ph_test-proof")
    j.liveness_result(True, 0.93, "fa_test-proof")
    trade = trade or unique_trade()
    check = kiosk.client.check_name(region="阳江市", trade_name=trade, industry="科技", form="有限公司")
    assert j.set_name("阳江市", trade, "科技", "有限公司", check) == [], check
    address = fresh_address()
    j.set_address(address["code"], address["text"])
    j.set_scope([{"code": "I6511-001", "text": "软件开发"}])
    j.set_capital(1_000_000)
    j.add_shareholder(a)
    j.add_shareholder(b)
    j.shareholders_done()
    assert j.contributions_done() == []
    z, li = a["id_number"], b["id_number"]
    managers = [z]
    if officer is not None:
        assert j.person_read(officer) == []
        managers = [officer["id_number"]]
    assert j.set_officers(z, [z], supervisor=li, finance_officer=z, managers=managers) == []
    assert j.set_linked({}) == [] and j.confirm_answers() == []
    for s in j.signers:
        j.signed(s["id_number"], "ab" * 32)
    doc = j.application()
    doc["applicant"]["person"]["phone"] = fresh_phone()
    return j, doc


def test_a_dishonest_manager_is_refused_and_the_kiosk_says_what_to_do_next(kiosk):
    from tests.servicehelp import DISHONEST

    dishonest = {"card_type": "resident", "name": DISHONEST["name"], "id_number": DISHONEST["id_number"],
                 "valid_to": "2036-01-01"}
    j, doc = platform_journey(kiosk, officer=dishonest)
    decision = kiosk.submit(doc)
    assert decision["decision"] == "rejected"
    reason = next(r for r in decision["reasons"] if r["code"] == "PERSON_DISHONEST")
    assert reason["field"] == "officers.managers[0]" and "经理王失信" in reason["message"]
    j.decided(decision)
    assert j.correct() is Step.OFFICERS
    said = j.explain(j.rejected_here(Step.OFFICERS)[0])
    assert "王失信" in said.message_zh and "zxgk.court.gov.cn" in said.message_zh and "更换" in said.message_zh
    assert "王失信" in said.message_en and "the manager" in said.message_en and "court" in said.message_en
    # replaced by an honest manager: approved (the near miss)
    _, doc = platform_journey(kiosk)
    assert kiosk.submit(doc)["decision"] == "approved"


def test_what_the_kiosk_refuses_first_the_platform_refuses_too(kiosk):
    import copy
    import uuid

    from service.contract import law

    j, doc = platform_journey(kiosk)
    # a supervisor who is also the finance officer: the kiosk's words are the platform's
    li = doc["officers"]["supervisor"]["id_number"]
    kiosk_said = j.officer_problems({**j.draft.officers, "finance_officer": j.people[li]})
    bad = copy.deepcopy(doc)
    bad["application_id"] = str(uuid.uuid4())
    bad["officers"]["finance_officer"] = doc["officers"]["supervisor"]
    platform_said = [r for r in kiosk.submit(bad)["reasons"] if r["code"] == "OFFICERS_INVALID"]
    assert [(p.field, p.message_zh) for p in kiosk_said] == [(r["field"], r["message"]) for r in platform_said]
    # a deadline of five years and one day: refused on the contributions step, and by the platform
    late = law.days_after(law.contribution_limit(j.today), 1)
    refused = j.set_contribution(doc["shareholders"][1]["id_number"], 400_000, "currency", late)
    assert refused and refused[0].field == "shareholders.contribution_deadline"
    bad = copy.deepcopy(doc)
    bad["application_id"] = str(uuid.uuid4())
    bad["shareholders"][1]["contribution_deadline"] = late.isoformat()
    reasons = kiosk.submit(bad)["reasons"]
    assert [r["message"] for r in reasons if r["code"] == "CONTRIBUTION_TOO_LATE"] == [refused[0].message_zh]
    # the near miss of both: the document as the kiosk made it is approved
    assert kiosk.submit(doc)["decision"] == "approved"


def test_a_division_as_trade_name_is_refused_on_the_name_step(kiosk):
    j = RegistrationJourney(today=TODAY)
    check = kiosk.client.check_name(region="阳江市", trade_name="阳江", industry="科技", form="有限公司")
    refused = j.set_name("阳江市", "阳江", "科技", "有限公司", check)
    assert refused and "行政区划" in refused[0].message_zh and "administrative division" in refused[0].message_en
    near = kiosk.client.check_name(region="阳江市", trade_name="阳江湾", industry="科技", form="有限公司")
    assert near["available"] and j.set_name("阳江市", "阳江湾", "科技", "有限公司", near) == []
    # characters that are no trade name are refused before any check; the platform says NAME_FORMAT too
    assert j.set_name("阳江市", "<script>", "科技", "有限公司", {"available": True, "reasons": []})
    assert "NAME_FORMAT" in {r["code"] for r in kiosk.client.check_name(
        region="阳江市", trade_name="星<b>", industry="科技", form="有限公司")["reasons"]}


def test_receipts_and_licence_say_the_type_the_contributions_and_the_names_as_on_the_cards():
    from devices.idcard.samples import SAMPLE_CARDS
    from kiosk.documents import licence_from, result_notice
    from service.contract import acceptance

    tanaka, wong = SAMPLE_CARDS["tanaka"], SAMPLE_CARDS["wong"]
    j = RegistrationJourney(today=TODAY, acceptance_no=acceptance.make(TODAY, 1, 7, b"k" * 32))
    to_contributions(j, tanaka, wong)
    t, w = ids_of(tanaka, wong)
    assert j.set_contribution(t, 700_000, "currency", date(2031, 11, 22)) == []
    assert j.set_contribution(w, 300_000, "in_kind", date(2029, 11, 22)) == []
    assert j.contributions_done() == []
    assert j.set_officers(t, [t], supervisor=w, finance_officer=t, managers=[t]) == []
    doc = j.application()
    decision = {"decision": "approved", "uscc": "91441702MA00000150", "application_id": doc["application_id"],
                "acceptance_no": doc["acceptance_no"], "reasons": [], "e_license": "x"}
    licence = licence_from(doc, decision)
    assert licence["type"] == "有限责任公司（外商投资、非独资）"
    assert licence["legal_representative"] == "田中浩（TANAKA, HIROSHI）"
    lines = [f"{getattr(b, 'key', '')}：{getattr(b, 'value', '')}" if hasattr(b, "key") else getattr(b, "text", "")
             for b in result_notice(doc, decision).blocks]
    assert "类型：有限责任公司（外商投资、非独资）" in lines and "股东认缴出资" in lines
    assert "田**：70万元 货币 2031-11-22前" in lines and "黄**：30万元 实物 2029-11-22前" in lines
    assert not any("田中浩" in line for line in lines)  # names masked on a receipt left on the counter

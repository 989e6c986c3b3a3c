"""Every reason code of CONTRACT.md: one application that triggers it and one that does not, over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable

import pytest

from service.contract import law
from service.contract.ids import make_id
from tests.servicehelp import (ADDRESS_CROWDED, ADDRESS_NEGATIVE, ADDRESS_OK, BUSY, DISHONEST, LI, MINOR,
                               SCOPE_POST, SCOPE_PRE, TODAY, Kiosk, application, codes, fresh_person, person,
                               start_platform)

pytestmark = pytest.mark.timeout(90)

FACELESS = fresh_person("孙无面")
ADULT_TODAY = {"name": "赵十八", "id_number": make_id("441702", TODAY.replace(year=TODAY.year - 18) if
                                                    (TODAY.month, TODAY.day) != (2, 29) else TODAY.replace(
                                                        year=TODAY.year - 18, day=28), 71)}
FOREIGNER = {"name": "田中浩", "id_type": "foreign_permanent_resident_id", "id_number": "JPN441780915013",
             "name_en": "TANAKA, HIROSHI", "nationality": "JPN"}
HONG_KONG = {"name": "黄嘉欣", "id_type": "gat_residence_permit",
             "id_number": make_id("810000", TODAY.replace(year=1995, month=9, day=15), 24)}


class Client:
    """A signed kiosk that does the identity steps as the kiosk does, unless a case says otherwise."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk, self.client = kiosk, kiosk.client

    def submit(self, doc: dict[str, Any]) -> dict[str, Any]:
        prove = doc.pop("_prove", {})
        return self.kiosk.client.submit(self.kiosk.prove(doc, **prove))

    def verify_licence(self, code: str) -> dict[str, Any]:
        return self.client.verify_licence(code)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    running = start_platform(tmp_path_factory.mktemp("rules"))
    (running.platform.settings.reference_dir / "face_mismatch.txt").write_text(FACELESS["id_number"] + "\n")
    from service.identity import SimulatedIdentity

    running.platform.identity = SimulatedIdentity(running.platform.settings.reference_dir)
    yield Client(Kiosk(running))
    running.stop()


def edit(fn: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = application()
    fn(doc)
    return doc


def set_rep(doc: dict[str, Any], p: dict[str, str]) -> None:
    """Make ``p`` legal representative, director, shareholder and signer (applicant stays 张)."""
    doc["officers"]["legal_representative"] = person(p)
    doc["officers"]["directors"] = [person(p)]
    doc["officers"]["managers"] = [person(p)]
    doc["shareholders"][0].update(person(p))
    doc["signatures"][0]["id_number"] = p["id_number"]


def bad_id(doc: dict[str, Any]) -> None:
    number = doc["shareholders"][1]["id_number"]
    doc["shareholders"][1]["id_number"] = number[:17] + ("0" if number[17] != "0" else "1")


def far_deadline(doc: dict[str, Any]) -> None:
    doc["shareholders"][1]["contribution_deadline"] = (TODAY + timedelta(days=5 * 366 + 2)).isoformat()


def near_deadline(doc: dict[str, Any]) -> None:
    doc["shareholders"][1]["contribution_deadline"] = (TODAY + timedelta(days=5 * 365 - 3)).isoformat()


def name(doc: dict[str, Any], trade: str | None = None, industry: str | None = None, full: str | None = None) -> None:
    n = doc["name"]
    if trade is not None:
        n["trade_name"] = trade
    if industry is not None:
        n["industry"] = industry
    n["full"] = full if full is not None else f"{n['region']}{n['trade_name']}{n['industry']}{n['form']}"


def verification(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["applicant"]["verification"].update(changes)


def unproved(**steps: bool) -> Callable[[dict[str, Any]], None]:
    """The kiosk skips identity steps at the platform (``phone=False``, ``face=False``)."""
    return lambda d: d.update(_prove=steps)


def applicant(p: dict[str, str]) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["applicant"]["person"].update(person(p))


def officer(role: str, p: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["officers"].update({role: [dict(p)] if role in ("directors", "managers") else dict(p)})


def foreign_sole_shareholder(p: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def edit_(d: dict[str, Any]) -> None:
        d["shareholders"] = [{**d["shareholders"][0], **p, "subscribed_cny": d["registered_capital_cny"]}]
        d["signatures"] = [d["signatures"][0], {"id_number": p["id_number"], "signed_at": d["submitted_at"]}]
    return edit_


def individual(operator: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def edit_(d: dict[str, Any]) -> None:
        d.update(entity_type="individual_business", shareholders=[], registered_capital_cny=50_000)
        d["name"].update(form="店", full=f"阳江市{d['name']['trade_name']}科技店")
        d["applicant"]["person"].update(operator)
        d["officers"] = {"legal_representative": dict(operator)}
        d["signatures"] = [{"id_number": operator["id_number"], "signed_at": d["submitted_at"]}]
    return edit_


# (code, severity, an edit that triggers it, a near miss that must not)
CASES: list[tuple[str, str, Callable[[dict[str, Any]], None], Callable[[dict[str, Any]], None]]] = [
    ("ID_NUMBER_INVALID", "error", bad_id, lambda d: None),
    ("ID_CARD_EXPIRED", "error", verification(card_valid_to=(TODAY - timedelta(days=1)).isoformat()),
     verification(card_valid_to=TODAY.isoformat())),
    ("IDENTITY_NOT_VERIFIED", "error", unproved(face=False), verification(card_valid_to="长期")),
    ("IDENTITY_NOT_VERIFIED", "error", unproved(phone=False), lambda d: None),
    ("IDENTITY_NOT_VERIFIED", "error", verification(card_read=False), lambda d: None),
    ("IDENTITY_NOT_VERIFIED", "error", lambda d: set_rep(d, FACELESS) or applicant(FACELESS)(d),
     verification(face_match_score=0.01, liveness_passed=False)),  # what the document asserts is not judged
    ("PERSON_UNDERAGE", "error", lambda d: d["shareholders"][1].update(person(MINOR)) or
     d["signatures"].__setitem__(1, {"id_number": MINOR["id_number"], "signed_at": d["submitted_at"]}),
     lambda d: d["shareholders"][1].update(person(ADULT_TODAY)) or
     d["signatures"].__setitem__(1, {"id_number": ADULT_TODAY["id_number"], "signed_at": d["submitted_at"]})),
    ("PERSON_UNDERAGE", "error", officer("finance_officer", person(MINOR)),  # a senior manager (CL art. 178)
     officer("registration_contact", person(MINOR))),
    ("PERSON_DISHONEST", "error", lambda d: set_rep(d, DISHONEST), lambda d: None),
    ("PERSON_DISHONEST", "error", officer("finance_officer", person(DISHONEST)),
     officer("finance_officer", person(fresh_person("吴会计")))),
    ("PERSON_DISHONEST", "error", officer("managers", person(DISHONEST)), lambda d: None),
    ("PERSON_DISHONEST", "error", officer("supervisor", person(DISHONEST)), lambda d: None),
    ("INVESTOR_NOT_ELIGIBLE", "error", individual(FOREIGNER), individual(HONG_KONG)),
    ("PERSON_MANY_ENTITIES", "review", lambda d: set_rep(d, BUSY), lambda d: set_rep(d, fresh_person("陈国强"))),
    ("NAME_FORMAT", "error", lambda d: name(d, full="阳江市随便一个名字有限公司"), lambda d: None),
    ("NAME_FORMAT", "error", lambda d: name(d, industry=""), lambda d: None),
    ("NAME_TRADE_TOO_SHORT", "error", lambda d: name(d, trade="鑫"), lambda d: None),
    ("NAME_TRADE_IS_REGION", "error", lambda d: name(d, trade="阳江"), lambda d: name(d, trade="阳江湾")),
    ("NAME_FORMAT", "error", lambda d: name(d, trade="星<b>"), lambda d: name(d, trade="星贝")),
    ("NAME_PROHIBITED", "error", lambda d: name(d, trade=d["name"]["trade_name"] + "国家"),
     lambda d: name(d, trade=d["name"]["trade_name"] + "国")),
    ("NAME_DUPLICATE", "error", lambda d: name(d, trade="华信", industry="科技"),
     lambda d: name(d, trade="华信达", industry="科技")),
    ("NAME_SIMILAR", "review", lambda d: name(d, trade="华信", industry="贸易"),
     lambda d: name(d, trade="华新达", industry="贸易")),
    ("ADDRESS_UNKNOWN", "review", lambda d: d["address"].update(code="441702999999"),
     lambda d: d["address"].update(code=ADDRESS_OK)),
    ("ADDRESS_RESTRICTED", "error", lambda d: d["address"].update(code=ADDRESS_NEGATIVE), lambda d: None),
    ("ADDRESS_CROWDED", "review", lambda d: d["address"].update(code=ADDRESS_CROWDED),
     lambda d: d["address"].update(code="441704000001")),
    ("SCOPE_EMPTY", "error", lambda d: d.update(business_scope=[]), lambda d: None),
    ("SCOPE_NONSTANDARD", "review", lambda d: d["business_scope"].append({"code": None, "text": "卖点好东西"}),
     lambda d: d["business_scope"].append({"code": "F5211-001", "text": "日用百货销售"})),
    ("SCOPE_PRE_APPROVAL", "review", lambda d: d["business_scope"].append({"code": SCOPE_PRE, "text": "保安服务"}),
     lambda d: None),
    ("SCOPE_POST_PERMIT", "notice", lambda d: d["business_scope"].append({"code": SCOPE_POST, "text": "餐饮服务"}),
     lambda d: None),
    ("CAPITAL_INVALID", "error", lambda d: d.update(registered_capital_cny=900_000), lambda d: None),
    ("CAPITAL_INVALID", "error", lambda d: d.update(registered_capital_cny=0), lambda d: None),
    ("CONTRIBUTION_TOO_LATE", "error", far_deadline, near_deadline),
    ("CONTRIBUTION_TOO_LATE", "error", lambda d: d["shareholders"][1].update(
        contribution_deadline=(law.contribution_limit(TODAY) + timedelta(days=1)).isoformat()),
     lambda d: d["shareholders"][1].update(contribution_deadline=law.contribution_limit(TODAY).isoformat())),
    ("SHAREHOLDERS_INVALID", "error", lambda d: d.update(shareholders=[], registered_capital_cny=1_000_000),
     lambda d: None),
    ("SHAREHOLDERS_INVALID", "error", lambda d: d.update(shareholders=[
        {**d["shareholders"][0], "subscribed_cny": 1000} for _ in range(51)], registered_capital_cny=51_000),
     lambda d: None),
    ("OFFICERS_INVALID", "error", lambda d: d["officers"].pop("legal_representative"), lambda d: None),
    ("OFFICERS_INVALID", "error", lambda d: d["officers"].update(supervisor=d["officers"]["directors"][0]),
     lambda d: d["officers"].update(supervisor=person(LI))),
    ("OFFICERS_INVALID", "error", officer("finance_officer", person(LI)),  # the supervisor LI as finance officer
     officer("finance_officer", person(fresh_person("吴会计")))),
    ("OFFICERS_INVALID", "error", lambda d: d["officers"].update(directors=[person(fresh_person("甲")),
                                                                            person(fresh_person("乙"))]),
     lambda d: d["officers"].update(directors=d["officers"]["directors"] + [person(fresh_person("甲")),
                                                                             person(fresh_person("乙"))])),
    ("OFFICERS_INVALID", "error", lambda d: d["officers"].pop("supervisor"),
     lambda d: d["officers"].pop("supervisor") and d["officers"].update(no_supervisor_consent=True)),
    ("OFFICERS_INVALID", "error", lambda d: d["officers"].update(directors=[person(fresh_person("丙"))], managers=[]),
     lambda d: d["officers"].update(directors=[person(fresh_person("丙"))])),  # the rep is still the manager
    ("SIGNATURE_MISSING", "error", lambda d: d["signatures"].pop(1), lambda d: d["signatures"].pop(1) and
     d["signatures"].append({"id_number": LI["id_number"], "signed_at": d["submitted_at"]})),
]


@pytest.mark.parametrize("code,severity,trigger,near", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_reason_code_triggers_and_its_near_miss_does_not(client: Client, code: str, severity: str,
                                                          trigger: Callable, near: Callable) -> None:
    decision = client.submit(edit(trigger))
    hits = [r for r in decision["reasons"] if r["code"] == code]
    assert hits, f"{code} not raised: {decision['reasons']}"
    assert {r["severity"] for r in hits} == {severity}
    assert all(r["message"] and r["field"] is not None for r in hits)
    expected = {"error": "rejected", "review": "manual_review", "notice": "approved"}[severity]
    assert decision["decision"] == expected, decision["reasons"]
    assert bool(decision.get("uscc")) == bool(decision.get("e_license")) == (expected == "approved")
    assert ("uscc" in decision) == (expected == "approved")  # present only when approved

    missed = client.submit(edit(near))
    assert code not in codes(missed), missed["reasons"]


def test_a_clean_application_is_approved_with_a_valid_uscc_and_e_licence(client: Client) -> None:
    from service.contract import elicence
    from service.contract.uscc import is_valid

    decision = client.submit(application())
    assert decision["decision"] == "approved" and decision["reasons"] == []
    assert is_valid(decision["uscc"]) and decision["uscc"].startswith("91441702")
    verified = client.verify_licence(decision["e_license"])
    assert verified["valid"] and verified["registered"] and verified["uscc"] == decision["uscc"]
    assert elicence.looks_like_licence(decision["e_license"])


def test_an_approved_name_is_taken_for_the_next_applicant(client: Client) -> None:
    first = application()
    assert client.submit(first)["decision"] == "approved"
    second = application(trade=first["name"]["trade_name"])
    again = client.submit(second)
    assert again["decision"] == "rejected" and "NAME_DUPLICATE" in codes(again)


def test_individual_business_needs_no_shareholders(client: Client) -> None:
    doc = application(entity_type="individual_business", shareholders=[], registered_capital_cny=50_000)
    doc["name"].update(form="店", full=f"阳江市{doc['name']['trade_name']}科技店")
    doc["signatures"] = doc["signatures"][:1]
    decision = client.submit(doc)
    assert decision["decision"] == "approved", decision["reasons"]
    assert decision["uscc"].startswith("92")


def test_reasons_are_in_plain_chinese(client: Client) -> None:
    decision = client.submit(edit(lambda d: set_rep(d, DISHONEST)))
    message = next(r["message"] for r in decision["reasons"] if r["code"] == "PERSON_DISHONEST")
    assert DISHONEST["name"] in message and DISHONEST["id_number"] not in message


def test_same_sounding_trade_name_goes_to_review(client: Client) -> None:
    decision = client.submit(edit(lambda d: name(d, trade="化信", industry="科技")))
    assert "NAME_SOUNDS_ALIKE" in codes(decision) and decision["decision"] == "manual_review"

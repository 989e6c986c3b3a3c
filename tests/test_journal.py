"""The visit journal: answers kept sealed as the citizen goes; a crash at any point of a visit, then the
citizen starting again, ends with the same application — delivered once, its decision kept, what did not
print printed — and reprints by acceptance number or card."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest

from kiosk import config
from kiosk.journal import Journal, journey_after_card, restore, snapshot
from kiosk.journeys.registration import RegistrationJourney, Step
from kiosk.runtime import Runtime
from kiosk.services import KioskServices
from service.contract.signing import load_or_create_key, public_pem
from service.contract.vault import Vault
from service.core.security import KioskKeys
from tests.servicehelp import TODAY, fresh_address, fresh_person, start_platform
from tests.test_services_submit import card, walk

pytestmark = pytest.mark.timeout(180)


def answered(journey: RegistrationJourney, person: dict[str, str], upto: Step) -> RegistrationJourney:
    """Answers as far as ``upto`` without a platform (proof ids made up)."""
    zhang = card(person)
    steps = [lambda: journey.choose_entity_type("llc"), lambda: journey.card_read(zhang),
             lambda: journey.phone_verified("13900000077", "phone-proof"),
             lambda: journey.liveness_result(True, 0.93, "face-proof"),
             lambda: journey.set_name("阳江市", "星河", "科技", "有限公司", {"available": True, "reasons": []}),
             lambda: journey.set_address("441702000001", "广东省阳江市江城区东风二路88号")]
    for step in steps:
        if journey.current is upto:
            break
        assert step() == []
    return journey


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.db", Vault(tmp_path / "data.key"), b"k" * 32)
    yield j
    j.close()


def test_answers_are_kept_sealed_and_a_restored_journey_is_the_same(tmp_path: Path, journal: Journal) -> None:
    person = fresh_person("王小明")
    journey = answered(RegistrationJourney(today=TODAY, kiosk_id="K1"), person, Step.SCOPE)
    journal.begin(journey.draft.application_id, "202601010000000017", "open")
    journal.save(journey)
    assert journal.flush()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("journal.db*"))
    assert person["id_number"].encode() not in raw and "王小明".encode() not in raw and "星河".encode() not in raw
    visit = journal.recognise(person["id_number"])
    assert visit is not None and visit.state == "answering" and visit.step == "scope"
    restored = restore(visit.snapshot, visit.proofs_at)
    assert snapshot(restored) == snapshot(journey)
    assert restored.draft.application_id == journey.draft.application_id
    assert restored.draft.face_verification_id == "face-proof"  # fresh proofs are kept
    stale = restore(visit.snapshot, time.time() - 3600)  # the platform's proofs live 30 minutes
    assert stale.current is Step.PHONE and stale.draft.phone_verification_id is None
    assert stale.draft.name["trade_name"] == "星河"  # the rest is kept
    assert journal.recognise(fresh_person()["id_number"]) is None
    assert journal.recognise(person["id_number"], exclude=journey.draft.application_id) is None


def test_a_visit_left_on_purpose_is_forgotten_a_submitted_one_kept_for_reprints(journal: Journal) -> None:
    left, done = fresh_person(), fresh_person()
    a = answered(RegistrationJourney(today=TODAY), left, Step.NAME)
    journal.save(a)
    journal.finish(a.draft.application_id, "idle timeout")
    b = answered(RegistrationJourney(today=TODAY), done, Step.NAME)
    journal.save(b)
    journal.submitted(b.draft.application_id, {"application_id": b.draft.application_id, "acceptance_no": "1",
                                               "applicant": {"person": {"id_number": done["id_number"]}}})
    journal.decided(b.draft.application_id, {"decision": "approved", "acceptance_no": "1"})
    assert journal.recognise(done["id_number"]).state == "decided"  # a crash now: the citizen is recognised
    journal.finish(b.draft.application_id, "visit finished")
    assert journal.get(a.draft.application_id) is None
    kept = journal.get(b.draft.application_id)
    assert kept.state == "finished" and kept.snapshot is None and kept.decision["decision"] == "approved"
    assert journal.recognise(done["id_number"]) is None  # finished: a new visit is a new application
    assert [v.application_id for v in journal.visits_of(done["id_number"])] == [b.draft.application_id]
    assert journal.by_number("1").application_id == b.draft.application_id


def test_a_submitted_visit_is_preferred_to_a_later_start_that_crashed_too(journal: Journal) -> None:
    """Killed after the decision (A), then again while the citizen's retry (B) was at the card step: the
    third start is given A — B was only a retry of it — and B is dropped."""
    person = fresh_person()
    a = answered(RegistrationJourney(today=TODAY), person, Step.NAME)
    journal.save(a)
    journal.submitted(a.draft.application_id, {"application_id": a.draft.application_id,
                                               "applicant": {"person": {"id_number": person["id_number"]}}})
    journal.decided(a.draft.application_id, {"decision": "approved"})
    time.sleep(0.01)
    b = answered(RegistrationJourney(today=TODAY), person, Step.PHONE)
    journal.save(b, wait=True)
    assert journal.recognise(person["id_number"]).application_id == a.draft.application_id
    journal.discard_retries(a.draft.application_id, person["id_number"])
    assert journal.get(b.draft.application_id) is None and journal.get(a.draft.application_id).state == "decided"


def test_a_poison_record_is_set_aside(tmp_path: Path, journal: Journal) -> None:
    person = fresh_person()
    journey = answered(RegistrationJourney(today=TODAY), person, Step.NAME)
    journal.save(journey, wait=True)
    other = Vault(tmp_path / "other.key").seal_json({"x": 1}, journey.draft.application_id + ":visit")
    journal._db.execute("UPDATE visits SET snapshot = ?", (other,))
    assert journal.recognise(person["id_number"]) is None
    journal.flush()
    assert journal.counts().get("poison") == 1 and journal.poison == 1


def test_journey_after_card_moves_past_the_card(journal: Journal) -> None:
    journey = RegistrationJourney(today=TODAY)
    journey.choose_entity_type("llc")
    assert journey.current is Step.APPLICANT_CARD
    resumed = journey_after_card(journey, card(fresh_person()))
    assert resumed.current is Step.PHONE and Step.APPLICANT_CARD in resumed.done


# -- with a platform: crash, restart, the citizen again -------------------------------------------------
@pytest.fixture()
def kiosk(tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    platform = start_platform(tmp_path / "platform")
    cfg = config.load(None, simulate=True)
    cfg["platform"]["url"] = platform.url
    cfg["platform"]["timeout_s"] = 3
    cfg["kiosk"]["data_dir"] = str(tmp_path / "kiosk")
    for kind in ("idcard", "qr_scanner"):
        cfg[f"devices.{kind}"]["url"] = ""
    KioskKeys(platform.platform.settings.kiosks).enrol(cfg.kiosk.id, public_pem(load_or_create_key(
        tmp_path / "kiosk" / "kiosk.key")))

    def boot() -> tuple[KioskServices, Runtime]:
        runtime = Runtime.build(cfg)
        return KioskServices(runtime, runtime.cfg), runtime

    yield boot, platform
    platform.stop()


def applications_of(platform: Any, id_number: str) -> list[Any]:
    from sqlalchemy import select

    from service.models import Application

    key = platform.platform.keys.person_key(id_number)
    with platform.platform.store.read() as s:
        return list(s.execute(select(Application).where(Application.applicant_key == key)).scalars())


def test_killed_after_the_decision_the_citizen_starting_again_gets_it_and_the_licence(kiosk: Any) -> None:
    boot, platform = kiosk
    services, runtime = boot()
    app_id, number = runtime.new_visit()
    journey = RegistrationJourney(today=date.today(), kiosk_id="YZT-DEV-0001", application_id=app_id,
                                  acceptance_no=number)
    services.visit_started(journey, "open")
    walk(services, journey)
    services.visit_step(journey)
    applicant = journey.draft.applicant_card
    # the submission as far as the decision, then the process dies before printing
    application = journey.application()
    runtime.outbox().put(application)
    runtime.journal().submitted(app_id, application)
    decision = runtime.outbox().deliver(app_id, services.platform().submit)
    assert decision["decision"] == "approved"
    runtime.journal()._db.close()  # SIGKILL: no clean close of anything
    runtime.outbox()._db.close()
    for device in runtime.devices.values():
        device.close()

    services, runtime = boot()  # restart; the journal has the decision only through the outbox
    try:
        forwarder = runtime.forwarder()
        assert forwarder.run_once() == (0, 0)  # nothing left to deliver
        again_id, _ = runtime.new_visit()
        again = RegistrationJourney(today=date.today(), application_id=again_id)
        services.visit_started(again, "open")
        again.choose_entity_type("llc")
        again.card_read(applicant)  # the same citizen, the same card
        visit = services.recognise(again)
        assert visit is not None and visit.application_id == app_id
        resumed = services.resume(visit, again)
        assert resumed.draft.application_id == app_id and resumed.current is Step.SUBMIT
        outcome = services.submit(resumed)
        assert outcome["decision"]["application_id"] == app_id and outcome["decision"]["decision"] == "approved"
        assert outcome["licence_printed"] is True and [r["kind"] for r in outcome["receipts"]] == ["result",
                                                                                                   "linked_items"]
        assert len(applications_of(platform, applicant["id_number"])) == 1
        assert sorted(runtime.journal().get(app_id).printed) == ["licence", "linked_items", "result"]
        # the maintenance reprint, by acceptance number and by card
        [kept] = services.find_visits(acceptance_no=number)
        assert services.reprint_visit(kept, ["licence"])["reprinted"] == ["licence"]
        assert [v.application_id for v in services.find_visits(card=applicant)] == [app_id]
        assert runtime.journal().get(again_id) is None  # the second start left nothing of its own
    finally:
        runtime.close()


def test_a_citizen_who_starts_afresh_is_answered_with_the_first_application(kiosk: Any) -> None:
    """Even without the journal (another kiosk), the platform answers the same applicant's same name
    with the first decision: the kiosk shows and prints that one, and no second company exists."""
    boot, platform = kiosk
    services, runtime = boot()
    try:
        first = RegistrationJourney(today=date.today(), application_id=runtime.new_visit()[0])
        walk(services, first)
        one = services.submit(first)["decision"]
        assert one["decision"] == "approved"
        second = RegistrationJourney(today=date.today(), application_id=runtime.new_visit()[0])
        person = first.draft.applicant_card
        second.choose_entity_type("llc")
        second.card_read(person)
        from tests.servicehelp import fresh_phone

        phone = fresh_phone()
        services.send_sms(phone, person)
        second.phone_verified(phone, services.verify_sms(phone, services.platform().dev_sms_code(phone) or "", person))
        face = services.liveness(person)
        second.liveness_result(face.passed, face.score, face.verification_id)
        d = first.draft
        second.set_name(d.name["region"], d.name["trade_name"], d.name["industry"], d.name["form"],
                        {"available": True, "reasons": []})
        address = fresh_address()
        second.set_address(address["code"], address["text"])
        second.set_scope(d.scope)
        second.set_capital(d.capital_cny)
        deadline = TODAY + timedelta(days=3 * 365)
        for holder in d.shareholders:
            second.add_shareholder({**holder, "card_type": "resident", "valid_to": "2036-01-01"},
                                   holder["subscribed_cny"], deadline)
        second.shareholders_done()
        o = d.officers
        second.set_officers(o["legal_representative"]["id_number"], [x["id_number"] for x in o["directors"]],
                            o["supervisor"]["id_number"], o["finance_officer"]["id_number"])
        second.set_linked(d.linked)
        second.confirm_answers()
        for signer in second.signers:
            second.signed(signer["id_number"], "cd" * 32)
        two = services.submit(second)["decision"]
        assert two["application_id"] == one["application_id"] and two["uscc"] == one["uscc"]
        assert len(applications_of(platform, person["id_number"])) == 1
    finally:
        runtime.close()

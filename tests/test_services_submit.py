"""Submission end to end without a display: journey → outbox → platform on loopback → printers'
simulators; and the platform down at submit (queued, acceptance receipt, delivered later)."""

from __future__ import annotations

import socket
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest

from kiosk import config
from kiosk.journeys.registration import RegistrationJourney, Step
from kiosk.runtime import Runtime
from kiosk.services import KioskServices
from service.contract.signing import load_or_create_key, public_pem
from service.core.security import KioskKeys
from tests.servicehelp import TODAY, fresh_address, fresh_person, fresh_phone, start_platform, unique_trade

pytestmark = pytest.mark.timeout(120)


def card(p: dict[str, str]) -> dict[str, Any]:
    from service.contract.ids import birth_date

    return {"card_type": "resident", "name": p["name"], "id_number": p["id_number"], "valid_to": "2036-01-01",
            "birth": birth_date(p["id_number"]).isoformat(), "address": "广东省阳江市江城区东风一路1号"}


def walk(services: KioskServices, journey: RegistrationJourney) -> None:
    """A citizen's answers, each through the same services the screens use (identity at the platform,
    the face on the simulated camera)."""
    zhang, li = card(fresh_person("张伟明")), card(fresh_person("李秀英"))
    assert journey.choose_entity_type("llc") == []
    assert journey.card_read(zhang) == []
    phone = fresh_phone()
    services.send_sms(phone, zhang)
    code = services.platform().dev_sms_code(phone)
    assert journey.phone_verified(phone, services.verify_sms(phone, code or "", zhang)) == []
    face = services.liveness(zhang)
    assert face.passed and journey.liveness_result(face.passed, face.score, face.verification_id) == []
    trade = unique_trade()
    check = services.check_name("阳江市", trade, "科技", "有限公司")
    assert journey.set_name("阳江市", trade, "科技", "有限公司", check) == []
    address = fresh_address()
    assert journey.set_address(address["code"], address["text"]) == []
    scope = services.search_scopes("软件")[0]
    assert journey.set_scope([scope]) == []
    assert journey.set_capital(1_000_000) == []
    deadline = TODAY + timedelta(days=3 * 365)
    assert journey.add_shareholder(zhang, 600_000, deadline) == []
    assert journey.add_shareholder(li, 400_000, deadline) == []
    assert journey.shareholders_done() == []
    assert journey.set_officers(zhang["id_number"], [zhang["id_number"]], li["id_number"], zhang["id_number"]) == []
    assert journey.set_linked(journey.default_linked() | {"bank_account": {"bank": "中国银行", "branch": "阳江分行"}}) == []
    assert journey.confirm_answers() == []
    for signer in journey.signers:
        assert journey.signed(signer["id_number"], "ab" * 32) == []
    assert journey.current is Step.SUBMIT


@pytest.fixture()
def kiosk(tmp_path: Path) -> Iterator[tuple[KioskServices, Any, Runtime]]:
    platform = start_platform(tmp_path / "platform")
    cfg = config.load(None, simulate=True)
    cfg["platform"]["url"] = platform.url
    cfg["platform"]["timeout_s"] = 3
    cfg["kiosk"]["data_dir"] = str(tmp_path / "kiosk")
    KioskKeys(platform.platform.settings.kiosks).enrol(cfg.kiosk.id, public_pem(load_or_create_key(
        tmp_path / "kiosk" / "kiosk.key")))  # the platform's operator enrolled this kiosk
    runtime = Runtime.build(cfg)
    yield KioskServices(runtime, runtime.cfg), platform, runtime
    runtime.close()
    platform.stop()


def test_an_approved_application_prints_the_licence_and_the_receipts(kiosk: Any) -> None:
    services, platform, runtime = kiosk
    app_id, number = runtime.new_visit()
    journey = RegistrationJourney(today=date.today(), kiosk_id="YZT-TEST", application_id=app_id, acceptance_no=number)
    walk(services, journey)
    stages: list[str] = []
    outcome = services.submit(journey, stages.append)
    decision = outcome["decision"]
    assert decision["decision"] == "approved", decision["reasons"]
    assert decision["acceptance_no"] == number  # the kiosk's own number, kept by the platform
    assert stages == ["submit.sending", "submit.printing_licence", "submit.printing_receipt"]
    assert outcome["licence_printed"] is True and outcome["licence_pdf"].startswith(b"%PDF")
    assert [r["kind"] for r in outcome["receipts"]] == ["result", "linked_items"]
    assert all(r["printed"] for r in outcome["receipts"])
    spool = runtime.devices["document_printer"]
    assert spool.simulator.documents(), "the licence reached the document printer"
    assert runtime.outbox().decision(decision["application_id"])["uscc"] == decision["uscc"]
    assert runtime.outbox().pending() == []


def test_platform_down_at_submit_queues_prints_acceptance_and_delivers_later(kiosk: Any, tmp_path: Path) -> None:
    services, platform, runtime = kiosk
    app_id, number = runtime.new_visit()
    journey = RegistrationJourney(today=date.today(), kiosk_id="YZT-TEST", application_id=app_id, acceptance_no=number)
    walk(services, journey)
    client = services.platform()
    real = client.base_url
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        client.base_url = f"http://127.0.0.1:{s.getsockname()[1]}"  # nobody listens there
    client.retries, client.backoff_s = 1, 0.01
    outcome = services.submit(journey)
    assert outcome["queued"] is True and outcome["decision"]["decision"] == "queued"
    assert [r["kind"] for r in outcome["receipts"]] == ["acceptance"]
    app_id = journey.draft.application_id
    assert [p.application_id for p in runtime.outbox().pending()] == [app_id]
    client.base_url = real  # the network is back
    runtime.outbox()._db.execute("UPDATE outbox SET next_try_at = 0")
    delivered, waiting = services.flush_outbox()
    assert (delivered, waiting) == (1, 0)
    assert services.progress_by_number(number)["decision"] == "approved"

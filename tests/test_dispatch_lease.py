"""The dispatcher's lease: a department that answers after the item's lease ran out does not overwrite
what the worker that took the item again wrote (real SQLite, the platform's own dispatcher calls)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from service.departments import OpenMatter, Outcome, Ticket
from service.models import Item
from service.platform import Actor, Platform
from tests.servicehelp import application, live_image, write_reference

pytestmark = pytest.mark.timeout(60)


class SlowFirstSeal:
    """The seal shop: its first answer hangs until released (a slow network, a busy shop), later ones are quick."""

    code = "seal"

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def submit(self, application_id: str, uscc: str, action: str, params: dict[str, Any]) -> Ticket:
        self.calls += 1
        if self.calls == 1:
            self.asked.set()
            assert self.release.wait(20)
            return Ticket("SEAL-LATE", 3600, "刻章企业已接单（迟到的答复）。")
        return Ticket(f"SEAL-{self.calls}", 3600, "刻章企业已接单。")

    def finish(self, application_id: str, reference: str, action: str) -> Outcome:
        return Outcome(True, "印章已制作完成。")

    def open_matters(self, uscc: str) -> list[OpenMatter]:
        return []


def approved_with_seal(platform: Platform) -> str:
    """A clean company proved and approved the way a kiosk's submission is, asking for the seal only."""
    doc = application()
    doc["mode"] = "partial_chain"
    doc["linked_services"] = {"seal": doc["linked_services"]["seal"]}
    actor = Actor("kiosk:YJ-LEASE-01", "127.0.0.1")
    p, v = doc["applicant"]["person"], doc["applicant"]["verification"]
    platform.send_sms(actor, p["phone"], p["id_number"], p["name"])
    v["phone_verification_id"] = platform.verify_sms(actor, p["phone"], platform.sms.dev_last[p["phone"]],
                                                     p["id_number"])
    v["face_verification_id"] = platform.verify_face(actor, p["id_number"], p["name"], live_image())[2]
    from service.contract.models import ApplicationIn

    decision = platform.submit(ApplicationIn.model_validate(doc), actor)
    assert decision.decision == "approved", decision.reasons
    return str(decision.application_id)


def seal_item(platform: Platform, application_id: str) -> Item:
    with platform.store.read() as s:
        return s.query(Item).filter_by(application_id=application_id, service="seal").one()


def test_a_late_answer_after_the_lease_ran_out_is_dropped(tmp_path: Path) -> None:
    from service.core.settings import Settings

    seal = SlowFirstSeal()
    settings = Settings(platform_dir=tmp_path / "platform", reference_dir=write_reference(tmp_path / "ref"),
                        identity="simulated", dev_sms=True, sms_cooldown_s=0, dispatch_lease_s=0.3)
    platform = Platform(settings, departments={"seal": seal})  # no dispatcher thread: the test drives it
    try:
        app_id = approved_with_seal(platform)
        slow = threading.Thread(target=platform.dispatch_once)
        slow.start()
        assert seal.asked.wait(10)  # the first worker waits on the shop, holding the item for 0.3 s
        time.sleep(0.5)
        assert platform.dispatch_once() == 1  # the lease ran out: taken again, answered at once
        again = seal_item(platform, app_id)
        assert (again.status, again.reference) == ("in_progress", "SEAL-2")
        seal.release.set()
        slow.join(10)
        kept = seal_item(platform, app_id)
        assert kept.reference == "SEAL-2" and kept.attempts == again.attempts  # the late answer changed nothing
        assert seal.calls == 2
    finally:
        seal.release.set()
        platform.stop()

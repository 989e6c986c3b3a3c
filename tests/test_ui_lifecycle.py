"""A company's later life in the real window under Xvfb, on the simulators and the embedded platform:
change of name (new licence, same USCC, new seal) and address, suspension and resuming, simplified
deregistration (the announcement, the name free afterwards), the one table for a company that owes tax,
and the licence reprinted at another kiosk."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from service.contract import law
from tests.servicehelp import write_reference
from tests.uihelp import needs_display, run_script

pytestmark = [needs_display, pytest.mark.timeout(420)]


def test_change_suspend_resume_and_simplified_deregistration(tmp_path: Path) -> None:
    env = {"YZT_REFERENCE_DIR": str(write_reference(tmp_path / "ref")), "YZT_DISPATCH_SCALE": "0.01"}
    outcome = run_script("tests.uiscripts:lifecycle_change_suspend_close", tmp_path, "--simulate", env=env,
                         timeout=400)
    r = outcome["result"]
    uscc = r["registered"]["uscc"]

    name = r["name"]
    assert name["kind"] == "approved" and name["uscc"] == uscc, name
    assert name["company"] == "阳江市远航星河科技有限公司" and name["licence_printed"] is True
    assert name["printed_documents"] >= 1
    assert name["platform_items"]["seal"] == "update" and set(name["platform_items"]) == {
        "seal", "tax", "social_insurance", "housing_fund", "bank_account"}  # a new seal, and everyone told
    assert [x["kind"] for x in name["receipts"]] == ["result", "linked_items"]
    assert "/v/" in name["qr"] or name["qr"].startswith("YZT")  # the new e-licence
    pdf = tmp_path / "shots" / "licence-renamed.pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=30).stdout
        assert uscc in text.replace(" ", "") and "远航星河" in text  # the same code, the new name

    address = r["address"]
    assert address["kind"] == "approved" and address["uscc"] == uscc and address["items"].get("seal") is None
    assert address["company"] == "阳江市远航星河科技有限公司"

    assert r["suspension"]["kind"] == "approved" and r["suspension"]["status"] == "suspended"
    assert any("歇业期限" in line for line in r["suspension"]["lines"])
    assert r["resumed"]["kind"] == "approved" and r["resumed"]["status"] == "active"
    assert any("恢复营业" in line for line in r["resumed"]["lines"])

    assert r["progress_by_number"] == name["acceptance_no"]  # found by its number (and by QR and card)
    assert isinstance(r["progress_items"], dict)  # by card: the newest of the representative's applications

    dereg = r["dereg"]
    assert dereg["kind"] == "approved" and dereg["number"], dereg
    until = dereg["announcement_until"]
    assert any(f"公示期至 {until}" in line for line in dereg["lines"])  # the announcement, shown
    assert "/p/" in dereg["qr"]  # progress by the acceptance number
    from datetime import date, timedelta

    assert date.fromisoformat(until) == date.fromisoformat(dereg["effective_on"]) - timedelta(days=1)
    assert (date.fromisoformat(until) - date.today()).days in (law.SIMPLE_DEREG_ANNOUNCE_DAYS,
                                                               law.SIMPLE_DEREG_ANNOUNCE_DAYS + 1)
    assert dereg["after"] == "deregistered"
    # the name is no longer held: others wait out the year the naming rules protect it; its investors need not
    reasons = dereg["name_check"]["reasons"]
    assert [x["code"] for x in reasons] == ["NAME_DUPLICATE"] and "注销未满一年" in reasons[0]["message"]
    assert dereg["name_again"]["uscc"] != dereg["uscc"]

    shots = {p.name for p in (tmp_path / "shots").iterdir()}
    for step in ("change-company", "change-what", "name-prefilled", "sign-card", "address-uscc-typed",
                 "suspend-period", "resume-suspended", "dereg-one-table", "dereg-procedure", "dereg-result"):
        assert any(step in s for s in shots), step


def test_the_one_table_for_a_company_that_owes_tax_and_a_reprint_at_another_kiosk(tmp_path: Path) -> None:
    env = {"YZT_REFERENCE_DIR": str(write_reference(tmp_path / "ref"))}
    outcome = run_script("tests.uiscripts:lifecycle_owing_and_reprint", tmp_path, "--simulate", env=env,
                         timeout=400)
    r = outcome["result"]
    owing = r["owing"]
    assert "tax" in owing["open"] and any("办税服务厅" in s for s in owing["see"])  # what is open, who to see
    assert owing["eligible"] is False and owing["allowed"] is False and owing["procedure"] == "ordinary"
    assert owing["refused"] and "普通注销" in owing["refused"][0]
    assert owing["kind"] == "manual_review" and owing["codes"] == ["DEREG_OPEN_ITEMS"]

    refused = r["refused"]
    assert refused["refused"] and "法定代表人" in refused["problems"][0] and "授权委托书" in refused["problems"][0]

    reprint = r["reprint"]
    assert reprint["kind"] == "reprinted" and reprint["copies"] == {"original": True, "duplicate": True}
    assert reprint["documents"] == 2 and reprint["kiosk"] == "YJ-OTHER-0002"
    # logged at the platform, with the kiosk that printed
    assert any(a[:2] == ["kiosk:YJ-OTHER-0002", "entity.record"] and a[3] == "reprint" for a in reprint["audit"])


def test_the_lifecycle_screens_are_translated_large_enough_and_readable(tmp_path: Path) -> None:
    outcome = run_script("tests.uiscripts:audit_lifecycle_screens", tmp_path, timeout=240)
    assert outcome["result"]["findings"] == {}

"""Journey 1's hard cases in the real app under Xvfb, on the simulators and a loopback platform."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.servicehelp import write_reference
from tests.uihelp import needs_display, run_script

pytestmark = [needs_display, pytest.mark.timeout(400)]


def test_review_rejection_paper_out_platform_down_and_card_moved(tmp_path: Path) -> None:
    env = {"YZT_REFERENCE_DIR": str(write_reference(tmp_path / "ref")), "YZT_DISPATCH_SCALE": "0.01"}
    outcome = run_script("tests.uiscripts:journeys_edge_cases", tmp_path, "--simulate", env=env, timeout=380)
    o = outcome["result"]["outcomes"]

    review = o["manual_review"]
    assert review["kind"] == "manual_review" and [r["kind"] for r in review["receipts"]] == ["acceptance"]
    assert "/p/" + review["acceptance_no"] in review["qr"] and any("人工" in line or "集群" in line or "核实" in line
                                                 for line in review["lines"])

    assert o["rejected_first"]["kind"] == "rejected"
    assert any("负面清单" in line or "禁止" in line for line in o["rejected_first"]["lines"])
    assert o["corrected"]["kind"] == "approved"
    assert any("星河" in r or "更正" in r for r in o["kept_after_correction"]["rows"])  # the name was kept

    paper = o["paper_out"]
    assert paper["kind"] == "approved" and paper["receipts"] and not any(r["printed"] for r in paper["receipts"])
    assert paper["kept_jobs"] >= 1 and any("执照已打印" in line for line in paper["printed"])

    queued = o["queued"]
    assert queued["kind"] == "queued" and [r["kind"] for r in queued["receipts"]] == ["acceptance"]
    assert queued["delivered_by_itself"] is True and queued["later"] == "approved"

    assert o["card_moved"]["problems"] and "移开" in o["card_moved"]["problems"][0]

    # nothing personal in clear in the kiosk's data folder (outbox, kept print jobs, keys, logs) after all
    # that, nor in the embedded platform's database files (the registry: sealed documents, keyed hashes)
    phones = ["13900000001", "13900000002", "13900000003", "13900000004"]
    assert_nothing_personal_in_clear(tmp_path / "data", phones)
    assert_nothing_personal_in_clear(tmp_path / "data" / "platform", phones, platform=True)


def assert_nothing_personal_in_clear(data: Path, phones: list[str], platform: bool = False) -> None:
    """Every sample person's name, ID number and home address, and the phones used, in none of the files
    — the kiosk's folder (without the platform's), or the platform's database files."""
    from devices.idcard.samples import SAMPLE_CARDS

    cards = SAMPLE_CARDS.values()
    secrets = [c.name for c in cards] + [c.id_number for c in cards] + [c.address for c in cards] + phones
    needles = {s: [s.encode("utf-8"), s.encode("utf-16-le"), s.encode("gb18030"), json.dumps(s)[1:-1].encode()]
               for s in secrets if s and len(s) >= 2}  # as text, UCS-2 (the card), GB18030 (ESC/POS), JSON-escaped
    if platform:
        files = [f for f in data.rglob("platform.db*") if f.is_file()]
        assert files, f"no platform database under {data}"
    else:
        files = [f for f in data.rglob("*") if f.is_file() and "platform" not in f.relative_to(data).parts]
        assert any(f.suffix == ".log" for f in files) and any(f.name.startswith("outbox") for f in files)
    found = [(str(f.relative_to(data)), s) for f in files for s, forms in needles.items()
             if any(form in f.read_bytes() for form in forms)]
    assert found == [], found


def test_single_items_for_an_existing_company(tmp_path: Path) -> None:
    env = {"YZT_REFERENCE_DIR": str(write_reference(tmp_path / "ref"))}
    outcome = run_script("tests.uiscripts:single_item_visit", tmp_path, "--simulate", env=env, timeout=300)
    single = outcome["result"]["single"]
    assert single["kind"] == "approved" and single["uscc"] == single["registered_uscc"]
    assert [r["kind"] for r in single["receipts"]] == ["linked_items"] and single["receipts"][0]["printed"]

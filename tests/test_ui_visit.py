"""A visit without dead ends (issue 20), in the real app under Xvfb on the simulators and the embedded platform:
ways out of every step, help and the hall's staff, numbers a person can use, outcomes that tell the truth,
reprint by acceptance number, the farewell page and the 好差评 rating."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servicehelp import write_reference
from tests.uihelp import needs_display, run_script

pytestmark = [needs_display, pytest.mark.timeout(400)]


def test_ways_out_help_staff_and_rating(tmp_path: Path) -> None:
    env = {"YZT_REFERENCE_DIR": str(write_reference(tmp_path / "ref"))}
    r = run_script("tests.uiscripts:ux_navigation_help_staff_rating", tmp_path, "--simulate", env=env,
                   timeout=380)["result"]
    assert r["first_back"] == "home"
    assert "没有读到" not in r["hint_before_card"] and "没有读到" in r["hint_after_card"]
    assert "秒" in r["countdown"] and "秒后再重新获取" in r["cooldown"]  # the platform's own words
    if r["voice_available"]:
        assert r["help_spoken"] == ["help.name"]
    # the hall sees the call for staff: on the platform, and on the fleet page an operator reads
    assert r["help_requests"] == [{"kiosk_id": r["kiosk_id"], "step": "name"}]
    assert r["fleet"] == {"status": 200, "help": True, "kiosk": True, "step": True}
    assert r["help_requests_after_second_tap"] == len(r["help_requests"])  # one call, however many taps
    # cancelling says what will be forgotten, then forgets it
    assert "身份证信息" in r["forget"] and "手机号码" in r["forget"]
    assert r["wiped"] == {"journey": True, "session": True, "outcome": True, "phone_screen": True,
                          "wipes": 2, "staff_called": 0}  # one wipe a visit: the first ended by "back"
    assert "请取走" in r["card_on"] and "还在读卡区" in r["card_on"] and "已取走" in r["card_off"]
    # the rating reached the platform: kiosk, journey, level, reasons — nothing else
    assert len(r["ratings"]) == 1
    rating = r["ratings"][0]
    assert rating["journey"] == "open" and rating["level"] == 2 and rating["reasons"] == ["等待时间长"]
    assert r["fleet_ratings"] == {"ratings": 1, "average": 2.0}


def test_licence_printer_out_of_paper_then_reprint_by_number(tmp_path: Path) -> None:
    env = {"YZT_REFERENCE_DIR": str(write_reference(tmp_path / "ref"))}
    r = run_script("tests.uiscripts:ux_licence_paper_out_reprint", tmp_path, "--simulate", env=env,
                   timeout=380)["result"]
    res = r["result"]
    assert res["kind"] == "approved" and res["variant"] == "approved_kept" and res["licence_printed"] is False
    assert "没有打印出来" in res["headline"] and "已打印" not in res["headline"]  # a true headline
    assert res["spoken"] == "ux.voice.result.approved_kept"
    assert res["number_shown"].replace(" ", "") == res["acceptance_no"]  # the number, large, as printed
    assert any("营业执照没有打印出来" in line and "补打" in line for line in res["lines"])
    assert any("2张回执已打印" in line for line in res["lines"])
    assert [p["kind"] for p in res["prints"]] == ["licence", "result", "linked_items"]
    # the seal and the UKey are mailed to the standard address found by its pinyin initials
    assert res["delivery"]["method"] == "mail" and res["delivery"]["address_code"]
    linked = [t for t in r["receipt_texts"] if "关联事项回执" in t][-1]
    assert "免费寄递" in linked and "寄递地址" in linked and "****" in linked  # the address masked on paper
    assert "东风二路" not in linked
    notice = [t for t in r["receipt_texts"] if "审批结果通知" in t][-1]
    assert "未能打印" in notice and "营业执照已在本机打印" not in notice  # the receipt tells the truth too
    assert [k["kind"] for k in r["kept_before"]] == ["licence"]
    assert r["reprint_button"] == "补打1份"
    assert "营业执照已打印" in r["reprinted"] and r["documents"] == 1 and r["kept_after"] == []

"""Issue 19 in the real app under Xvfb: a foreign (2017 card) legal representative and a Hong Kong
shareholder open a company; the licence's 类型 and names are read back from the printed PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.servicehelp import write_reference
from tests.uihelp import needs_display, run_script

pytestmark = [needs_display, pytest.mark.timeout(400)]


def test_a_foreign_legal_representative_and_a_hong_kong_shareholder(tmp_path: Path) -> None:
    env = {"YZT_REFERENCE_DIR": str(write_reference(tmp_path / "ref")), "YZT_DISPATCH_SCALE": "0.01"}
    outcome = run_script("tests.uiscripts:law_visit", tmp_path, "--simulate", env=env, timeout=380)
    r = outcome["result"]
    seen = r["seen"]

    # the name step: 阳江 refused as it is typed, in both languages; characters at once; a taken name's chips
    assert "NAME_TRADE_IS_REGION" in seen["region"]["codes"] and "行政区划" in seen["region"]["zh"]
    assert "administrative division" in seen["region"]["en"]
    assert "规范汉字" in seen["format"]["zh"] and not seen["format"]["checked"]
    assert "NAME_DUPLICATE" in seen["taken"]["codes"] and seen["taken"]["suggestions"]
    assert seen["search_mode"] == "english" and seen["found"] == ["网络科技"]
    trade = seen["taken"]["suggestions"][0]
    assert seen["preview"].endswith(f"阳江市{trade}网络科技有限公司")

    # a minor is sent to the counter, nothing lost; both foreign cards read as shareholders
    assert "人工窗口" in seen["minor"]["zh"] and "Nothing you entered is lost" in seen["minor"]["en"]
    assert seen["minor"]["rows"] == 0
    assert any("TANAKA, HIROSHI" in row and "外国人永久居留身份证" in row for row in seen["holder_rows"])
    assert any("黄嘉欣" in row and "港澳台居民居住证" in row for row in seen["holder_rows"])

    # contributions proposed (an equal split, money, the last day allowed), then confirmed as changed
    assert [x[1] for x in seen["proposed"]] == [500_000, 500_000] and {x[2] for x in seen["proposed"]} == {"currency"}

    # officers: 2024 defaults; the supervisor as finance officer named at once and refused, in the platform's words
    defaults = seen["officer_defaults"]
    tanaka_no = "JPN441780915013"
    assert defaults == {"directors": [tanaka_no], "manager": tanaka_no, "legal_rep": tanaka_no, "contact": tanaka_no}
    assert seen["conflict"] and seen["conflict"][0][0] == "officers.supervisor"
    assert "财务负责人" in seen["conflict"][0][1] and "黄嘉欣" in seen["conflict"][0][1]
    assert "finance officer" in seen["conflict"][0][2]
    assert seen["refused"] == [seen["conflict"][0][1]] and seen["conflict_after"] == []
    assert {"当日办结", "1个工作日内办结"} >= set(seen["linked_times"]) and "即时办结" not in seen["linked_times"]

    # the check page says what the licence will say
    check = seen["check"]
    assert check["执照上的类型"] == "有限责任公司（外商投资、非独资）"
    assert "田中浩（TANAKA, HIROSHI）：70万元，货币" in check["出资情况"] and "黄嘉欣：30万元，实物" in check["出资情况"]
    assert "监事：黄嘉欣" in check["主要人员"] and "财务负责人：田中浩（TANAKA, HIROSHI）" in check["主要人员"]

    # approved; the application carries each card's kind, English name and nationality
    assert r["decision"] == "approved", r["reasons"]
    app = r["application"]
    holders = {s["name"]: s for s in app["shareholders"]}
    assert holders["田中浩"]["id_type"] == "foreign_permanent_resident_id" and holders["田中浩"]["nationality"] == "JPN"
    assert holders["田中浩"]["name_en"] == "TANAKA, HIROSHI" and holders["黄嘉欣"]["id_type"] == "gat_residence_permit"
    assert holders["黄嘉欣"]["contribution_method"] == "in_kind"
    assert app["officers"]["legal_representative"]["id_number"] == tanaka_no
    assert app["applicant"]["person"]["id_type"] == "foreign_permanent_resident_id"

    # the licence as printed: 类型 and the names, read back from the PDF (and rendered for a look)
    pdf = tmp_path / "shots" / "licence.pdf"
    assert pdf.exists()
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        flat = "".join(text.split())
        assert "有限责任公司（外商投资、非独资）" in flat, text
        assert "田中浩（TANAKA,HIROSHI）" in flat and f"阳江市{trade}网络科技有限公司" in flat, text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "shots" / "licence")], check=True)
    receipts = sorted((tmp_path / "shots").glob("receipt-*.png"))
    assert receipts

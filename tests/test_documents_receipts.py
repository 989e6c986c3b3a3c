"""Receipts as blocks: what each one says, what it must never say (full names, ID numbers),
and the Chinese capital numerals of the licence."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from hypothesis import given, strategies as st

from kiosk.documents import (QR, Cut, Receipt, ReceiptInputError, acceptance_receipt, cny_uppercase,
                             linked_items_receipt, progress_receipt, progress_url, result_notice)
from service.contract.labels import LINKED_SERVICES
from kiosk.documents.samples import (SAMPLE_ACCEPTANCE_NO, SAMPLE_APPLICATION_ID, SAMPLE_USCC, sample_application,
                                     sample_decision, sample_items, sample_kiosk)
from service.contract import acceptance

NOW = datetime(2026, 3, 18, 9, 45, tzinfo=timezone.utc)
BUILDERS = {
    "acceptance": lambda a, d, k, i: acceptance_receipt(a, d, k, now=NOW),
    "result": lambda a, d, k, i: result_notice(a, d, k, now=NOW),
    "linked_items": lambda a, d, k, i: linked_items_receipt(a, d, k, i, now=NOW),
    "progress": lambda a, d, k, i: progress_receipt(a, d, i, k, now=NOW),
}


@pytest.fixture
def docs():
    return sample_application(), sample_decision(), sample_kiosk(), sample_items()


@pytest.mark.parametrize("kind", BUILDERS)
def test_every_receipt_has_the_number_kiosk_time_masked_person_and_progress_qr(docs, kind):
    app, decision, kiosk, items = docs
    receipt = BUILDERS[kind](app, decision, kiosk, items)
    text = receipt.plain_text()
    assert receipt.kind == kind and receipt.application_id == SAMPLE_APPLICATION_ID
    assert acceptance.grouped(SAMPLE_ACCEPTANCE_NO) in text  # the number a person reads, in groups
    assert kiosk["id"] in text and kiosk["site"] in text
    assert NOW.astimezone().strftime("%Y-%m-%d %H:%M") in text
    assert "陈**" in text and "4417**********1234" in text
    assert receipt.qr_payloads == [f"https://yzt.yangjiang.gov.cn/p/{SAMPLE_ACCEPTANCE_NO}"]
    assert isinstance(receipt.blocks[-1], Cut) and receipt.cuts == 1


@pytest.mark.parametrize("kind", BUILDERS)
def test_no_receipt_carries_a_full_name_id_number_or_phone(docs, kind):
    app, decision, kiosk, items = docs
    whole = json.dumps(BUILDERS[kind](app, decision, kiosk, items).to_dict(), ensure_ascii=False)
    people = [app["applicant"]["person"], *app["shareholders"], app["officers"]["finance_officer"]]
    for person in people:
        assert person["id_number"] not in whole
        assert person["name"] not in whole
    assert "13800138000" not in whole
    assert not re.search(r"\d{17}[\dX]", whole.replace(SAMPLE_ACCEPTANCE_NO, ""))


def test_acceptance_lists_the_chosen_items_with_their_expected_times(docs):
    app, _, kiosk, _ = docs
    receipt = acceptance_receipt(app, None, kiosk, now=NOW)
    text = receipt.plain_text()
    assert "已受理，网络恢复后自动提交" in text  # no decision yet: queued
    for service in LINKED_SERVICES.values():
        assert f"{service.name_zh}：{service.expected_zh}" in text
    assert "统一社会信用代码" not in text


def test_partial_chain_prints_only_what_was_chosen(docs):
    app, decision, kiosk, _ = docs
    app["mode"] = "partial_chain"
    app["linked_services"] = {"seal": app["linked_services"]["seal"], "bank_account": app["linked_services"]["bank_account"]}
    text = acceptance_receipt(app, decision, kiosk, now=NOW).plain_text()
    assert "公章刻制：当日办结" in text and "银行预开户：1个工作日内办结" in text
    assert "社保登记" not in text and "公积金缴存登记" not in text and "分链式选择办" in text


def test_linked_service_names_are_the_official_ones():
    assert {k: v.name_zh for k, v in LINKED_SERVICES.items()} == {
        "seal": "公章刻制", "tax": "申领发票和税务UKey", "social_insurance": "社保登记",
        "housing_fund": "公积金缴存登记", "bank_account": "银行预开户"}
    assert LINKED_SERVICES["seal"].expected_zh == "当日办结" and LINKED_SERVICES["tax"].expected_zh == "1个工作日内办结"


def test_result_notice_approved_manual_and_rejected(docs):
    app, decision, kiosk, _ = docs
    approved = result_notice(app, decision, kiosk, now=NOW).plain_text()
    assert "审批结果：审批通过" in approved and SAMPLE_USCC in approved
    assert "【提示】会议及展览服务" in approved and "营业执照：已核发" in approved
    rejected = {"application_id": app["application_id"], "decision": "rejected", "reasons": [
        {"code": "NAME_DUPLICATE", "severity": "error", "field": "name.trade_name", "message": "字号与已登记企业重复"},
        {"code": "ADDRESS_CROWDED", "severity": "review", "field": "address.code", "message": "该地址登记企业较多"}]}
    text = result_notice(app, rejected, kiosk, now=NOW).plain_text()
    assert "未通过，请更正后重新提交" in text and "1. 【需更正】字号与已登记企业重复" in text
    assert "2. 【人工审核】该地址登记企业较多" in text and "统一社会信用代码" not in text
    review = dict(rejected, decision="manual_review", reasons=rejected["reasons"][1:])
    assert "转人工审核" in result_notice(app, review, kiosk, now=NOW).plain_text()
    with pytest.raises(ReceiptInputError) as err:
        result_notice(app, {}, kiosk)
    assert err.value.message_zh


def test_linked_items_receipt_shows_status_detail_and_where_to_go(docs):
    app, decision, kiosk, items = docs
    text = linked_items_receipt(app, decision, kiosk, items, now=NOW).plain_text()
    assert "■ 社保登记" in text and "办理状态：已办结" in text and "办理状态：待办理" in text
    assert "刻章单位：阳江市江城区诚信刻章店" in text and "开户网点：中国工商银行阳江分行营业部" in text
    assert "说明：刻章店已接单，请当日下午凭本回执领取" in text


def test_progress_receipt_from_the_platform_answer_alone(docs):
    _, decision, kiosk, items = docs
    items[1]["status"] = "failed"
    receipt = progress_receipt(None, decision, items, kiosk, now=NOW)
    text = receipt.plain_text()
    assert receipt.application_id == SAMPLE_APPLICATION_ID and "办理失败" in text and "办结进度：1/5 项已办结" in text
    with pytest.raises(ReceiptInputError):
        progress_receipt(None, None, items, kiosk)


def test_the_receipt_qr_reads_back_as_this_application_s_progress_code(docs):
    from devices.qr.payload import parse

    app, decision, kiosk, _ = docs
    payload = parse(acceptance_receipt(app, decision, kiosk).qr_payloads[0])
    assert payload.kind == "progress" and payload.acceptance_no == SAMPLE_ACCEPTANCE_NO


def test_progress_url_default_and_trailing_slash():
    number = SAMPLE_ACCEPTANCE_NO
    assert progress_url(number, {"platform_public_url": "https://x.gov.cn/"}) == f"https://x.gov.cn/p/{number}"
    assert progress_url(f"{number[:6]} {number[6:]}", None).endswith(f"/p/{number}")


def test_receipt_round_trips_through_json(docs):
    app, decision, kiosk, items = docs
    receipt = linked_items_receipt(app, decision, kiosk, items, now=NOW)
    again = Receipt.from_dict(json.loads(json.dumps(receipt.to_dict(), ensure_ascii=False)))
    assert again == receipt and isinstance(again.blocks[-2], type(receipt.blocks[-2]))
    assert any(isinstance(b, QR) for b in again.blocks)
    with pytest.raises(ValueError):
        Receipt.from_dict({"kind": "x", "application_id": "1", "title": "t", "blocks": [{"type": "Barcode"}]})


# -- capital numerals -------------------------------------------------------------------------------------
@pytest.mark.parametrize("amount, text", [
    (0, "零元整"), (5, "伍元整"), (10, "壹拾元整"), (1005, "壹仟零伍元整"), (1050, "壹仟零伍拾元整"),
    (10_000, "壹万元整"), (100_500, "壹拾万零伍佰元整"), (1_000_000, "壹佰万元整"), (30_000_000, "叁仟万元整"),
    (100_000_000, "壹亿元整"), (120_000_000, "壹亿贰仟万元整"), (100_010_000, "壹亿零壹万元整"),
    (100_000_001, "壹亿零壹元整"), (1_234_567_890, "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元整"),
])
def test_capital_numerals(amount, text):
    assert cny_uppercase(amount) == text


def _parse(text: str) -> int:
    """Read capital numerals back (written independently of the module under test)."""
    digits = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
    small = {"拾": 10, "佰": 100, "仟": 1000}
    assert text.endswith("元整")

    def section(part: str) -> int:  # below 10 000
        value = number = 0
        for ch in part:
            if ch in digits:
                number = digits[ch]
            else:
                value += number * small[ch]
                number = 0
        return value + number

    def below_yi(part: str) -> int:
        high, _, low = part.rpartition("万")
        return section(high) * 10_000 + section(low)

    high, _, low = text[:-2].rpartition("亿")
    return below_yi(high) * 100_000_000 + below_yi(low)


@given(st.integers(min_value=0, max_value=999_999_999_999))
def test_capital_numerals_read_back(amount):
    text = cny_uppercase(amount)
    assert "零零" not in text and (amount == 0 or not text[:-2].endswith("零"))
    assert _parse(text) == amount


@pytest.mark.parametrize("bad", [-1, 1.5, True, "100", 10 ** 16])
def test_capital_numerals_refuse_what_is_not_whole_yuan(bad):
    with pytest.raises(ValueError):
        cny_uppercase(bad)


def test_linked_items_receipt_prints_a_mailing_address_masked(docs):
    """A receipt left on the counter must not lead a stranger to the citizen's door: divisions only."""
    app, decision, kiosk, items = docs
    app["linked_services"]["seal"] = dict(app["linked_services"].get("seal") or {},
                                          delivery={"method": "mail", "address": "广东省阳江市江城区东风二路88号1201室"})
    text = linked_items_receipt(app, decision, kiosk, items, now=NOW).plain_text()
    assert "寄递地址：广东省阳江市江城区****" in text
    assert "东风二路" not in text and "1201" not in text

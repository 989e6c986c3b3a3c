"""Masking of personal data in text and in log files."""

import json
import logging

from service.contract import privacy
from kiosk.logs import setup_logging


def test_mask_functions():
    assert privacy.mask_id("440102199001011234") == "4401**********1234"
    assert privacy.mask_id("44010219900101123X") == "4401**********123X"
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_name("张三") == "张*"
    assert privacy.mask_name("欧阳娜娜") == "欧***"
    assert privacy.mask_id("") == "" and privacy.mask_name(None) == ""


def test_mask_text_finds_ids_and_phones_but_not_other_numbers():
    text = "申请人 440102199001011234 电话13812345678 单号 20261122000123 金额 100000"
    masked = privacy.mask_text(text)
    assert "440102199001011234" not in masked and "4401**********1234" in masked
    assert "13812345678" not in masked and "138****5678" in masked
    assert "20261122000123" in masked and "100000" in masked


def test_redactor_masks_remembered_names_until_forgotten():
    r = privacy.Redactor()
    r.remember("王小明", "name")
    assert r.mask_text("card read for 王小明") == "card read for 王**"
    r.forget_all()
    assert r.mask_text("card read for 王小明") == "card read for 王小明"


def test_log_file_is_masked_json(tmp_path):
    log = tmp_path / "k.log"
    setup_logging("INFO", log, console=False)
    privacy.REDACTOR.remember("李四", "name")
    try:
        logging.getLogger("t").info("read %s id %s phone %s", "李四", "440102199001011234", "13912345678",
                                    extra={"step": "idcard"})
        try:
            raise ValueError("bad id 440102199001011234")
        except ValueError:
            logging.getLogger("t").exception("failed")
    finally:
        privacy.REDACTOR.forget_all()
        setup_logging("INFO", None, console=False)
    text = log.read_text(encoding="utf-8")
    assert "李四" not in text and "440102199001011234" not in text and "13912345678" not in text
    first = json.loads(text.splitlines()[0])
    assert first["msg"] == "read 李* id 4401**********1234 phone 139****5678"
    assert first["step"] == "idcard" and first["level"] == "INFO"


def test_an_address_on_paper_keeps_its_divisions_and_loses_the_street_and_room():
    from service.contract.privacy import mask, mask_address

    assert mask_address("广东省阳江市江城区东风二路88号华润大厦1201室") == "广东省阳江市江城区****"
    assert mask_address("北京市朝阳区建国路1号") == "北京市朝阳区****"
    assert mask_address("江城区") == "江城****"  # only a division: even that is not printed whole
    assert mask_address("东风二路88号") == "东风****"
    assert mask_address("") == "" and mask_address(None) == ""
    assert mask("广西壮族自治区南宁市青秀区民族大道100号", "address") == "广西壮族自治区南宁市青秀区****"


"""The licence PDF: real fields, embedded font, A4/A3, and an e-licence QR code that decodes from
the printed image back to a payload service.contract.elicence verifies."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest
import zxingcpp
from PIL import Image

from service.contract import elicence
from kiosk.documents import LicenceInputError, licence_from, licence_pdf
from kiosk.documents.fonts import CJK_NO_LINE_START, FONT_NAME, register_cjk_font
from devices.printers.linebreak import break_lines
from kiosk.documents.samples import SAMPLE_USCC, sample_application, sample_decision

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
ISSUED = date(2026, 3, 18)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    key = elicence.load_or_create_signing_key(folder)
    return key, elicence.load_public_key(folder / elicence.PUBLIC_NAME)


@pytest.fixture(scope="module")
def licence(keys):
    app = sample_application()
    code = elicence.sign(keys[0], SAMPLE_USCC, app["name"]["full"])
    return licence_from(app, sample_decision(code), issued=ISSUED)


def _png(pdf: bytes, tmp_path, dpi: int = 150) -> Image.Image:
    src = tmp_path / "licence.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(src), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png")


def _text(pdf: bytes, tmp_path) -> str:
    src = tmp_path / "t.pdf"
    src.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(src), "-"], capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", text)  # spread labels (名　称) come out with spaces between the characters


@pytest.mark.parametrize("size, points", [("A4", (595, 842)), ("A3", (1191, 842))])
def test_the_printed_qr_decodes_to_a_verified_e_licence(licence, keys, tmp_path, size, points):
    pdf = licence_pdf(licence, size)
    (tmp_path / "l.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "l.pdf")], capture_output=True, check=True).stdout.decode()
    w, h = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    assert (round(float(w)), round(float(h))) == points
    image = _png(pdf, tmp_path)
    codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(codes) == 1
    verified = elicence.verify(codes[0].text, keys[1])
    assert verified.uscc == SAMPLE_USCC and verified.name == "阳江市星河科技有限公司"


def test_the_font_is_embedded_and_nothing_else_is_referenced(licence, tmp_path):
    (tmp_path / "l.pdf").write_bytes(licence_pdf(licence))
    fonts = subprocess.run(["pdffonts", str(tmp_path / "l.pdf")], capture_output=True, check=True).stdout.decode()
    rows = fonts.strip().splitlines()[2:]
    assert rows, fonts
    for row in rows:
        assert " yes yes " in row, f"font not embedded and subset: {row}"


def test_the_licence_carries_the_real_fields(licence, tmp_path):
    text = _text(licence_pdf(licence), tmp_path)
    for expected in ("营业执照", "统一社会信用代码", SAMPLE_USCC, "阳江市星河科技有限公司", "有限责任公司（自然人投资或控股）",
                     "法定代表人", "陈思远", "经营范围", "一般项目", "软件开发", "许可项目", "会议及展览服务", "注册资本",
                     "人民币壹佰万元整", "成立日期", "2026年03月18日", "住", "东风三路32号", "登记机关",
                     "阳江市市场监督管理局", "住所", "（副本）"):
        assert expected in text, expected
    assert "年度报告" in text


def test_an_individual_business_licence(tmp_path):
    app = sample_application()
    app.update(entity_type="individual_business", shareholders=[])
    app["name"].update(form="店", full="阳江市星河科技店")
    lic = licence_from(app, sample_decision(), issued=ISSUED)
    assert lic["type"] == "个体工商户" and lic["registered_capital_cny"] is None
    text = _text(licence_pdf(lic, "A3"), tmp_path)
    assert "经营者" in text and "经营场所" in text and "组成形式" in text and "注册资本" not in text
    assert "（正本）" in text
    # no e-licence code yet: the static public-registry URL is printed instead
    codes = zxingcpp.read_barcodes(_png(licence_pdf(lic), tmp_path), formats=zxingcpp.BarcodeFormat.QRCode)
    assert codes[0].text == f"https://www.gsxt.gov.cn/index.html?uniscid={SAMPLE_USCC}"


def test_a_sole_shareholder_company_type():
    app = sample_application()
    app["shareholders"] = app["shareholders"][:1]
    assert licence_from(app, sample_decision())["type"] == "有限责任公司（自然人独资）"


@pytest.mark.parametrize("change, word", [
    (lambda lic: lic.pop("uscc"), "uscc"),
    (lambda lic: lic.update(established="yesterday"), "established"),
    (lambda lic: lic.update(registered_capital_cny=-5), "capital"),
    (lambda lic: lic.update(address=" "), "address"),
])
def test_bad_licence_documents_are_refused_in_both_languages(licence, change, word):
    bad = dict(licence)
    change(bad)
    with pytest.raises(LicenceInputError) as err:
        licence_pdf(bad)
    assert word in err.value.message_en and err.value.message_zh


def test_no_licence_without_approval_and_no_odd_sizes(licence):
    with pytest.raises(LicenceInputError):
        licence_from(sample_application(), {"decision": "manual_review", "reasons": []})
    with pytest.raises(LicenceInputError):
        licence_pdf(licence, "Letter")


def test_chinese_punctuation_never_starts_a_line():
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import paragraph

    register_cjk_font()
    assert "，" in paragraph.ALL_CANNOT_START and "；" in paragraph.ALL_CANNOT_START  # for any Paragraph
    text = "一般项目：软件开发；信息技术咨询服务，信息系统集成服务。技术服务、技术开发、技术咨询（不含许可）！对吗？是的”。"
    breaks = 0
    for width in range(30, 260, 3):
        lines = break_lines(text, width, lambda ch: stringWidth(ch, FONT_NAME, 10))
        assert "".join(lines) == text
        for line in lines[1:]:
            breaks += 1
            assert line[:1] not in CJK_NO_LINE_START, (width, lines)
        for line in lines[:-1]:
            assert line[-1:] not in "（“", (width, lines)
            assert stringWidth(line.rstrip(CJK_NO_LINE_START), FONT_NAME, 10) <= width
    assert breaks > 200

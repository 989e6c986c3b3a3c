"""The pinyin engine, without Kivy: expected top candidates, robustness, the lexicon generator."""

from __future__ import annotations

import gzip

import pytest

from kiosk.pinyin import Candidate, PinyinEngine
from kiosk.pinyin_build import build
from tests.pinyin_words import WORDS


@pytest.fixture(scope="module")
def engine():
    return PinyinEngine.default()


def top(engine, letters, n=1):
    return [c.text for c in engine.candidates(letters)[:n]]


@pytest.mark.parametrize("letters, word", [("bj", "北京"), ("beijing", "北京"), ("keji", "科技"),
                                           ("youxiangongsi", "有限公司"), ("xi'an", "西安"),
                                           ("yangjiang", "阳江"), ("gongsi", "公司"), ("bjing", "北京"),
                                           ("beij", "北京")])
def test_expected_first_candidate(engine, letters, word):
    assert top(engine, letters) == [word]


def test_initials_and_ambiguous_splits(engine):
    assert "有限公司" in top(engine, "yxgs", 3)
    xian = top(engine, "xian", 10)
    assert "先" in xian and "西安" in xian
    fangan = top(engine, "fangan", 5)
    assert "方案" in fangan and "反感" in fangan
    assert set(top(engine, "gong", 10)) >= {"工", "公"}
    beiji = top(engine, "beiji", 5)
    assert beiji[0] == "北极" and "北京" in beiji  # spelled-out syllables first, then the unfinished


def test_a_long_name_is_picked_word_by_word(engine):
    first = engine.candidates("kejiyouxiangongsi")[0]
    assert first == Candidate("科技", "ke'ji", 4)
    rest = "kejiyouxiangongsi"[first.consumed:]
    assert top(engine, rest) == ["有限公司"]
    assert engine.candidates("ke'jiyou")[0].consumed == 5  # the separator counts as typed


def test_segment(engine):
    assert engine.segment("beijing") == ["bei", "jing"]
    assert engine.segment("xian") == ["xian"]
    assert engine.segment("xi'an") == ["xi", "an"]
    assert engine.segment("beij") == ["bei", "j"]
    assert engine.segment("bj") == ["b", "j"]


@pytest.mark.parametrize("garbage", ["", "123", "zzzzzzz", "ü", "😀北京", "a" * 10_000, "'''", "B J", "\x00bj"])
def test_garbage_never_raises(engine, garbage):
    out = engine.candidates(garbage)
    assert isinstance(out, list) and len(out) <= 40
    assert isinstance(engine.segment(garbage), list)


def test_candidates_unique_and_limited(engine):
    out = engine.candidates("shi", limit=15)
    assert len(out) == 15 and len({c.text for c in out}) == 15


def test_quality_on_enterprise_words(engine):
    full = sum(word in top(engine, letters, 3) for letters, word in WORDS) / len(WORDS)
    initials = sum(word in top(engine, "".join(s[0] for s in engine.segment(letters)), 3)
                   for letters, word in WORDS) / len(WORDS)
    assert full >= 0.9, full
    assert initials >= 0.5, initials  # initials alone are ambiguous; the benchmark reports the figure


def test_generator_on_a_small_dictionary(tmp_path):
    small = tmp_path / "dict.txt"
    small.write_text("北京 34488 ns\n科技 15691 n\nabc 5 eng\n公司 45604 n\n重庆 9000 ns\n了 883634 ul\n", encoding="utf-8")
    out = tmp_path / "lex.tsv.gz"
    assert build(small, out, top=4, boost={"阳江": 20000}) == 4  # the 4 most frequent (了 is one)
    rows = [line.split("\t") for line in gzip.open(out, "rt", encoding="utf-8").read().splitlines()]
    assert rows[0] == ["了", "le", "883634"]
    assert ["公司", "gong'si", "45604"] in rows and ["阳江", "yang'jiang", "20000"] in rows
    assert all(r[0] != "abc" for r in rows) and all(r[0] != "重庆" for r in rows)
    again = tmp_path / "again.tsv.gz"
    build(small, again, top=4, boost={"阳江": 20000})
    assert again.read_bytes() == out.read_bytes()  # deterministic
    engine = PinyinEngine.load(out)
    assert engine.candidates("yj")[0].text == "阳江"

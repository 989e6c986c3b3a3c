"""Voice guidance with Debian's espeak-ng: real synthesis into WAV files, never blocking the caller."""

from __future__ import annotations

import shutil
import wave

import pytest

from kiosk import config
from kiosk.i18n import catalogue
from kiosk.journeys.registration import Step
from kiosk.voice import Voice

needs_espeak = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng (Debian) is needed")


@pytest.fixture()
def voice(tmp_path):
    v = Voice(out_dir=tmp_path / "said")
    yield v
    v.close()


@needs_espeak
def test_a_prompt_is_spoken_in_mandarin_and_english(voice, tmp_path):
    assert voice.prompt("voice.applicant_card", "zh") is True
    assert voice.wait_idle()
    assert voice.prompt("voice.applicant_card", "en") is True
    assert voice.wait_idle()
    files = sorted((tmp_path / "said").glob("*.wav"))
    assert [f.name for f in files] == ["001-voice.applicant_card-zh.wav", "002-voice.applicant_card-en.wav"]
    for f in files:
        with wave.open(str(f)) as w:
            seconds = w.getnframes() / w.getframerate()
        assert 1.0 < seconds < 15, (f.name, seconds)  # a short sentence, really synthesised
    assert [p.text for p in voice.said] == [catalogue("zh")["voice.applicant_card"],
                                             catalogue("en")["voice.applicant_card"]]


@needs_espeak
def test_the_citizen_moving_on_replaces_what_waits(voice):
    for key in ("voice.home", "voice.entity_type", "voice.applicant_card", "voice.phone", "voice.name"):
        voice.prompt(key, "zh")
    assert voice.wait_idle()
    keys = [p.key for p in voice.said]
    # prompt() returns at once, so the five calls came faster than speech: stale prompts were dropped
    assert keys[-1] == "voice.name" and len(keys) < 5


def test_no_prompt_for_unknown_keys_or_when_muted(tmp_path):
    v = Voice(enabled=False, out_dir=tmp_path)
    try:
        assert v.prompt("voice.home", "zh") is False
        v.set_enabled(True)
        assert v.prompt("voice.no_such_screen", "zh") is False
        assert v.said == []
    finally:
        v.close()


def test_a_missing_or_failing_speaker_is_not_an_error(tmp_path, caplog):
    v = Voice(program=str(tmp_path / "no-espeak"))
    try:
        for _ in range(3):
            v.prompt("voice.home", "zh")
            v.wait_idle()
        assert v.failures >= 1
        assert sum("voice prompt not spoken" in r.message for r in caplog.records) == 1  # said once
    finally:
        v.close()


def test_bank_branches_start_muted_unless_configured(tmp_path):
    def cfg(text):
        path = tmp_path / "k.toml"
        path.write_text(text, encoding="utf-8")
        return config.load(path)

    hall = Voice.from_config(cfg('[kiosk]\nsite_type = "hall"\n'))
    bank = Voice.from_config(cfg('[kiosk]\nsite_type = "bank_branch"\n'))
    loud_bank = Voice.from_config(cfg('[kiosk]\nsite_type = "bank_branch"\nvoice_in_bank_branch = true\n'))
    off = Voice.from_config(cfg('[kiosk]\nvoice = false\n'))
    try:
        assert hall.enabled == bool(shutil.which("espeak-ng"))
        assert not bank.enabled and not off.enabled
        assert loud_bank.enabled == bool(shutil.which("espeak-ng"))
    finally:
        for v in (hall, bank, loud_bank, off):
            v.close()


def test_every_step_has_a_prompt_in_both_languages():
    for lang in ("zh", "en"):
        cat = catalogue(lang)
        for name in [s.value for s in Step] + ["home", "progress", "guide"]:
            text = cat.get(f"voice.{name}")
            assert text and "{" not in text, (lang, name)

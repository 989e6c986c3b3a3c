"""Voice guidance: a short spoken prompt at each step, offline, never holding up the screen.

Prompts are fixed sentences from the message catalogues (``voice.<screen>``), never a citizen's
data. Speech is espeak-ng's Mandarin voice (``cmn``) or its English one, synthesised live — a
prompt takes ~30 ms to synthesise, so nothing is generated ahead. A single worker thread speaks;
a new prompt replaces one still waiting and cuts one still speaking (the citizen has moved on).
Muted: configured off, or by default at a bank branch (``[kiosk] voice_in_bank_branch``), or by the
citizen's tap on the speaker button. Without an audio device espeak-ng fails: that is logged
once and the kiosk carries on silent.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.i18n import catalogue

log = logging.getLogger(__name__)

VOICES = {"zh": "cmn", "en": "en-gb"}
RATE_WPM = {"zh": 150, "en": 150}  # a little slower than espeak's 175: many listeners are elderly


@dataclass(frozen=True)
class Prompt:
    key: str
    lang: str
    text: str


DIGIT_WORDS = {"zh": "零一二三四五六七八九", "en": ("zero", "one", "two", "three", "four", "five", "six", "seven",
                                                  "eight", "nine")}


def digits_spoken(number: str, lang: str, group: int = 6) -> str:
    """A number read digit by digit, with a pause after each group (the groups as printed when the number
    has spaces, else of ``group`` digits): ``261202 0001…`` → ``二 六 一 二 零 二，零 零 零 一，…``."""
    words = DIGIT_WORDS.get(lang, DIGIT_WORDS["zh"])
    if " " in number.strip():
        chunks = [[c for c in part if c.isdigit()] for part in number.split()]
    else:
        digits = [c for c in number if c.isdigit()]
        chunks = [digits[i:i + group] for i in range(0, len(digits), group)]
    groups = [" ".join(words[int(d)] for d in chunk) for chunk in chunks if chunk]
    return ("，" if lang == "zh" else ", ").join(groups)


class Voice:
    """Speaks prompts on a worker thread. ``out_dir`` writes each prompt as a WAV file instead of
    playing it (tests, and listening to the prompts on a machine without speakers)."""

    def __init__(self, enabled: bool = True, out_dir: Path | None = None, program: str | None = None) -> None:
        self.program = program or shutil.which("espeak-ng") or ""
        self.enabled = enabled and bool(self.program)
        self.out_dir = out_dir
        self.said: list[Prompt] = []  # what was handed to the speaker, in order (fixed sentences only)
        self.failures = 0
        self._next: Prompt | None = None
        self._current: subprocess.Popen | None = None
        self._cond = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None
        if enabled and not self.program:
            log.warning("voice guidance off: espeak-ng is not installed")

    @classmethod
    def from_config(cls, cfg: Any, out_dir: Path | None = None) -> "Voice":
        kiosk = cfg.kiosk
        on = bool(kiosk.voice) and not (kiosk.site_type == "bank_branch" and not kiosk.voice_in_bank_branch)
        return cls(enabled=on, out_dir=out_dir)

    # -- what the app calls ----------------------------------------------------------------
    def prompt(self, key: str, lang: str, force: bool = False, **values: object) -> bool:
        """Speak the catalogue's ``key`` in ``lang`` if there is such a prompt; returns at once.

        ``values`` fill the sentence's blanks (an acceptance number read digit by digit, a count: never a
        name or an ID number); ``force`` speaks although guidance is muted (the citizen asked: 朗读)."""
        text = catalogue(lang if lang in VOICES else "zh").get(key)
        if not text or not (self.enabled or (force and self.program)):
            return False
        if values:
            try:
                text = text.format(**values)
            except (KeyError, IndexError, ValueError):
                pass
        with self._cond:
            self._next = Prompt(key, lang, text)
            self._cut()
            self._cond.notify()
        self._ensure_thread()
        return True

    def set_enabled(self, on: bool) -> None:
        self.enabled = on and bool(self.program)
        if not self.enabled:
            self.hush()

    def hush(self) -> None:
        """Stop speaking and forget what waits (the visit ended, or the citizen muted)."""
        with self._cond:
            self._next = None
            self._cut()

    def close(self) -> None:
        with self._cond:
            self._stopped = True
            self._next = None
            self._cut()
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(2)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing waits or speaks (tests)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._next is None and self._current is None, timeout)

    # -- the worker ------------------------------------------------------------------------
    def _cut(self) -> None:
        if self._current is not None and self._current.poll() is None:
            self._current.terminate()

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="yzt-voice", daemon=True)
            self._thread.start()

    def _command(self, prompt: Prompt, index: int) -> list[str]:
        cmd = [self.program, "-v", VOICES.get(prompt.lang, "cmn"), "-s", str(RATE_WPM.get(prompt.lang, 150))]
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            cmd += ["-w", str(self.out_dir / f"{index:03d}-{prompt.key}-{prompt.lang}.wav")]
        return [*cmd, "--", prompt.text]

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._next is not None or self._stopped)
                if self._stopped:
                    return
                prompt, self._next = self._next, None
                if prompt is None:
                    continue
                self.said.append(prompt)
                try:
                    self._current = subprocess.Popen(self._command(prompt, len(self.said)), stdin=subprocess.DEVNULL,
                                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                except OSError as exc:
                    self._failed(f"cannot start {self.program}: {exc}")
                    self._cond.notify_all()
                    continue
                proc = self._current
            _, err = proc.communicate()
            with self._cond:
                self._current = None
                if proc.returncode not in (0, -15) and self._next is None:
                    lines = err.decode(errors="replace").strip().splitlines()
                    self._failed(lines[-1] if lines else f"exit {proc.returncode}")
                self._cond.notify_all()

    def _failed(self, why: object) -> None:
        self.failures += 1
        if self.failures == 1:  # no speakers on this machine: say so once, then stay quiet
            log.warning("voice prompt not spoken (%s); the kiosk carries on silent", why)

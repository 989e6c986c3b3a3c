"""The maintenance PIN: a salted PBKDF2 hash in the config, and a lock after repeated wrong tries."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Callable

ITERATIONS = 200_000
DEVELOPMENT_PIN = "246810"


def hash_pin(pin: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        algo, iterations, salt_hex, digest_hex = stored.split("$")
        if algo != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


MIN_DIGITS = 6


class PinGate:
    """Checks PINs; ``max_tries`` wrong ones in a row lock it for ``lock_s`` seconds.

    The count and the lock are kept in ``state_file`` (0600, in the data folder), so restarting the
    kiosk does not give a guesser five more tries. Without a configured hash only a development kiosk
    (``--simulate``) opens with the published development PIN; a production kiosk opens for nobody
    (``yzt config check`` and ``yzt doctor`` say so before it gets that far).
    """

    def __init__(self, stored_hash: str, max_tries: int = 5, lock_s: float = 300,
                 clock: Callable[[], float] = time.time, state_file: Path | None = None,
                 development: bool = False) -> None:
        if stored_hash:
            self._stored = stored_hash
        elif development:
            self._stored = hash_pin(DEVELOPMENT_PIN, iterations=10_000)
        else:
            self._stored = ""  # nothing verifies against an empty hash
        self.max_tries = max_tries
        self.lock_s = lock_s
        self._clock = clock
        self.state_file = state_file
        self.failures = 0
        self._locked_until = 0.0
        self._load()

    def _load(self) -> None:
        if self.state_file is None or not self.state_file.exists():
            return
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
            self.failures, self._locked_until = int(state["failures"]), float(state["locked_until"])
        except (OSError, ValueError, KeyError, TypeError):
            self.failures, self._locked_until = self.max_tries - 1, 0.0  # unreadable: one try left, not five

    def _save(self) -> None:
        if self.state_file is not None:
            from service.contract.files import write_private

            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            write_private(self.state_file, json.dumps({"failures": self.failures,
                                                       "locked_until": self._locked_until}).encode())

    @property
    def locked_for(self) -> float:
        """Seconds the gate stays locked (0 when open)."""
        return max(0.0, self._locked_until - self._clock())

    def attempt(self, pin: str) -> bool:
        if self.locked_for > 0:
            return False
        if self._stored and verify_pin(pin, self._stored):
            self.failures = 0
            self._save()
            return True
        self.failures += 1
        if self.failures >= self.max_tries:
            self._locked_until = self._clock() + self.lock_s
            self.failures = 0
        self._save()
        return False

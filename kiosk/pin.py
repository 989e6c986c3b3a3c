"""The maintenance PIN: a salted PBKDF2 hash in the config, and a lock after repeated wrong tries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
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


class PinGate:
    """Checks PINs; ``max_tries`` wrong ones in a row lock it for ``lock_s`` seconds."""

    def __init__(self, stored_hash: str, max_tries: int = 5, lock_s: float = 300,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stored = stored_hash or hash_pin(DEVELOPMENT_PIN, iterations=10_000)
        self.max_tries = max_tries
        self.lock_s = lock_s
        self._clock = clock
        self.failures = 0
        self._locked_until = 0.0

    @property
    def locked_for(self) -> float:
        """Seconds the gate stays locked (0 when open)."""
        return max(0.0, self._locked_until - self._clock())

    def attempt(self, pin: str) -> bool:
        if self.locked_for > 0:
            return False
        if verify_pin(pin, self._stored):
            self.failures = 0
            return True
        self.failures += 1
        if self.failures >= self.max_tries:
            self._locked_until = self._clock() + self.lock_s
            self.failures = 0
        return False

"""Personal data at rest: AES-256-GCM with a key file only the kiosk user can read.

The outbox and kept print jobs store only ciphertext; the key lives beside them in a 0600 file
(on a real kiosk, on a separate partition or a TPM-sealed file — the path is configurable).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.contract.files import write_private

NONCE_BYTES = 12


class VaultError(Exception):
    """The key is missing or unreadable, or a record does not decrypt (tampered or another key)."""


class Vault:
    def __init__(self, key_file: Path) -> None:
        self.key_file = Path(key_file)
        self._aead = AESGCM(self._load_or_create())

    def _load_or_create(self) -> bytes:
        path = self.key_file
        if path.exists():
            mode = path.stat().st_mode & 0o077
            if mode:
                os.chmod(path, 0o600)  # never leave the key readable by others
            key = path.read_bytes()
            if len(key) != 32:
                raise VaultError(f"{path}: not a 256-bit key")
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        key = AESGCM.generate_key(bit_length=256)
        write_private(path, key)
        return key

    def seal(self, data: bytes, context: str = "") -> bytes:
        """Encrypt ``data``; ``context`` (e.g. the record id) is authenticated, so records cannot be swapped."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, context.encode())

    def open(self, blob: bytes, context: str = "") -> bytes:
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode())
        except (InvalidTag, ValueError):
            raise VaultError("record does not decrypt (tampered, or sealed with another key)") from None

    def seal_json(self, doc: Any, context: str = "") -> bytes:
        return self.seal(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), context)

    def open_json(self, blob: bytes, context: str = "") -> Any:
        return json.loads(self.open(blob, context).decode("utf-8"))

"""The platform's secrets, all in its key folder (0700, each file 0600), made on first start:

* ``platform_ed25519.pem`` — signs e-licences (its public half is what kiosks carry);
* ``hmac.key`` — keys the hashes by which people and phones are found (``person_key``);
* ``data.key`` — seals documents at rest (AES-256-GCM, :class:`service.contract.vault.Vault`);
* ``acceptance.key`` — permutes the platform's own acceptance numbers.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.contract import elicence
from service.contract.files import ensure_private_dir, write_private
from service.contract.ids import normalise
from service.contract.vault import Vault


def secret_file(path: Path, size: int = 32) -> bytes:
    """A random secret kept 0600, made on first use."""
    if path.exists():
        return path.read_bytes()
    ensure_private_dir(path.parent)
    data = secrets.token_bytes(size)
    write_private(path, data)
    return data


@dataclass
class PlatformKeys:
    folder: Path
    signing: Ed25519PrivateKey
    secret: bytes
    vault: Vault
    acceptance: bytes

    @classmethod
    def load(cls, folder: Path) -> "PlatformKeys":
        folder = ensure_private_dir(Path(folder))
        return cls(folder=folder, signing=elicence.load_or_create_signing_key(folder),
                   secret=secret_file(folder / "hmac.key"), vault=Vault(folder / "data.key"),
                   acceptance=secret_file(folder / "acceptance.key"))

    def _mac(self, label: str, value: str) -> str:
        return hmac.new(self.secret, f"{label}:{value}".encode(), "sha256").hexdigest()

    def person_key(self, id_number: str | None) -> str:
        """How the registry finds a person: a keyed hash of the normalised ID number."""
        return self._mac("person", normalise(id_number))[:32]

    def phone_key(self, phone: str) -> str:
        return self._mac("phone", phone.strip())

    def token_key(self, token: str) -> str:
        """What is kept of a token handed out (verification ids, sign-in tokens): its keyed hash."""
        return self._mac("token", token)

    def seal(self, doc: Any, context: str) -> bytes:
        return self.vault.seal_json(doc, context)

    def open(self, blob: bytes | None, context: str, default: Any = None) -> Any:
        return default if blob is None else self.vault.open_json(blob, context)

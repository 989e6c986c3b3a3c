"""What one platform instance is configured with (command line, environment, or the embedded demo)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.paths import REFERENCE_DATA, default_data_dir


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class Settings:
    db_url: str = ""
    # $YZT_REFERENCE: another city's (or a test's) reference folder
    reference_dir: Path = field(default_factory=lambda: Path(os.environ.get("YZT_REFERENCE") or REFERENCE_DATA))
    key_dir: Path = field(default_factory=lambda: default_data_dir() / "platform" / "keys")
    many_entities: int = 5  # PERSON_MANY_ENTITIES threshold
    crowded_address: int = 10  # ADDRESS_CROWDED threshold
    face_threshold: float = 0.80
    # the simulated departments' delays are multiplied by this (tests and the demo go faster)
    dispatch_scale: float = field(default_factory=lambda: _env_float("YZT_DISPATCH_SCALE", 1.0))
    dispatch_tick_s: float = 0.5
    sms_ttl_s: int = 300
    sms_cooldown_s: int = 60
    sms_max_tries: int = 5
    dev_sms: bool = False  # expose the last code per phone at /api/v1/dev/sms (demo and tests only)
    reviewer_token: str | None = None  # reviewer actions need it in X-Reviewer-Token; None: read/created in key_dir
    public_url: str = ""  # what receipts' QR codes open, when behind a proxy
    kiosk_keys_dir: Path | None = None  # enrolled kiosks' public keys: when set, kiosks must sign (401 otherwise)
    rate_per_s: float = 50.0  # per kiosk (or per address): sustained requests a second to the write endpoints
    rate_burst: int = 200
    stale_after_s: float = 180.0  # a kiosk silent this long (3 missed minute heartbeats) has stopped reporting
    max_body_bytes: int = 1_000_000  # an application is a few KB; anything near this is not one

    def resolved_db_url(self) -> str:
        if self.db_url:
            return self.db_url
        path = self.key_dir.parent / "platform.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"

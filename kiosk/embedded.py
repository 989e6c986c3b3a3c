"""The platform a kiosk starts for itself (``[platform] url = "embedded"``): ``yzt demo``, ``--simulate``
and the tests. The only module of the kiosk that imports the platform's server.

It is the real platform on a real loopback socket — signed requests, migrations, sealed documents —
with the simulated identity provider and the development SMS endpoint (the demo's citizen reads
their "phone" through it), both announced in its log. It enrols this kiosk's key at start.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from service.contract.signing import public_pem


def start(data_dir: Path, kiosk_id: str, key: Any, public_url: str = "", **overrides: Any) -> Any:
    """Start on a free loopback port; ``.url`` to reach it, ``.stop()`` when done."""
    from service.core.security import KioskKeys
    from service.core.settings import Settings
    from service.server import serve_in_thread

    data_dir = Path(data_dir)
    kiosks = data_dir / "kiosks"
    KioskKeys(kiosks).enrol(kiosk_id, public_pem(key))  # the demo platform knows its kiosk
    options: dict[str, Any] = {"platform_dir": data_dir, "kiosk_keys_dir": kiosks, "identity": "simulated",
                               "dev_sms": True, "sms_cooldown_s": 20, "public_url": public_url,
                               "dispatch_scale": float(os.environ.get("YZT_DISPATCH_SCALE", "0.1"))}
    options.update(overrides)
    return serve_in_thread(Settings(**options))

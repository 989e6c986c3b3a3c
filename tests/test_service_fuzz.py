"""A property-based run of schemathesis against /openapi.json on a real, secure server — once as a
stranger (no signature) and once through a proxy that signs as an enrolled kiosk: no 5xx, no answer
that breaks its own schema, no undocumented status, no bad body accepted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.servicehelp import Kiosk, start_platform
from tests.signing_proxy import SigningProxy

pytestmark = pytest.mark.timeout(900)

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "response_headers_conformance,negative_data_rejection")


def _schemathesis(url: str) -> subprocess.CompletedProcess:
    examples = os.environ.get("YZT_FUZZ_EXAMPLES", "4")
    return subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "run", url + "/openapi.json", "--checks", CHECKS,
         "--max-examples", examples, "--seed", "2026", "--request-timeout", "20",
         "--phases", "examples,coverage,fuzzing"],
        capture_output=True, text=True, timeout=420, env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.parametrize("who", ["stranger", "signed kiosk"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(tmp_path: Path, who: str) -> None:
    running = start_platform(tmp_path)
    proxy: Any = None
    try:
        url = running.url
        if who == "signed kiosk":
            kiosk = Kiosk(running, "YJ-FUZZ-01")
            proxy = SigningProxy(running.url, kiosk.kiosk_id, kiosk.key)
            url = proxy.url
        result = _schemathesis(url)
    finally:
        if proxy is not None:
            proxy.stop()
        running.stop()
    tail = "\n".join(result.stdout.splitlines()[-40:])
    print(tail)
    assert result.returncode == 0, tail
    assert "generated" in tail

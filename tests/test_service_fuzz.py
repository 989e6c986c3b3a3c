"""A property-based run of schemathesis against /openapi.json on a real server: no 5xx, no answer
that breaks its own schema, no undocumented status, no bad body accepted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servicehelp import start_platform

pytestmark = pytest.mark.timeout(600)

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "response_headers_conformance,negative_data_rejection")


def test_schemathesis_finds_no_server_error_and_no_schema_violation(tmp_path: Path) -> None:
    running = start_platform(tmp_path)
    examples = os.environ.get("YZT_FUZZ_EXAMPLES", "10")
    try:
        result = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run", running.url + "/openapi.json",
             "--checks", CHECKS, "--max-examples", examples, "--seed", "2026", "--request-timeout", "20",
             "--phases", "examples,coverage,fuzzing"],
            capture_output=True, text=True, timeout=560, env={**os.environ, "NO_COLOR": "1"})
    finally:
        running.stop()
    tail = "\n".join(result.stdout.splitlines()[-40:])
    print(tail)
    assert result.returncode == 0, tail
    assert "generated" in tail

"""The layers hold, and the code is checked: import-linter's contracts (setup.cfg), the contract
layer's third-party imports, mypy and ruff — each as the developer runs it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGES = ["kiosk", "devices", "screens", "service", "assets"]

pytestmark = pytest.mark.timeout(600)


def test_import_linter_contracts_hold() -> None:
    done = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "broken" not in done.stdout.lower() or " 0 broken" in done.stdout.lower()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_contract_imports_only_the_standard_library_pydantic_and_cryptography() -> None:
    allowed = set(sys.stdlib_module_names) | {"pydantic", "cryptography", "service", "__future__"}
    for path in sorted((ROOT / "service" / "contract").glob("*.py")):
        stray = _imports(path) - allowed
        assert not stray, f"{path.name} imports {sorted(stray)}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("service."):
                assert node.module.startswith("service.contract"), f"{path.name} imports {node.module}"


def test_kivy_is_imported_only_in_screens() -> None:
    for package in ("kiosk", "devices", "service"):
        for path in (ROOT / package).rglob("*.py"):
            assert "kivy" not in _imports(path), path


def test_mypy_finds_no_error() -> None:
    done = subprocess.run([str(BIN / "mypy"), "--no-incremental"], cwd=ROOT, capture_output=True, text=True,
                          timeout=540)
    assert done.returncode == 0, done.stdout[-6000:]


RUFF_RULES = ["--select", "E4,E7,E9,F,B,W", "--ignore", "B008,B905"]  # B008: FastAPI's Depends() defaults


def test_ruff_finds_no_error() -> None:
    done = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "--line-length", "120", "--target-version",
                           "py311", *RUFF_RULES, *PACKAGES, "tests", "bench"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-6000:]

"""The README documents what the code has: every platform setting, every kiosk.toml key (the
table is `yzt config doc`'s), every route of the platform, every `yzt` command."""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_platform_setting_is_documented() -> None:
    from service.core.settings import Settings

    missing = [name for name in Settings.model_fields if f"| `{name}` |" not in README]
    assert not missing, f"settings missing from the README's table: {missing}"


def test_the_kiosk_toml_table_is_the_one_yzt_config_doc_prints() -> None:
    from kiosk.config import document

    missing = [line for line in document().splitlines() if line.startswith("| [") and line not in README]
    assert not missing, "README's kiosk.toml table differs from `yzt config doc`:\n" + "\n".join(missing[:5])


def test_every_route_is_in_the_api_table() -> None:
    from service.api.routes import (accounts, applications, entities, fleet, identity, licences, pages, reference,
                                    review)

    documented = set(re.findall(r"`(?:GET|POST|PUT|DELETE) (/[^`? ]*)", README))
    documented |= {p for p in re.findall(r"`(/[a-z0-9_/{}.-]+)`", README)}
    modules = (accounts, applications, entities, fleet, identity, licences, pages, reference, review)
    paths = {route.path for m in modules for route in m.router.routes} | {"/api/v1/health"}  # type: ignore[attr-defined]
    hidden = {"/static/site.css", "/progress/{acceptance_no}", "/api/v1/dev/sms/{phone}", "/fleet/help/{request_id}/answer",
              "/review/{application_id}"}
    missing = sorted(p for p in paths - hidden if p not in documented)
    assert not missing, f"routes missing from the README's API table: {missing}"


def test_every_yzt_command_is_in_the_command_table() -> None:
    from service.contract.cli import ORDER

    missing = [name for name in ORDER if f"`yzt {name}" not in README]
    assert not missing, missing


def test_every_reason_code_is_in_the_contract_or_the_readme() -> None:
    from service.contract.codes import REASONS

    import pytest

    contract = Path(__file__).resolve().parent.parent.parent / "shared" / "CONTRACT.md"
    if not contract.exists():
        pytest.skip("CONTRACT.md is not beside this checkout")
    known = README + contract.read_text(encoding="utf-8")
    missing = [code for code in REASONS if f"`{code}`" not in known]
    assert not missing, f"reason codes documented nowhere: {missing}"

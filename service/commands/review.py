"""`yzt review FILE.jsonl --reference DIR [--json]`: the approval engine, offline, one decision a line.

Each application is judged on its own against the reference folder (the registered entities of
``entities.csv``), never against the other lines of the file. A line that is not a valid
application gets a ``rejected`` decision with ``APPLICATION_MALFORMED`` naming the fields, so the
output always has one line per input line (blank lines skipped). Exit 0 unless the input or the
reference folder could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from service.contract.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="runs the approval engine offline on JSONL applications")
    p.add_argument("file", metavar="FILE.jsonl", help="one application document a line ('-' for standard input)")
    p.add_argument("--reference", required=True, metavar="DIR", help="reference data folder (CONTRACT.md formats)")
    p.add_argument("--json", action="store_true", help="each decision as the platform's JSON")
    p.add_argument("--keys", metavar="DIR", help="platform key folder for the e-licences (default: the local one)")
    p.set_defaults(run=run)


def _malformed(app_id: Any, errors: list[tuple[str, str]]) -> dict[str, Any]:
    return {"application_id": app_id if isinstance(app_id, str) else None, "decision": "rejected",
            "reasons": [{"code": "APPLICATION_MALFORMED", "severity": "error", "field": field,
                         "message": f"申请材料格式有误（{field}：{why}），请重新填写。"} for field, why in errors]}


def _human(decision: dict[str, Any]) -> str:
    codes = ",".join(r["code"] for r in decision["reasons"]) or "-"
    extra = f"  {decision['uscc']}" if decision.get("uscc") else ""
    return f"{decision.get('application_id') or '?'}  {decision['decision']}  {codes}{extra}"


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from service.contract import elicence
    from service.contract.models import ApplicationIn, error_fields
    from service.core.settings import Settings
    from service.platform import Platform
    from service.reference import load

    try:
        reference = load(Path(args.reference))
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise UserError(str(exc)) from None
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {args.file}: {exc}") from None
    for warning in reference.warnings:
        print(f"reference: {warning}", file=sys.__stderr__)
    key_dir = Path(args.keys) if args.keys else elicence.default_key_dir()
    with tempfile.TemporaryDirectory(prefix="yzt-review-") as scratch:
        platform = Platform(Settings(db_url="sqlite://", reference_dir=Path(args.reference), key_dir=key_dir,
                                     platform_dir=Path(scratch)), reference=reference, departments={})
        try:
            for number, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                except json.JSONDecodeError as exc:
                    out = _malformed(None, [("line", f"第{number}行不是JSON（{exc.msg}）")])
                else:
                    try:
                        app = ApplicationIn.model_validate_json(line)
                    except ValidationError as exc:
                        fields = [(".".join(loc) or "body", msg) for loc, msg, _ in error_fields(list(exc.errors()))[:10]]
                        out = _malformed(raw.get("application_id") if isinstance(raw, dict) else None, fields)
                    else:
                        out = platform.judge(app)
                print(json.dumps(out, ensure_ascii=False) if args.json else _human(out), flush=True)
        finally:
            platform.stop()
    return 0

"""`yzt idcard`: read one card through the SAM protocol, or run the reader simulator.

``yzt idcard read --port PORT [--baud N] [--json] [--timeout S]`` — exit 0 on a read card, 2 when
no card is on the reader, 1 on any other error (one line on stderr). PORT is a device path, any
pyserial URL (``socket://``, ``rfc2217://``, ``spy://``) or ``sim://?card=NAME``.

``yzt idcard simulate [--card NAME] [--tcp PORT]`` — a simulated reader on a pty (path printed)
until Ctrl-C; on a terminal it also takes ``place NAME``, ``remove``, ``fault KIND [COMMAND]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from service.contract.cli import UserError

TYPE_NAMES = {"resident": "居民身份证", "foreign_permanent": "外国人永久居留身份证", "gat_residence": "港澳台居民居住证"}
LABELS = [("card_type", "证件类型", "card type"), ("name", "姓名", "name"), ("name_en", "英文姓名", "English name"),
          ("sex", "性别", "sex"), ("nation", "民族", "ethnic group"), ("nationality", "国籍", "nationality"),
          ("birth", "出生", "birth"), ("address", "住址", "address"), ("id_number", "证件号码", "number"),
          ("pass_number", "通行证号码", "pass number"), ("issue_count", "签发次数", "issue count"),
          ("authority", "签发机关", "authority"), ("valid_from", "有效期起", "valid from"),
          ("valid_to", "有效期止", "valid to"), ("photo_bytes", "照片", "photo bytes")]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("idcard", help="reads one card through the SAM protocol; runs the reader simulator")
    isub = p.add_subparsers(dest="idcard_command", metavar="ACTION")
    isub.required = True
    r = isub.add_parser("read", help="read the card on the reader (exit 0 read, 2 no card, 1 error)")
    r.add_argument("--port", required=True,
                   help="device path or pyserial URL (socket://, rfc2217://, spy://, sim://)")
    r.add_argument("--baud", type=int, default=115200, help="serial speed (default 115200)")
    r.add_argument("--json", action="store_true", help="one JSON object (the CONTRACT shape)")
    r.add_argument("--timeout", type=float, default=3.5, metavar="S", help="longest wait for the read answer")
    r.add_argument("--wait", type=float, default=0.0, metavar="S", help="wait up to S seconds for a card")
    r.add_argument("--fingerprint", action="store_true", help="also read the fingerprint block (30/10)")
    r.set_defaults(run=run_read)
    s = isub.add_parser("simulate", help="run a simulated reader on a pty until Ctrl-C")
    s.add_argument("--card", metavar="NAME", help="sample card placed at start (see --list)")
    s.add_argument("--tcp", type=int, metavar="PORT",
                   help="also listen on 127.0.0.1:PORT (socket://; 0 = any)")
    s.add_argument("--baud", type=int, default=115200, help="pace answers at this speed (default 115200)")
    s.add_argument("--quirk", action="store_true", help="find misses a card already read, as many readers do")
    s.add_argument("--list", action="store_true", help="list the sample cards and exit")
    s.set_defaults(run=run_simulate)


def run_read(args: argparse.Namespace) -> int:
    from devices.base import DeviceError
    from devices.idcard import for_url

    if args.baud <= 0 or args.timeout <= 0:
        raise UserError("--baud and --timeout must be positive", 1)
    try:
        reader = for_url(args.port, baud=args.baud, timeout_s=args.timeout, read_fingerprint=args.fingerprint,
                         remember_personal=False)
    except ValueError as exc:
        raise UserError(str(exc), 1) from None
    try:
        reader.open()
        deadline = time.monotonic() + max(0.0, args.wait)
        while True:
            card = reader.read_card()
            if card is not None or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
    except DeviceError as exc:
        raise UserError(f"{exc.message_en} — {exc.message_zh}", 1) from None
    finally:
        reader.close()
    if card is None:
        raise UserError("no card on the reader — 请将身份证放在读卡区。", 2)
    doc = card.to_json_dict()
    if args.json:
        print(json.dumps(doc, ensure_ascii=False), flush=True)
        return 0
    for key, zh, en in LABELS:
        value = doc.get(key)
        if value is None:
            continue
        if key == "card_type":
            value = f"{TYPE_NAMES.get(value, value)} ({value}, layout {card.layout})"
        print(f"{zh}\t{en:<13} {value}")
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    from devices.idcard.samples import SAMPLE_CARDS
    from devices.idcard.simulator import FAULTS, SamSimulator

    if args.list:
        for key, card in SAMPLE_CARDS.items():
            print(f"{key:<12} {card.card_type:<18} {card.layout:<9} {card.name} {card.birth} "
                  f"valid to {card.valid_to}")
        return 0
    if args.card and args.card not in SAMPLE_CARDS:
        raise UserError(f"no sample card {args.card!r}; known: {', '.join(SAMPLE_CARDS)}", 1)
    try:
        sim = SamSimulator(baud=args.baud, card=args.card, tcp_port=args.tcp, reread_quirk=args.quirk)
    except OSError as exc:
        raise UserError(f"cannot start the simulator: {exc}", 1) from None
    print(f"pty: {sim.port}", flush=True)
    if sim.tcp_url:
        print(f"tcp: {sim.tcp_url}", flush=True)
    print(f"card: {args.card or '(none)'}; baud {args.baud}; Ctrl-C stops", flush=True)
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if interactive:
        print("commands: place NAME | remove | fault KIND [COMMAND] | list | quit", flush=True)
    try:
        while True:
            line = sys.stdin.readline() if interactive else ""
            if not line:
                time.sleep(0.5)
                continue
            words = line.split()
            try:
                if not words:
                    continue
                if words[0] == "place" and len(words) == 2:
                    print(f"placed {sim.place(words[1])!r}", flush=True)
                elif words[0] == "remove":
                    sim.remove()
                    print("removed", flush=True)
                elif words[0] == "fault" and len(words) in (2, 3):
                    sim.inject(words[1], on=words[2] if len(words) == 3 else "")
                    print(f"fault {words[1]} armed", flush=True)
                elif words[0] == "list":
                    print(", ".join(SAMPLE_CARDS), flush=True)
                elif words[0] in ("quit", "exit"):
                    return 0
                else:
                    print(f"? faults: {', '.join(sorted(FAULTS))}", flush=True)
            except ValueError as exc:
                print(exc, flush=True)
    except KeyboardInterrupt:
        return 0
    finally:
        sim.close()

"""The checks behind `yzt doctor`, the maintenance screen and the heartbeat: one set, three readers.

Every check answers a :class:`Check` row (never raises). Device checks follow UnifiedPOS
``checkHealth`` levels: *internal* (driver and port), *external* (a real exchange: SAM status, a
camera frame, a printer status query) and *interactive* (a test print, a card read, a QR scan —
only from the maintenance screen, with an engineer at the kiosk). Around them: the platform link
(latency, clock offset, whether it accepts this kiosk's signature), disk and outbox state.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from devices.base import DeviceState, HealthLevel
from devices.registry import KINDS

log = logging.getLogger(__name__)

DISK_MIN_MB = 200  # below this the kiosk can no longer keep print jobs and logs for a busy day
CLOCK_MAX_OFFSET_S = 30.0  # signed requests older than the platform's window are refused well before this

DEVICE_NAMES = {  # what maintenance staff call them, for messages that name the device
    "idcard": ("ID card reader", "身份证读卡器"),
    "camera": ("camera", "摄像头"),
    "qr_scanner": ("QR scanner", "扫码器"),
    "receipt_printer": ("receipt printer", "凭条打印机"),
    "document_printer": ("document printer", "文档打印机"),
}


@dataclass
class Check:
    """One row of a diagnosis; ``message`` names the thing checked and what to do."""

    check: str
    required: bool
    ok: bool
    state: str
    message: str
    message_zh: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def device_check(runtime: Any, kind: str, level: HealthLevel = HealthLevel.EXTERNAL) -> Check:
    """One device at ``level``: reopened first if it is closed (an unplugged reader plugged back in)."""
    en_name, zh_name = DEVICE_NAMES.get(kind, (kind, kind))
    settings = runtime.cfg.device(kind)
    device = runtime.devices.get(kind)
    if device is None:
        error = runtime.device_errors.get(kind, "not configured")
        return Check(f"device:{kind}", bool(settings["required"]), False, DeviceState.NO_DEVICE.value,
                     f"{en_name} cannot be used: {error}", f"{zh_name}无法使用，请检查配置和连接。",
                     {"url": settings["url"]})
    if device.state is DeviceState.CLOSED:
        try:
            device.open()
            runtime.device_errors.pop(kind, None)
        except Exception as exc:  # reported below as the check's failure
            runtime.device_errors[kind] = str(exc)
    report = device.health(level)
    details = {"url": device.url, "elapsed_ms": report.elapsed_ms, **report.details}
    zh = report.summary_zh if report.summary_zh.startswith(zh_name) else f"{zh_name}：{report.summary_zh}"
    if report.ok:
        return Check(f"device:{kind}", report.required, True, report.state.value,
                     f"{en_name}: {report.summary_en}", zh, details)
    if report.state in (DeviceState.OFFLINE, DeviceState.NO_DEVICE, DeviceState.CLOSED):
        reason = runtime.device_errors.get(kind) or device.last_error or report.summary_en
        en, state = f"{en_name}: {_not_connected(reason)}", DeviceState.OFFLINE.value
    else:
        en, state = f"{en_name}: {report.summary_en}", report.state.value
    return Check(f"device:{kind}", report.required, False, state, en, zh, details)


def _not_connected(reason: str) -> str:
    return f"not connected — check its cable and power ({reason})"


def platform_check(runtime: Any) -> Check:
    """Reachable, healthy, how fast, how far our clock is from the platform's, and whether the
    platform accepts this kiosk's signature (a heartbeat is a signed write)."""
    url = runtime.cfg.platform.url
    try:
        client = runtime.platform_client()
    except Exception as exc:  # a platform that cannot even start is a failed check
        return Check("platform", True, False, DeviceState.OFFLINE.value, f"platform link: cannot start ({exc})",
                     "平台连接异常，请联系运维。", {"url": url})
    started = time.time()
    try:
        health = client.health()
    except Exception as exc:  # any failure of the link is a failed check, never a crash
        return Check("platform", True, False, DeviceState.OFFLINE.value,
                     f"platform link: unreachable at {client.base_url} ({type(exc).__name__}: {exc})",
                     "无法连接审批平台，已受理的申请会在恢复后自动提交。", {"url": client.base_url})
    ended = time.time()
    latency_ms = (ended - started) * 1000
    details: dict[str, Any] = {"url": client.base_url, "latency_ms": round(latency_ms, 1),
                               "version": health.get("version"), "database": health.get("database"),
                               "key_fingerprint": key_fingerprint(client)}
    offset = _clock_offset(health.get("server_time"), (started + ended) / 2)
    if offset is not None:
        details["clock_offset_s"] = round(offset, 2)
    problems = []
    try:  # a heartbeat is a signed write: it proves the platform accepts this kiosk's key
        client.heartbeat(runtime.cfg.kiosk.site, heartbeat_status(runtime, level=None))
        details["signature"] = "accepted"
    except Exception as exc:  # refused (401: not enrolled / revoked) or the write path is broken
        details["signature"] = f"refused: {exc}"
        problems.append(f"signed request refused ({exc}) — enrol this kiosk's key (fingerprint "
                        f"{details['key_fingerprint']}) on the platform")
    if health.get("status") != "ok":
        problems.append(f"platform reports {health.get('status')!r}")
    if offset is not None and abs(offset) > CLOCK_MAX_OFFSET_S:
        problems.append(f"clock {offset:+.0f} s from the platform's — fix NTP")
    if problems:
        return Check("platform", True, False, DeviceState.HARDWARE_ERROR.value, "platform link: " + "; ".join(problems),
                     "平台连接异常，请联系运维。", details)
    text = f"platform link: ok in {latency_ms:.0f} ms"
    if offset is not None:
        text += f", clock offset {offset:+.1f} s"
    text += f", kiosk key {details['key_fingerprint']} accepted, {health.get('database')} {health.get('version')}"
    return Check("platform", True, True, DeviceState.ONLINE.value, text, "平台连接正常", details)


def _clock_offset(server_time: Any, local_mid: float) -> float | None:
    if not isinstance(server_time, str):
        return None
    try:
        at = datetime.fromisoformat(server_time.replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.timestamp() - local_mid


def key_fingerprint(client: Any) -> str | None:
    """SHA-256 of this kiosk's public signing key, as enrolment shows it (first 16 hex digits)."""
    key = getattr(client, "signing_key", None)
    if key is None:
        return None
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def disk_check(cfg: Any) -> Check:
    folder = cfg.data_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    usage = shutil.disk_usage(folder)
    free_mb = usage.free // 1_000_000
    ok = free_mb >= DISK_MIN_MB
    return Check("disk", True, ok, DeviceState.ONLINE.value if ok else DeviceState.USER_ERROR.value,
                 f"disk: {free_mb} MB free in {cfg.data_dir}" + ("" if ok else f" — under {DISK_MIN_MB} MB, clear old logs"),
                 "磁盘空间充足" if ok else "磁盘空间不足，请联系运维清理。",
                 {"free_mb": free_mb, "total_mb": usage.total // 1_000_000})


OUTBOX_ALARM_MIN = 5.0  # an application waiting longer than this is an alarm, not just a retry


def outbox_check(runtime: Any) -> Check:
    """Applications journalled but not yet delivered — normal for seconds, an alarm for long, or when the
    platform refuses this kiosk (not enrolled, clock off) — and the quarantine (refused or unreadable
    records, kept for maintenance). "N waiting, oldest M min, last error"."""
    try:
        s = runtime.outbox().summary()
    except Exception as exc:  # an unreadable outbox is a failure to report, not to crash on
        return Check("outbox", True, False, DeviceState.HARDWARE_ERROR.value, f"outbox: unreadable ({exc})",
                     "待提交队列无法读取，请联系运维。", {})
    details = {k: s[k] for k in ("pending", "quarantined", "refused", "poison", "oldest_min", "last_error",
                                 "last_error_kind", "stuck")}
    if not s["pending"] and not s["quarantined"]:
        return Check("outbox", False, True, DeviceState.ONLINE.value, "outbox: empty (everything delivered)",
                     "申请已全部提交", details)
    alarm = bool(s["quarantined"]) or s["last_error_kind"] == "auth" or (
        s["pending"] and (s["oldest_min"] or 0) >= OUTBOX_ALARM_MIN) or s["stuck"] > 0
    en, zh = [], []
    if s["pending"]:
        en.append(f"{s['pending']} waiting, oldest {s['oldest_min']:.0f} min")
        zh.append(f"{s['pending']} 份申请等待提交，最早的已等 {s['oldest_min']:.0f} 分钟")
        if s["last_error"]:
            en.append(f"last error: {s['last_error']}")
            zh.append("最近错误：" + _error_zh(s["last_error_kind"]))
    if s["quarantined"]:
        en.append(f"{s['quarantined']} quarantined ({s['refused']} refused by the platform, {s['poison']} unreadable)"
                  " — see maintenance")
        zh.append(f"{s['quarantined']} 份已隔离（平台拒收 {s['refused']}，无法读取 {s['poison']}），请维护人员处理")
    return Check("outbox", False, not alarm, DeviceState.USER_ERROR.value if alarm else DeviceState.ONLINE.value,
                 "outbox: " + "; ".join(en), "；".join(zh), details)


def _error_zh(kind: str | None) -> str:
    return {"auth": "平台不接受本终端（未登记、已吊销或时钟偏差），请联系运维登记终端并校准时间",
            "busy": "平台繁忙，稍后自动重试", "unreachable": "无法连接平台，恢复后自动提交",
            "server": "平台暂时出错，稍后自动重试"}.get(kind or "", "稍后自动重试")


def run_checks(runtime: Any, level: HealthLevel = HealthLevel.EXTERNAL) -> list[Check]:
    """Every configured device, then the platform link, the disk and the outbox."""
    rows = [device_check(runtime, kind, level) for kind in KINDS if runtime.cfg.device(kind)["url"]]
    rows.append(platform_check(runtime))
    rows.append(disk_check(runtime.cfg))
    rows.append(outbox_check(runtime))
    rows.append(security_check(runtime.cfg))
    return rows


def security_check(cfg: Any) -> Check:
    """A real kiosk has its own maintenance PIN (the published development PIN opens only a simulated one)."""
    problems = cfg.security_problems()
    return Check("security", True, not problems, DeviceState.ONLINE.value if not problems else
                 DeviceState.USER_ERROR.value, problems[0] if problems else "maintenance PIN configured",
                 "未设置维护口令，请运维人员配置。" if problems else "维护口令已配置")


def passed(rows: list[Check]) -> bool:
    return all(r.ok for r in rows if r.required)


def device_table(runtime: Any) -> list[dict[str, Any]]:
    """The maintenance screen's table: state, address, identity, last error and counters of each device,
    from what the drivers already know (no exchange with the devices)."""
    out = []
    for kind in KINDS:
        url = runtime.cfg.device(kind)["url"]
        if not url:
            continue
        device = runtime.devices.get(kind)
        en, zh = DEVICE_NAMES.get(kind, (kind, kind))
        if device is None:
            out.append({"kind": kind, "name_en": en, "name_zh": zh, "state": DeviceState.NO_DEVICE.value, "url": url,
                        "identity": "", "last_error": runtime.device_errors.get(kind, ""), "counters": {}})
            continue
        stats = device.statistics()
        info = stats["info"]
        identity = info.get("sam_id") or info.get("firmware") or info.get("model") or info.get("backend") or ""
        out.append({"kind": kind, "name_en": en, "name_zh": zh, "state": stats["state"], "url": device.url,
                    "identity": str(identity), "last_error": stats["last_error"] or runtime.device_errors.get(kind, ""),
                    "counters": {k: v for k, v in stats["counters"].items() if v}})
    return out


def heartbeat_status(runtime: Any, level: HealthLevel | None = HealthLevel.EXTERNAL) -> dict[str, Any]:
    """What a heartbeat carries: each device's state (asked afresh at ``level``; None: what the drivers
    last saw), counters and problem, the outbox and disk — no personal data."""
    devices = {}
    for row in device_table(runtime):
        entry = {"state": row["state"], "counters": row["counters"], "last_error": row["last_error"] or None}
        if level is not None and row["state"] != DeviceState.BUSY.value:
            check = device_check(runtime, row["kind"], level)
            entry.update(state=check.state, problem=None if check.ok else check.message,
                         problem_zh=None if check.ok else check.message_zh)
        devices[row["kind"]] = entry
    try:
        summary = runtime.outbox().summary()
    except Exception:  # the heartbeat reports what it can
        summary = {}
    disk = disk_check(runtime.cfg)
    healthy = all(d["state"] in (DeviceState.ONLINE.value, DeviceState.BUSY.value)
                  for kind, d in devices.items() if runtime.cfg.device(kind)["required"])
    last_error = summary.get("last_error")
    return {"health": "ok" if healthy and disk.ok else "degraded", "devices": devices,
            "outbox_pending": summary.get("pending"), "outbox_quarantined": summary.get("quarantined"),
            "outbox_oldest_min": summary.get("oldest_min"),
            "outbox_last_error": str(last_error)[:300] if last_error else None,
            "disk_free_mb": disk.details["free_mb"], "site_type": runtime.cfg.kiosk.site_type}

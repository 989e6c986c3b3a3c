"""The kiosk's one configuration file, ``kiosk.toml``: its keys, defaults, checks and documentation.

Every key is declared once in :data:`SPEC`; loading validates each value and reports the first
bad one as ``ConfigError`` naming the file, the key and the value. ``yzt config doc`` and the
README's table are generated from the same declarations, so they cannot drift apart.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from devices import options as device_options
from devices import registry as device_registry
from service.contract.cli import UserError
from service.contract.files import default_data_dir


class ConfigError(UserError, ValueError):
    """A bad configuration: one line that says which key is wrong and why (exit status 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 2)


@dataclass(frozen=True)
class Key:
    type: type | tuple[type, ...]
    default: Any
    doc: str
    check: Callable[[Any], str | None] | None = None  # returns a complaint or None


def _between(lo: float, hi: float) -> Callable[[Any], str | None]:
    return lambda v: None if lo <= v <= hi else f"must be between {lo} and {hi}"


def _one_of(*choices: Any) -> Callable[[Any], str | None]:
    return lambda v: None if v in choices else f"must be one of {', '.join(map(str, choices))}"


def _kiosk_id(v: Any) -> str | None:
    import re

    return None if re.fullmatch(r"[A-Za-z0-9._-]{1,80}", str(v)) else \
        "must be 1-80 letters, digits, '.', '_' or '-' (it names the kiosk's key at the platform)"


def _nonempty(v: Any) -> str | None:
    return None if str(v).strip() else "must not be empty"


DEVICE_KEYS: dict[str, Key] = {  # every [devices.<kind>] has these; the rest is what the device declares
    "url": Key(str, "", "device address (each device's own forms in its section); empty = not fitted"),
    "required": Key(bool, True, "whether `yzt doctor` fails when this device fails"),
}


def _device_url_check(kind: str) -> Callable[[Any], str | None]:
    """The url's check: what building the device would refuse about it (unknown ``?options``…)."""
    def check(url: Any) -> str | None:
        try:
            device_registry.check_url(kind, str(url))
        except device_options.OptionError as exc:
            return exc.complaint
        return None

    return check


def _device_section(kind: str) -> dict[str, Key]:
    """``[devices.<kind>]``: url and required, then the options the device itself declares."""
    declared = device_registry.declaration(kind)
    section = {"url": Key(str, declared.default_url, declared.describe_url(), _device_url_check(kind)),
               "required": Key(bool, declared.required, DEVICE_KEYS["required"].doc)}
    for option in declared.configurable:
        section[option.name] = Key((int, float) if option.type is float else option.type, option.default,
                                   option.doc, option.check)
    return section


SPEC: dict[str, dict[str, Key]] = {
    "kiosk": {
        "id": Key(str, "YZT-DEV-0001", "this kiosk's fleet identifier (letters, digits, `.`, `_`, `-`)", _kiosk_id),
        "number": Key(int, 0, "this kiosk's 4-digit fleet number, part of every acceptance number it hands out "
                              "(unique in the city; the platform refuses a second kiosk with it); 0 = the last four "
                              "digits of `id`", _between(0, 9999)),
        "site": Key(str, "阳江市政务服务中心", "where the kiosk stands, shown on receipts and the fleet page", _nonempty),
        "region": Key(str, "阳江市", "the registration region: the first part of every company name", _nonempty),
        "site_type": Key(str, "hall", "`hall` (government service hall) or `bank_branch`", _one_of("hall", "bank_branch")),
        "bank": Key(str, "", "the bank preselected for the pre-opened account when site_type is bank_branch"),
        "branch": Key(str, "", "the branch preselected with `bank`"),
        "language": Key(str, "zh", "language at the start of each visit", _one_of("zh", "en")),
        "idle_timeout_s": Key(int, 90, "seconds without a touch before the session is wiped", _between(20, 3600)),
        "idle_warning_s": Key(int, 15, "the visible countdown before the idle wipe", _between(5, 120)),
        "data_dir": Key(str, "", "private data folder (outbox, kept print jobs, logs, keys); empty = default"),
        "fullscreen": Key(bool, True, "fullscreen, borderless kiosk window (false for development)"),
        "orientation": Key(str, "landscape", "`landscape` (1920×1080) or `portrait` (1080×1920)",
                           _one_of("landscape", "portrait")),
        "voice": Key(bool, True, "spoken prompts at each step"),
        "voice_in_bank_branch": Key(bool, False, "spoken prompts on by default at a bank branch too (off: a quiet "
                                    "banking hall starts muted; the citizen can still turn them on)"),
        "elderly_mode": Key(bool, False, "start every visit in large type / high contrast"),
    },
    "maintenance": {
        "pin_hash": Key(str, "", "salted PBKDF2 hash of the maintenance PIN (`yzt pin-hash` makes one); required "
                                 "on a real kiosk (empty: only `--simulate` opens, with the development PIN 246810)"),
        "corner_hold_s": Key((int, float), 3, "long-press on the top-right corner that opens the PIN pad",
                             _between(1, 10)),
        "max_tries": Key(int, 5, "wrong PINs before the lock", _between(1, 20)),
        "lock_s": Key(int, 300, "how long the PIN pad stays locked", _between(10, 86400)),
    },
    "platform": {
        "url": Key(str, "embedded", "the platform's base URL, or `embedded` to run it inside the kiosk process"),
        "timeout_s": Key((int, float), 10, "longest wait for one platform request", _between(0.5, 120)),
        "key_file": Key(str, "", "this kiosk's signing key (PEM); empty = `kiosk.key` in the data folder"),
        "public_url": Key(str, "", "the platform address printed in receipts' progress QR codes (as phones reach it); "
                                   "empty = `url`"),
        "heartbeat_s": Key(int, 60, "seconds between heartbeats to the platform", _between(5, 3600)),
    },
    "identity": {
        "liveness_s": Key((int, float), 2.5, "how long the camera watches for a live face", _between(1, 10)),
    },
    **{f"devices.{kind}": _device_section(kind) for kind in device_registry.KINDS},
    "logging": {
        "level": Key(str, "INFO", "DEBUG, INFO, WARNING or ERROR", _one_of("DEBUG", "INFO", "WARNING", "ERROR")),
        "file": Key(str, "", "log file; empty = `logs/kiosk.log` in the data folder"),
        "max_bytes": Key(int, 5_000_000, "size at which the log file rotates", _between(10_000, 1_000_000_000)),
        "backups": Key(int, 5, "rotated files kept", _between(0, 100)),
    },
}

DEVICE_SECTIONS = [s for s in SPEC if s.startswith("devices.")]


class Config:
    """Validated configuration: ``cfg["kiosk"]["idle_timeout_s"]`` or ``cfg.kiosk.idle_timeout_s``."""

    def __init__(self, values: dict[str, dict[str, Any]], source: str, simulate: bool = False) -> None:
        self._values = values
        self.source = source
        self.simulate = simulate

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self._values[section]

    def __getattr__(self, section: str) -> Any:
        try:
            return _Section(self._values[section])
        except KeyError:
            raise AttributeError(section) from None

    def device(self, kind: str) -> dict[str, Any]:
        return self._values[f"devices.{kind}"]

    def security_problems(self) -> list[str]:
        """What makes this configuration unfit for a real kiosk (a simulated one is exempt)."""
        if self.simulate:
            return []
        problems = []
        if not str(self._values["maintenance"]["pin_hash"]).strip():
            problems.append(f"{self.source}: [maintenance] pin_hash is empty: a real kiosk needs its own maintenance "
                            "PIN (make one with `yzt pin-hash`); the development PIN works only with --simulate")
        return problems

    @property
    def fleet_number(self) -> int:
        """The configured number, else the last four digits of the kiosk id (YZT-DEV-0001 → 1)."""
        number = int(self._values["kiosk"]["number"])
        if number:
            return number
        digits = "".join(ch for ch in str(self._values["kiosk"]["id"]) if ch.isdigit())[-4:]
        return int(digits) if digits and int(digits) else 1

    @property
    def data_dir(self) -> Path:
        configured = self._values["kiosk"]["data_dir"]
        return Path(configured).expanduser() if configured else default_data_dir()

    @property
    def log_file(self) -> Path:
        configured = self._values["logging"]["file"]
        return Path(configured).expanduser() if configured else self.data_dir / "logs" / "kiosk.log"

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {s: dict(v) for s, v in self._values.items()}


class _Section(dict):
    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def _flatten(doc: dict[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """Turn ``{"devices": {"idcard": {...}}}`` into ``{"devices.idcard": {...}}``."""
    out: dict[str, dict[str, Any]] = {}
    for name, body in doc.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: `{name}` must be a [section], not a value")
        if name == "devices":
            for dev, dev_body in body.items():
                if not isinstance(dev_body, dict):
                    raise ConfigError(f"{source}: [devices] `{dev}` must be a [devices.{dev}] section")
                out[f"devices.{dev}"] = dev_body
        else:
            out[name] = body
    return out


def validate(doc: dict[str, Any], source: str = "kiosk.toml") -> dict[str, dict[str, Any]]:
    """Fill defaults and check every value; raise :class:`ConfigError` on the first bad one."""
    given = _flatten(doc, source)
    values: dict[str, dict[str, Any]] = {}
    for section in given:
        if section not in SPEC:
            raise ConfigError(f"{source}: unknown section [{section}]; known: "
                              + ", ".join(f"[{s}]" for s in SPEC))
    for section, keys in SPEC.items():
        body = given.get(section, {})
        for key in body:
            if key not in keys:
                raise ConfigError(f"{source}: unknown key `{key}` in [{section}]; known: {', '.join(keys)}")
        values[section] = {}
        for key, spec in keys.items():
            value = body.get(key, spec.default)
            types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
            if isinstance(value, bool) and bool not in types:
                ok = False
            else:
                ok = isinstance(value, types)
            if not ok:
                names = " or ".join("true/false" if t is bool else {"int": "a whole number", "float": "a number",
                                                                    "str": "a text in quotes"}[t.__name__]
                                    for t in types)
                raise ConfigError(f"{source}: [{section}] {key} = {value!r} must be {names}")
            if spec.check is not None:
                complaint = spec.check(value)
                if complaint:
                    raise ConfigError(f"{source}: [{section}] {key} = {value!r} {complaint}")
            values[section][key] = value
    k = values["kiosk"]
    if k["idle_warning_s"] >= k["idle_timeout_s"]:
        raise ConfigError(f"{source}: [kiosk] idle_warning_s = {k['idle_warning_s']} must be shorter than "
                          f"idle_timeout_s = {k['idle_timeout_s']}")
    return values


def simulated(values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every device on its simulator and the platform embedded (``--simulate``)."""
    out = {s: dict(v) for s, v in values.items()}
    for section in DEVICE_SECTIONS:
        if not str(out[section]["url"]).startswith("sim://"):  # a configured sim://?state=… fault is kept
            out[section]["url"] = "sim://"
    out["platform"]["url"] = "embedded"
    out["kiosk"]["fullscreen"] = False if os.environ.get("YZT_WINDOWED") else out["kiosk"]["fullscreen"]
    return out


def load(path: str | os.PathLike[str] | None = None, simulate: bool = False) -> Config:
    """Load ``path`` (or ``$YZT_CONFIG``, or built-in defaults when neither is given)."""
    path = path or os.environ.get("YZT_CONFIG")
    if path:
        p = Path(path)
        source = str(p)
        try:
            with p.open("rb") as fh:
                doc = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"{source}: no such configuration file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{source}: cannot be read: {exc.strerror}") from None
    else:
        doc, source = {}, "(built-in defaults)"
    values = validate(doc, source)
    if simulate:
        values = simulated(values)
    return Config(values, source, simulate)


def document() -> str:
    """The Markdown table of every key, for the README and ``yzt config doc``."""
    lines = ["| section | key | default | meaning |", "|---|---|---|---|"]
    for section, keys in SPEC.items():
        for key, spec in keys.items():
            default = spec.default
            shown = ("true" if default else "false") if isinstance(default, bool) else repr(default).replace("'", '"')
            lines.append(f"| [{section}] | `{key}` | `{shown}` | {spec.doc} |")
    return "\n".join(lines)


def example() -> str:
    """A complete kiosk.toml with every key at its default, each with its comment."""
    out: list[str] = []
    for section, keys in SPEC.items():
        out.append(f"[{section}]")
        for key, spec in keys.items():
            default = spec.default
            if isinstance(default, bool):
                shown = "true" if default else "false"
            elif isinstance(default, str):
                shown = '"' + default.replace("\\", "\\\\").replace('"', '\\"') + '"'
            else:
                shown = repr(default)
            out.append(f"# {spec.doc}")
            out.append(f"{key} = {shown}")
        out.append("")
    return "\n".join(out)

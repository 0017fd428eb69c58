"""Settings: `settings.toml` for everything that is not a secret, the environment for secrets.

Both are validated once at start-up; an error names the key that is wrong.
"""
from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from connectors.config import EnrichmentSettings, HubSpotSettings, LinearSettings, StripeSettings, SunshineSettings
from handoff.core.brief.account import AccountRules
from handoff.core.measure.quality_settings import QualitySettings
from handoff.core.measure.signal_settings import SignalSettings
from handoff.core.brief import BriefingSettings
from handoff.core.similar import SimilarSettings
from handoff.core.decide.config import TriggerSettings
from handoff.core.route.config import RoutingSettings
from handoff.core.route.hours import load_zone
from handoff.core.waiting import WaitingSettings

DEFAULT_SETTINGS_PATH = Path("settings.toml")


class SettingsError(Exception):
    """Settings that cannot be used; the message names each wrong key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceSettings(_Section):
    """The HTTP service itself."""

    public_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = Field(256 * 1024, ge=1024, le=50 * 1024 * 1024)
    outbox_dir: str = "handoff-outbox"
    log_level: str = "info"
    log_format: str = Field("console", pattern="^(console|json)$")
    # /metrics, /docs, /redoc and /openapi.json need the API key too; unset: on when HANDOFF_API_KEYS is set
    metrics_require_key: bool | None = None
    # slow or stalled clients: each must finish its request line and headers, then its body, in time
    header_timeout_seconds: float = Field(10.0, gt=0, le=300)
    body_timeout_seconds: float = Field(30.0, gt=0, le=600)
    keep_alive_timeout_seconds: float = Field(5.0, gt=0, le=300)
    # open connections per process; unset: from the open-file limit (a quarter, at least 96, kept for the rest)
    max_connections: int | None = Field(None, ge=8, le=100_000)

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        if v.lower() not in {"debug", "info", "warning", "error"}:
            raise ValueError("must be one of debug, info, warning, error")
        return v.lower()


class ZendeskSettings(_Section):
    """Zendesk: where it is and how tickets are shaped (credentials come from the environment)."""

    subdomain: str | None = None
    url: str | None = None
    bot_user_id: int | None = None
    tags: list[str] = ["handoff"]
    # tickets tagged with one of these are the bot's even with a human assignee (webhook flow)
    bot_tags: list[str] = ["ai_agent"]
    # webhook calls signed longer ago than this (or this far in the future) are refused as stale
    webhook_tolerance_seconds: float = Field(300.0, ge=10, le=3600)
    timeout_seconds: float = Field(10.0, gt=0, le=60)


class ZendeskAppSettings(_Section):
    """`[zendesk_app]`: the sidebar app's endpoints (`/zendesk-app/`); its key or secret come from the environment."""

    # browser origins CORS answers; empty: https://<[zendesk] subdomain>.zendesk.com
    allowed_origins: list[str] = []
    # signed (JWT) requests: clock skew tolerated, and the oldest `iat` accepted
    jwt_leeway_seconds: float = Field(60.0, ge=0, le=600)
    jwt_max_age_seconds: float = Field(3600.0, ge=10, le=86_400)

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, v: list[str]) -> list[str]:
        for origin in v:
            if not re.fullmatch(r"https?://[^\s/?#]+", origin.rstrip("/")):
                raise ValueError(f"{origin!r} is not an origin (scheme and host only, e.g. https://acme.zendesk.com)")
        return [o.rstrip("/") for o in v]


def zendesk_app_origins(settings: "Settings") -> list[str]:
    """The origins the sidebar app's CORS answers: `[zendesk_app] allowed_origins`, else the account's own."""
    if settings.zendesk_app.allowed_origins:
        return list(settings.zendesk_app.allowed_origins)
    return [f"https://{settings.zendesk.subdomain}.zendesk.com"] if settings.zendesk.subdomain else []


class SlackSettings(_Section):
    """Slack: the default alert channel and an optional API base override."""

    api_url: str | None = None
    default_channel: str = "#support-handoffs"
    timeout_seconds: float = Field(10.0, gt=0, le=60)
    # the workspace (T…) and app (A…) commands and buttons must come from; unset: any the app is installed in
    team_id: str | None = Field(None, pattern=r"^T[A-Z0-9]{2,20}$")
    app_id: str | None = Field(None, pattern=r"^A[A-Z0-9]{2,20}$")


class DeliverySettings(_Section):
    """Durable delivery: attempts, backoff and how often the dispatcher looks for due work."""

    max_attempts: int = Field(8, ge=1, le=100)
    backoff_initial_seconds: float = Field(2.0, gt=0)
    backoff_max_seconds: float = Field(600.0, gt=0)
    lease_seconds: float = Field(120.0, ge=5)
    poll_seconds: float = Field(5.0, gt=0, le=3600)


class SlaSettings(_Section):
    """How long a handoff may stay unclaimed before Slack is reminded, per priority."""

    unclaimed_minutes: dict[str, int] = {"urgent": 5, "high": 15, "normal": 30, "low": 120}
    check_seconds: float = Field(30.0, gt=0, le=3600)

    @field_validator("unclaimed_minutes")
    @classmethod
    def _priorities(cls, v: dict[str, int]) -> dict[str, int]:
        bad = sorted(set(v) - {"low", "normal", "high", "urgent"})
        if bad:
            raise ValueError(f"unknown priority {bad[0]!r} (low, normal, high, urgent)")
        if any(m < 1 for m in v.values()):
            raise ValueError("minutes must be at least 1")
        return v


class DigestSettings(_Section):
    """The weekly digest posted to Slack: top reasons, the trend, the worst handoffs."""

    enabled: bool = True
    weekday: str = Field("mon", pattern="^(mon|tue|wed|thu|fri|sat|sun)$")
    time: str = Field("09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "America/New_York"
    channel: str | None = None  # default: [slack] default_channel
    worst_count: int = Field(5, ge=0, le=20)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        load_zone(v)
        return v


class JobSettings(_Section):
    """How often each process looks for due callbacks, webhook events and offers to pass on."""

    callbacks_check_seconds: float = Field(30.0, gt=0, le=3600)
    inbound_check_seconds: float = Field(5.0, gt=0, le=3600)
    reoffer_check_seconds: float = Field(15.0, gt=0, le=3600)


class BotSettings(_Section):
    """`[bot]`: where customer updates are posted for the bot (signed with HANDOFF_BOT_WEBHOOK_SECRET)."""

    webhook_url: str | None = Field(None, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+\S*$")
    timeout_seconds: float = Field(5.0, gt=0, le=60)


class Settings(_Section):
    """Everything in settings.toml."""

    service: ServiceSettings = ServiceSettings()
    triggers: TriggerSettings = TriggerSettings()
    routing: RoutingSettings = RoutingSettings()
    briefing: BriefingSettings = BriefingSettings()
    enrichment: EnrichmentSettings = EnrichmentSettings()
    account: AccountRules = AccountRules()
    zendesk: ZendeskSettings = ZendeskSettings()
    zendesk_app: ZendeskAppSettings = ZendeskAppSettings()
    slack: SlackSettings = SlackSettings()
    stripe: StripeSettings = StripeSettings()
    hubspot: HubSpotSettings = HubSpotSettings()
    sunshine: SunshineSettings = SunshineSettings()
    linear: LinearSettings = LinearSettings()
    delivery: DeliverySettings = DeliverySettings()
    sla: SlaSettings = SlaSettings()
    quality: QualitySettings = QualitySettings()
    digest: DigestSettings = DigestSettings()
    signals: SignalSettings = SignalSettings()
    jobs: JobSettings = JobSettings()
    waiting: WaitingSettings = WaitingSettings()
    bot: BotSettings = BotSettings()
    similar: SimilarSettings = SimilarSettings()


class Environment(BaseSettings):
    """Secrets and deployment facts, from the environment only."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str | None = None
    handoff_api_keys: SecretStr | None = None
    zendesk_email: str | None = None
    zendesk_api_token: SecretStr | None = None
    zendesk_webhook_secret: SecretStr | None = None
    handoff_zendesk_app_key: SecretStr | None = None
    handoff_zendesk_app_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    stripe_api_key: SecretStr | None = None
    hubspot_access_token: SecretStr | None = None
    sunshine_key_id: str | None = None
    sunshine_key_secret: SecretStr | None = None
    handoff_summariser_api_key: SecretStr | None = None
    handoff_replies_api_key: SecretStr | None = None
    handoff_second_opinion_api_key: SecretStr | None = None
    handoff_bot_webhook_secret: SecretStr | None = None
    linear_api_key: SecretStr | None = None
    zendesk_url: str | None = None
    slack_api_url: str | None = None
    stripe_api_base: str | None = None
    hubspot_url: str | None = None
    sunshine_api_url: str | None = None
    linear_api_url: str | None = None

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, v: str | None) -> str | None:
        if v is not None:
            problem = database_url_problem(v)
            if problem:
                raise ValueError(problem)
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read only what load_config hands over, so an explicit `environ` is the whole truth."""
        return (init_settings,)

    def api_keys(self) -> list[str]:
        """The accepted bearer keys; empty when none are configured."""
        if not self.handoff_api_keys:
            return []
        return [k.strip() for k in self.handoff_api_keys.get_secret_value().split(",") if k.strip()]

    def secret_values(self) -> list[str]:
        """Every secret value present, for log redaction."""
        out = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                out.append(value.get_secret_value())
        return out + self.api_keys()


@dataclass(frozen=True)
class Config:
    """Validated settings plus environment: what the composition root is built from."""

    settings: Settings
    env: Environment
    path: Path | None

    def database_url(self) -> str:
        """The SQLAlchemy URL: DATABASE_URL or a SQLite file in the working directory."""
        return normalise_database_url(self.env.database_url or "sqlite:///handoff.db")


# The databases Handoff runs on, as a URL's scheme (the drivers it ships: sqlite3 and psycopg 3).
SUPPORTED_DATABASES = ("sqlite", "sqlite+pysqlite", "postgres", "postgresql", "postgresql+psycopg")
SUPPORTED_DATABASES_TEXT = ("SQLite (sqlite:///path/to/handoff.db) or PostgreSQL "
                            "(postgresql://user:password@host:5432/database)")


def database_url_problem(url: str) -> str | None:
    """Why DATABASE_URL cannot work (an unsupported database or driver, not a URL), or None."""
    scheme, sep, _ = url.strip().partition("://")
    if not sep:
        return f"is not a database URL; use {SUPPORTED_DATABASES_TEXT}"
    if scheme.lower() not in SUPPORTED_DATABASES:
        return f"{scheme}:// is not supported; use {SUPPORTED_DATABASES_TEXT}"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(normalise_database_url(url.strip())).port  # noqa: B018 - parsing is the check
    except (ArgumentError, ValueError):  # not the library's message: it can quote the URL, password and all
        return ("is not a valid database URL: check the host and port, and percent-encode @ : / in the "
                "password (e.g. postgresql://user:p%40ss@host:5432/database)")
    return None


def normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` forms and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _format_errors(source: str, err: ValidationError) -> str:
    lines = [f"{source} is not valid:"]
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key (a typo?)"
        if source == "environment":  # named as it is set
            key, msg = key.upper(), msg.removeprefix("Value error, ")
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


def parse_settings(data: Mapping[str, Any], source: str = "settings") -> Settings:
    """Validate a decoded settings mapping; raises SettingsError naming each wrong key."""
    try:
        return Settings.model_validate(dict(data))
    except ValidationError as e:
        raise SettingsError(_format_errors(source, e)) from None


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Load settings.toml (from `path`, $HANDOFF_SETTINGS or ./settings.toml) and the environment."""
    environ = os.environ if environ is None else environ
    explicit = path or environ.get("HANDOFF_SETTINGS")
    p = Path(explicit) if explicit else DEFAULT_SETTINGS_PATH
    read_from: Path | None = p
    data: dict[str, Any] = {}
    if p.exists():
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise SettingsError(f"{p} is not valid TOML: {e}") from None
        except (OSError, UnicodeDecodeError) as e:
            raise SettingsError(f"{p} cannot be read: {e}") from None
    elif explicit:
        raise SettingsError(f"settings file {p} does not exist")
    else:
        read_from = None  # built-in defaults
    settings = parse_settings(data, str(read_from or "built-in defaults"))
    _check_model(settings)
    try:
        # strings all: validation turns each into its field's type
        given: dict[str, Any] = {k.lower(): v for k, v in environ.items() if k.lower() in Environment.model_fields}
        env = Environment(**given)
    except ValidationError as e:
        raise SettingsError(_format_errors("environment", e)) from None
    return Config(settings=settings, env=env, path=read_from)


def _check_model(settings: Any) -> None:
    """A learned model that cannot be read is a settings error at start-up, not a failure on the first turn.

    Only the file's opening is read: every command loads settings, and only the ones that decide load
    the model itself (serve loads it before its first request)."""
    learned = settings.triggers.learned
    if not learned.enabled:
        return
    from handoff.core.decide.learned.model import check_file

    try:
        check_file(learned.model_path)
    except OSError as e:
        raise SettingsError(f"triggers.learned.model_path: cannot read {learned.model_path}: {e.strerror}") from None
    except ValueError as e:
        raise SettingsError(f"triggers.learned.model_path: {e}") from None

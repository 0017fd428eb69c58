"""The connectors' tables of settings.toml, apart from the connectors so reading settings loads no vendor library."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StripeSettings(BaseModel):
    """The `[stripe]` table of settings.toml (the key itself comes from STRIPE_API_KEY)."""

    model_config = ConfigDict(extra="forbid")

    api_base: str | None = None
    timeout_seconds: float = Field(1.5, gt=0)
    window_days: int = Field(90, gt=0)
    max_disputed_charges: int = Field(5, ge=0)


class HubSpotSettings(BaseModel):
    """The `[hubspot]` table of settings.toml (the token itself comes from HUBSPOT_ACCESS_TOKEN)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    timeout_seconds: float = Field(1.5, gt=0)
    health_properties: list[str] = Field(default_factory=lambda: ["health_score"])
    churn_properties: list[str] = Field(default_factory=lambda: ["churn_risk"])
    tier_property: str = "tier"
    closed_stages: list[str] = Field(default_factory=lambda: ["closedwon", "closedlost"])
    max_deals: int = Field(20, ge=0)


class EnrichmentSettings(BaseModel):
    """The `[enrichment]` table of settings.toml."""

    model_config = ConfigDict(extra="forbid")

    budget_seconds: float = Field(2.0, gt=0)
    source_timeouts: dict[str, float] = Field(default_factory=dict)
    cache_ttl_seconds: float = Field(60.0, ge=0)
    failure_ttl_seconds: float = Field(5.0, ge=0)
    cache_max_entries: int = Field(10_000, ge=0)


class SunshineSettings(BaseModel):
    """The `[sunshine]` table of settings.toml: Zendesk messaging's Switchboard (the key comes from
    SUNSHINE_KEY_ID and SUNSHINE_KEY_SECRET)."""

    model_config = ConfigDict(extra="forbid")

    app_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    # unset: https://<[zendesk] subdomain>.zendesk.com/sc, else the library's default (api.smooch.io)
    url: str | None = None
    # the switchboard integration that becomes active on a handoff: Zendesk's agent workspace
    switchboard_integration: str = Field("zd-agentWorkspace", min_length=1, max_length=128)
    timeout_seconds: float = Field(10.0, gt=0, le=60)


class LinearSettings(BaseModel):
    """The `[linear]` table of settings.toml: bug reports filed in Linear (the key comes from LINEAR_API_KEY)."""

    model_config = ConfigDict(extra="forbid")

    # the team the issues are filed in (its id, a UUID); unset: no bug reports at all
    team_id: str | None = Field(None, min_length=1, max_length=64)
    label_ids: list[str] = Field(default_factory=list)
    # pages that count as product areas (glob patterns on host/path or path: "*/editor/*", "/reports/*")
    product_areas: list[str] = Field(default_factory=list)
    include_customer_name: bool = False  # the customer's name in the report (never the e-mail)
    url: str | None = None  # default https://api.linear.app/graphql; LINEAR_API_URL wins
    timeout_seconds: float = Field(10.0, gt=0, le=60)

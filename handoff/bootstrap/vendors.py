"""Building the vendor connectors from the settings and the environment (part of the composition root)."""
from __future__ import annotations

from typing import Any

from connectors.enrichment import Enricher, build_sources
from handoff.settings import Config


def plain_env(config: Config) -> dict[str, str]:
    """The environment as plain strings for connector factories (secrets unwrapped, never logged)."""
    out: dict[str, str] = {}
    for name in type(config.env).model_fields:
        value = getattr(config.env, name)
        if value is None:
            continue
        out[name.upper()] = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    return out


def build_bot_webhook(config: Config, sinks: dict[str, Any], notes: list[str]) -> str:
    """The bot webhook's sink when `[bot] webhook_url` and its secret are set (target "bot"), else "local"."""
    bot, secret = config.settings.bot, plain_env(config).get("HANDOFF_BOT_WEBHOOK_SECRET")
    if bot.webhook_url and secret:
        from connectors.bot_webhook import BotWebhook

        sinks["bot"] = BotWebhook(bot.webhook_url, secret, timeout_seconds=bot.timeout_seconds)
        return "bot"
    if bot.webhook_url:
        notes.append("[bot] webhook_url is set but HANDOFF_BOT_WEBHOOK_SECRET is not: customer updates are not "
                     "posted unsigned; they are kept in the local outbox")
    return "local"


def build_zendesk(config: Config) -> Any:
    """The Zendesk connector, or None when its credentials or location are missing."""
    s, env = config.settings, plain_env(config)
    url = env.get("ZENDESK_URL") or s.zendesk.url
    if not (env.get("ZENDESK_EMAIL") and env.get("ZENDESK_API_TOKEN") and (s.zendesk.subdomain or url)):
        return None
    from connectors.zendesk import ZendeskConnector

    return ZendeskConnector(s.zendesk.subdomain, env["ZENDESK_EMAIL"], env["ZENDESK_API_TOKEN"], url=url,
                            timeout=s.zendesk.timeout_seconds)


def build_sunshine(config: Config, notes: list[str] | None = None) -> Any:
    """The Zendesk messaging (Sunshine Conversations) connector, or None without its key and app id (the
    Switchboard's passes and releases are then kept in the local outbox; half a configuration is noted)."""
    s, env = config.settings.sunshine, plain_env(config)
    given = {"SUNSHINE_KEY_ID": env.get("SUNSHINE_KEY_ID"), "SUNSHINE_KEY_SECRET": env.get("SUNSHINE_KEY_SECRET"),
             "[sunshine] app_id": s.app_id}
    if not all(given.values()):
        if any(given.values()) and notes is not None:
            missing = " and ".join(k for k, v in given.items() if not v)
            notes.append(f"Zendesk messaging is half configured ({missing} not set): Switchboard passes and releases "
                         "are kept in the local outbox")
        return None
    from connectors.sunshine import SunshineConnector, api_url

    if notes is not None and env["SUNSHINE_KEY_ID"].startswith("int_"):
        notes.append("SUNSHINE_KEY_ID is an integration key: Sunshine refuses releaseControl with it while the agent "
                     "workspace has the conversation, so releases fail; use an app key (app_…)")

    url = api_url(env.get("SUNSHINE_API_URL") or s.url, config.settings.zendesk.subdomain)
    return SunshineConnector(env["SUNSHINE_KEY_ID"], env["SUNSHINE_KEY_SECRET"], app_id=s.app_id or "", url=url,
                             switchboard_integration=s.switchboard_integration, timeout=s.timeout_seconds)


def build_enricher(config: Config, *, zendesk: Any = None) -> Enricher:
    """The enricher over Stripe, HubSpot and Zendesk history; a source without credentials is "not configured"."""
    from connectors.enrichment import NotConfiguredSource
    from connectors.zendesk import ZendeskHistorySource

    s = config.settings
    zendesk = zendesk if zendesk is not None else build_zendesk(config)
    history = ZendeskHistorySource(zendesk) if zendesk is not None else NotConfiguredSource("zendesk")
    sources = build_sources(env=plain_env(config), stripe=s.stripe, hubspot=s.hubspot, extra=[history])
    return Enricher.from_settings(sources, s.enrichment, rules=s.account)


def build_linear(config: Config, notes: list[str] | None = None) -> Any:
    """The Linear connector for bug reports, or None without LINEAR_API_KEY and `[linear] team_id` (with a team
    and no key, the reports are kept in the local outbox; a key without a team files nothing, and says so)."""
    s, env = config.settings.linear, plain_env(config)
    key = env.get("LINEAR_API_KEY")
    if not (key and s.team_id):
        if notes is not None and (key or s.team_id):
            notes.append("LINEAR_API_KEY is set but [linear] team_id is not: no bug reports are filed" if key else
                         "LINEAR_API_KEY is not set: bug reports are kept in the local outbox")
        return None
    from connectors.linear import LinearConnector

    return LinearConnector(key, url=env.get("LINEAR_API_URL") or s.url, timeout=s.timeout_seconds)

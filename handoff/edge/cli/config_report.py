"""What `handoff check-config` prints: the settings as understood, secrets shown only as set or not."""
from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from handoff.settings import Config


def _masked_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown by its scheme only
        return url.split(":", 1)[0] + ":…"


def config_summary(config: Config) -> dict[str, Any]:
    """The facts check-config shows, as data (no secret values)."""
    s, env = config.settings, config.env
    def is_set(name: str) -> str:
        return "set" if getattr(env, name) else "not set"

    teams = getattr(s.routing, "teams", [])
    agents = getattr(s.routing, "agents", [])
    triggers = {
        name: getattr(section, "enabled", True)
        for name, section in s.triggers
        if hasattr(section, "enabled")
    }
    return {
        "settings_file": str(config.path) if config.path else "built-in defaults",
        "database": _masked_url(config.database_url()),
        "api_keys": f"{len(env.api_keys())} configured" if env.api_keys() else
                    "none (only this machine's loopback, not proxied; behind a proxy on this machine set keys)",
        "metrics_and_docs": _operations_access(s.service.metrics_require_key, bool(env.api_keys())),
        "http_timeouts": (f"headers {s.service.header_timeout_seconds:g} s, body {s.service.body_timeout_seconds:g} s, "
                          f"keep-alive {s.service.keep_alive_timeout_seconds:g} s, max connections "
                          f"{s.service.max_connections or 'from the open-file limit'}"),
        "slack_workspace": _slack_workspace(s.slack.team_id, s.slack.app_id),
        "zendesk": "on" if env.zendesk_email and env.zendesk_api_token and (s.zendesk.subdomain or s.zendesk.url or env.zendesk_url) else "off (tickets kept locally)",
        "slack": "on" if env.slack_bot_token else "off (alerts kept locally)",
        "stripe": "on" if env.stripe_api_key else "off",
        "hubspot": "on" if env.hubspot_access_token else "off",
        "zendesk_messaging": (f"on (app {s.sunshine.app_id}, passes to {s.sunshine.switchboard_integration})"
                              if env.sunshine_key_id and env.sunshine_key_secret and s.sunshine.app_id
                              else "off (Switchboard passes and releases kept locally)"),
        "bot_webhook": (("on" if env.handoff_bot_webhook_secret else "off (HANDOFF_BOT_WEBHOOK_SECRET is not set)")
                        if s.bot.webhook_url else "off (updates kept locally)"),
        "linear": (("on" if env.linear_api_key else "off (bug reports kept locally)") + f" (team {s.linear.team_id})"
                   if s.linear.team_id else "off (no [linear] team_id)"),
        "secrets": {n: is_set(n) for n in ("zendesk_api_token", "zendesk_webhook_secret", "slack_bot_token",
                                            "slack_signing_secret", "stripe_api_key", "hubspot_access_token",
                                            "sunshine_key_secret", "handoff_bot_webhook_secret", "linear_api_key")},
        "triggers": triggers,
        "teams": [getattr(t, "name", str(t)) for t in teams],
        "agents": [getattr(a, "id", str(a)) for a in agents],
    }


def _operations_access(require_key: bool | None, keyed: bool) -> str:
    """Who may read /metrics, /docs, /redoc and /openapi.json."""
    if require_key is None:
        require_key = keyed
    if not require_key:
        return "open (metrics_require_key off)"
    return "API key required" if keyed else "this machine only (metrics_require_key on, no API keys)"


def _slack_workspace(team_id: str | None, app_id: str | None) -> str:
    """Which Slack workspace and app commands and buttons are accepted from."""
    if not team_id and not app_id:
        return "any (set [slack] team_id and app_id)"
    return f"team {team_id or 'any'}, app {app_id or 'any'}"


def config_report(config: Config) -> Group:
    """A readable report of the configuration."""
    d = config_summary(config)
    t = Table(title="handoff configuration", show_header=False, title_justify="left")
    t.add_column("key", style="bold")
    t.add_column("value")
    for key in ("settings_file", "database", "api_keys", "metrics_and_docs", "http_timeouts", "zendesk", "slack",
                "slack_workspace", "stripe", "hubspot", "zendesk_messaging", "linear"):
        t.add_row(key, str(d[key]))
    t.add_row("secrets", ", ".join(f"{k}: {v}" for k, v in d["secrets"].items()))
    t.add_row("triggers on", ", ".join(k for k, v in d["triggers"].items() if v) or "none")
    off = [k for k, v in d["triggers"].items() if not v]
    if off:
        t.add_row("triggers off", ", ".join(off))
    t.add_row("teams", ", ".join(d["teams"]))
    t.add_row("agents", ", ".join(d["agents"]) or "none")
    return Group(t, Text("settings are valid", style="green"))

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
        "api_keys": f"{len(env.api_keys())} configured" if env.api_keys() else "none (local requests only)",
        "zendesk": "on" if env.zendesk_email and env.zendesk_api_token and (s.zendesk.subdomain or s.zendesk.url or env.zendesk_url) else "off (tickets kept locally)",
        "slack": "on" if env.slack_bot_token else "off (alerts kept locally)",
        "stripe": "on" if env.stripe_api_key else "off",
        "hubspot": "on" if env.hubspot_access_token else "off",
        "secrets": {n: is_set(n) for n in ("zendesk_api_token", "zendesk_webhook_secret", "slack_bot_token",
                                            "slack_signing_secret", "stripe_api_key", "hubspot_access_token")},
        "triggers": triggers,
        "teams": [getattr(t, "name", str(t)) for t in teams],
        "agents": [getattr(a, "id", str(a)) for a in agents],
    }


def config_report(config: Config) -> Group:
    """A readable report of the configuration."""
    d = config_summary(config)
    t = Table(title="handoff configuration", show_header=False, title_justify="left")
    t.add_column("key", style="bold")
    t.add_column("value")
    for key in ("settings_file", "database", "api_keys", "zendesk", "slack", "stripe", "hubspot"):
        t.add_row(key, str(d[key]))
    t.add_row("secrets", ", ".join(f"{k}: {v}" for k, v in d["secrets"].items()))
    t.add_row("triggers on", ", ".join(k for k, v in d["triggers"].items() if v) or "none")
    off = [k for k, v in d["triggers"].items() if not v]
    if off:
        t.add_row("triggers off", ", ".join(off))
    t.add_row("teams", ", ".join(d["teams"]))
    t.add_row("agents", ", ".join(d["agents"]) or "none")
    return Group(t, Text("settings are valid", style="green"))

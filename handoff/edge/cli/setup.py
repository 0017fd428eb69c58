"""`handoff setup …`: create what Handoff needs in outside systems."""
from __future__ import annotations

from typing import Annotated, Literal, Optional

import typer


from handoff.edge.cli.base import SettingsOpt, config_from, fail, setup_app


@setup_app.command("zendesk")
def setup_zendesk_cmd(
    settings: SettingsOpt = None,
    url: Annotated[Optional[str], typer.Option(
        "--url", help="public URL of POST /webhooks/zendesk (default: [service] public_url + /webhooks/zendesk)")] = None,
    name: Annotated[str, typer.Option(help="name of the webhook and the trigger")] = "Handoff",
    kind: Annotated[str, typer.Option(help="trigger (default; carries CSAT) or events")] = "trigger",
    show_secret: Annotated[bool, typer.Option("--show-secret", help="print the webhook's signing secret")] = False,
) -> None:
    """Create the Zendesk webhook (and trigger) that call this service; safe to run again."""
    from connectors.errors import UpstreamError
    from handoff.bootstrap import setup_zendesk_webhook

    config = config_from(settings)
    if kind not in ("trigger", "events"):
        fail("--kind must be trigger or events")
    zendesk_kind: Literal["trigger", "events"] = "events" if kind == "events" else "trigger"
    url = url or config.settings.service.public_url.rstrip("/") + "/webhooks/zendesk"
    if not url.startswith(("https://", "http://")):
        fail("--url must be the public http(s) URL of /webhooks/zendesk")
    try:
        typer.echo(setup_zendesk_webhook(config, url=url, name=name, kind=zendesk_kind, show_secret=show_secret))
    except (LookupError, UpstreamError, ValueError) as e:
        fail(str(e))

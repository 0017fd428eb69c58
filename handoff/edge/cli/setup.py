"""`handoff setup …`: create what Handoff needs in outside systems."""
from __future__ import annotations

import ipaddress
from typing import Annotated, Literal, Optional
from urllib.parse import urlsplit

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
    allow_local: Annotated[bool, typer.Option(
        "--allow-local", help="accept a loopback, private or local-only URL (Zendesk cannot reach one)")] = False,
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
    local = local_host(url)
    if local and not allow_local:
        fail(f"{url} is {local}: Zendesk's servers cannot reach it. Give the public URL with --url, or set "
             "[service] public_url in settings.toml; --allow-local registers it anyway (a tunnel, a test)")
    try:
        typer.echo(setup_zendesk_webhook(config, url=url, name=name, kind=zendesk_kind, show_secret=show_secret))
    except (LookupError, UpstreamError, ValueError) as e:
        fail(str(e))


def local_host(url: str) -> str | None:
    """Why `url`'s host is reachable only from this machine or network (loopback, private, a local name), or None."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return "not a URL"
    if not host:
        return "a URL without a host"
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return f"on a local-only host ({host})"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None if "." in host else f"on a host name without a domain ({host})"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return f"a loopback address ({host})"
    if address.is_private or address.is_link_local or address.is_unspecified or address.is_reserved:
        return f"a private address ({host})"
    return None

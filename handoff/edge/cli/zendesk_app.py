"""`handoff setup zendesk-app`: package the sidebar app (apps/zendesk-sidebar) into the zip Zendesk accepts.

The zip holds manifest.json, assets/ and translations/ at its root, as Zendesk's app upload and `zcli apps:create`
take it; the manifest's `domainWhitelist` names the service's host, the only domain Zendesk's proxy may send the
app's secure setting (the service key) to. Files for development only (zcli.apps.config.json, screenshots/,
tools/) stay out.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Annotated, Optional
from urllib.parse import urlsplit

import typer

from handoff.edge.cli.base import SettingsOpt, config_from, fail, setup_app
from handoff.edge.cli.setup import local_host

APP_DIR = Path(__file__).resolve().parents[3] / "apps" / "zendesk-sidebar"
PACKAGED = ("assets", "translations")  # with manifest.json: what Zendesk reads
# zip entries get a fixed time, so the same files make the same zip
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def package_app(app_dir: Path, out: Path, service_url: str) -> list[str]:
    """Write the app's zip to `out` with the manifest's domainWhitelist set to the service's host; the entries."""
    manifest = json.loads((app_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["domainWhitelist"] = [urlsplit(service_url).hostname]
    files = sorted(p for d in PACKAGED for p in (app_dir / d).rglob("*") if p.is_file())
    out.parent.mkdir(parents=True, exist_ok=True)
    names = ["manifest.json"]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("manifest.json", FIXED_TIME), json.dumps(manifest, indent=2) + "\n",
                   zipfile.ZIP_DEFLATED)
        for path in files:
            name = path.relative_to(app_dir).as_posix()
            z.writestr(zipfile.ZipInfo(name, FIXED_TIME), path.read_bytes(), zipfile.ZIP_DEFLATED)
            names.append(name)
    return names


@setup_app.command("zendesk-app")
def setup_zendesk_app_cmd(
    settings: SettingsOpt = None,
    out: Annotated[Path, typer.Option("--out", help="where to write the zip")] = Path("handoff-zendesk-app.zip"),
    service_url: Annotated[Optional[str], typer.Option(
        "--service-url", help="the service's public URL the app calls (default: [service] public_url)")] = None,
    app_dir: Annotated[Path, typer.Option("--app-dir", help="the app's folder")] = APP_DIR,
    allow_local: Annotated[bool, typer.Option(
        "--allow-local", help="accept a loopback, private or local-only URL (Zendesk's proxy cannot reach one)")] = False,
) -> None:
    """Package the Zendesk sidebar app into the zip Zendesk accepts (upload it, or `zcli apps:create`)."""
    config = config_from(settings)
    url = (service_url or config.settings.service.public_url).rstrip("/")
    if not url.startswith(("https://", "http://")) or not urlsplit(url).hostname:
        fail("--service-url must be the service's public http(s) URL, e.g. https://handoff.example.com")
    local = local_host(url)
    if local and not allow_local:
        fail(f"{url} is {local}: Zendesk's proxy cannot reach it. Give the public URL with --service-url, or set "
             "[service] public_url in settings.toml; --allow-local packages it anyway (a tunnel, a test)")
    if not (app_dir / "manifest.json").is_file():
        fail(f"{app_dir} holds no manifest.json: give the app's folder with --app-dir")
    names = package_app(app_dir, out, url)
    key_set = bool(config.env.handoff_zendesk_app_key or config.env.handoff_zendesk_app_secret)
    typer.echo(f"Wrote {out} ({len(names)} files) for {url}.")
    typer.echo("Upload it in Zendesk (Admin Center > Apps and integrations > Zendesk Support apps > Upload private "
               f"app), or with Zendesk's CLI on its unzipped copy: unzip -o {out} -d handoff-zendesk-app && "
               "zcli apps:validate handoff-zendesk-app && zcli apps:create handoff-zendesk-app")
    typer.echo(f"Settings: service_url = {url}; service_key = the value of HANDOFF_ZENDESK_APP_KEY.")
    if not key_set:
        typer.echo("HANDOFF_ZENDESK_APP_KEY is not set here: set it on the service, or /zendesk-app/ refuses the app.")

"""`handoff setup zendesk-app`: the zip Zendesk accepts, with the service's domain for the secure setting."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from handoff.edge.cli.base import app
from handoff.edge.cli.zendesk_app import APP_DIR, package_app

runner = CliRunner()


def setup(tmp_path: Path, *args: str):
    settings = tmp_path / "settings.toml"
    settings.write_text("[service]\npublic_url = 'https://handoff.acme.com'\n", encoding="utf-8")
    return runner.invoke(app, ["setup", "zendesk-app", "--settings", str(settings), *args],
                         env={"DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"})


def test_the_zip_holds_what_zendesk_reads_and_names_the_services_domain(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    r = setup(tmp_path, "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "zcli apps:validate" in r.output and "HANDOFF_ZENDESK_APP_KEY" in r.output
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
    assert {"manifest.json", "assets/iframe.html", "assets/main.js", "assets/logo.png", "assets/logo-small.png",
            "translations/en.json", "translations/pt.json"} <= names
    assert not any(n.startswith(("screenshots/", "tools/")) or n == "zcli.apps.config.json" for n in names)
    assert manifest["domainWhitelist"] == ["handoff.acme.com"]
    assert manifest["location"]["support"]["ticket_sidebar"]["url"] == "assets/iframe.html"


def test_the_same_files_make_the_same_zip(tmp_path: Path) -> None:
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    package_app(APP_DIR, a, "https://handoff.acme.com")
    package_app(APP_DIR, b, "https://handoff.acme.com")
    assert a.read_bytes() == b.read_bytes()


def test_a_url_zendesk_cannot_reach_is_refused_unless_allowed(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    refused = setup(tmp_path, "--out", str(out), "--service-url", "http://127.0.0.1:8000")
    assert refused.exit_code != 0 and "cannot reach" in refused.output and not out.exists()
    allowed = setup(tmp_path, "--out", str(out), "--service-url", "http://127.0.0.1:8000", "--allow-local")
    assert allowed.exit_code == 0
    assert setup(tmp_path, "--service-url", "ftp://x").exit_code != 0
    missing = setup(tmp_path, "--out", str(out), "--app-dir", str(tmp_path))
    assert missing.exit_code != 0 and "manifest.json" in missing.output

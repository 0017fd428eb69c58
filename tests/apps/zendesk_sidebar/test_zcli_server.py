"""Zendesk's own CLI serves the app: `zcli apps:server apps/zendesk-sidebar` answers /app.json with the
ticket_sidebar location and the test settings of zcli.apps.config.json, and serves the app's page.

zcli comes from npm (@zendesk/zcli, installed by .ci/run into .ci/node); without it the test skips, saying so.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from handoff.devtools.support.processes import free_port, wait_until
from handoff.devtools.support.sidebar_harness import APP_DIR, ROOT


def _zcli() -> str | None:
    for candidate in (os.environ.get("ZCLI"), shutil.which("zcli"), str(ROOT / ".ci/node/node_modules/.bin/zcli")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


ZCLI = _zcli()
pytestmark = pytest.mark.skipif(ZCLI is None, reason="needs Zendesk's CLI: npm install --prefix .ci/node @zendesk/zcli "
                                                     "(.ci/run does), or ZCLI=/path/to/zcli")


def test_zcli_serves_the_app_with_its_ticket_sidebar(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "zcli.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(ZCLI), "apps:server", str(APP_DIR), "--port", str(port), "--bind", "127.0.0.1"],
                                stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path, start_new_session=True,
                                env={**os.environ, "HOME": str(tmp_path)})
    try:
        def app_json() -> dict | None:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/app.json", timeout=2)
                return r.json() if r.status_code == 200 else None
            except httpx.HTTPError:
                return None

        served = wait_until(app_json, 60, f"zcli apps:server on port {port} ({log})", procs=(proc,))
        app = served["apps"][0]
        assert app["name"] == "Handoff" and app["framework_version"] == "2.0"
        assert app["locations"]["support"]["ticket_sidebar"]["url"] == "assets/iframe.html"
        settings = {k: v for s in served["installations"][0]["settings"] for k, v in s.items()}
        assert settings["service_url"] == "http://127.0.0.1:8000" and settings["service_key"]
        page = httpx.get(f"http://127.0.0.1:{port}/{app['id']}/assets/iframe.html", timeout=5)
        assert page.status_code == 200 and "zaf_sdk.min.js" in page.text and 'src="main.js"' in page.text
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # zcli and the node processes it started: its own session
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

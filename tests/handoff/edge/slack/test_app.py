"""The Slack app's wiring: the client and secret it is built with, its route, the manifest, its logging."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from connectors.slack import SlackConnector
from handoff.edge.slack.app import build_slack_app
from handoff.edge.slack.front_door import mount_slack
from tests.handoff.edge.slack.support import (
    SECRET,
    FakeOps,
    SlackWithResponseUrls,
    ack_text,
    command_body,
    eventually,
    post,
)


# -- wiring -----------------------------------------------------------------------------------------

def test_a_client_with_another_token_is_refused(slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    connector = SlackConnector("xoxb-other", base_url=slack.api_url)
    with pytest.raises(ValueError, match="another token"):
        build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=connector.client)


def test_an_empty_signing_secret_is_refused(slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    connector = SlackConnector(slack.token, base_url=slack.api_url)
    with pytest.raises(ValueError, match="SLACK_SIGNING_SECRET"):
        build_slack_app(ops, token=slack.token, signing_secret="", client=connector.client)


def test_the_route_is_in_the_openapi_document(slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    app = FastAPI()
    connector = SlackConnector(slack.token, base_url=slack.api_url)
    mount_slack(app, build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=connector.client))
    assert "post" in app.openapi()["paths"]["/slack/events"]


# -- the manifest -----------------------------------------------------------------------------------

MANIFEST = Path(__file__).resolve().parents[4] / "slack-app-manifest.yml"


def test_manifest_creates_the_app_with_the_command_and_scopes() -> None:
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert manifest["display_information"]["name"] == "Handoff"
    assert len(manifest["display_information"]["description"]) <= 140
    assert 175 <= len(manifest["display_information"]["long_description"]) <= 4000
    assert manifest["features"]["bot_user"]["display_name"] == "Handoff"
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/handoff" and command["url"] == "https://YOUR-HOST/slack/events"
    for sub in ("help", "queue", "status", "claim", "release", "available", "away", "callbacks", "stats", "lookup",
                "refresh"):
        assert re.search(rf"\b{sub}\b", command["usage_hint"]), sub
    assert manifest["settings"]["interactivity"] == {"is_enabled": True,
                                                     "request_url": "https://YOUR-HOST/slack/events"}
    assert manifest["settings"]["org_deploy_enabled"] is False
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "chat:write", "chat:write.public", "commands", "im:write", "im:history", "channels:history",
        "groups:history", "users:read", "users:read.email"}


async def test_mounted_through_create_app_behind_its_body_limit(slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    from handoff.edge.http.api import create_app

    connector = SlackConnector(slack.token, base_url=slack.api_url, timeout=2.0)
    slack_app = build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=connector.client)
    app = create_app(object(), api_keys=["k"], max_body_bytes=4096,  # type: ignore[arg-type]
                     extra_routes=lambda fastapi_app: mount_slack(fastapi_app, slack_app))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://handoff.test") as client:
        assert ack_text(await post(client, command_body(slack, "stats"))) == "Computing stats…"
        await eventually(lambda: slack.responded, "the answer")
        too_big = command_body(slack, "x" * 5000)
        assert (await post(client, too_big)).status_code == 413


async def test_a_client_without_token_gets_the_given_one(slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=AsyncWebClient(base_url=slack.api_url))
    assert bolt.client.token == slack.token and bolt.client.base_url == slack.api_url


# -- logging ------------------------------------------------------------------------------------------

@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The process's logging as it was before the test, whatever the test configured."""
    import logging

    import structlog

    root = logging.getLogger()
    saved = (list(root.handlers), root.level, structlog.get_config())
    loggers = {name: logging.getLogger(name).level for name in ("handoff.slack.bolt", "slack_bolt")}
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        structlog.configure(**saved[2])
        for name, level in loggers.items():
            logging.getLogger(name).setLevel(level)


async def test_at_debug_level_bolt_logs_no_debug_lines_with_the_body(
    restore_logging: None, slack: SlackWithResponseUrls, ops: FakeOps, capsys: pytest.CaptureFixture[str],
) -> None:
    import structlog

    from handoff.logs import configure_logging

    configure_logging("debug", "json")  # as `serve` does, before the app is built
    connector = SlackConnector(slack.token, base_url=slack.api_url, timeout=2.0)
    app = FastAPI()
    mount_slack(app, build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=connector.client))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://handoff.test") as client:
        response = await post(client, command_body(slack, "frobnicate-zq7x"))
    assert "frobnicate-zq7x" in json.dumps(response.json())  # bolt handled it and answered with the text
    structlog.get_logger("handoff.test").debug("our debug line")
    err = capsys.readouterr().err
    assert "our debug line" in err  # debug really is on
    assert "frobnicate-zq7x" not in err  # bolt's "Responding with status: 200 body: ..." stayed off
    assert "Applying " not in err and "Checking listener" not in err

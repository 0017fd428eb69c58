"""Fixtures of the Slack app tests: FakeSlack, the in-memory Operations, and the app mounted on FastAPI."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from connectors.slack import SlackConnector
from handoff.edge.slack.app import build_slack_app
from handoff.edge.slack.front_door import mount_slack
from handoff.edge.slack.operations import Operations
from tests.handoff.edge.slack.support import SECRET, FakeOps, SlackWithResponseUrls


@pytest.fixture
def slack() -> Iterator[SlackWithResponseUrls]:
    server = SlackWithResponseUrls().start()
    try:
        yield server  # type: ignore[misc]
    finally:
        server.stop()


@pytest.fixture
def ops() -> FakeOps:
    return FakeOps()


@pytest.fixture
async def http(slack: SlackWithResponseUrls, ops: FakeOps) -> AsyncIterator[httpx.AsyncClient]:
    """A FastAPI app with the Slack app mounted, wired as the composition root does."""
    connector = SlackConnector(slack.token, base_url=slack.api_url, timeout=2.0)
    typed: Operations = ops  # FakeOps must satisfy the Protocol the lead implements
    app = FastAPI()
    mount_slack(app, build_slack_app(typed, token=slack.token, signing_secret=SECRET, client=connector.client))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://handoff.test") as client:
        yield client

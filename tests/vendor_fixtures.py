"""pytest fixtures for the fake vendors; registered by tests/conftest.py via `pytest_plugins`.

- `fake_zendesk`: a started FakeZendesk (`.url`, `.tickets`, `.comments`, `.users`, `.requests`,
  `.fail_next(...)`, `.delay`, `.garbage`); credentials `.email` / `.token`.
- `fake_slack`: a started FakeSlack (`.url`, `.api_url`, `.messages`, `.ephemeral`, `.calls`,
  `.fail_next(...)`, `.fail_with(error)`, `.delay`, `.garbage`); bot token `.token`.
- `fake_sunshine`: a started FakeSunshine (Sunshine Conversations' Switchboard actions: `.conversations`,
  `.actions`, `.add_conversation(id)`, `.fail_next(...)`); key `.key_id` / `.key_secret`, app `.app_id`.
- `fake_linear`: a started FakeLinear (Linear's GraphQL API: `.issues`, `.created`, `.commented`, `.rate_limit()`,
  `.fail_next(...)`); key `.api_key`, team `.team_id`, endpoint `.url + "/graphql"`.
- `zendesk_connector`, `slack_connector`, `sunshine_connector`: the real connectors pointed at those fakes.
Each is function-scoped: a fresh server (random free port) per test, stopped afterwards.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.slack import SlackConnector
from connectors.sunshine import SunshineConnector
from connectors.zendesk import ZendeskConnector
from handoff.devtools.fakes.linear import FakeLinear
from handoff.devtools.fakes.slack import FakeSlack
from handoff.devtools.fakes.sunshine import FakeSunshine
from handoff.devtools.fakes.zendesk import FakeZendesk

CONNECTOR_TIMEOUT = 2.0


@pytest.fixture
def fake_zendesk() -> Iterator[FakeZendesk]:
    """A local Zendesk Support API for one test."""
    server = FakeZendesk().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A local Slack Web API for one test."""
    server = FakeSlack().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def zendesk_connector(fake_zendesk: FakeZendesk) -> Iterator[ZendeskConnector]:
    """ZendeskConnector (real zenpy) talking to `fake_zendesk`."""
    connector = ZendeskConnector(None, fake_zendesk.email, fake_zendesk.token, url=fake_zendesk.url,
                                 timeout=CONNECTOR_TIMEOUT)
    yield connector
    connector.close()


@pytest.fixture
def slack_connector(fake_slack: FakeSlack) -> SlackConnector:
    """SlackConnector (real slack_sdk AsyncWebClient) talking to `fake_slack`."""
    return SlackConnector(fake_slack.token, base_url=fake_slack.api_url, timeout=CONNECTOR_TIMEOUT)


@pytest.fixture
def fake_sunshine() -> Iterator[FakeSunshine]:
    """A local Sunshine Conversations API (the Switchboard actions) for one test."""
    server = FakeSunshine().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sunshine_connector(fake_sunshine: FakeSunshine) -> Iterator[SunshineConnector]:
    """SunshineConnector (real sunshine-conversations-client) talking to `fake_sunshine`."""
    connector = SunshineConnector(fake_sunshine.key_id, fake_sunshine.key_secret, app_id=fake_sunshine.app_id,
                                  url=fake_sunshine.url, timeout=CONNECTOR_TIMEOUT)
    yield connector
    connector.close()


@pytest.fixture
def fake_linear() -> Iterator[FakeLinear]:
    """A local Linear GraphQL API for one test."""
    server = FakeLinear().start()
    try:
        yield server
    finally:
        server.stop()

"""Fixtures of the fault tests: a runtime on the test database, pointed at the fake vendors, on a test clock."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from handoff.bootstrap import Runtime, build_runtime
from handoff.core.models import Customer
from handoff.app.turns import TurnInput
from tests.faults.support import CHANNEL, HUMAN_PLEASE, vendor_env
from handoff.devtools.support.clock import Clock

CONNECTOR_TIMEOUT = 0.5
MAX_ATTEMPTS = 3

FAULT_SETTINGS = f"""
[zendesk]
subdomain = "acme"
timeout_seconds = {CONNECTOR_TIMEOUT}
[slack]
default_channel = "{CHANNEL}"
timeout_seconds = {CONNECTOR_TIMEOUT}
[delivery]
max_attempts = {MAX_ATTEMPTS}
backoff_initial_seconds = 2.0
backoff_max_seconds = 60.0
lease_seconds = 30.0
"""


@pytest.fixture
def clock() -> Clock:
    """The runtime's clock (a Monday, 10:00 in New York: teams on shift)."""
    return Clock()


@pytest.fixture
def runtime(make_config, fake_zendesk, fake_slack, clock) -> Iterator[Runtime]:
    """A runtime whose deliveries only go out when the test calls `dispatcher.run_due()`."""
    rt = build_runtime(make_config(FAULT_SETTINGS, **vendor_env(fake_zendesk, fake_slack)), clock=clock)
    rt.service.on_handoff = lambda _id: None  # the test drives the dispatcher itself
    try:
        yield rt
    finally:
        rt.close()


async def make_handoff(rt: Runtime, conversation_id: str = "c-fault") -> str:
    """Post a turn that hands off; returns the handoff id (its two deliveries are stored, not sent)."""
    answer: dict[str, Any] = await rt.service.post_message(conversation_id, TurnInput(
        role="customer", text=HUMAN_PLEASE, message_id="m-1",
        customer=Customer(email="ana@example.com", name="Ana Souza", language="en")))
    assert answer["decision"] == "handoff", answer
    return str(answer["handoff_id"])

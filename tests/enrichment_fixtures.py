"""Pytest fixtures for the enrichment fakes (registered as a plugin in tests/conftest.py)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from handoff.devtools.fakes.hubspot import FakeHubSpot
from handoff.devtools.fakes.stripe import FakeStripe


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    """A running fake Stripe API; its world starts empty."""
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def fake_hubspot() -> Iterator[FakeHubSpot]:
    """A running fake HubSpot API; its CRM starts empty."""
    with FakeHubSpot() as fake:
        yield fake

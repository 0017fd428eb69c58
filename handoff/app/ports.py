"""The ports the turn use case talks through; the composition root plugs the connectors in."""
from __future__ import annotations

from typing import Protocol

from handoff.core.models import AccountContext, Customer, Message


class Enricher(Protocol):
    """Anything that turns a customer into account facts (connectors.enrichment.Enricher)."""

    async def enrich(self, customer: Customer) -> AccountContext: ...


class Summariser(Protocol):
    """An optional writer of the one-line summary (connectors.summariser.LLMSummariser)."""

    async def summarise(self, messages: tuple[Message, ...]) -> str | None: ...

"""The ports the turn use case talks through; the composition root plugs the connectors in."""
from __future__ import annotations

from typing import Protocol

from handoff.core.decide.second_opinion import Doubt, Verdict
from handoff.core.models import AccountContext, Customer, Message


class Enricher(Protocol):
    """Anything that turns a customer into account facts (connectors.enrichment.Enricher)."""

    async def enrich(self, customer: Customer) -> AccountContext: ...


class Summariser(Protocol):
    """An optional writer of the one-line summary (connectors.summariser.LLMSummariser)."""

    async def summarise(self, messages: tuple[Message, ...]) -> str | None: ...


class SecondOpinion(Protocol):
    """An optional judge of doubtful turns (connectors.second_opinion.LLMSecondOpinion), time-boxed by itself."""

    async def ask(self, customer_texts: tuple[str, ...], doubt: Doubt) -> Verdict | None: ...

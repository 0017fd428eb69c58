"""The ports the turn use case talks through; the composition root plugs the connectors in."""
from __future__ import annotations

from typing import Protocol

from handoff.core.brief.replies import ReplyFacts
from handoff.core.decide.second_opinion import Doubt, Verdict
from handoff.core.models import AccountContext, Customer, Message
from handoff.core.similar import SimilarCase, SimilarQuery


class Enricher(Protocol):
    """Anything that turns a customer into account facts (connectors.enrichment.Enricher)."""

    async def enrich(self, customer: Customer) -> AccountContext:
        """The account facts of `customer`, each source ok or marked unavailable."""


class FreshEnricher(Enricher, Protocol):
    """An Enricher that can be told to ask the sources again for one customer (lookups, refreshes)."""

    def forget(self, customer: Customer) -> None:
        """Drop what is cached about `customer`."""


class Summariser(Protocol):
    """An optional writer of the one-line summary (connectors.summariser.LLMSummariser)."""

    async def summarise(self, messages: tuple[Message, ...]) -> str | None:
        """A one-line summary of the messages, or None to keep the extractive one."""


class ReplyDrafter(Protocol):
    """An optional drafter of the suggested replies (connectors.reply_drafter.LLMReplyDrafter), time-boxed by itself."""

    async def draft(self, facts: ReplyFacts) -> tuple[str, ...] | None:
        """Two or three replies drafted from the facts, or None to keep the rules' ones."""


class SecondOpinion(Protocol):
    """An optional judge of doubtful turns (connectors.second_opinion.LLMSecondOpinion), time-boxed by itself."""

    async def ask(self, customer_texts: tuple[str, ...], doubt: Doubt) -> Verdict | None:
        """The judge's verdict on a doubtful turn, or None when it gave none in time."""


class SimilarFinder(Protocol):
    """The earlier cases like a new handoff (handoff.app.similar_cases.SimilarCases), never an error."""

    async def similar(self, query: SimilarQuery) -> tuple[SimilarCase, ...]:
        """The past cases most like `query`, best first; none when the index is empty."""

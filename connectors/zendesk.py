"""Zendesk Support through zenpy: idempotent ticket upsert, the customer's later comments, requester history,
ticket reads, credential check.

zenpy is synchronous (requests), so every call runs in a worker thread via `asyncio.to_thread`.

How zenpy is pointed and tamed (checked against zenpy 2.0.57's source):
- zenpy always builds `https://{subdomain}.zendesk.com/api/v2/...`; the only built-in override is
  the process-wide `ZENPY_FORCE_NETLOC`/`ZENPY_FORCE_SCHEME` environment. Instead, the session gets
  a transport adapter (`ZendeskTransport`) mounted on that canonical prefix, which sends each request
  to the configured base URL (scheme, host, port and an optional path prefix) and hands the response
  back under the canonical URL, because zenpy's response handlers check `base_url in response.request.url`.
- On a 429 with `Retry-After`, zenpy's `_call_api` sleeps and retries by itself (1 s steps, no cap
  unless `ratelimit_budget` is set, and that budget only raises `RatelimitBudgetExceeded` without the
  response, so the Retry-After value is lost). The transport therefore turns every failing answer
  (401/403/404/429/4xx/5xx, invalid JSON, timeouts, connection errors) into `connectors.errors`
  before zenpy sees it: zenpy never sleeps, and our delivery policy decides on retries.
- The adapter does no transport-level retries either (zenpy's default session retries 413/503).
"""
from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta, timezone
from itertools import islice
from typing import Any, Callable, Iterable, TypeVar

import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, Ticket, User

from connectors.delivery import TicketRequest, TicketResult
from connectors.errors import (
    AuthFailed,
    NotFound,
    Unavailable,
    UpstreamError,
)
from connectors.zendesk_transport import (
    SOURCE,
    map_unexpected,
    ZendeskTransport,
    error_for_status,
)
from handoff.core.account_facts import PriorTicket, ZendeskHistory
from handoff.core.masking import for_ticket
from handoff.core.models import Customer
from handoff.core.render.zendesk_note import reference_line
from handoff.core.times import parse_iso_or_none

OPEN_STATUSES = frozenset({"new", "open", "pending", "hold"})
HANDOFF_TAG = "handoff"
HISTORY_DAYS = 90
HISTORY_LIMIT = 100  # tickets read per history lookup (one search page)
RECENT_LIMIT = 10  # recent tickets listed in the facts

T = TypeVar("T")


def note_marker(external_id: str) -> str:
    """The line every note ends with (the briefing note writes it itself); finding it makes note updates idempotent."""
    return reference_line(external_id)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _parse_time(value: Any) -> datetime | None:
    return parse_iso_or_none(value)


def _expect(value: Any, kind: type[T], what: str) -> T:
    """zenpy returns the raw response when an answer has an unexpected shape: treat that as unavailable."""
    if not isinstance(value, kind):
        raise Unavailable(SOURCE, f"unexpected answer for {what}")
    return value


def _ticket_summary(ticket: Ticket) -> PriorTicket:
    tags = tuple(ticket.tags or ())
    return PriorTicket(id=ticket.id, subject=ticket.subject, status=ticket.status, priority=ticket.priority,
                       created_at=_iso(ticket.created_at), tags=tags, handoff=HANDOFF_TAG in tags)


class ZendeskConnector:
    """Zendesk Support via zenpy: the `TicketSink`, history for enrichment, ticket reads, `check()`."""

    def __init__(
        self,
        subdomain: str | None,
        email: str,
        token: str,
        *,
        url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not subdomain and not url:
            raise ValueError("Zendesk needs a subdomain or a base URL")
        # zenpy refuses to build URLs without a subdomain; with only a URL, any label will do.
        self._subdomain = subdomain or "handoff"
        canonical = f"https://{self._subdomain}.zendesk.com"
        self._base = (url or canonical).rstrip("/")
        self._session = requests.Session()
        transport = ZendeskTransport(canonical, self._base)
        self._session.mount(canonical + "/", transport)
        if self._base != canonical:
            self._session.mount(self._base + "/", transport)
        self._client = Zenpy(subdomain=self._subdomain, email=email, token=token, session=self._session,
                             timeout=timeout, disable_cache=True)
        self._write_lock = threading.Lock()  # look-up-then-create must not interleave in this process

    def __repr__(self) -> str:
        return f"ZendeskConnector(base={self._base!r})"  # never the token

    @property
    def client(self) -> Zenpy:
        """The Zenpy client, on the session that points at the base URL and maps errors (setup uses it)."""
        return self._client

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    def agent_url(self, ticket_id: int) -> str:
        """Where an agent opens the ticket."""
        return f"{self._base}/agent/tickets/{ticket_id}"

    # -- public async API -------------------------------------------------------------------
    async def check(self) -> None:
        """Prove the credentials work (`GET /api/v2/users/me.json`)."""
        await self._run(self._check)

    async def upsert_ticket(self, request: TicketRequest) -> TicketResult:
        """Create the handoff's ticket, or add the briefing to `request.ticket_id`; never twice."""
        return await self._run(self._upsert, request)

    async def add_customer_comment(self, ticket_id: int, body: str, *, check_existing: bool = False) -> int | None:
        """Add `body` to the ticket as its requester's public comment; returns the comment's id.

        With `check_existing` (an earlier try's answer was lost), a comment of the requester with the same
        body already on the ticket counts as this one.
        """
        return await self._run(self._customer_comment, ticket_id, body, check_existing)

    async def history(self, email: str, *, now: datetime | None = None) -> ZendeskHistory:
        """The requester's open and recent tickets and earlier handoffs, as enrichment facts."""
        return await self._run(self._history, email, now or datetime.now(timezone.utc))

    async def ticket_with_comments(self, ticket_id: int) -> dict[str, Any]:
        """One ticket's fields and all its comments (oldest first)."""
        return await self._run(self._ticket_with_comments, ticket_id)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return await asyncio.to_thread(fn, *args)
        except UpstreamError:
            raise
        except Exception as exc:  # noqa: BLE001 - no zenpy/requests exception may leave the connector
            raise map_unexpected(exc) from None

    # -- blocking work (worker thread) ------------------------------------------------------
    def _check(self) -> None:
        me = _expect(self._client.users.me(), User, "users/me")
        if not me.id:  # Zendesk answers 200 with an anonymous user when credentials are not accepted
            raise AuthFailed(SOURCE, "users/me answered with the anonymous user")

    def _upsert(self, request: TicketRequest) -> TicketResult:
        with self._write_lock:
            if request.ticket_id is not None:
                return self._add_note(request.ticket_id, request)
            existing = self._find_by_external_id(request.external_id)
            if existing is not None:
                return TicketResult(existing, self.agent_url(existing), created=False)
            requester = None
            if request.requester_email:
                requester = User(name=for_ticket(request.requester_name or request.requester_email),
                                 email=request.requester_email)
            # Everything goes through the constructor: zenpy then drops the None fields (a bare
            # `ticket.requester = ...` afterwards would also send `"requester_id": null`).
            ticket = Ticket(
                subject=for_ticket(request.subject),
                comment=Comment(body=self._note(request), public=False),
                tags=list(dict.fromkeys(request.tags)),
                priority=request.priority,
                external_id=request.external_id,
                group_id=request.group_id,
                assignee_id=request.assignee_id,
                requester=requester,
            )
            answer = self._client.tickets.create(ticket)
            # Zendesk documents `{"ticket": ...}` (zenpy gives a Ticket); some answers add `audit` (a TicketAudit).
            created = answer if isinstance(answer, Ticket) else getattr(answer, "ticket", None)
            ticket_id = getattr(created, "id", None)
            if not isinstance(ticket_id, int):
                raise Unavailable(SOURCE, "ticket create answered without a ticket id")
            return TicketResult(ticket_id, self.agent_url(ticket_id), created=True)

    def _find_by_external_id(self, external_id: str) -> int | None:
        found = self._client.tickets(external_id=external_id)
        for ticket in islice(_expect_iterable(found, "tickets?external_id"), 1):
            return int(ticket.id)
        return None

    def _add_note(self, ticket_id: int, request: TicketRequest) -> TicketResult:
        ticket = _expect(self._client.tickets(id=ticket_id), Ticket, f"ticket {ticket_id}")
        marker = note_marker(request.external_id)
        comments = _expect_iterable(self._client.tickets.comments(ticket=ticket_id), "comments")
        if any(marker in (c.body or "") for c in comments):
            return TicketResult(ticket_id, self.agent_url(ticket_id), created=False)
        ticket.comment = Comment(body=self._note(request), public=False)
        ticket.tags = list(dict.fromkeys([*(ticket.tags or []), *request.tags]))
        ticket.priority = request.priority
        if request.group_id is not None:
            ticket.group_id = request.group_id
        if request.assignee_id is not None:
            ticket.assignee_id = request.assignee_id
        elif request.unassign:
            ticket.assignee_id = None  # zenpy sends a changed attribute even when None: the ticket is unassigned
        if request.status is not None:
            ticket.status = request.status
        self._client.tickets.update(ticket)
        return TicketResult(ticket_id, self.agent_url(ticket_id), created=False)

    def _customer_comment(self, ticket_id: int, body: str, check_existing: bool) -> int | None:
        text = for_ticket(body)
        with self._write_lock:
            ticket = _expect(self._client.tickets(id=ticket_id), Ticket, f"ticket {ticket_id}")
            author = ticket.requester_id
            if check_existing:
                comments = _expect_iterable(self._client.tickets.comments(ticket=ticket_id), "comments")
                for c in comments:
                    if c.author_id == author and (c.body or "").strip() == text.strip():
                        return int(c.id) if c.id is not None else None
            # authored by the requester and public: the agent reads it as the customer's own reply
            ticket.comment = Comment(body=text, public=True, author_id=author)
            answer = self._client.tickets.update(ticket)
        audit = getattr(answer, "audit", None)
        for event in getattr(audit, "events", None) or []:
            event_type = event.get("type") if isinstance(event, dict) else getattr(event, "type", None)
            if event_type == "Comment":
                event_id = event.get("id") if isinstance(event, dict) else getattr(event, "id", None)
                return int(event_id) if isinstance(event_id, int) else None
        return None

    @staticmethod
    def _note(request: TicketRequest) -> str:
        # the last line of defence: whoever built the note, no card or credential reaches the ticket
        body, marker = for_ticket(request.note.rstrip()), note_marker(request.external_id)
        # the briefing note already ends with its reference line: one is enough for people and for the search
        return body if body.endswith(marker) else f"{body}\n\n{marker}"

    def _history(self, email: str, now: datetime) -> ZendeskHistory:
        results = self._client.search(type="ticket", requester=email, sort_by="created_at", sort_order="desc")
        tickets = [t for t in islice(_expect_iterable(results, "search"), HISTORY_LIMIT) if isinstance(t, Ticket)]
        window = now - timedelta(days=HISTORY_DAYS)
        last_60 = now - timedelta(days=60)
        summaries = [(s, _parse_time(s.created_at)) for s in map(_ticket_summary, tickets)]
        recent = [s for s, at in summaries if at is not None and at >= window]
        return ZendeskHistory(
            open_tickets=tuple(s for s, _ in summaries if s.status in OPEN_STATUSES),
            recent_tickets=tuple(recent[:RECENT_LIMIT]),
            tickets_last_90_days=len(recent),
            tickets_last_60_days=sum(1 for _, at in summaries if at is not None and at >= last_60),
            prior_handoffs=sum(1 for s, _ in summaries if s.handoff),
        )

    def _ticket_with_comments(self, ticket_id: int) -> dict[str, Any]:
        ticket = _expect(self._client.tickets(id=ticket_id), Ticket, f"ticket {ticket_id}")
        comments = _expect_iterable(self._client.tickets.comments(ticket=ticket_id), "comments")
        requester: dict[str, Any] = {"id": ticket.requester_id}
        if ticket.requester_id is not None:
            user = self._client.users(id=ticket.requester_id)
            requester.update(name=getattr(user, "name", None), email=getattr(user, "email", None),
                             locale=getattr(user, "locale", None))
        return {
            "id": ticket.id,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "tags": list(ticket.tags or []),
            "external_id": ticket.external_id,
            "requester_id": ticket.requester_id,
            "requester": requester,
            "assignee_id": ticket.assignee_id,
            "group_id": ticket.group_id,
            "created_at": _iso(ticket.created_at),
            "updated_at": _iso(ticket.updated_at),
            "url": self.agent_url(ticket.id),
            "comments": [
                {"id": c.id, "author_id": c.author_id, "body": c.body, "public": bool(c.public),
                 "created_at": _iso(c.created_at)}
                for c in comments
            ],
        }


def _expect_iterable(value: Any, what: str) -> Iterable[Any]:
    if isinstance(value, (requests.Response, str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise Unavailable(SOURCE, f"unexpected answer for {what}")
    return value


class ZendeskHistorySource:
    """Enrichment source: the customer's Zendesk history (open/recent tickets, earlier handoffs)."""

    name = "zendesk"

    def __init__(self, connector: ZendeskConnector, *, clock: Callable[[], datetime] | None = None) -> None:
        self._connector = connector
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    async def fetch(self, customer: Customer) -> ZendeskHistory:
        """History facts for the customer's email; NotFound when the customer has no email."""
        if not customer.email:
            raise NotFound(SOURCE, "customer has no email")
        return await self._connector.history(customer.email, now=self._clock())


__all__ = ["ZendeskConnector", "ZendeskHistorySource", "error_for_status", "note_marker"]

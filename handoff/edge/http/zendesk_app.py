"""`/zendesk-app/…`: what the Zendesk sidebar app reads and does, mounted by the composition root.

- `GET /zendesk-app/tickets/{ticket_id}?external_id=…`: the ticket's handoff as the app shows it
  (`handoff: null` for a ticket no handoff belongs to);
- `POST /zendesk-app/handoffs/{handoff_id}/claim` and `…/hand-back`, body `{"agent_email": …}` (the Zendesk
  user's e-mail; a JWT's `email` claim wins): the Slack buttons' claim and release.
Authenticated by handoff.edge.http.zendesk_app_auth. CORS answers only the account's Zendesk origins (the app
runs in an iframe there; through Zendesk's proxy no browser origin is involved at all).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from handoff.app.sidebar import NoSuchHandoff, Sidebar, UnknownAgent
from handoff.edge.http.zendesk_app_auth import Caller, Refused, ZendeskAppAuth

PREFIX = "/zendesk-app/"
TICKET_ID_MAX = 2**63 - 1  # Zendesk ticket ids are positive 64-bit integers
HandoffId = Annotated[str, Path(max_length=64, pattern=r"^h_[0-9a-f]{1,40}$")]


class AgentIn(BaseModel):
    """Who is acting: the Zendesk user's e-mail (ZAF `currentUser.email`)."""

    model_config = ConfigDict(extra="forbid")
    agent_email: str | None = Field(None, max_length=320)


class ZendeskAppCors:
    """ASGI middleware: CORS for `/zendesk-app/` from the allowed origins only; any other origin gets no CORS
    header (its browser then refuses to hand the answer to the page) and its preflight a bare 403."""

    def __init__(self, app: Any, origins: Iterable[str]) -> None:
        self.app = app
        self.origins = frozenset(o.rstrip("/").lower() for o in origins)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(PREFIX):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        origin = headers.get(b"origin", b"").decode("latin-1")
        allowed = bool(origin) and origin.rstrip("/").lower() in self.origins
        if scope.get("method") == "OPTIONS" and headers.get(b"access-control-request-method"):
            if not allowed:
                return await Response(status_code=403)(scope, receive, send)
            preflight = Response(status_code=204, headers={
                "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Authorization, Content-Type", "Access-Control-Max-Age": "600",
                "Vary": "Origin"})
            return await preflight(scope, receive, send)
        if not allowed:
            return await self.app(scope, receive, send)

        async def send_with_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"access-control-allow-origin", origin.encode("latin-1")),
                                                  (b"vary", b"Origin")]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


async def caller(request: Request) -> Caller:
    """Who is calling (the app's key or a signed JWT); 401 with the reason otherwise."""
    auth: ZendeskAppAuth = request.app.state.zendesk_app_auth
    try:
        return auth.check(request.headers.get("authorization"))
    except Refused as e:
        raise HTTPException(401, str(e), headers={"WWW-Authenticate": "Bearer"}) from None


Authed = Annotated[Caller, Depends(caller)]


def mount_zendesk_app(app: FastAPI, sidebar: Sidebar, auth: ZendeskAppAuth, *, origins: Iterable[str]) -> None:
    """Add the sidebar app's routes and their CORS."""

    app.state.zendesk_app_auth = auth

    @app.get(PREFIX + "tickets/{ticket_id}", tags=["zendesk app"])
    async def ticket_handoff(ticket_id: Annotated[int, Path(gt=0, le=TICKET_ID_MAX)], _: Authed,
                             external_id: Annotated[str | None, Query(max_length=255)] = None) -> dict[str, Any]:
        """The ticket's handoff (by ticket id, else the ticket's external id) as the sidebar shows it."""
        return await sidebar.for_ticket(ticket_id, external_id or None)

    async def act(kind: str, handoff_id: str, who: Caller, body: AgentIn | None) -> JSONResponse:
        email = who.email or (body.agent_email if body else None)
        try:
            done = await (sidebar.claim if kind == "claim" else sidebar.hand_back)(handoff_id, email)
        except UnknownAgent as e:
            raise HTTPException(403, str(e)) from None
        except NoSuchHandoff as e:
            raise HTTPException(404, str(e)) from None
        return JSONResponse(done.as_dict(), 200 if done.ok else 409)

    @app.post(PREFIX + "handoffs/{handoff_id}/claim", tags=["zendesk app"])
    async def claim(handoff_id: HandoffId, who: Authed, body: AgentIn | None = None) -> JSONResponse:
        """Claim the handoff for this agent: 200, or 409 when someone else has it or it is closed."""
        return await act("claim", handoff_id, who, body)

    @app.post(PREFIX + "handoffs/{handoff_id}/hand-back", tags=["zendesk app"])
    async def hand_back(handoff_id: HandoffId, who: Authed, body: AgentIn | None = None) -> JSONResponse:
        """Hand the conversation back to the AI: 200, or 409 when it was already released."""
        return await act("hand_back", handoff_id, who, body)

    app.add_middleware(ZendeskAppCors, origins=origins)

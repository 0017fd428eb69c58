"""The HTTP edge: translates requests into service calls and answers; no decisions live here."""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
from collections.abc import Iterable
from typing import Annotated, Any

import anyio
import structlog
from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from prometheus_client import CONTENT_TYPE_LATEST
from handoff import __version__, metrics
from handoff.edge.http.docs import DOCS_URL, REDOC_URL, install_docs
from handoff.edge.http.errors import install_error_handlers
from handoff.edge.http.schemas import ChoiceIn, ChoiceOut, ConversationOut, ReleaseIn
from handoff.edge.http.limits import install_request_limits
from handoff.edge.http.schemas import (  # noqa: F401 - SENT_AT_YEARS and the models are part of this module's API
    SENT_AT_YEARS,
    ConversationId,
    CustomerIn,
    DecisionOut,
    HandoffRequestIn,
    KBArticleIn,
    MessageIn,
    Reason,
)
from handoff.app.turns import (
    TRANSCRIPT_PAGE_MESSAGES,
    AlreadyReleased,
    ConversationBusy,
    MessageIdReused,
    NotFoundError,
    TurnService,
    turn_from_body,
)

log = structlog.get_logger("handoff.api")

class BodyLimit:
    """ASGI middleware: refuse bodies over the limit with 413 before reading them whole, and bodies that do
    not arrive within `timeout_seconds` of the headers with 408 (a slow client cannot hold a request open)."""

    def __init__(self, app: Any, max_bytes: int, timeout_seconds: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_big = JSONResponse({"error": "payload too large", "detail": f"the body limit is {self.max_bytes} bytes"}, 413,
                               headers=_CLOSE)
        if declared is not None:
            try:
                if int(declared) > self.max_bytes:
                    return await too_big(scope, receive, send)
            except ValueError:
                return await JSONResponse({"error": "bad Content-Length"}, 400, headers=_CLOSE)(scope, receive, send)
        # read the body up to the limit before the app sees it: a chunked body has no length to check
        chunks: list[bytes] = []
        seen = 0
        with anyio.move_on_after(self.timeout_seconds) as deadline:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                body = message.get("body", b"")
                seen += len(body)
                if seen > self.max_bytes:
                    return await too_big(scope, receive, send)
                chunks.append(body)
                if not message.get("more_body", False):
                    break
        if deadline.cancelled_caught:
            late = JSONResponse({"error": "request timeout",
                                 "detail": f"the body must arrive within {self.timeout_seconds:g} s of the headers"},
                                408, headers=_CLOSE)
            return await late(scope, receive, send)
        replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay_receive() -> dict[str, Any]:
            return replay.pop() if replay else await receive()

        await self.app(scope, replay_receive, send)


_CHECKED = "handoff.access_checked"  # set in the ASGI scope by KeyGate (a client cannot set scope keys)
# An answer given before the body was read closes the connection: the rest of the body is not waited for.
_CLOSE = {"Connection": "close"}
# Loopback as the peer itself: not all of 127/8 (another address there can be a container's or a
# tunnel's), and never a name such as "localhost" or Starlette's TestClient's "testclient".
_LOOPBACK = frozenset({ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")})
# Headers a proxy adds: a request carrying one came through a proxy, so its loopback peer says nothing.
FORWARDING_HEADERS = frozenset({b"forwarded", b"x-forwarded-for", b"x-forwarded-host", b"x-forwarded-proto",
                                b"x-real-ip", b"via"})
LOCAL_ONLY = "no API keys are configured: only local requests (from this machine's loopback address) are accepted"
PROXIED = ("no API keys are configured: requests through a proxy (Forwarded / X-Forwarded-For) are refused; "
           "set HANDOFF_API_KEYS")


def is_loopback_peer(host: str | None) -> bool:
    """Whether the connection's peer address is this machine's loopback itself (127.0.0.1, ::1, ::ffff:127.0.0.1)."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name, e.g. "localhost" or "testclient": not a peer address
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address in _LOOPBACK


def refusal(headers: Iterable[tuple[bytes, bytes]], client: Any, keys: list[bytes]) -> tuple[str, dict[str, str]] | None:
    """Why a request may not use the API (the 401 message and headers), or None when it may.

    With keys: a bearer key, compared in constant time with every key. Without: the ASGI peer must be
    loopback and no proxy may have forwarded the request (behind a proxy on this machine every request
    comes from loopback, so only keys can tell callers apart).
    """
    if not keys:
        host = client[0] if client else None
        if not is_loopback_peer(host):
            return LOCAL_ONLY, {}
        if any(name.lower() in FORWARDING_HEADERS for name, _ in headers):
            return PROXIED, {}
        return None
    authorization = next((value for name, value in headers if name.lower() == b"authorization"), b"")
    scheme, _, token = authorization.partition(b" ")
    challenge = {"WWW-Authenticate": "Bearer"}
    presented = token.strip()
    if scheme.lower() != b"bearer" or not presented:
        return "missing bearer API key", challenge
    ok = False
    for k in keys:  # constant time per key, and every key is compared
        ok |= hmac.compare_digest(presented, k)
    return None if ok else ("invalid API key", challenge)


class KeyGate:
    """ASGI middleware, outermost: the API key (or, without keys, the local-only rule) is checked from the
    headers alone, before any byte of the body is read, parsed or validated. An unauthenticated caller
    gets 401 whatever its body holds: it learns nothing of the schema and costs no parsing."""

    def __init__(self, app: Any, keys: list[bytes], prefix: str = "/v1/", paths: Iterable[str] = ()) -> None:
        self.app = app
        self.keys = keys
        self.prefix = prefix
        self.paths = frozenset(paths)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path, root = str(scope.get("path", "")), str(scope.get("root_path", ""))
            if root and path.startswith(root):  # as the router matches it: under --root-path too
                path = path[len(root):]
            if path.startswith(self.prefix) or path in self.paths:
                refused = refusal(scope.get("headers") or [], scope.get("client"), self.keys)
                if refused is not None:
                    message, headers = refused
                    # not the path: a conversation id can be a customer's e-mail
                    log.debug("api request refused", method=scope.get("method"), reason=message)
                    return await JSONResponse({"error": message}, 401, headers={**headers, **_CLOSE})(scope, receive, send)
                scope = {**scope, _CHECKED: True}  # require_key need not compare the keys again
        await self.app(scope, receive, send)


async def require_key(request: Request) -> None:
    """The same check as KeyGate, per /v1 route: a route stays guarded even if the gate's prefix changes.

    Async although it awaits nothing: FastAPI runs a sync dependency in a worker thread, a hop per request.
    """
    if request.scope.get(_CHECKED):
        return
    refused = refusal(request.scope.get("headers") or [], request.scope.get("client"), request.app.state.api_keys)
    if refused is not None:
        raise HTTPException(401, refused[0], headers=refused[1] or None)


Auth = Annotated[None, Depends(require_key)]


def create_app(service: TurnService, *, api_keys: list[str], max_body_bytes: int,
               extra_routes: Any = None, lifespan: Any = None, health: Any = None,
               guard_operations: bool | None = None, body_timeout_seconds: float = 30.0) -> FastAPI:
    """Build the FastAPI application around a TurnService.

    `guard_operations`: /metrics and the API documents need what /v1 needs (default: when keys are set).
    """
    app = FastAPI(
        title="Handoff",
        version=__version__,
        description="Decides when an AI support agent must hand a customer to a human, and hands over well.",
        lifespan=lifespan,
        docs_url=None,  # the pages come from install_docs, with local assets
        redoc_url=None,
    )
    app.state.api_keys = [k.encode() for k in api_keys]
    install_error_handlers(app)  # a database outage is a 503 with Retry-After, not a traceback

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
            message = "unknown field (a typo?)" if e.get("type") == "extra_forbidden" else e.get("msg", "invalid")
            problems.append({"field": loc or "body", "message": message})
        first = problems[0] if problems else {"field": "body", "message": "invalid"}
        return JSONResponse(
            {"error": f"invalid request: {first['field']}: {first['message']}", "problems": problems}, 422
        )

    @app.exception_handler(ConversationBusy)
    async def _busy(_request: Request, exc: ConversationBusy) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, 409, headers={"Retry-After": "1"})

    @app.exception_handler(MessageIdReused)
    async def _reused(_request: Request, exc: MessageIdReused) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, 409)  # no Retry-After: the same request fails the same way

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, exc.status_code, headers=exc.headers)

    @app.post("/v1/conversations/{conversation_id}/messages", response_model=DecisionOut,
              response_model_exclude_none=False, tags=["conversations"])
    async def post_message(conversation_id: ConversationId, body: MessageIn, _: Auth) -> dict[str, Any]:
        """Post one turn (customer or AI); answers whether the AI should continue or hand off."""
        with metrics.TURN_SECONDS.time():
            result = await service.post_message(conversation_id, turn_from_body(body.model_dump()))
        metrics.TURNS.labels(role=body.role, decision=result["decision"]).inc()
        return result

    @app.post("/v1/conversations/{conversation_id}/handoff", response_model=DecisionOut, tags=["conversations"])
    async def request_handoff(conversation_id: ConversationId, _: Auth, body: HandoffRequestIn | None = None) -> JSONResponse:
        """The bot asks for a human; 201 with a new handoff, 200 with the existing one."""
        body = body or HandoffRequestIn()
        customer = None
        if body.customer:
            from handoff.core.models import Customer

            customer = Customer(**body.customer.model_dump())
        result = await service.request_handoff(conversation_id, body.reason, customer, body.sunshine_conversation_id)
        created = result.pop("created", False)
        return JSONResponse(result, 201 if created else 200)

    @app.get("/v1/conversations/{conversation_id}", response_model=ConversationOut, tags=["conversations"])
    async def get_conversation(conversation_id: ConversationId, _: Auth) -> dict[str, Any]:
        """Who owns the conversation (`ai` | `human`), the handoff's status, agent, queue and wait."""
        try:
            return await asyncio.to_thread(service.conversation, conversation_id)
        except NotFoundError:
            raise HTTPException(404, f"no conversation {conversation_id}") from None

    @app.get("/v1/handoffs/{handoff_id}", tags=["handoffs"])
    async def get_handoff(handoff_id: Annotated[str, Path(max_length=64, pattern=r"^h_[0-9a-f]{1,40}$")], _: Auth,
                          transcript_offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                          transcript_limit: Annotated[int, Query(ge=1, le=500)] = TRANSCRIPT_PAGE_MESSAGES) -> dict[str, Any]:
        """Status, route, deliveries, the briefing and a page of the full transcript (`transcript.next_offset`)."""
        import asyncio

        try:
            return await asyncio.to_thread(lambda: service.get_handoff(
                handoff_id, transcript_offset=transcript_offset, transcript_limit=transcript_limit))
        except NotFoundError:
            raise HTTPException(404, f"no handoff {handoff_id}") from None

    @app.post("/v1/handoffs/{handoff_id}/release", tags=["handoffs"])
    async def release(handoff_id: Annotated[str, Path(max_length=64, pattern=r"^h_[0-9a-f]{1,40}$")], _: Auth,
                      body: ReleaseIn | None = None) -> dict[str, Any]:
        """Hand the conversation back to the AI: owner `ai`, decisions start afresh from the next message."""
        try:
            return await service.release(handoff_id, body.reason if body else None)
        except NotFoundError:
            raise HTTPException(404, f"no handoff {handoff_id}") from None
        except AlreadyReleased as e:
            raise HTTPException(409, str(e)) from None

    @app.post("/v1/handoffs/{handoff_id}/choice", response_model=ChoiceOut, tags=["handoffs"])
    async def choice(handoff_id: Annotated[str, Path(max_length=64, pattern=r"^h_[0-9a-f]{1,40}$")], body: ChoiceIn,
                     _: Auth) -> dict[str, Any]:
        """A waiting customer's choice: a callback at the next free slot, an e-mail follow-up, or keep waiting."""
        from handoff.app.choices import ChoiceRefused

        try:
            return await service.choose(handoff_id, body.choice)
        except NotFoundError:
            raise HTTPException(404, f"no handoff {handoff_id}") from None
        except ChoiceRefused as e:
            raise HTTPException(409, str(e)) from None

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> JSONResponse:
        """Liveness and database reachability."""
        status = await health() if health else {"ok": True}
        return JSONResponse({**status, "version": __version__}, 200 if status.get("ok") else 503)

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def prom() -> Response:
        # under `serve --workers N`, the sum over every worker's value files, whichever worker answers
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    install_docs(app)
    if extra_routes:
        extra_routes(app)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes, timeout_seconds=body_timeout_seconds)
    install_request_limits(app)  # JSON depth, encoding and content type, after the size check
    if guard_operations is None:
        guard_operations = bool(api_keys)
    operations = ({"/metrics", app.openapi_url, DOCS_URL, app.swagger_ui_oauth2_redirect_url, REDOC_URL}
                  if guard_operations else set())
    # added last, so outermost: the key is checked before the body is read, limited, parsed or validated
    app.add_middleware(KeyGate, keys=app.state.api_keys, paths={p for p in operations if p})
    return app


def dumps(obj: Any) -> str:
    """JSON for logs and the CLI."""
    return json.dumps(obj, default=str)

"""Slow and stalled HTTP clients cannot hold the server's connections (uvicorn's HTTP protocol, guarded).

uvicorn closes an idle keep-alive connection after `timeout_keep_alive`, but it has no header timeout:
a client that connects and sends nothing, or half a request line, or one header byte a minute, holds a
connection (a file descriptor) for as long as it likes. A few hundred of them exhaust a process's
open-file limit, and then no one is served: accept() fails with EMFILE, and uvloop (libuv) answers
that by accepting and at once closing whatever waits in the backlog, so real clients are reset too.

`GuardedHttp` is uvicorn's `http=` protocol factory with two guards:
- a header deadline: the request line and headers must arrive within `header_timeout` of the
  connection opening, or of the previous answer on a keep-alive connection. Past it the connection is
  closed, with a 408 if the client had started a request. (The body has its own deadline, in
  `handoff.edge.http.api.BodyLimit`: 408 when it is not all there in time.)
- a connection cap below the open-file limit: when a new connection would exceed `max_connections`,
  the connection that has waited longest for its client (idle, stalled in its headers or in its body)
  is closed to make room, so stalled clients give way to new ones instead of starving them. With none
  to close (every connection has a request being worked on), the new one gets a 503.
"""
from __future__ import annotations

import asyncio
import resource
from typing import Any

import structlog

log = structlog.get_logger("handoff.serve")

RESERVED_FDS_MIN = 96  # for the database, log files, outgoing connections (Slack, Zendesk...), metrics files
_TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
_FULL_503 = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\nretry-after: 1\r\n\r\n"


def default_max_connections(soft_limit: int | None = None) -> int:
    """Connections a process may hold: its open-file limit less a quarter of it (at least 96) kept for the rest."""
    if soft_limit is None:
        soft_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft_limit == resource.RLIM_INFINITY:
        soft_limit = 1 << 20
    return max(8, soft_limit - max(RESERVED_FDS_MIN, soft_limit // 4))


class GuardedHttp:
    """uvicorn `http=` argument: builds uvicorn's own HTTP protocol (httptools, else h11) with the guards.

    A plain object with plain attributes, so it pickles into `serve --workers N` processes; the cap is
    computed in the serving process, from its own open-file limit, on its first connection.
    """

    alpn_protocols = None  # uvicorn asks the protocol class; plain HTTP/1.1

    def __init__(self, header_timeout: float, max_connections: int | None = None) -> None:
        self.header_timeout = header_timeout
        self.max_connections = max_connections

    def __call__(self, *, config: Any, server_state: Any, app_state: Any, _loop: Any = None) -> asyncio.Protocol:
        """One connection's protocol (uvicorn calls this per accepted connection)."""
        if self.max_connections is None:
            self.max_connections = default_max_connections()
        return _protocol_class()(config=config, server_state=server_state, app_state=app_state, _loop=_loop,
                                 guard=self)


_CLASS: type | None = None


def _protocol_class() -> type:
    global _CLASS
    if _CLASS is None:
        from uvicorn.protocols.http.auto import AutoHTTPProtocol

        _CLASS = type("Guarded" + AutoHTTPProtocol.__name__, (_GuardMixin, AutoHTTPProtocol), {})
    return _CLASS


class _GuardMixin:
    """The guards over uvicorn's HttpToolsProtocol or H11Protocol (both keep `cycle`, `transport`, `loop`,
    `connections` and call `on_response_complete`)."""

    cycle: Any
    transport: Any
    loop: asyncio.AbstractEventLoop
    connections: set[Any]

    def __init__(self, *args: Any, guard: GuardedHttp, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard = guard
        self._deadline: asyncio.TimerHandle | None = None
        self._seen_cycle: Any = None
        self._started_request = False  # bytes of a request that is not yet complete have arrived
        self.waiting_since: float | None = None  # since when we wait for the client; None while we work

    # -- uvicorn's protocol interface ------------------------------------------------------------
    def connection_made(self, transport: Any) -> None:
        """Accept, make room if the server is full, and start the header deadline."""
        super().connection_made(transport)  # type: ignore[misc]
        self._wait_for_request()
        if len(self.connections) > (self._guard.max_connections or 0):
            self._make_room()

    def data_received(self, data: bytes) -> None:
        """Parse as uvicorn does; once the headers are complete the header deadline is off."""
        if self._deadline is not None:
            self._started_request = True
        super().data_received(data)  # type: ignore[misc]
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return
        if cycle is not self._seen_cycle:  # a new request's headers are complete
            self._seen_cycle = cycle
            self._cancel_deadline()
            self._started_request = False
            self.waiting_since = self.loop.time() if cycle.more_body else None
        elif not cycle.more_body:
            self.waiting_since = None  # the body is complete: the app has it all

    def on_response_complete(self) -> None:
        """After each answer the next request's headers have `header_timeout` again."""
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing() and (self.cycle is None or self.cycle.response_complete):
            self._wait_for_request()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline with the connection."""
        self._cancel_deadline()
        self.waiting_since = None
        super().connection_lost(exc)  # type: ignore[misc]

    # -- the guards ------------------------------------------------------------------------------
    def _wait_for_request(self) -> None:
        self._cancel_deadline()
        self._started_request = False
        self.waiting_since = self.loop.time()
        self._deadline = self.loop.call_later(self._guard.header_timeout, self._header_deadline_passed)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _header_deadline_passed(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or (self.cycle is not None and not self.cycle.response_complete):
            return  # a request is in progress: its body has BodyLimit's deadline
        self.close_waiting()

    def close_waiting(self) -> None:
        """Close a connection we are waiting on: 408 if the client had started a request, else silently."""
        if self.transport.is_closing():
            return
        mid_request = self._started_request or (self.cycle is not None and not self.cycle.response_complete)
        if mid_request and (self.cycle is None or self.cycle.response_complete or not self.cycle.response_started):
            self.transport.write(_TIMEOUT_408)
        self.transport.close()

    def _make_room(self) -> None:
        waiting = [c for c in self.connections
                   if c is not self and getattr(c, "waiting_since", None) is not None and not c.transport.is_closing()]
        if waiting:
            oldest = min(waiting, key=lambda c: c.waiting_since)
            oldest.close_waiting()
            return
        log.warning("connection limit reached with every connection busy; answered 503",
                    max_connections=self._guard.max_connections)
        self.transport.write(_FULL_503)
        self.transport.close()

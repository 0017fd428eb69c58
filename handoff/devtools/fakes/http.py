"""A small threaded HTTP server base for vendor fakes, with a request log and fault injection."""
from __future__ import annotations

import socket

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit


@dataclass
class FakeRequest:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]  # last value of each parameter
    headers: dict[str, str]  # keys lower-cased
    body: bytes
    json: Any = None  # the parsed JSON body, if it was JSON
    form: dict[str, str] = field(default_factory=dict)  # the form-encoded body, if it was a form
    query_items: list[tuple[str, str]] = field(default_factory=list)  # every parameter, repeats kept, in order

    def params(self) -> dict[str, Any]:
        """Query, form and JSON parameters merged (how Slack reads its arguments)."""
        merged: dict[str, Any] = dict(self.query)
        merged.update(self.form)
        if isinstance(self.json, dict):
            merged.update(self.json)
        return merged


@dataclass
class FakeResponse:
    """What the fake answers."""

    status: int = 200
    body: Any = None  # dict/list → JSON; bytes/str → sent as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


@dataclass
class _Fault:
    status: int
    times: int
    headers: dict[str, str]
    body: Any
    path: str | None


@dataclass
class Exchange:
    """One request and the answer the fake gave to it (what the contract tests check)."""

    request: FakeRequest
    response: FakeResponse


class FakeServer:
    """Real HTTP server on 127.0.0.1 (random port) in a daemon thread; subclasses implement `handle`."""

    def __init__(self) -> None:
        self.requests: list[FakeRequest] = []
        self.exchanges: list[Exchange] = []  # every answered request with its answer, in order of answering
        self.delay: float = 0.0  # seconds to stall before answering (timeouts)
        self.garbage: bool = False  # answer 200 with a body that is not JSON
        self._faults: deque[_Fault] = deque()
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "FakeServer":
        """Bind a free port and serve in a background thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One buffered write per answer and no Nagle: otherwise keep-alive clients wait ~40 ms
            # for delayed ACKs on every request.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
                return

            def _serve(self) -> None:
                fake._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval keeps shutdown (one per test) fast.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True, name=type(self).__name__)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; stalled answers are released at once."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        """The bound port."""
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL, no trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "FakeServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- fault injection -------------------------------------------------------------------
    def fail_next(
        self, status: int, times: int = 1, headers: dict[str, str] | None = None, body: Any = None,
        *, path: str | None = None,
    ) -> None:
        """Answer the next `times` requests (to `path`, if given) with `status`, `headers`, `body`."""
        with self._lock:
            self._faults.append(_Fault(status, times, dict(headers or {}), body, path))

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            fault = next((f for f in self._faults if f.path in (None, path)), None)
            if fault is None:
                return None
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            return fault

    def fault_body(self, status: int) -> Any:
        """The vendor's error body for an injected status; subclasses give the real shape."""
        return {"error": f"injected {status}"}

    # -- request handling ------------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer one request (state changes under the lock)."""
        raise NotImplementedError

    def requests_to(self, path: str, method: str | None = None) -> list[FakeRequest]:
        """The logged requests to one path (and method)."""
        with self._lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    def _serve(self, http: BaseHTTPRequestHandler) -> None:
        # headers and body go out in separate writes: without this, Nagle delays keep-alive answers ~40 ms
        http.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request = self._read(http)
        with self._lock:
            self.requests.append(request)
        if self.delay:
            self._stopping.wait(self.delay)
        fault = self._take_fault(request.path)
        if fault is not None:
            body = fault.body if fault.body is not None else self.fault_body(fault.status)
            response = FakeResponse(fault.status, body, fault.headers)
        elif self.garbage:
            response = FakeResponse(200, b"<html>upstream proxy error</html>{", content_type="application/json")
        else:
            with self._lock:
                response = self.handle(request)
        with self._lock:
            self.exchanges.append(Exchange(request, response))
        self._write(http, response)

    @staticmethod
    def _read(http: BaseHTTPRequestHandler) -> FakeRequest:
        parts = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        raw = http.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in http.headers.items()}
        ctype = headers.get("content-type", "")
        parsed_json: Any = None
        form: dict[str, str] = {}
        if raw and "json" in ctype:
            try:
                parsed_json = json.loads(raw)
            except ValueError:
                parsed_json = None
        elif raw and "x-www-form-urlencoded" in ctype:
            form = {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        items = parse_qsl(parts.query, keep_blank_values=True)
        query = dict(items)  # the last value of each
        return FakeRequest(http.command, parts.path, query, headers, raw, parsed_json, form, items)

    @staticmethod
    def _write(http: BaseHTTPRequestHandler, response: FakeResponse) -> None:
        body = response.body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        elif body is None:
            data = b""
        else:
            data = body
        try:
            http.send_response(response.status)
            http.send_header("Content-Type", response.content_type)
            http.send_header("Content-Length", str(len(data)))
            for key, value in response.headers.items():
                http.send_header(key, value)
            http.end_headers()
            http.wfile.write(data)
            http.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to tell it

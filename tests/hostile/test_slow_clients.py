"""Slow and stalled clients against a real `handoff serve` limited to 256 open files (`ulimit -n 256`).

A client that sends half its headers, or its body a byte at a time, or nothing at all, is cut off at
its deadline ([service] header_timeout_seconds, body_timeout_seconds); and 300 of them open at once do
not keep a normal client from being served: when the process is full, the connection that has waited
longest for its client is closed to make room (handoff.edge.http.connection_guard).
"""
from __future__ import annotations

import resource
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from handoff.devtools.support.processes import free_port, start_process, stop_process, wait_healthy, wait_until

OPEN_FILES = 256
SLOW_CLIENTS = 300
STALL = 30.0  # how long a test waits for the server at most: a gross stall, not a timing goal


def _limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))


def _serve(tmp_path: Path, database_url: str, service: str) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    port = free_port()
    settings = tmp_path / "settings.toml"
    settings.write_text(f"[service]\noutbox_dir = '{(tmp_path / 'outbox').as_posix()}'\n{service}", encoding="utf-8")
    log = tmp_path / "serve.log"
    proc = start_process(["serve", "--port", str(port), "--no-jobs"],
                         {"DATABASE_URL": database_url, "HANDOFF_SETTINGS": str(settings)}, tmp_path, log,
                         preexec_fn=_limit_open_files)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log)
        yield base, port, proc
    finally:
        stop_process(proc)


@pytest.fixture(scope="module")
def quick_deadlines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    """A server whose clients have 1 s for their headers and 1 s for their body, shared by the tests of one
    connection each (starting one costs ~2 s); on a SQLite file of its own, since what is tested is HTTP."""
    tmp = tmp_path_factory.mktemp("quick-deadlines")
    yield from _serve(tmp, f"sqlite:///{tmp / 'handoff.db'}", "header_timeout_seconds = 1.0\nbody_timeout_seconds = 1.0\n")


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=STALL)


def _read_until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    started = time.monotonic()
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        received += chunk
    return received, time.monotonic() - started


def test_a_client_that_stalls_in_its_headers_is_cut_off_with_408(quick_deadlines) -> None:
    _, port, _ = quick_deadlines
    with _connect(port) as sock:
        sock.sendall(b"POST /v1/conversations/c/messages HTTP/1.1\r\nHost: handoff\r\nContent-Type: appl")
        answer, took = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert 0.9 <= took < STALL  # at the deadline, not before


def test_a_connection_that_sends_nothing_is_closed(quick_deadlines) -> None:
    _, port, _ = quick_deadlines
    with _connect(port) as sock:
        answer, took = _read_until_closed(sock)
    assert answer == b"" and 0.9 <= took < STALL


def test_a_keep_alive_connection_cannot_be_held_by_a_trickle(quick_deadlines) -> None:
    """uvicorn's keep-alive timer stops at the first byte of the next request: the header deadline does not."""
    _, port, _ = quick_deadlines
    with _connect(port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: handoff\r\n\r\n")
        first = b""
        while b"\r\n\r\n" not in first or not first.endswith(b"}"):  # the whole answer: headers and JSON
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"G")  # the next request starts, and never finishes
        answer, took = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 ") and took < STALL


def test_a_body_that_trickles_gets_408_and_the_connection_is_closed(quick_deadlines) -> None:
    _, port, _ = quick_deadlines
    with _connect(port) as sock:
        sock.sendall(b"POST /v1/conversations/c/messages HTTP/1.1\r\nHost: handoff\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"role\": \"customer\", ")
        answer, took = _read_until_closed(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), answer
    assert b"connection: close" in head.lower() and b"1 s of the headers" in body
    assert 0.9 <= took < STALL


def test_a_normal_client_is_served_while_300_slow_clients_are_connected(tmp_path: Path, database_url: str) -> None:
    # deadlines far longer than the test: what keeps the door open here is making room, not timing out
    for base, port, proc in _serve(tmp_path, database_url, "header_timeout_seconds = 120.0\n"):
        slow: list[socket.socket] = []
        try:
            for i in range(SLOW_CLIENTS):
                sock = _connect(port)
                sock.sendall(f"POST /v1/conversations/slow-{i}/messages HTTP/1.1\r\nHost: handoff\r\n".encode())
                slow.append(sock)
            with httpx.Client(base_url=base, timeout=STALL) as client:
                health = client.get("/healthz")
                turn = client.post("/v1/conversations/normal/messages", json={"role": "customer", "text": "hello"})
            assert health.status_code == 200 and turn.status_code == 200, turn.text
            assert proc.poll() is None
            opened = len(list(Path(f"/proc/{proc.pid}/fd").iterdir()))
            assert opened < OPEN_FILES  # the cap keeps room for the database, the log, the listener
            still_open = 0
            for sock in slow:
                sock.setblocking(False)
                try:
                    sock.recv(1)  # b"" (closed) or the first byte of a 408 (closed to make room)
                except BlockingIOError:
                    still_open += 1  # nothing to read yet: the server still holds it
                except ConnectionResetError:
                    pass
            assert 0 < still_open < SLOW_CLIENTS  # the server holds as many as it can, not all 300
        finally:
            for sock in slow:
                sock.close()
        log = (tmp_path / "serve.log").read_text(errors="replace")
        assert "Too many open files" not in log and "out of system resource" not in log

"""Running `serve --workers N`: N uvicorn processes on one port, each with its own listening socket.

uvicorn's multi-worker mode shares one listening socket, and whichever worker wakes first accepts every
connection waiting (asyncio takes up to 100 per wake-up). Keep-alive clients that connect together, as a
bot fleet does after a deploy, then pile onto one worker: measured here, 48 of 63 and 58 of 61 bot
connections on one of two workers, which saturated its core and tripled the p99 while the other idled.
Here the supervisor binds one SO_REUSEPORT socket per worker, all before any worker starts, and the
kernel spreads new connections over them by a hash of the addresses. Where SO_REUSEPORT does not balance (it only does on
Linux), uvicorn's own mode is used.

The supervisor keeps every socket open for the life of the service: a worker that dies is replaced on the
same socket, so connections the kernel queued for it wait for the replacement instead of being refused.
A worker that fails to start stops the service (exit 1): a broken configuration would fail again.
"""
from __future__ import annotations

import errno
import gc
import multiprocessing
import signal
import socket
import sys
import threading
import time
from multiprocessing.connection import wait
from typing import Any

import structlog

log = structlog.get_logger("handoff.serve")

STOP_SECONDS = 30.0  # a worker still draining requests after this long is killed
RESTART_PAUSE_SECONDS = 1.0  # a worker slot is not restarted more often than this (no crash loop spinning)


LOCAL_ONLY_WARNING = (
    "HANDOFF_API_KEYS is not set: the /v1 API accepts requests from this machine's loopback address only "
    "(127.0.0.1, ::1), never through a proxy. Behind a reverse proxy on this machine every request comes "
    "from loopback, so set HANDOFF_API_KEYS there."
)


class PortInUse(OSError):
    """Something already listens on the address."""


def uvicorn_options(service: Any, *, keyed: bool) -> dict[str, Any]:
    """uvicorn.Config arguments of `serve` from `[service]` settings (ServiceSettings).

    Without API keys the client address decides who may call, so it must be the connection's own peer:
    uvicorn's proxy-headers handling (on by default, trusting 127.0.0.1 or $FORWARDED_ALLOW_IPS) would
    rewrite it from X-Forwarded-For, and is turned off.
    """
    from handoff.edge.http.connection_guard import GuardedHttp

    options: dict[str, Any] = {
        "log_config": None, "access_log": False, "server_header": False,
        "timeout_keep_alive": service.keep_alive_timeout_seconds,
        "http": GuardedHttp(header_timeout=service.header_timeout_seconds, max_connections=service.max_connections),
    }
    if not keyed:
        options["proxy_headers"] = False
    return options


def balanced_workers_supported() -> bool:
    """Whether the kernel load-balances SO_REUSEPORT sockets (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUse if the address is taken, including by another `serve` (whose sockets a plain bind
    cannot join: without this check a second `serve --workers` on the same port would silently share it)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # connections in TIME_WAIT do not count
        try:
            probe.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise PortInUse(e.errno, f"{host}:{port} is already in use") from None
            raise


def reuse_port_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening socket on host:port that the other workers (same user) bind too."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


def freeze_startup_heap() -> None:
    """Move everything built at start-up out of the garbage collector's view.

    The imported libraries and the runtime leave ~150,000 long-lived objects the collector tracks; every
    full collection walked them all, pausing the whole process for ~70 ms idle and 80-130 ms under load
    (measured), which was a large part of the `/v1` p99. Frozen, it walks only what was made since.
    """
    gc.collect()
    gc.freeze()


def _worker_main(uvicorn_options: dict[str, Any], sock: socket.socket, ready: Any) -> None:
    """One worker process: serve on its socket until told to stop."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                ready.set()

    host, port = sock.getsockname()[:2]
    server = Server(uvicorn.Config(**uvicorn_options, host=host, port=port))
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(3)


class _Worker:
    def __init__(self, ctx: Any, options: dict[str, Any], sock: socket.socket) -> None:
        self.ready = ctx.Event()
        self.process = ctx.Process(target=_worker_main, args=(options, sock, self.ready), name="handoff-worker")
        self.started_at = time.monotonic()
        self.process.start()


def run_workers(count: int, host: str, port: int, uvicorn_options: dict[str, Any]) -> int:
    """Run `count` workers until SIGINT/SIGTERM; returns the exit code (1 if a worker could not start).

    `uvicorn_options`: uvicorn.Config arguments (an import string app, as the workers are spawned).
    """
    check_port_free(host, port)
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sockets.append(reuse_port_socket(host, port))
        return _supervise(sockets, uvicorn_options)
    finally:
        for sock in sockets:
            sock.close()


def _supervise(sockets: list[socket.socket], uvicorn_options: dict[str, Any]) -> int:
    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    workers = [_Worker(ctx, uvicorn_options, sock) for sock in sockets]
    code = 0
    try:
        while not stop.is_set():
            wait([w.process.sentinel for w in workers], timeout=0.5)
            for i, w in enumerate(workers):
                if w.process.is_alive() or stop.is_set():
                    continue
                w.process.join()
                # exited by itself before serving: the app or its settings are broken and would fail again
                # (killed by a signal while starting, e.g. out of memory, it is replaced like any other)
                if not w.ready.is_set() and (w.process.exitcode or 0) >= 0:
                    log.error("a worker failed to start; stopping", exit_code=w.process.exitcode)
                    stop.set()
                    code = 1
                    break
                log.warning("worker died; starting another on its socket", pid=w.process.pid,
                            exit_code=w.process.exitcode)
                time.sleep(max(0.0, RESTART_PAUSE_SECONDS - (time.monotonic() - w.started_at)))
                workers[i] = _Worker(ctx, uvicorn_options, sockets[i])
    finally:
        _stop_all(workers)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def _stop_all(workers: list[_Worker]) -> None:
    for w in workers:
        if w.process.is_alive():
            w.process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
    deadline = time.monotonic() + STOP_SECONDS
    for w in workers:
        w.process.join(max(0.0, deadline - time.monotonic()))
        if w.process.is_alive():
            log.warning("worker did not stop in time; killing it", pid=w.process.pid)
            w.process.kill()
            w.process.join()

"""A tiny TCP proxy (threads) that a test can cut (drop every connection, refuse new ones) and restore."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url


class TcpProxy:
    """Forwards 127.0.0.1:<port> to an upstream address; `cut()` and `restore()` simulate an outage."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.accepted = 0  # connections accepted while up (a test can see the service reconnect)
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "TcpProxy":
        """Listen on a free port (kept across cuts)."""
        self._listen()
        return self

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)  # a closed listener does not wake a blocked accept() on Linux: poll instead
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept, args=(listener, self._closing), daemon=True,
                                        name="tcp-proxy")
        self._thread.start()

    def _accept(self, listener: socket.socket, closing: threading.Event) -> None:
        while not closing.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns.update((client, upstream))
                self.accepted += 1
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                self._drop(s)

    def _drop(self, s: socket.socket) -> None:
        with self._lock:
            self._conns.discard(s)
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def cut(self) -> None:
        """The database goes away: every open connection is dropped and new ones are refused."""
        if self._listener is not None:
            self._closing.set()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._listener.close()
            self._listener = None
        with self._lock:
            conns = list(self._conns)
        for s in conns:
            self._drop(s)

    def restore(self) -> None:
        """The database is back on the same address."""
        self._listen()

    def stop(self) -> None:
        """Close everything."""
        self.cut()


@contextmanager
def proxied_database(database_url: str) -> Iterator[tuple[TcpProxy, str]]:
    """A cuttable proxy in front of a PostgreSQL server, and the database URL that goes through it."""
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    try:
        yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.stop()

"""The connection guard's numbers and how `serve` hands it to uvicorn (the behaviour: tests/hostile/test_slow_clients.py)."""
from __future__ import annotations

import pickle

import pytest

from handoff.edge.http.connection_guard import GuardedHttp, default_max_connections
from handoff.edge.http.serving import uvicorn_options
from handoff.settings import ServiceSettings


@pytest.mark.parametrize(("soft_limit", "connections"), [(256, 160), (1024, 768), (65536, 49152), (100, 8)])
def test_the_cap_keeps_a_quarter_of_the_open_files_and_at_least_96_for_the_rest(soft_limit, connections):
    assert default_max_connections(soft_limit) == connections


def test_serve_gives_uvicorn_the_timeouts_and_the_guard():
    service = ServiceSettings(header_timeout_seconds=7, keep_alive_timeout_seconds=3, max_connections=500)
    options = uvicorn_options(service, keyed=True)
    assert options["timeout_keep_alive"] == 3
    guard = options["http"]
    assert isinstance(guard, GuardedHttp) and (guard.header_timeout, guard.max_connections) == (7, 500)
    assert "proxy_headers" not in options  # with keys the client address decides nothing: uvicorn's default
    copy = pickle.loads(pickle.dumps(options))  # `serve --workers N` spawns processes with these
    assert copy["http"].header_timeout == 7


def test_without_keys_uvicorn_never_rewrites_the_client_address():
    assert uvicorn_options(ServiceSettings(), keyed=False)["proxy_headers"] is False

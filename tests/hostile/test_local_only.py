"""Local-only mode (no HANDOFF_API_KEYS) against a real `handoff serve`: the decision follows the connection's
own peer, whatever X-Forwarded-For says and whatever uvicorn's proxy-headers settings would trust."""
from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import httpx
import pytest

from handoff.edge.http.serving import LOCAL_ONLY_WARNING
from handoff.devtools.support.processes import free_port, start_process, stop_process, wait_healthy

TURN = {"role": "customer", "text": "hi"}


def _non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (UDP connect sends nothing), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0" else address


def test_a_remote_caller_cannot_pass_as_local_through_forwarded_for(tmp_path: Path, database_url: str) -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    port = free_port()
    settings = tmp_path / "settings.toml"
    settings.write_text(f"[service]\noutbox_dir = '{(tmp_path / 'outbox').as_posix()}'\n", encoding="utf-8")
    log = tmp_path / "serve.log"
    # trust every proxy, as many container guides suggest: uvicorn would then take the client from the header
    env = {"DATABASE_URL": database_url, "HANDOFF_SETTINGS": str(settings), "FORWARDED_ALLOW_IPS": "*"}
    proc = start_process(["serve", "--host", "0.0.0.0", "--port", str(port), "--no-jobs"], env, tmp_path, log)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, log)
        with httpx.Client(timeout=10, trust_env=False) as client:
            local = client.post(f"http://127.0.0.1:{port}/v1/conversations/c/messages", json=TURN)
            remote = f"http://{address}:{port}/v1/conversations/c/messages"  # the peer is then `address`
            plain = client.post(remote, json=TURN)
            spoofed = client.post(remote, json=TURN, headers={"X-Forwarded-For": "127.0.0.1"})
    finally:
        stop_process(proc)
    assert local.status_code == 200, local.text
    assert plain.status_code == 401 and spoofed.status_code == 401, spoofed.text
    assert LOCAL_ONLY_WARNING in log.read_text(errors="replace")  # said at start-up

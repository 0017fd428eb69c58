"""What the waiting-customer tests share: a one-team roster whose only agent is away, so handoffs queue, and a
local server standing in for the bot's webhook."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from handoff.app.turns import TurnInput
from handoff.core.models import Customer

SETTINGS = """
[routing]
default_team = "billing"
default_handle_seconds = 600
pickup_seconds = 120

[[routing.teams]]
name = "billing"
label = "billing"

[[routing.agents]]
id = "sam"
name = "Sam Rivera"
teams = ["billing"]
languages = ["en", "es", "fr", "de", "pt"]
slack_user_id = "U0SAM"
"""


async def queued_handoff(rt: Any, cid: str, *, name: str = "Ana Silva", language: str = "en",
                         first: str = "I want a refund on invoice INV-7731") -> dict[str, Any]:
    """A handoff waiting in billing's line (sam is away): the turn's answer."""
    await rt.operations.set_available("sam", False)
    customer = Customer(name=name, email=f"{cid}@example.com", language=language)
    await rt.service.post_message(cid, TurnInput(role="customer", text=first, customer=customer))
    await rt.service.post_message(cid, TurnInput(role="ai", text="That invoice is within the return window.",
                                                 confidence=0.4, ai_actions=["checked the return window"]))
    answer = await rt.service.post_message(cid, TurnInput(role="customer", text="I want to talk to a real person"))
    assert answer["decision"] == "handoff" and answer["status"] == "queued", answer
    return answer


class Receiver:
    """A local HTTP server that records each POST and answers with the scripted statuses (then 200)."""

    def __init__(self, statuses=(), headers=None, hold: threading.Event | None = None) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses = list(statuses)
        self.extra = headers or {}
        self.hold = hold
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                try:
                    self.send_response(status)
                    for k, v in receiver.extra.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to tell it

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/handoff-updates"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()

"""FakeSunshine: a local Sunshine Conversations API, the Switchboard actions Handoff uses (pass and release).

`POST /v2/apps/{appId}/conversations/{conversationId}/passControl` and `/releaseControl`, checked like the
API checks them: basic authentication with an API key (`401 unauthorized` otherwise), a known app and
conversation (`404`), a JSON body (passControl needs `switchboardIntegration`; metadata must be a flat
object of strings, numbers and booleans within 4 KB, else `400`). With an integration-scoped key
(`scope="integration"`), releaseControl is `403` unless that integration is the active one, as documented.
Answers `200 {}` as documented; errors carry Sunshine's `{"errors": [{"code", "title"}]}`. State the tests read:
- `conversations`: (app id, conversation id) → `{"active": <integration name>}` (seed with `add_conversation`;
  a new conversation's bot, `default_integration`, is active);
- `actions`: every accepted action in order, each `{"action": "pass" | "release", "app_id", "conversation_id",
  "body"}`.
Faults come from FakeServer: `fail_next(429, headers={"Retry-After": "2"})`, `fail_next(503)`, `delay`,
`garbage`; `stop()` for a Sunshine that is down.
"""
from __future__ import annotations

import base64
import json
import re
from typing import Any

from handoff.devtools.fakes.http import FakeRequest, FakeResponse, FakeServer

KEY_ID = "app_5f1a2b3c4d5e6f7a8b9c0d1e"
KEY_SECRET = "fake-sunshine-secret-0123456789"
APP_ID = "5963c0d619a30a2e00de36b8"
METADATA_LIMIT = 4096
ACTION = re.compile(r"^/v2/apps/([^/]+)/conversations/([^/]+)/(passControl|releaseControl)$")


def errors(code: str, title: str) -> dict[str, Any]:
    """Sunshine's error body."""
    return {"errors": [{"code": code, "title": title}]}


class FakeSunshine(FakeServer):
    """The Switchboard actions of Sunshine Conversations' v2 API on 127.0.0.1."""

    def __init__(self, key_id: str = KEY_ID, key_secret: str = KEY_SECRET, app_id: str = APP_ID,
                 default_integration: str = "bot", scope: str = "app") -> None:
        super().__init__()
        self.scope = scope  # "app" (an app key), or "integration" (the key of the integration `default_integration`)
        self.key_id, self.key_secret, self.app_id = key_id, key_secret, app_id
        self.default_integration = default_integration
        self.conversations: dict[tuple[str, str], dict[str, Any]] = {}
        self.actions: list[dict[str, Any]] = []

    def add_conversation(self, conversation_id: str, app_id: str | None = None) -> str:
        """A conversation the bot is handling; returns its id."""
        with self._lock:
            self.conversations[(app_id or self.app_id, conversation_id)] = {"active": self.default_integration}
        return conversation_id

    def actions_on(self, conversation_id: str) -> list[str]:
        """The accepted actions on one conversation, in order ("pass", "release")."""
        with self._lock:
            return [a["action"] for a in self.actions if a["conversation_id"] == conversation_id]

    def fault_body(self, status: int) -> Any:
        if status == 429:
            return errors("too_many_requests", "Too many requests")
        if status >= 500:
            return errors("internal_error", "Something went wrong on our end")
        return errors("bad_request", f"injected {status}")

    def _authorised(self, request: FakeRequest) -> bool:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            given = base64.b64decode(value, validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        return given == f"{self.key_id}:{self.key_secret}"

    def handle(self, request: FakeRequest) -> FakeResponse:
        if not self._authorised(request):
            return FakeResponse(401, errors("unauthorized", "Authorization is required"))
        match = ACTION.match(request.path)
        if match is None:
            return FakeResponse(404, errors("not_found", "Not found"))
        if request.method != "POST":
            return FakeResponse(405, errors("method_not_allowed", "Method not allowed"))
        app_id, conversation_id, action = match.groups()
        if app_id != self.app_id:
            return FakeResponse(404, errors("app_not_found", "App not found"))
        conversation = self.conversations.get((app_id, conversation_id))
        if conversation is None:
            return FakeResponse(404, errors("conversation_not_found", "Conversation not found"))
        body = request.json if request.body else {}
        problem = self._problem(action, body)
        if problem is not None:
            return FakeResponse(400, errors("bad_request", problem))
        if action == "releaseControl" and self.scope == "integration" and conversation["active"] != self.default_integration:
            return FakeResponse(403, errors("forbidden", "The active switchboard integration is not the authenticated one"))
        if action == "passControl":
            conversation["active"] = body["switchboardIntegration"]
        else:
            conversation["active"] = self.default_integration
        self.actions.append({"action": "pass" if action == "passControl" else "release", "app_id": app_id,
                             "conversation_id": conversation_id, "body": body})
        return FakeResponse(200, {})

    @staticmethod
    def _problem(action: str, body: Any) -> str | None:
        """Why the API would refuse this body, or None."""
        if not isinstance(body, dict):
            return "The request body must be a JSON object"
        allowed = {"switchboardIntegration", "reason", "metadata"} if action == "passControl" else {"reason", "metadata"}
        unknown = sorted(set(body) - allowed)
        if unknown:
            return f"Unknown property {unknown[0]}"
        if action == "passControl" and not (isinstance(body.get("switchboardIntegration"), str)
                                            and body["switchboardIntegration"]):
            return "switchboardIntegration is required"
        if body.get("reason") not in (None, "ticketClosed", "transferToEmail"):
            return "reason must be one of ticketClosed, transferToEmail"
        metadata = body.get("metadata")
        if metadata is None:
            return None
        if not isinstance(metadata, dict) or any(isinstance(v, (dict, list)) or v is None for v in metadata.values()):
            return "metadata must be a flat object of strings, numbers and booleans"
        if len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode()) > METADATA_LIMIT:
            return "metadata must be at most 4KB"
        return None

"""FakeSlack: a local Slack Web API (chat, conversations incl. replies, users.lookupByEmail, views.open, auth.test).

Answers carry the fields of Slack's own examples (handoff/devtools/fakes/data/slack.json). State the tests read:
- `messages`: every channel/DM message and thread reply, oldest first, each a dict with `channel`
  (an id such as `C…` or `D…`), `ts`, `text`, `blocks`, `metadata` (`{"event_type", "event_payload"}`
  or None), `thread_ts` (None for top-level messages), `user`, `bot_id`, `type`, `edited` (chat.update).
- `ephemeral`: chat.postEphemeral messages (`channel`, `user`, `text`, `blocks`, `message_ts`).
- `views`: views.open calls (`trigger_id`, `view`).
- `calls`: `(method, params)` for every request, e.g. `("chat.postMessage", {...})`.
- `users`: email → user JSON for users.lookupByEmail (seed with `add_user`).
- `channels`: channel name → id (names are given ids on first use); `dms`: user id → DM channel id.
Slack answers HTTP 200 with `{"ok": false, "error": ...}` for most failures; `fail_with(error)` injects one.
"""
from __future__ import annotations

import copy
import itertools
import json
import time
from pathlib import Path
from typing import Any

from handoff.devtools.fakes.http import FakeRequest, FakeResponse, FakeServer

_DATA = json.loads((Path(__file__).parent / "data" / "slack.json").read_text())
_TRUE = ("1", "true", "True", True)


def _ok(method: str) -> dict[str, Any]:
    return copy.deepcopy(_DATA[method]["ok"])


def _decode(value: Any) -> Any:
    """Form bodies carry blocks/metadata/view as JSON strings."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeSlack(FakeServer):
    """Slack Web API under `/api/` on 127.0.0.1, checking the bot token (`invalid_auth` otherwise)."""

    BOT_ID = "B19LU7CSY"
    BOT_USER = "U0HANDOFF"

    def __init__(self, token: str = "xoxb-test-token") -> None:
        super().__init__()
        self.token = token
        self.messages: list[dict[str, Any]] = []
        self.ephemeral: list[dict[str, Any]] = []
        self.views: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, str] = {}
        self.dms: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._last_ts = 0.0

    @property
    def api_url(self) -> str:
        """What slack_sdk takes as `base_url` (the trailing slash matters)."""
        return f"{self.url}/api/"

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every request as (API method, merged parameters)."""
        with self._lock:
            return [(r.path.removeprefix("/api/"), {k: _decode(v) for k, v in r.params().items()})
                    for r in self.requests]

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call to one API method."""
        return [params for name, params in self.calls if name == method]

    def add_user(self, email: str, user_id: str | None = None, name: str | None = None) -> dict[str, Any]:
        """Seed a workspace member for users.lookupByEmail."""
        user = _ok("users.lookupByEmail")["user"]
        user_id = user_id or f"U{next(self._ids):08d}"
        display = name or email.split("@")[0]
        user.update(id=user_id, name=display, real_name=display)
        user["profile"].update(email=email, real_name=display, display_name=display)
        self.users[email] = user
        return user

    def fail_with(self, error: str, times: int = 1) -> None:
        """Answer the next requests with HTTP 200 and `{"ok": false, "error": error}`."""
        self.fail_next(200, times=times, body={"ok": False, "error": error})

    def fault_body(self, status: int) -> Any:
        if status == 429:
            return {"ok": False, "error": "ratelimited"}
        return {"ok": False, "error": "fatal_error"} if status >= 500 else {"ok": False, "error": "invalid_request"}

    # -- server ----------------------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        method = request.path.removeprefix("/api/")
        params = {k: _decode(v) for k, v in request.params().items()}
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else params.get("token")
        if not token:
            return FakeResponse(200, {"ok": False, "error": "not_authed"})
        if token != self.token:
            return FakeResponse(200, {"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return FakeResponse(200, {"ok": False, "error": "unknown_method"})
        return FakeResponse(200, handler(params))

    # -- API methods -----------------------------------------------------------------------
    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        answer = _ok("auth.test")
        answer.update(user_id=self.BOT_USER, bot_id=self.BOT_ID, user="handoff")
        return answer

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(params.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        message = {
            "type": "message", "subtype": "bot_message", "channel": channel, "ts": self._next_ts(),
            "text": params.get("text", ""), "blocks": params.get("blocks") or [],
            "metadata": params.get("metadata"), "thread_ts": params.get("thread_ts"),
            "user": self.BOT_USER, "bot_id": self.BOT_ID, "username": "handoff", "edited": None,
        }
        self.messages.append(message)
        answer = _ok("chat.postMessage")
        answer.update(channel=channel, ts=message["ts"], message=self._public(message, with_metadata=True))
        return answer

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(params.get("channel"))
        message = next((m for m in self.messages if m["channel"] == channel and m["ts"] == params.get("ts")), None)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if "text" in params:
            message["text"] = params["text"]
        if "blocks" in params:
            message["blocks"] = params["blocks"] or []
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        message["edited"] = {"user": self.BOT_USER, "ts": self._next_ts()}
        answer = _ok("chat.update")
        answer.update(channel=channel, ts=message["ts"], text=message["text"],
                      message=self._public(message, with_metadata=True))
        return answer

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(params.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        answer = _ok("chat.postEphemeral")
        answer["message_ts"] = self._next_ts()
        self.ephemeral.append({"channel": channel, "user": params["user"], "text": params.get("text", ""),
                               "blocks": params.get("blocks") or [], "message_ts": answer["message_ts"]})
        return answer

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = params.get("users")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        key = ",".join(sorted(str(users).split(",")))
        channel = self.dms.setdefault(key, f"D{next(self._ids):08d}")
        answer = _ok("conversations.open")
        answer["channel"] = {"id": channel}
        return answer

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if channel not in self.channels.values() and channel not in self.dms.values():
            return {"ok": False, "error": "channel_not_found"}  # like Slack: ids only, no #names
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        with_metadata = params.get("include_all_metadata") in _TRUE
        found = [m for m in reversed(self.messages)
                 if m["channel"] == channel and m["thread_ts"] in (None, m["ts"]) and oldest < float(m["ts"]) <= latest]
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        page = found[start:start + limit]
        has_more = start + limit < len(found)
        answer = _ok("conversations.history")
        answer.update(messages=[self._public(m, with_metadata) for m in page], has_more=has_more,
                      response_metadata={"next_cursor": str(start + limit) if has_more else ""})
        return answer

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if channel not in self.channels.values() and channel not in self.dms.values():
            return {"ok": False, "error": "channel_not_found"}
        parent = [m for m in self.messages if m["channel"] == channel and m["ts"] == ts]
        if not parent:
            return {"ok": False, "error": "thread_not_found"}
        with_metadata = params.get("include_all_metadata") in _TRUE
        found = parent + [m for m in self.messages if m["channel"] == channel and m["thread_ts"] == ts and m["ts"] != ts]
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        page = found[start:start + limit]
        has_more = start + limit < len(found)
        return {"ok": True, "messages": [self._public(m, with_metadata) for m in page], "has_more": has_more,
                "response_metadata": {"next_cursor": str(start + limit) if has_more else ""}}

    def _users_lookupByEmail(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(params.get("email")))
        if user is None:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": copy.deepcopy(user)}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id") or not isinstance(params.get("view"), dict):
            return copy.deepcopy(_DATA["views.open"]["error"])
        self.views.append({"trigger_id": params["trigger_id"], "view": params["view"]})
        answer = _ok("views.open")
        answer["view"].update({k: v for k, v in params["view"].items() if k in ("type", "title", "blocks",
                                                                                 "callback_id", "private_metadata")})
        return answer

    # -- helpers ---------------------------------------------------------------------------
    def _channel_id(self, channel: Any) -> str | None:
        """A channel id as given (registered under its own id), or the id of a `#name`, made on first use."""
        if not channel or not isinstance(channel, str):
            return None
        if channel in self.dms.values():
            return channel
        if channel[0] in "CDG" and channel[1:].isalnum() and channel.upper() == channel:
            self.channels.setdefault(channel, channel)
            return channel
        name = channel.lstrip("#")
        if name not in self.channels:
            self.channels[name] = f"C{next(self._ids):08d}"
        return self.channels[name]

    def _next_ts(self) -> str:
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    @staticmethod
    def _public(message: dict[str, Any], with_metadata: bool) -> dict[str, Any]:
        shown = {k: v for k, v in message.items() if k not in ("channel", "metadata", "edited") and v is not None}
        if message.get("edited"):
            shown["edited"] = message["edited"]
        if with_metadata and message.get("metadata"):
            shown["metadata"] = message["metadata"]
        return copy.deepcopy(shown)

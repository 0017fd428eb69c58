"""FakeZendesk: a local Zendesk Support API (tickets, comments, search, users) with the real field names.

State the tests read:
- `tickets`: ticket id → the ticket JSON as Zendesk would return it (`subject`, `tags`, `priority`,
  `group_id`, `assignee_id`, `requester_id`, `external_id`, `status`, `created_at`, ...).
- `comments`: ticket id → list of comment JSON (`id`, `type`, `author_id`, `body`, `html_body`,
  `plain_body`, `public`, `created_at`, ...), oldest first.
- `users`: user id → user JSON; `me` is the authenticated agent.
- `requests`: every request received (see tests.fakes.http.FakeRequest).
"""
from __future__ import annotations

import base64
import copy
import itertools
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from tests.fakes.http import FakeRequest, FakeResponse, FakeServer

_DATA = json.loads((Path(__file__).parent / "data" / "zendesk.json").read_text())
_TICKET_PATH = re.compile(r"^/api/v2/tickets/(\d+)\.json$")
_COMMENTS_PATH = re.compile(r"^/api/v2/tickets/(\d+)/comments\.json$")
_USER_PATH = re.compile(r"^/api/v2/users/(\d+)\.json$")
_OPEN_STATUSES = ("new", "open", "pending", "hold")
_STATUS_ORDER = ("new", "open", "pending", "hold", "solved", "closed")


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeZendesk(FakeServer):
    """Zendesk Support API v2 on 127.0.0.1, checking basic auth `email/token:TOKEN`."""

    def __init__(self, email: str = "bot@example.com", token: str = "zd-test-token") -> None:
        super().__init__()
        self.email = email
        self.token = token
        self.tickets: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
        self._ticket_ids = itertools.count(4014)
        self._ids = itertools.count(6164039218714)
        self.me = self._new_user(name="Handoff Bot", email=email, role="admin")

    # -- seeding ---------------------------------------------------------------------------
    def add_ticket(self, *, comments: tuple[str, ...] | list[str] = (), **fields: Any) -> dict[str, Any]:
        """Store a ticket directly (history tests); `requester_email` makes or finds the requester."""
        email = fields.pop("requester_email", None)
        if email is not None:
            fields["requester_id"] = self._user_by_email(email, None)["id"]
        ticket = self._new_ticket(fields)
        for body in comments:
            self._add_comment(ticket["id"], {"body": body, "public": True}, ticket["requester_id"])
        return ticket

    def user_by_email(self, email: str) -> dict[str, Any] | None:
        """The stored user with this email, if any."""
        return next((u for u in self.users.values() if u.get("email") == email), None)

    # -- server ----------------------------------------------------------------------------
    def fault_body(self, status: int) -> Any:
        if status == 401:
            return {"error": "Couldn't authenticate you"}
        if status == 404:
            return copy.deepcopy(_DATA["not_found"])
        if status == 403:
            return {"error": "Forbidden", "description": "You do not have access to this page."}
        if status == 422:
            return {"error": "RecordInvalid", "description": "Record validation errors", "details": {}}
        if status == 429:
            return {"error": "TooManyRequests", "description": "Rate limit exceeded"}
        return {"error": "InternalError", "description": f"injected {status}"}

    def handle(self, request: FakeRequest) -> FakeResponse:
        if not self._authorized(request):
            return FakeResponse(401, {"error": "Couldn't authenticate you"})
        path, method = request.path, request.method
        if path == "/api/v2/users/me.json" and method == "GET":
            return FakeResponse(200, {"user": self.me})
        if path == "/api/v2/tickets.json" and method == "POST":
            return self._create(request)
        if path == "/api/v2/tickets.json" and method == "GET":
            return self._list(request)
        if path == "/api/v2/search.json" and method == "GET":
            return self._search(request)
        if m := _TICKET_PATH.match(path):
            ticket_id = int(m.group(1))
            if ticket_id not in self.tickets:
                return FakeResponse(404, copy.deepcopy(_DATA["not_found"]))
            if method == "GET":
                return FakeResponse(200, {"ticket": self.tickets[ticket_id]})
            if method == "PUT":
                return self._update(ticket_id, request)
        if (m := _COMMENTS_PATH.match(path)) and method == "GET":
            ticket_id = int(m.group(1))
            if ticket_id not in self.tickets:
                return FakeResponse(404, copy.deepcopy(_DATA["not_found"]))
            return FakeResponse(200, self._page("comments", self.comments.get(ticket_id, []), request))
        if (m := _USER_PATH.match(path)) and method == "GET":
            user = self.users.get(int(m.group(1)))
            if user is None:
                return FakeResponse(404, copy.deepcopy(_DATA["not_found"]))
            return FakeResponse(200, {"user": user})
        return FakeResponse(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _authorized(self, request: FakeRequest) -> bool:
        expected = base64.b64encode(f"{self.email}/token:{self.token}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {expected}"

    # -- endpoints -------------------------------------------------------------------------
    def _create(self, request: FakeRequest) -> FakeResponse:
        payload = (request.json or {}).get("ticket")
        if not isinstance(payload, dict):
            return FakeResponse(400, {"error": "InvalidValue", "description": "ticket missing"})
        fields = {k: v for k, v in payload.items() if k not in ("comment", "requester")}
        requester = payload.get("requester")
        if isinstance(requester, dict) and requester.get("email"):
            fields["requester_id"] = self._user_by_email(requester["email"], requester.get("name"))["id"]
        comment = payload.get("comment") or ({"body": payload["description"]} if payload.get("description") else None)
        if comment is None:
            return FakeResponse(422, {"error": "RecordInvalid", "description": "Record validation errors",
                                      "details": {"description": [{"description": "Description: cannot be blank"}]}})
        ticket = self._new_ticket(fields)
        created = self._add_comment(ticket["id"], comment, self.me["id"])
        ticket["description"] = created["body"]
        events = [dict(created, type="Comment")] + [
            {"id": next(self._ids), "type": "Create", "value": value, "field_name": key}
            for key, value in fields.items() if key in ("subject", "priority", "tags", "group_id", "assignee_id")
        ]
        headers = {"Location": f"{self.url}/api/v2/tickets/{ticket['id']}.json"}
        return FakeResponse(201, {"ticket": ticket, "audit": self._audit(ticket, events)}, headers)

    def _update(self, ticket_id: int, request: FakeRequest) -> FakeResponse:
        payload = (request.json or {}).get("ticket") or {}
        ticket = self.tickets[ticket_id]
        events: list[dict[str, Any]] = []
        for key, value in payload.items():
            if key in ("comment", "id", "requester"):
                continue
            if ticket.get(key) != value:
                events.append({"id": next(self._ids), "type": "Change", "value": value,
                               "field_name": key, "previous_value": ticket.get(key)})
                ticket[key] = value
        if isinstance(payload.get("comment"), dict):
            created = self._add_comment(ticket_id, payload["comment"], self.me["id"])
            events.insert(0, dict(created, type="Comment"))
        ticket["updated_at"] = _iso(self.now())
        return FakeResponse(200, {"ticket": ticket, "audit": self._audit(ticket, events)})

    def _list(self, request: FakeRequest) -> FakeResponse:
        found = list(self.tickets.values())
        if "external_id" in request.query:
            found = [t for t in found if t.get("external_id") == request.query["external_id"]]
        return FakeResponse(200, self._page("tickets", found, request))

    def _search(self, request: FakeRequest) -> FakeResponse:
        query = request.query.get("query", "")
        found = [t for t in self.tickets.values() if self._matches(t, query)]
        reverse = request.query.get("sort_order", "desc") == "desc"
        found.sort(key=lambda t: t["created_at"], reverse=reverse)
        results = [dict(t, result_type="ticket") for t in found]
        return FakeResponse(200, {"results": results, "facets": None, "next_page": None,
                                  "previous_page": None, "count": len(results)})

    def _matches(self, ticket: dict[str, Any], query: str) -> bool:
        """A small subset of the search language: type:, requester:, status:/</>, created>/<, tags:."""
        for token in re.findall(r'(?:[^\s"]+"[^"]*"|[^\s"]+)', query):
            m = re.match(r"^(\w+)(:|>=|<=|>|<)(.+)$", token)
            if not m:
                continue
            key, op, value = m.group(1), m.group(2), m.group(3).strip('"')
            if key == "type" and value != "ticket":
                return False
            if key == "requester":
                user = self.users.get(ticket.get("requester_id") or 0, {})
                if value not in (user.get("email"), str(user.get("id"))):
                    return False
            if key == "status" and not _compare(_STATUS_ORDER.index(ticket["status"]), op,
                                                _STATUS_ORDER.index(value)):
                return False
            if key == "created" and not _compare(ticket["created_at"][: len(value)], op, value):
                return False
            if key in ("tags", "tag") and value not in ticket.get("tags", []):
                return False
        return True

    # -- helpers ---------------------------------------------------------------------------
    def _page(self, key: str, items: list[dict[str, Any]], request: FakeRequest) -> dict[str, Any]:
        if "page[size]" in request.query:  # cursor pagination, as zenpy asks for it
            return {key: items, "meta": {"has_more": False, "after_cursor": None, "before_cursor": None},
                    "links": {"next": None, "prev": None}}
        return {key: items, "next_page": None, "previous_page": None, "count": len(items)}

    def _new_user(self, *, name: str | None, email: str | None, role: str = "end-user") -> dict[str, Any]:
        user = copy.deepcopy(_DATA["user"])
        user_id = next(self._ids)
        now = _iso(self.now())
        user.update(id=user_id, url=f"{self.url if self._server else ''}/api/v2/users/{user_id}.json",
                    name=name or (email or "").split("@")[0], email=email, role=role,
                    created_at=now, updated_at=now)
        self.users[user_id] = user
        return user

    def _user_by_email(self, email: str, name: str | None) -> dict[str, Any]:
        return self.user_by_email(email) or self._new_user(name=name, email=email)

    def _new_ticket(self, fields: dict[str, Any]) -> dict[str, Any]:
        ticket = copy.deepcopy(_DATA["ticket"])
        ticket_id = next(self._ticket_ids)
        now = _iso(self.now())
        ticket.update(id=ticket_id, url=f"{self.url if self._server else ''}/api/v2/tickets/{ticket_id}.json",
                      created_at=now, updated_at=now, requester_id=self.me["id"], submitter_id=self.me["id"],
                      organization_id=None)
        ticket.update({k: v for k, v in fields.items() if k != "id"})
        ticket["raw_subject"] = ticket.get("subject")
        ticket["tags"] = list(ticket.get("tags") or [])
        if "status" not in fields:
            ticket["status"] = "open" if ticket.get("assignee_id") else "new"
        self.tickets[ticket_id] = ticket
        self.comments.setdefault(ticket_id, [])
        return ticket

    def _add_comment(self, ticket_id: int, comment: dict[str, Any], author_id: int) -> dict[str, Any]:
        body = str(comment.get("body") or comment.get("html_body") or "")
        stored = {
            "id": next(self._ids), "type": "Comment", "author_id": comment.get("author_id") or author_id,
            "body": body, "html_body": f'<div class="zd-comment" dir="auto"><p dir="auto">{body}</p></div>',
            "plain_body": body, "public": bool(comment.get("public", True)), "attachments": [],
            "audit_id": next(self._ids), "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": _iso(self.now()),
        }
        self.comments.setdefault(ticket_id, []).append(stored)
        return stored

    def _audit(self, ticket: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
        audit = copy.deepcopy(_DATA["audit"])
        audit.update(id=next(self._ids), ticket_id=ticket["id"], created_at=ticket["updated_at"],
                     author_id=self.me["id"], events=events)
        return audit


def _compare(left: Any, op: str, right: Any) -> bool:
    return {":": left == right, ">": left > right, "<": left < right,
            ">=": left >= right, "<=": left <= right}[op]

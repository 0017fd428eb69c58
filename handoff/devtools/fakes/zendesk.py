"""FakeZendesk: a local Zendesk Support API (tickets, comments, search, users) with the real field names.

State the tests read:
- `tickets`: ticket id → the ticket JSON as Zendesk would return it (`subject`, `tags`, `priority`,
  `group_id`, `assignee_id`, `requester_id`, `external_id`, `status`, `created_at`, ...).
- `comments`: ticket id → list of comment JSON (`id`, `type`, `author_id`, `body`, `html_body`,
  `plain_body`, `public`, `created_at`, ...), oldest first.
- `users`: user id → user JSON; `me` is the authenticated agent.
- `webhooks`: webhook id → webhook JSON (`name`, `endpoint`, `http_method`, `request_format`, `status`,
  `subscriptions`, ...); `webhook_secrets`: webhook id → signing secret.
- `triggers`: trigger id → trigger JSON (`title`, `active`, `conditions`, `actions`, ...).
- `requests`: every request received (see handoff.devtools.fakes.http.FakeRequest).
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
from urllib.parse import urlencode

from handoff.devtools.fakes.http import FakeRequest, FakeResponse, FakeServer

_DATA = json.loads((Path(__file__).parent / "data" / "zendesk.json").read_text())
_TICKET_PATH = re.compile(r"^/api/v2/tickets/(\d+)\.json$")
_COMMENTS_PATH = re.compile(r"^/api/v2/tickets/(\d+)/comments\.json$")
_USER_PATH = re.compile(r"^/api/v2/users/(\d+)\.json$")
_WEBHOOK_PATH = re.compile(r"^/api/v2/webhooks/([A-Za-z0-9]+)$")
_SECRET_PATH = re.compile(r"^/api/v2/webhooks/([A-Za-z0-9]+)/signing_secret$")
_TRIGGER_PATH = re.compile(r"^/api/v2/triggers/(\d+)(?:\.json)?$")
_WEBHOOK_FIELDS = ("name", "endpoint", "http_method", "request_format", "status")
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
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.webhook_secrets: dict[str, str] = {}
        self.triggers: dict[int, dict[str, Any]] = {}
        self._webhook_ids = itertools.count(1)
        self._trigger_ids = itertools.count(360210010001)
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
        if path.startswith("/api/v2/webhooks") or path.startswith("/api/v2/triggers"):
            return self._rules(request)
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
        headers = {"Location": f"{self.url}/api/v2/tickets/{ticket['id']}.json"}
        # CreateTicket answers the ticket only (Support API OAS: TicketResponse), no audit.
        return FakeResponse(201, {"ticket": ticket}, headers)

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

    # -- webhooks and triggers ---------------------------------------------------------------
    def _rules(self, request: FakeRequest) -> FakeResponse:
        path, method = request.path, request.method
        if path == "/api/v2/webhooks" and method == "GET":
            return self._list_webhooks(request)
        if path == "/api/v2/webhooks" and method == "POST":
            return self._create_webhook(request)
        if m := _SECRET_PATH.match(path):
            if m.group(1) not in self.webhooks:
                return FakeResponse(404, _webhook_error("WebhookNotFound", "Webhook not found"))
            if method == "GET":
                return FakeResponse(200, {"signing_secret": {"algorithm": "SHA256",
                                                             "secret": self.webhook_secrets[m.group(1)]}})
        if m := _WEBHOOK_PATH.match(path):
            webhook = self.webhooks.get(m.group(1))
            if webhook is None:
                return FakeResponse(404, _webhook_error("WebhookNotFound", "Webhook not found"))
            if method == "GET":
                return FakeResponse(200, {"webhook": webhook})
            if method == "PATCH":
                changes = (request.json or {}).get("webhook") or {}
                webhook.update({k: v for k, v in changes.items() if k in _WEBHOOK_FIELDS})
                webhook["updated_at"] = _iso(self.now())
                return FakeResponse(204, None)
        if path in ("/api/v2/triggers", "/api/v2/triggers.json") and method == "GET":
            return self._list_triggers(request)
        if path in ("/api/v2/triggers", "/api/v2/triggers.json") and method == "POST":
            return self._save_trigger(None, request)
        if m := _TRIGGER_PATH.match(path):
            trigger_id = int(m.group(1))
            if trigger_id not in self.triggers:
                return FakeResponse(404, copy.deepcopy(_DATA["not_found"]))
            if method == "GET":
                return FakeResponse(200, {"trigger": self.triggers[trigger_id]})
            if method == "PUT":
                return self._save_trigger(trigger_id, request)
        return FakeResponse(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _list_webhooks(self, request: FakeRequest) -> FakeResponse:
        """Cursor pagination (`page[size]`, `page[after]`) and `filter[name_contains]`, as Zendesk does."""
        needle = request.query.get("filter[name_contains]", "")
        found = [w for w in self.webhooks.values() if needle.lower() in w["name"].lower()]
        size = int(request.query.get("page[size]", "100"))
        start = int(request.query.get("page[after]", "0") or 0)
        page, more = found[start:start + size], start + size < len(found)
        after = str(start + size) if more else None
        next_link = None
        if more:
            query = urlencode({"page[size]": size, "page[after]": after, "filter[name_contains]": needle})
            next_link = f"{self.url}/api/v2/webhooks?{query}"
        return FakeResponse(200, {"webhooks": page, "meta": {"has_more": more, "after_cursor": after,
                                                             "before_cursor": None},
                                  "links": {"next": next_link, "prev": None}})

    def _create_webhook(self, request: FakeRequest) -> FakeResponse:
        payload = (request.json or {}).get("webhook")
        if not isinstance(payload, dict):
            return FakeResponse(400, _webhook_error("InvalidInput", "webhook is required"))
        missing = [f for f in (*_WEBHOOK_FIELDS, "subscriptions") if not payload.get(f)]
        if missing:
            return FakeResponse(400, _webhook_error("InvalidValue", f"{missing[0]} is required"))
        if payload["request_format"] not in ("json", "xml", "form_encoded"):
            return FakeResponse(400, _webhook_error("InvalidValue", "request_format is invalid"))
        webhook_id = f"01HQ{next(self._webhook_ids):022d}"
        now = _iso(self.now())
        webhook = {"id": webhook_id, "name": payload["name"], "description": payload.get("description"),
                   "endpoint": payload["endpoint"], "http_method": payload["http_method"],
                   "request_format": payload["request_format"], "status": payload["status"],
                   "subscriptions": list(payload["subscriptions"]), "created_at": now,
                   "created_by": str(self.me["id"]), "updated_at": now, "updated_by": str(self.me["id"])}
        if payload.get("authentication"):
            webhook["authentication"] = {k: v for k, v in payload["authentication"].items() if k != "data"}
        self.webhooks[webhook_id] = webhook
        self.webhook_secrets[webhook_id] = base64.b64encode(f"secret-{webhook_id}".encode()).decode()
        return FakeResponse(201, {"webhook": webhook})

    def _list_triggers(self, request: FakeRequest) -> FakeResponse:
        """Offset pagination (`per_page`, `page`) with a `next_page` link."""
        per_page = int(request.query.get("per_page", "100"))
        page = int(request.query.get("page", "1"))
        items = list(self.triggers.values())
        chunk = items[(page - 1) * per_page: page * per_page]
        more = page * per_page < len(items)
        next_page = f"{self.url}/api/v2/triggers.json?page={page + 1}&per_page={per_page}" if more else None
        return FakeResponse(200, {"triggers": chunk, "next_page": next_page,
                                  "previous_page": None, "count": len(items)})

    def _save_trigger(self, trigger_id: int | None, request: FakeRequest) -> FakeResponse:
        payload = (request.json or {}).get("trigger")
        if not isinstance(payload, dict):
            return FakeResponse(400, {"error": "InvalidValue", "description": "trigger missing"})
        merged = {**self.triggers[trigger_id], **payload} if trigger_id else dict(payload)
        errors = []
        if not merged.get("title"):
            errors.append({"description": "Title: cannot be blank"})
        if not merged.get("actions"):
            errors.append({"description": "Actions: cannot be blank"})
        conditions = merged.get("conditions") or {}
        if not (conditions.get("all") or conditions.get("any")):
            errors.append({"description": "Conditions: cannot be blank"})
        for action in merged.get("actions") or []:
            if action.get("field") == "notification_webhook":
                value = action.get("value")
                if not (isinstance(value, list) and len(value) == 2 and value[0] in self.webhooks):
                    errors.append({"description": "Notify webhook: the webhook does not exist"})
        if errors:
            return FakeResponse(422, {"error": "RecordInvalid", "description": "Record validation errors",
                                      "details": {"base": errors}})
        now = _iso(self.now())
        if trigger_id is None:
            trigger_id = next(self._trigger_ids)
            merged = {"id": trigger_id, "url": f"{self.url}/api/v2/triggers/{trigger_id}.json", "active": True,
                      "position": len(self.triggers) + 1, "default": False, "raw_title": merged["title"],
                      "category_id": "10001", "created_at": now, "description": None, **merged}
        merged["updated_at"] = now
        self.triggers[trigger_id] = merged
        return FakeResponse(201 if request.method == "POST" else 200, {"trigger": merged})

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


def _webhook_error(code: str, title: str) -> dict[str, Any]:
    """The webhooks API's error shape (it differs from the Support API's `error`/`description`)."""
    return {"errors": [{"code": code, "title": title, "detail": title}]}


def _compare(left: Any, op: str, right: Any) -> bool:
    return {":": left == right, ">": left > right, "<": left < right,
            ">=": left >= right, "<=": left <= right}[op]

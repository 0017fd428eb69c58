"""`handoff setup zendesk`: create (idempotently) the Zendesk webhook, and for trigger-kind its trigger.

Two kinds, fixed when Zendesk creates the webhook:
- "trigger" (default): a webhook subscribed to `conditional_ticket_events` plus one ticket trigger,
  named like the webhook, whose action notifies it with `handoff.core.formats.zendesk_events.TRIGGER_BODY`. It is
  the only kind that carries satisfaction ratings (Zendesk has no webhook event type for them).
- "events": a webhook subscribed to the ticket event types in `SUBSCRIBED_EVENT_TYPES`; no trigger.

Trigger conditions (ANY of): the ticket is created; a public comment is added; the status, the
assignee or the satisfaction rating changes. That is every moment the service acts on (customer
comment → decide; assignment, solve, rating → quality metrics) and nothing else, so ordinary field
edits do not call the service. The service's own private notes match none of them.

Idempotent: the webhook is found by exact name (`filter[name_contains]`, all pages), the trigger by
exact title. An existing webhook whose endpoint differs is pointed at `target_url`; an existing trigger
that notifies another webhook, or uses other conditions, is rewritten. A second run changes nothing.
Webhook signing needs no configuration (Zendesk signs every request); the signing secret is read
back (`GET /api/v2/webhooks/{id}/signing_secret`) for ZENDESK_WEBHOOK_SECRET.

Calls go through the Zenpy client's requests session (so the connector's transport points them at
the configured base URL and maps errors) as plain JSON: the bodies are Zendesk's documented JSON and
zenpy's object layer adds nothing for them.
"""
from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from typing import Any, Literal

import requests
from zenpy import Zenpy

from connectors.errors import Rejected, Unavailable, UpstreamError
from connectors.zendesk import SOURCE, ZendeskConnector, error_for_status
from handoff.core.formats.zendesk_events import SUBSCRIBED_EVENT_TYPES, TRIGGER_BODY

SetupKind = Literal["trigger", "events"]
TRIGGER_SUBSCRIPTION = "conditional_ticket_events"
MAX_PAGES = 50  # a safety stop: an account does not hold 5,000 webhooks or triggers

TRIGGER_CONDITIONS: dict[str, list[dict[str, Any]]] = {
    "all": [],
    "any": [
        {"field": "update_type", "operator": "is", "value": "Create"},
        {"field": "comment_is_public", "operator": "is", "value": "true"},
        {"field": "status", "operator": "changed"},
        {"field": "assignee_id", "operator": "changed"},
        {"field": "satisfaction_score", "operator": "changed"},
    ],
}


@dataclass(frozen=True)
class SetupResult:
    """What `setup_zendesk` found or made; `signing_secret` is kept out of repr and logs."""

    kind: str
    target_url: str
    webhook_id: str
    webhook_created: bool
    webhook_updated: bool = False
    trigger_id: int | None = None
    trigger_created: bool = False
    trigger_updated: bool = False
    signing_secret: str = field(default="", repr=False)

    @property
    def changed(self) -> bool:
        """Whether this run created or changed anything in Zendesk."""
        return self.webhook_created or self.webhook_updated or self.trigger_created or self.trigger_updated


def webhook_payload(name: str, target_url: str, kind: SetupKind) -> dict[str, Any]:
    """The `webhook` object for `POST /api/v2/webhooks`."""
    subscriptions = [TRIGGER_SUBSCRIPTION] if kind == "trigger" else list(SUBSCRIBED_EVENT_TYPES)
    return {
        "name": name,
        "description": "Handoff: decides when the AI bot hands a customer to a human",
        "endpoint": target_url,
        "http_method": "POST",
        "request_format": "json",
        "status": "active",
        "subscriptions": subscriptions,
    }


def trigger_payload(name: str, webhook_id: str) -> dict[str, Any]:
    """The `trigger` object for `POST /api/v2/triggers`."""
    return {
        "title": name,
        "description": "Sends ticket changes to the Handoff service (created by `handoff setup zendesk`).",
        "active": True,
        "conditions": TRIGGER_CONDITIONS,
        "actions": [{"field": "notification_webhook", "value": [webhook_id, json.dumps(TRIGGER_BODY, indent=2)]}],
    }


class _Api:
    """Plain JSON calls on the Zenpy client's session, under zenpy's canonical URL."""

    def __init__(self, client: Zenpy) -> None:
        api = client.webhooks
        self._session: requests.Session = api.session
        self._timeout = api.timeout
        # zenpy's own URL rule (base_url honours ZENPY_FORCE_NETLOC; the scheme override is read the same way)
        scheme = os.environ.get("ZENPY_FORCE_SCHEME", api.protocol)
        self._prefix = f"{scheme}://{api.base_url}/api/v2"

    def call(self, method: str, path_or_url: str, body: dict[str, Any] | None = None,
             params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One Zendesk API call, its failure turned into the project's error."""
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self._prefix + path_or_url
        response = self._session.request(method, url, json=body, params=params, timeout=self._timeout)
        if not 200 <= response.status_code < 300:  # the connector's transport raised already; a bare Zenpy did not
            raise error_for_status(response.status_code, response.headers, response.reason or "error")
        if response.status_code == 204 or not response.content:
            return {}
        try:
            answer = response.json()
        except ValueError:
            raise Unavailable(SOURCE, f"{method} {path_or_url}: answer is not JSON") from None
        if not isinstance(answer, dict):
            raise Unavailable(SOURCE, f"{method} {path_or_url}: unexpected answer")
        return answer


def _find_webhook(api: _Api, name: str) -> dict[str, Any] | None:
    answer = api.call("GET", "/webhooks", params={"filter[name_contains]": name, "page[size]": 100})
    for _ in range(MAX_PAGES):
        for webhook in answer.get("webhooks") or []:
            if isinstance(webhook, dict) and webhook.get("name") == name:
                return webhook
        nxt = (answer.get("links") or {}).get("next")
        if not (answer.get("meta") or {}).get("has_more") or not nxt:
            return None
        answer = api.call("GET", nxt)
    return None


def _find_trigger(api: _Api, title: str) -> dict[str, Any] | None:
    answer = api.call("GET", "/triggers.json", params={"per_page": 100})
    for _ in range(MAX_PAGES):
        for trigger in answer.get("triggers") or []:
            if isinstance(trigger, dict) and trigger.get("title") == title:
                return trigger
        nxt = answer.get("next_page")
        if not nxt:
            return None
        answer = api.call("GET", nxt)
    return None


def _webhook_kind(webhook: dict[str, Any]) -> str:
    return "trigger" if TRIGGER_SUBSCRIPTION in (webhook.get("subscriptions") or []) else "events"


def _trigger_matches(trigger: dict[str, Any], wanted: dict[str, Any]) -> bool:
    def normal(value: Any) -> str:
        return json.dumps(value, sort_keys=True)

    def conditions_of(value: Any) -> Any:
        # Zendesk may echo `"value": null` for operators that take none ("changed").
        if not isinstance(value, dict):
            return value
        return {group: [{k: v for k, v in c.items() if v is not None} if isinstance(c, dict) else c
                        for c in value.get(group) or []] for group in ("all", "any")}

    def body_of(actions: Any) -> Any:
        # Compare the action's JSON body parsed, not as text: Zendesk may re-format it.
        out = []
        for action in actions or []:
            value = action.get("value") if isinstance(action, dict) else None
            if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
                try:
                    value = [value[0], json.loads(value[1])]
                except ValueError:
                    pass
            out.append({"field": action.get("field") if isinstance(action, dict) else None, "value": value})
        return out

    return (normal(body_of(trigger.get("actions"))) == normal(body_of(wanted["actions"]))
            and normal(conditions_of(trigger.get("conditions"))) == normal(conditions_of(wanted["conditions"]))
            and trigger.get("active", True) is True)


def _setup(client: Zenpy, target_url: str, name: str, kind: SetupKind) -> SetupResult:
    api = _Api(client)
    webhook = _find_webhook(api, name)
    created = updated = False
    if webhook is None:
        answer = api.call("POST", "/webhooks", {"webhook": webhook_payload(name, target_url, kind)})
        webhook = answer.get("webhook")
        if not isinstance(webhook, dict):
            raise Unavailable(SOURCE, "webhook create answered without a webhook")
        created = True
    else:
        if _webhook_kind(webhook) != kind:
            raise Rejected(SOURCE, f"webhook {name!r} exists as a {_webhook_kind(webhook)} webhook and Zendesk "
                                   f"cannot change that; delete it or pass another name")
        if webhook.get("endpoint") != target_url or webhook.get("status") != "active":
            api.call("PATCH", f"/webhooks/{webhook['id']}", {"webhook": {"endpoint": target_url, "status": "active"}})
            updated = True
    webhook_id = webhook.get("id")
    if not isinstance(webhook_id, str) or not webhook_id:
        raise Unavailable(SOURCE, "webhook answered without an id")

    trigger_id: int | None = None
    trigger_created = trigger_updated = False
    if kind == "trigger":
        wanted = trigger_payload(name, webhook_id)
        trigger = _find_trigger(api, name)
        if trigger is None:
            trigger = api.call("POST", "/triggers.json", {"trigger": wanted}).get("trigger")
            trigger_created = True
        elif not _trigger_matches(trigger, wanted):
            trigger = api.call("PUT", f"/triggers/{trigger['id']}.json", {"trigger": wanted}).get("trigger")
            trigger_updated = True
        if not isinstance(trigger, dict) or not isinstance(trigger.get("id"), int):
            raise Unavailable(SOURCE, "trigger answered without an id")
        trigger_id = trigger["id"]

    secret_answer = api.call("GET", f"/webhooks/{webhook_id}/signing_secret").get("signing_secret")
    secret = secret_answer.get("secret") if isinstance(secret_answer, dict) else None
    if not isinstance(secret, str) or not secret:
        raise Unavailable(SOURCE, "signing_secret answered without a secret")
    return SetupResult(kind=kind, target_url=target_url, webhook_id=webhook_id, webhook_created=created,
                       webhook_updated=updated, trigger_id=trigger_id, trigger_created=trigger_created,
                       trigger_updated=trigger_updated, signing_secret=secret)


async def setup_zendesk(
    connector_or_client: ZendeskConnector | Zenpy,
    *,
    target_url: str,
    name: str = "Handoff",
    kind: SetupKind = "trigger",
) -> SetupResult:
    """Create or reuse the Handoff webhook (and trigger) in Zendesk; return ids and the signing secret."""
    if kind not in ("trigger", "events"):
        raise ValueError("kind must be 'trigger' or 'events'")
    if not target_url.startswith(("https://", "http://")):
        raise ValueError("target_url must be an http(s) URL, e.g. https://handoff.example.com/webhooks/zendesk")
    if not name.strip():
        raise ValueError("name must not be empty")
    client = connector_or_client.client if isinstance(connector_or_client, ZendeskConnector) else connector_or_client
    try:
        return await asyncio.to_thread(_setup, client, target_url, name, kind)
    except UpstreamError:
        raise
    except requests.Timeout:
        raise Unavailable(SOURCE, "timeout") from None
    except requests.RequestException as exc:
        raise Unavailable(SOURCE, f"connection failed: {type(exc).__name__}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Unavailable(SOURCE, f"unexpected answer: {type(exc).__name__}") from None


def describe(result: SetupResult, *, show_secret: bool = False) -> str:
    """The text `handoff setup zendesk` prints; the secret only with `show_secret`."""
    def verb(created: bool, updated: bool) -> str:
        return "created" if created else "updated" if updated else "already there"

    lines = [f"Zendesk webhook {result.webhook_id} ({result.kind} kind) → {result.target_url}: "
             f"{verb(result.webhook_created, result.webhook_updated)}"]
    if result.trigger_id is not None:
        lines.append(f"Zendesk trigger {result.trigger_id}: {verb(result.trigger_created, result.trigger_updated)}")
    if show_secret:
        lines.append(f"ZENDESK_WEBHOOK_SECRET={result.signing_secret}")
    else:
        lines.append("Set ZENDESK_WEBHOOK_SECRET to the webhook's signing secret (Admin Center → Webhooks → "
                     "Reveal secret), or run again with --show-secret to print it.")
    return "\n".join(lines)


__all__ = ["SetupResult", "TRIGGER_CONDITIONS", "describe", "setup_zendesk", "trigger_payload", "webhook_payload"]

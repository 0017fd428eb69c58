"""The Zendesk webhook edge, pure: signature check, body parsing, live ticket → conversation, bot ownership.

Zendesk sends two kinds of webhook bodies (the kind is fixed when the webhook is created):
- event subscriptions: `{"type": "zen:event-type:ticket.comment_added", "id": "<event uuid>",
  "time": "...", "subject": "zen:ticket:5158", "account_id": 22129848, "detail": {"id": "5158",
  "actor_id": "...", "status": "OPEN", ...}, "event": {...}}`, ids as strings, statuses upper case;
- trigger/automation webhooks: whatever JSON the admin wrote, with placeholders rendered. We need at
  least `{"ticket_id": "{{ticket.id}}"}`; `TRIGGER_BODY` is the recommended body (see its comment).

Dedupe key (`InboundEvent.key`), first that exists:
1. `evt:<id>` — the event body's `id` (event subscriptions; Zendesk keeps it across redeliveries);
2. `inv:<x-zendesk-webhook-invocation-id>` — trigger bodies; one invocation, however often retried;
3. `sha:<sha256 of webhook id + NUL + body>` — neither present (a proxy dropped the header): two
   byte-identical bodies from the same webhook are treated as the same delivery. Trigger bodies carry
   the ticket's `updated_at`, so distinct updates still differ.

No I/O and no clock reads here: the caller passes `now`.
"""
from __future__ import annotations
from __future__ import annotations

from handoff.core.formats.zendesk_events.model import (
    ACCOUNT_ID_HEADER,
    DEFAULT_BOT_TAGS,
    EVENT_KINDS,
    EVENT_PREFIX,
    HANDOFF_TAG,
    INVOCATION_ID_HEADER,
    KINDS,
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    SOLVED_STATUSES,
    SUBSCRIBED_EVENT_TYPES,
    TIMESTAMP_HEADER,
    TRIGGER_BODY,
    WEBHOOK_ID_HEADER,
    InboundEvent,
    Kind,
    WebhookRejected,
    trigger_body_json,
)
from handoff.core.formats.zendesk_events.parse import parse_event
from handoff.core.formats.zendesk_events.signature import sign, verify_signature
from handoff.core.formats.zendesk_events.tickets import conversation_from_ticket, is_bot_handling

__all__ = [
    "ACCOUNT_ID_HEADER", "DEFAULT_BOT_TAGS", "EVENT_KINDS", "EVENT_PREFIX", "HANDOFF_TAG", "INVOCATION_ID_HEADER",
    "KINDS", "MAX_BODY_BYTES", "SIGNATURE_HEADER", "SOLVED_STATUSES", "SUBSCRIBED_EVENT_TYPES", "TIMESTAMP_HEADER",
    "TRIGGER_BODY", "WEBHOOK_ID_HEADER", "InboundEvent", "Kind", "WebhookRejected", "conversation_from_ticket",
    "is_bot_handling", "parse_event", "sign", "trigger_body_json", "verify_signature",
]

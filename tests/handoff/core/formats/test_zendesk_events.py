"""Zendesk webhook bodies parsed: event subscriptions, trigger bodies, dedupe keys and garbage."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from handoff.core.formats.zendesk_events import (
    SUBSCRIBED_EVENT_TYPES,
    TRIGGER_BODY,
    InboundEvent,
    WebhookRejected,
    parse_event,
    trigger_body_json,
)

DATA = Path(__file__).parent / "data" / "zendesk_events"
HEADERS = {"x-zendesk-webhook-id": "01HQ3Z8Y0N0000000000000000", "x-zendesk-account-id": "22129848",
           "x-zendesk-webhook-invocation-id": "8350205101"}
AGENT = 9001
REQUESTER = 8447388090494


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


# -- parsing: event subscriptions --------------------------------------------------------------
def test_comment_added_event() -> None:
    event = parse_event(raw("comment_added.json"), HEADERS)

    assert event.kind == "comment_added"
    assert event.ticket_id == 5158
    assert event.key == "evt:d4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52"  # the event id beats the invocation id
    assert event.occurred_at == datetime(2026, 3, 2, 10, 25, 30, 123456, tzinfo=timezone.utc)
    assert event.actor_id == REQUESTER
    assert event.account_id == 22129848
    assert event.webhook_id == HEADERS["x-zendesk-webhook-id"]
    assert event.event_type == "zen:event-type:ticket.comment_added"
    assert event.data["comment_id"] == 30064117810589
    assert event.data["comment_author_id"] == REQUESTER
    assert event.data["comment_public"] is True
    assert event.data["comment_author_is_staff"] is False
    assert event.data["comment_body"].startswith("This isn't helpful")
    assert event.data["status"] == "open"
    assert event.data["tags"] == ["ai_agent", "billing"]
    assert event.data["requester_id"] == REQUESTER
    assert "assignee_id" not in event.data


def test_status_changed_to_solved_is_solved() -> None:
    event = parse_event(raw("status_changed_solved.json"), {})
    assert event.kind == "solved"
    assert (event.data["status"], event.data["previous_status"]) == ("solved", "open")
    assert event.actor_id == AGENT
    assert event.account_id == 22129848  # from the body when the header is absent


def test_agent_assignment_event() -> None:
    event = parse_event(raw("agent_assignment_changed.json"), HEADERS)
    assert event.kind == "agent_assigned"
    assert (event.data["assignee_id"], event.data["previous_assignee_id"]) == (AGENT, None)


def event_body(event_type: str, event: dict[str, Any] | None = None, **detail: Any) -> bytes:
    return json.dumps({"type": event_type, "id": "e-1", "time": "2026-03-02T10:00:00Z", "account_id": 1,
                       "subject": "zen:ticket:42", "detail": {"id": "42", **detail}, "event": event or {}}).encode()


@pytest.mark.parametrize(("body", "kind", "facts"), [
    (event_body("zen:event-type:ticket.status_changed", {"current": "PENDING", "previous": "OPEN"}),
     "status_changed", {"status": "pending", "previous_status": "open"}),
    (event_body("zen:event-type:ticket.status_changed", {"current": "CLOSED", "previous": "SOLVED"}),
     "solved", {"status": "closed"}),
    (event_body("zen:event-type:ticket.agent_assignment_changed", {"current": None, "previous": "9001"}),
     "other", {"assignee_id": None, "previous_assignee_id": 9001}),
    (event_body("zen:event-type:ticket.group_assignment_changed", {"current": "360002", "previous": "360001"}),
     "group_assigned", {"group_id": 360002, "previous_group_id": 360001}),
    (event_body("zen:event-type:ticket.created", {}, status="NEW", requester_id="55"),
     "ticket_created", {"status": "new", "requester_id": 55}),
    (event_body("zen:event-type:ticket.custom_status_changed", {"current": "123", "previous": "122"}),
     "status_changed", {"custom_status_id": 123, "previous_custom_status_id": 122}),
    (event_body("zen:event-type:ticket.priority_changed", {"current": "HIGH", "previous": "LOW"}), "other", {}),
    (event_body("zen:event-type:ticket.tags_changed", {"tags_added": ["x"]}, tags=["x"]), "other", {"tags": ["x"]}),
])


def test_event_kinds(body: bytes, kind: str, facts: dict[str, Any]) -> None:
    event = parse_event(body, {})
    assert event.kind == kind
    assert event.ticket_id == 42
    for name, value in facts.items():
        assert event.data[name] == value


def test_ticket_id_falls_back_to_the_subject() -> None:
    body = json.dumps({"type": "zen:event-type:ticket.created", "id": "e-2", "subject": "zen:ticket:77",
                       "detail": {}}).encode()
    assert parse_event(body, {}).ticket_id == 77


def test_subscribed_event_types_are_real_names() -> None:
    assert "zen:event-type:ticket.comment_added" in SUBSCRIBED_EVENT_TYPES
    assert all(t.startswith("zen:event-type:ticket.") for t in SUBSCRIBED_EVENT_TYPES)


# -- parsing: trigger bodies --------------------------------------------------------------------
def test_trigger_snapshot_of_a_customer_comment() -> None:
    event = parse_event(raw("trigger_comment.json"), HEADERS)
    assert event.kind == "comment_added"
    assert event.key == "inv:8350205101"
    assert event.ticket_id == 5158
    assert event.actor_id == REQUESTER
    assert event.occurred_at == datetime(2026, 3, 2, 10, 25, tzinfo=timezone.utc)
    assert event.event_type is None
    assert event.data["snapshot"] is True
    assert event.data["status"] == "open"
    assert event.data["assignee_id"] is None  # rendered as "" when nobody is assigned
    assert event.data["comment_id"] == 30064117810589
    assert event.data["comment_public"] is True
    assert event.data["satisfaction_score"] == "unoffered"
    assert event.data["tags"] == ["ai_agent", "billing"]


def test_trigger_snapshot_of_a_rating() -> None:
    event = parse_event(raw("trigger_rating.json"), HEADERS)
    assert event.kind == "satisfaction_rated"
    assert event.data["satisfaction_score"] == "good"
    assert event.data["status"] == "solved"


def trigger(**fields: Any) -> bytes:
    return json.dumps({"ticket_id": "42", **fields}).encode()


@pytest.mark.parametrize(("body", "kind"), [
    (trigger(), "other"),  # the minimal body: the processor reads the ticket
    (trigger(event="solved"), "solved"),
    (trigger(event="Comment_Added"), "comment_added"),
    (trigger(event="status_changed", status="Solved"), "solved"),
    (trigger(event="no-such-kind", status="Solved"), "solved"),  # unknown names fall back to inference
    (trigger(status="Solved", requester_id="5", current_user_id="9", satisfaction_score="Bad, I'm unsatisfied"),
     "solved"),  # an agent touching a rated ticket is not a new rating
    (trigger(status="Closed", requester_id="5", current_user_id="5", satisfaction_score="Bad, I'm unsatisfied"),
     "satisfaction_rated"),
    (trigger(status="Open", requester_id="5", current_user_id="5", comment_author_id="5", comment_public="false"),
     "other"),  # a private note is not a customer message
    (trigger(status="Open", requester_id="5", current_user_id="9", comment_author_id="9", assignee_id="9"),
     "agent_assigned"),
    (trigger(status="Open", requester_id="5", comment_author_id="5"), "comment_added"),
    (trigger(status="Pending", requester_id="5", current_user_id="9", comment_author_id="5"), "other"),
])


def test_trigger_kind_inference(body: bytes, kind: str) -> None:
    assert parse_event(body, HEADERS).kind == kind


def test_trigger_ids_may_be_numbers_and_huge() -> None:
    event = parse_event(trigger(ticket_id=9223372036854775807, requester_id=9223372036854775806), {})
    assert event.ticket_id == 2**63 - 1
    assert event.data["requester_id"] == 2**63 - 2


def test_unrendered_placeholders_are_not_values() -> None:
    event = parse_event(json.dumps({**TRIGGER_BODY, "ticket_id": "42"}).encode(), {})
    assert event.kind == "other"
    assert all(event.data[k] is None for k in ("requester_id", "assignee_id", "comment_id", "status",
                                               "satisfaction_score", "comment_public"))


def test_recommended_trigger_body_is_valid_json_with_the_ticket_id() -> None:
    body = json.loads(trigger_body_json())
    assert body["ticket_id"] == "{{ticket.id}}"
    assert all(v.startswith("{{") and v.endswith("}}") for v in body.values())


# -- dedupe keys ----------------------------------------------------------------------------------
def test_dedupe_key_falls_back_to_a_body_hash() -> None:
    body = trigger(status="Open")
    headers = {"x-zendesk-webhook-id": "wh-1"}
    first, again = parse_event(body, headers), parse_event(body, dict(headers))
    other_webhook = parse_event(body, {"x-zendesk-webhook-id": "wh-2"})
    other_body = parse_event(trigger(status="Pending"), headers)
    assert first.key == again.key and first.key.startswith("sha:")
    assert first.key == "sha:" + hashlib.sha256(b"wh-1\0" + body).hexdigest()
    assert len({first.key, other_webhook.key, other_body.key}) == 3


def test_header_names_are_matched_case_insensitively() -> None:
    event = parse_event(trigger(), {"X-Zendesk-Webhook-Invocation-Id": "abc", "X-Zendesk-Account-Id": "31"})
    assert (event.key, event.account_id) == ("inv:abc", 31)


def test_trigger_body_id_is_not_an_event_id() -> None:
    assert parse_event(trigger(id="x-1"), HEADERS).key == "inv:8350205101"


# -- garbage -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "status", "reason"), [
    (b"", 400, "not valid JSON"),
    (b"{not json", 400, "not valid JSON"),
    (b"\xff\xfe{}", 400, "not valid UTF-8"),
    (b"[1, 2]", 422, "must be a JSON object"),
    (b'"ticket"', 422, "must be a JSON object"),
    (b"null", 422, "must be a JSON object"),
    (b"{}", 422, "no ticket id"),
    (b'{"ticket_id": "{{ticket.id}}"}', 422, "ticket_id must be"),
    (b'{"ticket_id": ""}', 422, "ticket_id must be"),
    (b'{"ticket_id": "-5"}', 422, "ticket_id must be"),
    (b'{"ticket_id": "0"}', 422, "ticket_id must be"),
    (b'{"ticket_id": true}', 422, "ticket_id must be"),
    (b'{"ticket_id": 4.5}', 422, "ticket_id must be"),
    (b'{"ticket_id": "12abc"}', 422, "ticket_id must be"),
    (b'{"ticket_id": "\xd9\xa3"}', 422, "ticket_id must be"),  # an Arabic-Indic digit is not an id
    (b'{"ticket_id": "9223372036854775808"}', 422, "ticket_id must be"),
    (b'{"ticket_id": "99999999999999999999999999999999"}', 422, "ticket_id must be"),
    (b'{"type": "zen:event-type:ticket.created", "id": "e", "detail": {"id": "abc"}}', 422, "detail.id"),
    (b'{"type": "zen:event-type:ticket.created", "id": "e", "detail": "5"}', 422, "detail.id"),
    (b'{"type": "zen:event-type:user.created", "id": "e", "detail": {"id": "x"}}', 422, "not a ticket event"),
    (b'{"type": "something.else"}', 422, "Zendesk event type"),
    (b"[" * 100000 + b"]" * 100000, 400, "nested too deeply"),
    (b'{"ticket_id": "1", "pad": "' + b"x" * (1024 * 1024) + b'"}', 413, "larger than"),
])


def test_garbage_is_rejected(body: bytes, status: int, reason: str) -> None:
    with pytest.raises(WebhookRejected) as err:
        parse_event(body, HEADERS)
    assert err.value.status == status
    assert reason in err.value.reason


def test_event_is_frozen() -> None:
    event = parse_event(trigger(), {})
    assert isinstance(event, InboundEvent)
    with pytest.raises(AttributeError):
        event.kind = "solved"  # type: ignore[misc]

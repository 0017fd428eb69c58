"""One payload type per delivery kind: stored as JSON, read back as the same object, refused when not its kind's."""
from __future__ import annotations

import json

import pytest

from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import (
    KIND_OF,
    AlertRequest,
    CardUpdate,
    CustomerComment,
    SlackMessage,
    SwitchboardControl,
    ThreadReply,
    TicketNote,
    TicketRequest,
    UnreadablePayload,
    kind_of,
    payload_json,
    read_payload,
)

EXAMPLES = [
    TicketRequest("h_1", "[Handoff] Ana: refund", "note", ("handoff", "trigger_x"), "urgent", 7, 8, "a@x.io", "Ana"),
    TicketNote("h_1:claimed:sam", "Claimed by Sam.", ("handoff_claimed",), "high", assignee_id=9),
    CustomerComment("Still nothing??", 4),
    AlertRequest("h_1", "#support", "New handoff", [{"type": "section"}], "U1"),
    CardUpdate("claimed", "Sam", "Claimed by Sam."),
    SlackMessage("Callback due now", thread=True, channel="#support"),
    ThreadReply("Customer: hello", 5, "h_1:customer:5:slack"),
    SwitchboardControl("pass", "5e4af71a81966cfff3ef6550", "app1", {"handoff_id": "h_1", "handoff_priority": "high"}),
]


def test_every_kind_has_exactly_one_payload_type():
    assert sorted(KIND_OF.values()) == sorted(DeliveryKind)


@pytest.mark.parametrize("payload", EXAMPLES, ids=lambda p: type(p).__name__)
def test_a_payload_survives_the_outbox_json(payload):
    stored = json.loads(json.dumps(payload_json(payload)))
    assert read_payload(kind_of(payload), stored) == payload


def test_a_ticket_note_becomes_a_request_on_the_handoffs_ticket():
    req = TicketNote("h_1:released", "Handed back.", ("handoff_released",)).on_ticket(41)
    assert (req.ticket_id, req.subject, req.note, req.tags) == (41, "", "Handed back.", ("handoff_released",))


def test_erased_or_foreign_payloads_are_refused_not_sent_half_empty():
    with pytest.raises(UnreadablePayload):
        read_payload(DeliveryKind.SLACK_REPLY, {"erased": True})
    with pytest.raises(UnreadablePayload):
        read_payload("fax", {"text": "x"})
    # fields a newer or older version wrote are ignored, not fatal
    assert read_payload(DeliveryKind.SLACK_UPDATE, {"state": "solved", "extra": 1}) == CardUpdate("solved")

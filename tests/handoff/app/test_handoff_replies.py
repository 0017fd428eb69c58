"""A handoff's suggested replies: the rules' ones by default, the LLM drafter's when it answers, never sent."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from handoff.app.turns import TurnInput
from handoff.bootstrap import build_runtime
from handoff.core.brief.replies import ReplyFacts
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.models import Customer
from handoff.storage.tables import DeliveryRow, HandoffRow


@pytest.fixture
def rt(make_config) -> Iterator:  # type: ignore[no-untyped-def]
    runtime = build_runtime(make_config())
    runtime.service.on_handoff = lambda _id: None
    try:
        yield runtime
    finally:
        runtime.close()


class Drafter:
    def __init__(self, answer: tuple[str, ...] | None) -> None:
        self.answer = answer
        self.got: list[ReplyFacts] = []

    async def draft(self, facts: ReplyFacts) -> tuple[str, ...] | None:
        self.got.append(facts)
        return self.answer


async def _handoff(rt, cid: str) -> HandoffRow:  # type: ignore[no-untyped-def]
    turn = TurnInput(role="customer", text="Quiero hablar con una persona ahora, me cobraron dos veces",
                     customer=Customer(name="Ana", language="es"))
    answer = await rt.service.post_message(cid, turn)
    assert answer["decision"] == "handoff"
    with rt.sessions() as s:
        return s.get(HandoffRow, answer["handoff_id"])


async def test_without_a_drafter_the_rules_write_them_in_the_customers_language(rt) -> None:  # type: ignore[no-untyped-def]
    row = await _handoff(rt, "c-rules")
    assert row.briefing["suggested_replies_source"] == "rules"
    replies = row.briefing["suggested_replies"]
    assert 2 <= len(replies) <= 3 and all(r.startswith(("¿", "Veo", "Estoy", "Ya", "Antes", "Gracias")) for r in replies)


async def test_the_drafters_replies_are_stored_and_in_the_note_but_sent_to_no_one(rt) -> None:  # type: ignore[no-untyped-def]
    drafter = rt.service.replies = Drafter(("Ya veo el doble cargo, lo reviso ahora.", "¿Me confirmas el importe?"))
    row = await _handoff(rt, "c-llm")
    assert drafter.got[0].language == "es" and drafter.got[0].rules  # the rules' replies go with the facts
    assert row.briefing["suggested_replies_source"] == "llm"
    assert row.briefing["suggested_replies"] == ["Ya veo el doble cargo, lo reviso ahora.", "¿Me confirmas el importe?"]
    with rt.sessions() as s:
        rows = s.query(DeliveryRow).filter(DeliveryRow.handoff_id == row.id).all()
        carrying = {d.kind for d in rows if "Ya veo el doble cargo" in str(d.payload)}
        note = next(str(d.payload) for d in rows if d.kind == DeliveryKind.ZENDESK_TICKET)
    assert "drafted by an LLM" in note
    # only the agents' ticket note and alert card carry them: nothing bound for the customer
    assert carrying == {DeliveryKind.ZENDESK_TICKET, DeliveryKind.SLACK_ALERT}


async def test_a_drafter_without_an_answer_leaves_the_rules_replies(rt) -> None:  # type: ignore[no-untyped-def]
    rt.service.replies = Drafter(None)  # a timeout, an error or garbage: the connector answers None
    row = await _handoff(rt, "c-none")
    assert row.briefing["suggested_replies_source"] == "rules" and len(row.briefing["suggested_replies"]) >= 2

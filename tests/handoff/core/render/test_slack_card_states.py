"""The alert card's later states: claimed, reassigned, solved, released (what chat.update sends)."""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from handoff.core.brief import Briefing
from handoff.core.delivery_payloads import CardUpdate
from handoff.core.render.slack_card import (
    ACTION_CLAIM,
    ACTION_OPEN_TICKET,
    ACTION_RELEASE,
    ACTION_UNNECESSARY,
    BLOCKS_MAX,
    render_claimed_card,
    render_released_card,
    render_slack_card,
    render_solved_card,
    with_card_status,
)

TICKET_URL = "https://acme.zendesk.com/agent/tickets/901"
HID = "h_0a1b2c"


@pytest.fixture
def card(rich: Briefing) -> list[dict[str, Any]]:
    return render_slack_card(rich, handoff_id=HID, ticket_url=TICKET_URL, route=None)[1]


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def status_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if str(b.get("block_id", "")).startswith("handoff_status:")]


def test_claimed_card_says_who_and_drops_only_the_claim_button(card: list[dict[str, Any]]) -> None:
    before = copy.deepcopy(card)
    out = render_claimed_card(card, agent_name="Jo Park", handoff_id=HID)
    assert card == before  # the input is not changed
    assert out[0]["type"] == "header"
    assert out[1]["block_id"] == f"handoff_status:{HID}"
    assert "Claimed by *Jo Park*" in out[1]["text"]["text"]
    assert action_ids(out) == [ACTION_OPEN_TICKET, ACTION_RELEASE, ACTION_UNNECESSARY]  # it can still be handed back
    assert action_ids(card) == [ACTION_CLAIM, ACTION_OPEN_TICKET, ACTION_RELEASE, ACTION_UNNECESSARY]
    # everything else is the card as it was
    assert [b for b in out if b not in status_blocks(out) and b["type"] != "actions"] == \
        [b for b in card if b["type"] != "actions"]


def test_claimed_card_mentions_the_slack_user_when_known(card: list[dict[str, Any]]) -> None:
    out = render_claimed_card(card, agent_name="Jo", handoff_id=HID, slack_user_id="U024BE7LH")
    assert "<@U024BE7LH>" in out[1]["text"]["text"]


@pytest.mark.parametrize("bad_id", ["<!channel>", "U1>x", "someone"])
def test_a_malformed_slack_id_is_not_turned_into_markup(card: list[dict[str, Any]], bad_id: str) -> None:
    out = render_claimed_card(card, agent_name="Jo", handoff_id=HID, slack_user_id=bad_id)
    text = out[1]["text"]["text"]
    assert "<@" not in text and "<!channel>" not in text and "*Jo*" in text


def test_agent_name_is_escaped_and_masked(card: list[dict[str, Any]]) -> None:
    out = render_claimed_card(card, agent_name="<!here> jo@example.com", handoff_id=HID)
    text = out[1]["text"]["text"]
    assert "&lt;!here&gt;" in text and "jo@example.com" not in text and "j***@example.com" in text


def test_reassigned_then_solved_keeps_one_status_line(card: list[dict[str, Any]]) -> None:
    claimed = render_claimed_card(card, agent_name="Jo", handoff_id=HID)
    reassigned = render_claimed_card(claimed, agent_name="Sam", handoff_id=HID, reassigned=True)
    assert len(status_blocks(reassigned)) == 1
    assert "Reassigned to *Sam*" in status_blocks(reassigned)[0]["text"]["text"]
    assert "Jo" not in status_blocks(reassigned)[0]["text"]["text"]
    solved = render_solved_card(reassigned, handoff_id=HID, agent_name="Sam")
    assert len(status_blocks(solved)) == 1
    assert "*Solved* by *Sam*" in status_blocks(solved)[0]["text"]["text"]
    assert action_ids(solved) == [ACTION_OPEN_TICKET, ACTION_UNNECESSARY]
    assert len(solved) == len(card) + 1


def test_solved_without_agent(card: list[dict[str, Any]]) -> None:
    out = render_solved_card(card, handoff_id=HID)
    assert status_blocks(out)[0]["text"]["text"] == ":white_check_mark: *Solved*"
    assert ACTION_CLAIM not in action_ids(out)


def test_released_card_says_so_replaces_the_claim_line_and_drops_claim(card: list[dict[str, Any]]) -> None:
    from handoff.core.render.slack_states import card_in_state

    claimed = render_claimed_card(card, agent_name="Jo", handoff_id=HID)
    out = card_in_state(claimed, HID, CardUpdate("released"))
    assert out == render_released_card(claimed, handoff_id=HID)
    assert [b["text"]["text"] for b in status_blocks(out)] == [":robot_face: *Handed back to the AI*"]
    assert action_ids(out) == [ACTION_OPEN_TICKET, ACTION_UNNECESSARY]


def test_actions_block_without_buttons_left_is_removed() -> None:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "x"}},
              {"type": "actions", "block_id": f"handoff_actions:{HID}",
               "elements": [{"type": "button", "action_id": ACTION_CLAIM, "text": {"type": "plain_text", "text": "Claim"}}]}]
    out = render_claimed_card(blocks, agent_name="Jo", handoff_id=HID)
    assert [b["type"] for b in out] == ["header", "section"]


def test_card_without_header_gets_status_first() -> None:
    out = with_card_status([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}], handoff_id=HID, text="hi")
    assert out[0]["text"]["text"] == "hi" and len(out) == 2


def test_a_full_card_drops_content_not_buttons_to_stay_within_fifty_blocks() -> None:
    header = {"type": "header", "text": {"type": "plain_text", "text": "x"}}
    content = [{"type": "section", "text": {"type": "mrkdwn", "text": f"line {i}"}} for i in range(BLOCKS_MAX - 2)]
    actions = {"type": "actions", "block_id": f"handoff_actions:{HID}", "elements": [
        {"type": "button", "action_id": a, "text": {"type": "plain_text", "text": a}}
        for a in (ACTION_CLAIM, ACTION_UNNECESSARY)]}
    blocks = [header, *content, actions]
    assert len(blocks) == BLOCKS_MAX
    out = render_claimed_card(blocks, agent_name="Jo", handoff_id=HID)
    assert len(out) == BLOCKS_MAX
    assert out[0] == header and status_blocks(out) and out[-1]["type"] == "actions"
    assert "line 0" in json.dumps(out) and f"line {BLOCKS_MAX - 3}" not in json.dumps(out)


def test_the_status_text_is_cut_to_the_section_limit() -> None:
    out = with_card_status([], handoff_id=HID, text="x" * 5000)
    assert len(out[0]["text"]["text"]) == 3000


def test_a_claimed_or_solved_card_drops_the_queue_line(rich: Briefing) -> None:
    from handoff.core.models import Route

    queued = Route(team="billing", agent=None, queue_position=2, expected_wait_seconds=600)
    card = render_slack_card(rich, handoff_id=HID, ticket_url=TICKET_URL, route=queued)[1]
    assert "#2 in queue" in json.dumps(card)
    for out in (render_claimed_card(card, agent_name="Jo Park", handoff_id=HID), render_solved_card(card, handoff_id=HID)):
        dump = json.dumps(out)
        assert "in queue" not in dump and "*Wait*" not in dump
        assert "*Team*" in dump  # the other fields stay


def test_a_solved_or_released_card_cannot_be_handed_back_again(card: list[dict[str, Any]]) -> None:
    from handoff.core.render.slack_card import render_released_card

    assert ACTION_RELEASE in action_ids(card)
    for out in (render_solved_card(card, handoff_id=HID), render_released_card(card, handoff_id=HID)):
        assert ACTION_RELEASE not in action_ids(out) and ACTION_CLAIM not in action_ids(out)


def test_an_offer_passed_on_names_the_new_agent_keeps_claim_and_updates_the_team_field(rich: Briefing) -> None:
    from handoff.core.delivery_payloads import CardUpdate
    from handoff.core.models import Route
    from handoff.core.render.slack_states import card_in_state

    routed = render_slack_card(rich, handoff_id=HID, ticket_url=None, route=Route(team="billing", agent="sam",
                                                                                   agent_name="Sam Rivera"))[1]
    out = card_in_state(routed, HID, CardUpdate("offered", "Priya Shah", slack_user_id="U0AGENT02", team="billing"))
    [status] = status_blocks(out)
    assert "offered to <@U0AGENT02>" in status["text"]["text"]
    assert ACTION_CLAIM in action_ids(out)  # still waiting for someone to take it
    fields = [f["text"] for b in out if b.get("fields") for f in b["fields"]]
    assert "*Team*\nbilling → Priya Shah" in fields and not any("Sam Rivera" in f for f in fields)
    # a second step replaces the status line, it does not add one
    again = card_in_state(out, HID, CardUpdate("offered", None, team="general"))
    [status] = status_blocks(again)
    assert "waiting in the *general* queue" in status["text"]["text"]
    assert "*Team*\ngeneral" in [f["text"] for b in again if b.get("fields") for f in b["fields"]]

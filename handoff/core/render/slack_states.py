"""The alert card as it changes state (offered again, claimed, reassigned, solved), updated in place in Slack."""
from __future__ import annotations

from typing import Any

from handoff.core.delivery_payloads import CardUpdate
from handoff.core.render import slack_card


def card_in_state(blocks: list[dict[str, Any]], handoff_id: str, change: CardUpdate) -> list[dict[str, Any]]:
    """The original card's blocks after a state change."""
    state, agent = change.state, change.agent_name or "someone"
    if state in ("claimed", "reassigned"):
        return slack_card.render_claimed_card(blocks, agent_name=agent, handoff_id=handoff_id)
    if state == "offered":
        return slack_card.render_offered_card(blocks, handoff_id, agent_name=change.agent_name,
                                              slack_user_id=change.slack_user_id, team=change.team)
    if state == "released":
        return slack_card.render_released_card(blocks, handoff_id=handoff_id)
    if state == "solved":
        return slack_card.render_solved_card(blocks, handoff_id=handoff_id, agent_name=change.agent_name)
    return blocks


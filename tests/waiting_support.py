"""What the waiting-customer tests share: a one-team roster whose only agent is away, so handoffs queue."""
from __future__ import annotations

from typing import Any

from handoff.app.turns import TurnInput
from handoff.core.models import Customer

SETTINGS = """
[routing]
default_team = "billing"
default_handle_seconds = 600
pickup_seconds = 120

[[routing.teams]]
name = "billing"
label = "billing"

[[routing.agents]]
id = "sam"
name = "Sam Rivera"
teams = ["billing"]
languages = ["en", "es", "fr", "de", "pt"]
slack_user_id = "U0SAM"
"""


async def queued_handoff(rt: Any, cid: str, *, name: str = "Ana Silva", language: str = "en",
                         first: str = "I want a refund on invoice INV-7731") -> dict[str, Any]:
    """A handoff waiting in billing's line (sam is away): the turn's answer."""
    await rt.operations.set_available("sam", False)
    customer = Customer(name=name, email=f"{cid}@example.com", language=language)
    await rt.service.post_message(cid, TurnInput(role="customer", text=first, customer=customer))
    await rt.service.post_message(cid, TurnInput(role="ai", text="That invoice is within the return window.",
                                                 confidence=0.4, ai_actions=["checked the return window"]))
    answer = await rt.service.post_message(cid, TurnInput(role="customer", text="I want to talk to a real person"))
    assert answer["decision"] == "handoff" and answer["status"] == "queued", answer
    return answer

"""The bodies of the routes that follow a conversation after the handoff: who owns it, handing it back."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ReleaseIn(BaseModel):
    """Why the conversation goes back to the AI (optional; kept in the handoff's events and notes)."""

    model_config = ConfigDict(extra="ignore")
    reason: str | None = Field(None, max_length=500)


class ConversationOut(BaseModel):
    """Who owns a conversation and, with a human, where the handoff stands."""

    conversation_id: str
    message_count: int
    owner: Literal["ai", "human"]
    status: str | None = None
    handoff_id: str | None = None
    agent: str | None = None
    team: str | None = None
    queue_position: int | None = None
    expected_wait_seconds: int | None = None
    callback_at: str | None = None
    customer_message: str | None = Field(None, description="the latest message meant for the customer")

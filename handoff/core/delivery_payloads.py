"""What each kind of delivery carries: one frozen dataclass per `DeliveryKind`, stored as JSON in the outbox.

The use cases build these (never dicts), `enqueue` stores them with the kind their type stands for, and the
dispatcher reads a row's JSON back into its type before sending it. The ticket and alert requests are also
what the Zendesk and Slack connectors accept.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from handoff.core.delivery_kinds import DeliveryKind


@dataclass(frozen=True)
class TicketRequest:
    """A ticket to create, or an existing ticket to update, with the briefing as a private note."""

    external_id: str  # the handoff id: makes creation idempotent
    subject: str
    note: str  # private note body (the briefing rendered for Zendesk)
    tags: tuple[str, ...] = ()
    priority: str = "normal"  # low | normal | high | urgent (Zendesk's own values)
    group_id: int | None = None
    assignee_id: int | None = None
    requester_email: str | None = None
    requester_name: str | None = None
    ticket_id: int | None = None  # set: update this ticket instead of creating one
    status: str | None = None  # set on an update: e.g. "open" to reopen a solved ticket (a re-handoff)
    unassign: bool = False  # an update clears the assignee (a re-offer that went back to the team's queue)


@dataclass(frozen=True)
class TicketNote:
    """A private note (and fields) on the handoff's ticket once it exists: claimed, callback, released..."""

    external_id: str  # "<handoff>:<what>": the note's own idempotency key
    note: str
    tags: tuple[str, ...] = ()
    priority: str = "normal"
    subject: str = ""  # empty: the ticket keeps its subject
    group_id: int | None = None
    assignee_id: int | None = None
    unassign: bool = False  # nobody is assigned after it (a re-offer back to the team's queue)

    def on_ticket(self, ticket_id: int | None) -> TicketRequest:
        """The ticket request that writes this note on ticket `ticket_id`."""
        return TicketRequest(external_id=self.external_id, subject=self.subject, note=self.note, tags=self.tags,
                             priority=self.priority, group_id=self.group_id, assignee_id=self.assignee_id,
                             ticket_id=ticket_id, unassign=self.unassign)


@dataclass(frozen=True)
class CustomerComment:
    """A later customer message, as the requester's public comment on the ticket."""

    body: str
    index: int  # the message's index in the conversation


@dataclass(frozen=True)
class AlertRequest:
    """A Slack alert: channel message with Block Kit, optional DM to the assigned agent."""

    handoff_id: str
    channel: str
    text: str  # notification fallback
    blocks: list[dict[str, Any]] = field(default_factory=list)
    dm_user_id: str | None = None


@dataclass(frozen=True)
class CardUpdate:
    """The alert card redrawn in a new state (claimed, reassigned, solved, released, ticket_link), with an
    optional note in its thread."""

    state: str
    agent_name: str | None = None
    note: str | None = None
    slack_user_id: str | None = None  # "offered": the agent it waits for now, mentioned on the card
    team: str | None = None  # "offered": the team it waits in


@dataclass(frozen=True)
class SlackMessage:
    """A message in the alert's thread (`thread`), a channel, or a DM to `dm_user_id`."""

    text: str
    thread: bool = False
    channel: str | None = None
    dm_user_id: str | None = None


@dataclass(frozen=True)
class ThreadReply:
    """A later customer message, as a reply in the alert's thread; `key` finds it again after a lost answer."""

    text: str
    index: int
    key: str


@dataclass(frozen=True)
class SwitchboardControl:
    """Zendesk messaging: pass the conversation to the agent workspace (`pass`) or give it back (`release`)."""

    action: str  # "pass" | "release"
    conversation_id: str  # the Sunshine Conversations conversation
    app_id: str | None = None  # None: the connector's own ([sunshine] app_id)
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)  # within 4 KB (render/switchboard)


@dataclass(frozen=True)
class BotUpdate:
    """A customer update told to the bot's webhook: the JSON body as it is POSTed (and signed)."""

    conversation_id: str
    handoff_id: str
    owner: str  # ai | human
    status: str  # the bot's status (queued, assigned, claimed, callback_scheduled...)
    update: dict[str, Any]  # id, kind, text, language, at, choices, data

    def body(self) -> dict[str, Any]:
        """The webhook's JSON body."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class LinearIssue:
    """A bug report (handoff.core.bug_report): filed as a Linear issue in `team_id`, or added as a comment to the
    open issue whose description carries the same `signature`."""

    handoff_id: str
    signature: str
    title: str
    description: str  # Markdown, without the links (added when sent: the ticket may exist by then)
    comment: str
    handoff_url: str
    team_id: str
    label_ids: tuple[str, ...] = ()


Payload: TypeAlias = (TicketRequest | TicketNote | CustomerComment | AlertRequest | CardUpdate | SlackMessage | ThreadReply
                      | SwitchboardControl | BotUpdate | LinearIssue)

KIND_OF: dict[type[Any], DeliveryKind] = {
    TicketRequest: DeliveryKind.ZENDESK_TICKET,
    TicketNote: DeliveryKind.ZENDESK_UPDATE,
    CustomerComment: DeliveryKind.ZENDESK_COMMENT,
    AlertRequest: DeliveryKind.SLACK_ALERT,
    CardUpdate: DeliveryKind.SLACK_UPDATE,
    SlackMessage: DeliveryKind.SLACK_MESSAGE,
    ThreadReply: DeliveryKind.SLACK_REPLY,
    SwitchboardControl: DeliveryKind.SUNSHINE_CONTROL,
    BotUpdate: DeliveryKind.BOT_WEBHOOK,
    LinearIssue: DeliveryKind.LINEAR_ISSUE,
}
PAYLOAD_OF: dict[str, type[Any]] = {kind.value: cls for cls, kind in KIND_OF.items()}


class UnreadablePayload(ValueError):
    """A stored payload that is not its kind's (erased, or written by a different version)."""


def kind_of(payload: Payload) -> DeliveryKind:
    """The delivery kind a payload is sent as."""
    return KIND_OF[type(payload)]


def payload_json(payload: Payload) -> dict[str, Any]:
    """The JSON form stored in the outbox row."""
    return dataclasses.asdict(payload)


def read_payload(kind: str, data: Mapping[str, Any]) -> Payload:
    """A stored row's payload as its kind's type; UnreadablePayload when it is not one."""
    cls = PAYLOAD_OF.get(kind)
    if cls is None:
        raise UnreadablePayload(f"unknown delivery kind {kind!r}")
    names = {f.name for f in dataclasses.fields(cls)}
    args = {k: v for k, v in data.items() if k in names}
    for name in ("tags", "label_ids"):
        if name in args:
            args[name] = tuple(args[name] or ())
    try:
        payload: Payload = cls(**args)
    except TypeError as e:  # a required field missing: an erased payload, say
        raise UnreadablePayload(f"{kind} payload without {e}") from e
    return payload

"""Read a Zendesk ticket export as labelled conversations, so a team can back-test on its history.

Accepted shapes:
- one JSON document as the Incremental Ticket Export returns it: `{"tickets": [...], "users": [...]}`
  (`users` is the `include=users` side-load and is optional);
- JSON Lines, one ticket object a line.
Each ticket may carry `comments`: the list the ticket comments API returns (`author_id`,
`plain_body`/`body`, `public`, `created_at`), or that API's whole response (`{"comments": [...]}`).

Conversion: public comments in order; the requester's are customer messages, the bot users' are AI
messages. The first public comment by a human agent ends the conversation and labels it
`escalate=True` at the last customer message before it; a ticket no human answered is
`escalate=False`. Agents are the users whose `role` is agent or admin when a user list is known,
otherwise every author who is neither the requester nor a bot.

The live webhook flow reuses the same conversion with `stop_at_agent=False`: human agents' public
comments become `agent` messages and the conversation goes on, with no label. Each message carries
the Zendesk comment id as its `message_id`, so a re-read of the same ticket stores nothing twice.
"""
from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from handoff.core.formats.conversations import (
    Conversation,
    ConversationFileError,
    Label,
    parse_time,
    read_conversations,
    read_json_lines,
)
from handoff.core.json_values import as_mapping
from handoff.core.models import Customer, Message

Format = Literal["conversations", "zendesk_json", "zendesk_jsonl"]
_AGENT_ROLES = ("agent", "admin")


def _users_by_id(users: Any) -> dict[int, dict[str, Any]]:
    if not isinstance(users, list):
        return {}
    return {u["id"]: u for u in users if isinstance(u, dict) and isinstance(u.get("id"), int)}


def _comments(ticket: dict[str, Any], where: str) -> list[dict[str, Any]] | None:
    raw = ticket.get("comments")
    if raw is None:
        return None
    if isinstance(raw, dict):
        raw = raw.get("comments")
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise ValueError(f"{where}comments must be a list of comment objects")
    return raw


def ticket_to_conversation(
    ticket: Any,
    bot_user_ids: Collection[int] = (),
    users: dict[int, dict[str, Any]] | None = None,
    where: str = "",
    *,
    stop_at_agent: bool = True,
    agent_user_ids: Collection[int] | None = None,
) -> Conversation | None:
    """One ticket as a labelled conversation; None for a ticket a human agent opened (outbound).

    `stop_at_agent=False` (the live flow) keeps going past human agents' comments and never returns
    None; `agent_user_ids`, when given, names the human agents, and every other non-bot author counts
    as the customer's side (CCs, colleagues), whatever the user list says.
    """
    if not isinstance(ticket, dict):
        raise ValueError(f"{where}a ticket must be a JSON object")
    tid = ticket.get("id")
    if not isinstance(tid, (int, str)) or tid == "":
        raise ValueError(f"{where}id is missing")
    requester = ticket.get("requester_id")
    users = users or {}
    bots = set(bot_user_ids)
    via = as_mapping(ticket.get("via"))
    channel = via.get("channel") if isinstance(via.get("channel"), str) else None
    req_user = users.get(requester, {}) if isinstance(requester, int) else {}
    customer = Customer(
        email=req_user.get("email") if isinstance(req_user.get("email"), str) else None,
        name=req_user.get("name") if isinstance(req_user.get("name"), str) else None,
        external_id=str(requester) if requester is not None else None,
        language=req_user.get("locale") if isinstance(req_user.get("locale"), str) else None,
    )
    comments = _comments(ticket, where)
    if comments is None:
        # No comments exported: the description is all we know, and the outcome is unknown.
        desc = ticket.get("description")
        msgs = (Message("customer", desc, index=0),) if isinstance(desc, str) and desc.strip() else ()
        return Conversation(id=f"zendesk-{tid}", messages=msgs, customer=customer, channel=channel)

    agents = set(agent_user_ids) if agent_user_ids is not None else None

    def is_agent(author: Any) -> bool:
        if author in bots or author == requester:
            return False
        if agents is not None:
            return author in agents
        if users:
            role = users.get(author, {}).get("role")
            return role in _AGENT_ROLES if role is not None else True
        return True

    messages: list[Message] = []
    last_customer: int | None = None
    escalated = False
    for i, c in enumerate(comments):
        cw = f"{where}comments[{i}]."
        if c.get("public") is False:
            continue  # private notes are not part of what the customer saw
        author = c.get("author_id")
        if author is None:
            raise ValueError(f"{cw}author_id is missing")
        text = c.get("plain_body") if isinstance(c.get("plain_body"), str) else c.get("body")
        if not isinstance(text, str):
            raise ValueError(f"{cw}body must be a string")
        sent_at = parse_time(c.get("created_at"), f"{cw}created_at")
        cid = c.get("id")
        mid = str(cid) if isinstance(cid, (int, str)) and not isinstance(cid, bool) and cid != "" else None
        if author in bots:
            messages.append(Message("ai", text, index=len(messages), sent_at=sent_at, message_id=mid))
        elif is_agent(author):
            if not stop_at_agent:
                messages.append(Message("agent", text, index=len(messages), sent_at=sent_at, message_id=mid))
                continue
            if last_customer is None:
                return None
            escalated = True
            break
        else:
            last_customer = len(messages)
            messages.append(Message("customer", text, index=len(messages), sent_at=sent_at, message_id=mid))
    if not stop_at_agent:
        return Conversation(id=f"zendesk-{tid}", messages=tuple(messages), customer=customer, channel=channel)
    label = Label(True, last_customer, "zendesk_agent_reply") if escalated else Label(False, None, None)
    return Conversation(id=f"zendesk-{tid}", messages=tuple(messages), customer=customer, channel=channel, label=label)


def detect_format(path: str | Path) -> Format:
    """Which of the accepted file formats a file holds (from its first line, or the whole document)."""
    with open(path, "rb") as fh:
        first = b""
        for raw in fh:
            if raw.strip():
                first = raw
                break
    try:
        obj = json.loads(first.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        obj = None
    if isinstance(obj, dict):
        if "tickets" in obj:
            return "zendesk_json"
        if "messages" in obj:
            return "conversations"
        if "requester_id" in obj or "comments" in obj:
            return "zendesk_jsonl"
        return "conversations"
    if first.lstrip().startswith(b"{"):
        # A pretty-printed document: decide on the whole of it.
        try:
            with open(path, encoding="utf-8") as fh:
                doc = json.load(fh)
        except (UnicodeDecodeError, json.JSONDecodeError):
            # Broken, but plainly an export: let the export reader report where it breaks.
            return "zendesk_json" if b'"tickets"' in first else "conversations"
        if isinstance(doc, dict) and "tickets" in doc:
            return "zendesk_json"
    return "conversations"


Where = tuple[int | None, str]  # a ticket's line (JSON Lines) and its place in a document ("tickets[3].")


def read_zendesk_tickets(path: str | Path, users: Iterable[dict[str, Any]] = ()
                         ) -> Iterator[tuple[Where, Any, dict[int, dict[str, Any]]]]:
    """Each ticket of a Zendesk export as it is, with where it is and the users known; raises
    ConversationFileError (with the line number where known) on a file that cannot be read."""
    p = Path(path)
    if detect_format(p) != "zendesk_json":
        known = _users_by_id(list(users))
        for lineno, obj in read_json_lines(p):
            yield (lineno, ""), obj, known
        return
    try:
        with open(p, encoding="utf-8") as fh:
            doc = json.load(fh)
    except UnicodeDecodeError:
        raise ConversationFileError(None, "not valid UTF-8") from None
    except json.JSONDecodeError as e:
        raise ConversationFileError(e.lineno, f"not valid JSON ({e.msg} at column {e.colno})") from None
    tickets = doc.get("tickets") if isinstance(doc, dict) else None
    if not isinstance(tickets, list):
        raise ConversationFileError(None, "tickets must be a list")
    known = _users_by_id(doc.get("users"))
    for i, ticket in enumerate(tickets):
        yield (None, f"tickets[{i}]."), ticket, known


def _read_zendesk(path: Path, bot_user_ids: Collection[int], users: Iterable[dict[str, Any]]) -> Iterator[Conversation]:
    for (line, where), ticket, known in read_zendesk_tickets(path, users):
        try:
            conv = ticket_to_conversation(ticket, bot_user_ids, known, where=where)
        except ValueError as e:
            raise ConversationFileError(line, str(e)) from None
        if conv is not None:
            yield conv


def read_zendesk(path: str | Path, bot_user_ids: Collection[int] = (), users: Iterable[dict[str, Any]] = ()) -> Iterator[Conversation]:
    """The conversations of a Zendesk export (JSON document or JSON Lines of tickets)."""
    return _read_zendesk(Path(path), bot_user_ids, users)


def read_any(path: str | Path, bot_user_ids: Collection[int] = ()) -> Iterator[Conversation]:
    """The conversations of a file in any accepted format; errors carry a line number where known."""
    p = Path(path)
    try:
        fmt = detect_format(p)
    except OSError as e:
        raise ConversationFileError(None, f"cannot read {p}: {e.strerror}") from None
    if fmt == "conversations":
        return read_conversations(p)
    return read_zendesk(p, bot_user_ids)

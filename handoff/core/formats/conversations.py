"""The conversation file format of simulate and backtest (JSON Lines, one conversation a line)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from handoff.core.models import AccountSignals, Customer, KBArticle, Message
from handoff.core.times import parse_iso

MAX_LINE_BYTES = 8 * 1024 * 1024


class ConversationFileError(ValueError):
    """A line of a conversation file that cannot be read; carries the 1-based line number."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Label:
    """The known outcome of a labelled conversation."""

    escalate: bool
    turn: int | None = None
    category: str | None = None
    topic: str | None = None  # billing | technical | account_access | cancellation | sales | general


@dataclass(frozen=True)
class Conversation:
    """One conversation as read from a file."""

    id: str
    messages: tuple[Message, ...]
    customer: Customer = Customer()
    channel: str | None = None
    page_url: str | None = None
    label: Label | None = None
    account: AccountSignals = AccountSignals()


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}{key} must be a string")
    return value


def parse_time(value: Any, where: str) -> datetime | None:
    """Parse an ISO-8601 timestamp (a trailing Z allowed, no offset meaning UTC); None stays None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where} must be an ISO-8601 string")
    try:
        return parse_iso(value)
    except ValueError:
        raise ValueError(f"{where} is not an ISO-8601 time: {value!r}") from None


def _kb(items: Any, where: str) -> tuple[KBArticle, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ValueError(f"{where} must be a list")
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(KBArticle(id=item))
        elif isinstance(item, dict) and isinstance(item.get("id"), (str, int)):
            out.append(KBArticle(id=str(item["id"]), title=str(item.get("title") or ""), url=item.get("url")))
        else:
            raise ValueError(f"{where} entries must be strings or objects with an id")
    return tuple(out)


def parse_message(obj: Any, index: int) -> Message:
    """Build a Message from its JSON object; raises ValueError naming the bad field."""
    where = f"messages[{index}]."
    if not isinstance(obj, dict):
        raise ValueError(f"messages[{index}] must be an object")
    role = obj.get("role")
    if role not in ("customer", "ai", "agent"):
        raise ValueError(f"{where}role must be customer, ai or agent")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError(f"{where}text must be a string")
    conf = obj.get("confidence")
    if conf is not None and (isinstance(conf, bool) or not isinstance(conf, (int, float)) or not 0 <= conf <= 1):
        raise ValueError(f"{where}confidence must be a number from 0 to 1")
    actions = obj.get("ai_actions") or []
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise ValueError(f"{where}ai_actions must be a list of strings")
    return Message(
        role=role,
        text=text,
        index=index,
        sent_at=parse_time(obj.get("sent_at"), f"{where}sent_at"),
        confidence=float(conf) if conf is not None else None,
        page_url=_opt_str(obj, "page_url", where),
        kb_articles=_kb(obj.get("kb_articles"), f"{where}kb_articles"),
        ai_actions=tuple(actions),
        message_id=_opt_str(obj, "message_id", where),
    )


def parse_customer(obj: Any) -> Customer:
    """Build a Customer from its JSON object (all fields optional)."""
    if obj is None:
        return Customer()
    if not isinstance(obj, dict):
        raise ValueError("customer must be an object")
    return Customer(
        email=_opt_str(obj, "email", "customer."),
        name=_opt_str(obj, "name", "customer."),
        external_id=_opt_str(obj, "external_id", "customer."),
        language=_opt_str(obj, "language", "customer."),
        timezone=_opt_str(obj, "timezone", "customer."),
    )


def parse_conversation(obj: Any) -> Conversation:
    """Build a Conversation from one decoded JSON line; raises ValueError naming the bad field."""
    if not isinstance(obj, dict):
        raise ValueError("a conversation must be a JSON object")
    cid = obj.get("id")
    if not isinstance(cid, (str, int)) or cid == "":
        raise ValueError("id must be a non-empty string")
    msgs = obj.get("messages")
    if not isinstance(msgs, list):
        raise ValueError("messages must be a list")
    label = obj.get("label")
    parsed_label = None
    if label is not None:
        if not isinstance(label, dict) or not isinstance(label.get("escalate"), bool):
            raise ValueError("label.escalate must be true or false")
        turn = label.get("turn")
        if turn is not None and (isinstance(turn, bool) or not isinstance(turn, int) or turn < 0):
            raise ValueError("label.turn must be a non-negative integer or null")
        topic = label.get("topic")
        if topic is not None and not isinstance(topic, str):
            raise ValueError("label.topic must be a string")
        parsed_label = Label(label["escalate"], turn, label.get("category"), topic)
    account = obj.get("account") or {}
    if not isinstance(account, dict):
        raise ValueError("account must be an object")
    return Conversation(
        id=str(cid),
        messages=tuple(parse_message(m, i) for i, m in enumerate(msgs)),
        customer=parse_customer(obj.get("customer")),
        channel=_opt_str(obj, "channel", ""),
        page_url=_opt_str(obj, "page_url", ""),
        label=parsed_label,
        account=AccountSignals(
            tier=account.get("tier") if isinstance(account.get("tier"), str) else None,
            churn_risk=bool(account.get("churn_risk", False)),
            owner_email=account.get("owner_email") if isinstance(account.get("owner_email"), str) else None,
        ),
    )


def read_json_lines(path: str | Path) -> Iterator[tuple[int, Any]]:
    """Yield (1-based line number, decoded JSON) for each non-blank line of a JSON Lines file.

    Raises ConversationFileError with the line number on a line that is too long, not UTF-8 or not JSON.
    """
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if len(raw) > MAX_LINE_BYTES:
                raise ConversationFileError(lineno, f"line longer than {MAX_LINE_BYTES} bytes")
            if not raw.strip():
                continue
            try:
                yield lineno, json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise ConversationFileError(lineno, "not valid UTF-8") from None
            except json.JSONDecodeError as e:
                raise ConversationFileError(lineno, f"not valid JSON ({e.msg} at column {e.colno})") from None
            except RecursionError:
                raise ConversationFileError(lineno, "JSON nested too deeply") from None


def read_conversations(path: str | Path) -> Iterator[Conversation]:
    """Yield the conversations of a JSON Lines file; blank lines are skipped.

    Raises ConversationFileError with the line number on the first unreadable line.
    """
    for lineno, obj in read_json_lines(path):
        try:
            yield parse_conversation(obj)
        except ValueError as e:
            raise ConversationFileError(lineno, str(e)) from None

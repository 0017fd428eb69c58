"""Back-test trigger settings on the stored conversations, with what really happened as the labels.

Labels (one per stored conversation):
- handed off (any source, `bot_request` included: the bot itself asked) and not marked unnecessary:
  `Label(escalate=True, turn=<the handoff's message_index>, category=<the handoff's category>)`;
- handed off but marked unnecessary by an agent (the AI could have handled it):
  `Label(escalate=False, category="unnecessary")`;
- never handed off: `Label(escalate=False, category="no_handoff")`.

What is replayed: the stored messages in order. For a handed-off conversation only the messages up to and
including the handoff's message are kept: what follows was said to a human, which the engine never saw,
and the settings cannot change what the customer would have said instead. A conversation with no stored
message (a bot request on an empty conversation) is skipped: there is nothing to replay.

Conversations still in progress would count as "did not escalate" although they may yet escalate, so
`settled_before` leaves out those not handed off whose last activity is later than it (the CLI passes
now minus 30 minutes). A handoff an agent has not yet judged counts as needed until someone marks it.

The replay context is the conversation's channel and the pages its messages name; account signals are
left out, as they were live: the service asks for them only after a handoff has been decided.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, defer, sessionmaker

from handoff.app.backtest import (
    BacktestReport,
    excerpt,
    finish_report,
    score_conversation,
)
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.replay import Replay, replay
from handoff.core.formats.conversations import Conversation, Label
from handoff.storage.tables import ConversationRow, HandoffRow, MessageRow
from handoff.storage.turn_store import customer_from_json, message_from_row

BATCH_SIZE = 200
MAX_EXAMPLES = 20
CHANGE_KINDS = ("newly_escalates", "no_longer_escalates", "escalates_earlier", "escalates_later")


def label_for(handoff: HandoffRow | None) -> Label:
    """The real outcome of a conversation, from its handoff (or the lack of one)."""
    if handoff is None:
        return Label(False, None, "no_handoff")
    if handoff.unnecessary:
        return Label(False, None, "unnecessary")
    return Label(True, handoff.message_index, handoff.category)


# a conversation released and handed off again is labelled by its first handoff (and listed once)
_first_handoff = (select(HandoffRow.id).where(HandoffRow.conversation_id == ConversationRow.id)
                  .order_by(HandoffRow.created_at, HandoffRow.id).limit(1).correlate(ConversationRow).scalar_subquery())


def labelled_from_store(
    sessions: sessionmaker[Session],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    settled_before: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[Conversation]:
    """Yield stored conversations (started in [since, until)) labelled with their real outcome, in batches."""
    filters: list[Any] = []
    if since is not None:
        filters.append(ConversationRow.created_at >= since)
    if until is not None:
        filters.append(ConversationRow.created_at < until)
    if settled_before is not None:
        filters.append(or_(HandoffRow.id.is_not(None), ConversationRow.updated_at <= settled_before))
    filters.append(ConversationRow.message_count > 0)
    yielded = 0
    after: tuple[datetime, str] | None = None
    while limit is None or yielded < limit:
        size = batch_size if limit is None else min(batch_size, limit - yielded)
        query = (
            select(ConversationRow, HandoffRow)
            .outerjoin(HandoffRow, HandoffRow.id == _first_handoff)
            .where(*filters)
            .order_by(ConversationRow.created_at, ConversationRow.id)
            .limit(size)
        )
        if after is not None:
            # keyset paging: a new short session per batch, no long-held transaction or offset scans
            query = query.where(or_(ConversationRow.created_at > after[0],
                                    and_(ConversationRow.created_at == after[0], ConversationRow.id > after[1])))
        with sessions() as s:
            rows = s.execute(query).all()
            if not rows:
                return
            ids = [conv.id for conv, _ in rows]
            messages: dict[str, list[MessageRow]] = {cid: [] for cid in ids}
            for m in s.scalars(select(MessageRow).options(defer(MessageRow.response))
                               .where(MessageRow.conversation_id.in_(ids))
                               .order_by(MessageRow.conversation_id, MessageRow.idx)):
                messages[m.conversation_id].append(m)
        for conv, handoff in rows:
            last = handoff.message_index if handoff is not None and handoff.message_index is not None else None
            kept = tuple(message_from_row(m) for m in messages[conv.id] if last is None or m.idx <= last)
            if handoff is not None and handoff.message_index is None:
                kept = ()  # asked for before any message: nothing the engine could have seen
            if kept:
                yield Conversation(id=conv.id, messages=kept, customer=customer_from_json(conv.customer),
                                   channel=conv.channel, label=label_for(handoff))
                yielded += 1
                if limit is not None and yielded >= limit:
                    return
        after = (rows[-1][0].created_at, rows[-1][0].id)
        if len(rows) < size:
            return


@dataclass(frozen=True)
class Change:
    """One conversation the proposed settings treat differently."""

    id: str
    kind: str  # one of CHANGE_KINDS
    label: Label | None
    current_at: int | None
    proposed_at: int | None
    current_triggers: tuple[str, ...]
    proposed_triggers: tuple[str, ...]
    text: str

    @property
    def effect(self) -> str:
        """What the change means against the label: fixes_miss, new_false_positive, new_miss, ..."""
        if self.label is None:
            return "unlabelled"
        if self.kind == "newly_escalates":
            return "fixes_miss" if self.label.escalate else "new_false_positive"
        if self.kind == "no_longer_escalates":
            return "new_miss" if self.label.escalate else "removes_false_positive"
        return "timing"

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        label = None if self.label is None else {"escalate": self.label.escalate, "turn": self.label.turn,
                                                  "category": self.label.category}
        return {
            "id": self.id,
            "effect": self.effect,
            "label": label,
            "current": {"handoff_at": self.current_at, "triggers": list(self.current_triggers)},
            "proposed": {"handoff_at": self.proposed_at, "triggers": list(self.proposed_triggers)},
            "text": self.text,
        }


@dataclass
class HistoryComparison:
    """Two back-tests of the same conversations, and the conversations whose outcome moved."""

    current: BacktestReport = field(default_factory=BacktestReport)
    proposed: BacktestReport = field(default_factory=BacktestReport)
    counts: Counter[str] = field(default_factory=Counter)
    effects: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[Change]] = field(default_factory=lambda: {k: [] for k in CHANGE_KINDS})

    def fired_by_trigger(self) -> dict[str, dict[str, int]]:
        """How often each trigger decided a handoff, before and after."""
        names = sorted(set(self.current.by_trigger) | set(self.proposed.by_trigger))
        out = {}
        for name in names:
            before = self.current.by_trigger[name].fired if name in self.current.by_trigger else 0
            after = self.proposed.by_trigger[name].fired if name in self.proposed.by_trigger else 0
            out[name] = {"current": before, "proposed": after, "delta": after - before}
        return out

    def metrics(self) -> dict[str, dict[str, float]]:
        """Headline numbers before and after."""
        out: dict[str, dict[str, float]] = {}
        for name in ("handoffs", "true_positives", "false_positives", "false_negatives", "recall", "precision",
                     "false_positive_rate"):
            before, after = getattr(self.current, name), getattr(self.proposed, name)
            out[name] = {"current": round(before, 4), "proposed": round(after, 4), "delta": round(after - before, 4)}
        return out

    def as_dict(self) -> dict[str, Any]:
        """The `backtest --from-history --compare-with --json` object."""
        changes: dict[str, Any] = {
            k: {"count": self.counts[k], "examples": [c.as_dict() for c in self.examples[k]]} for k in CHANGE_KINDS
        }
        changes["effects"] = dict(sorted(self.effects.items()))
        changes["fired_by_trigger"] = self.fired_by_trigger()
        changes["metrics"] = self.metrics()
        return {"current": self.current.as_dict(), "proposed": self.proposed.as_dict(), "changes": changes}


def _triggers(result: Replay) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.trigger for r in result.decision.reasons)) if result.decision.handoff else ()


def _change_kind(before: Replay, after: Replay) -> str | None:
    if before.decision.handoff != after.decision.handoff:
        return "newly_escalates" if after.decision.handoff else "no_longer_escalates"
    if before.handoff_at is not None and after.handoff_at is not None and before.handoff_at != after.handoff_at:
        return "escalates_earlier" if after.handoff_at < before.handoff_at else "escalates_later"
    return None


def compare(
    conversations: Iterable[Conversation],
    current: TriggerSettings,
    proposed: TriggerSettings,
    progress: Callable[[int], None] | None = None,
) -> HistoryComparison:
    """Replay each conversation under both settings in one pass; score both and list what moved."""
    result = HistoryComparison()
    for n, conv in enumerate(conversations, start=1):
        before, after = replay(conv, current), replay(conv, proposed)
        score_conversation(result.current, conv, before)
        score_conversation(result.proposed, conv, after)
        kind = _change_kind(before, after)
        if kind is not None:
            at = after.handoff_at if after.handoff_at is not None else before.handoff_at
            change = Change(conv.id, kind, conv.label, before.handoff_at, after.handoff_at, _triggers(before),
                            _triggers(after), excerpt(conv, at))
            result.counts[kind] += 1
            result.effects[change.effect] += 1
            if len(result.examples[kind]) < MAX_EXAMPLES:
                result.examples[kind].append(change)
        if progress is not None:
            progress(n)
    finish_report(result.current)
    finish_report(result.proposed)
    return result


_TITLES = {
    "newly_escalates": "Newly escalate",
    "no_longer_escalates": "No longer escalate",
    "escalates_earlier": "Escalate earlier",
    "escalates_later": "Escalate later",
}


def _pct(name: str, value: float) -> str:
    return f"{value:.1%}" if name in ("recall", "precision", "false_positive_rate") else f"{value:g}"


def _at(index: int | None) -> str:
    return "-" if index is None else str(index)


def render_comparison(comparison: HistoryComparison) -> Group:
    """Rich tables: metrics side by side, triggers fired before/after, and the conversations that moved."""
    summary = Table(title="Current vs proposed settings (stored conversations, real outcomes)")
    for col in ("metric", "current", "proposed", "change"):
        summary.add_column(col, justify="left" if col == "metric" else "right")
    summary.add_row("conversations", str(comparison.current.conversations), str(comparison.proposed.conversations), "")
    for name, m in comparison.metrics().items():
        worse = (m["delta"] < 0) if name in ("recall", "precision", "true_positives") else (m["delta"] > 0)
        style = "red" if worse and name != "handoffs" else ("green" if m["delta"] and name != "handoffs" else None)
        sign = "+" if m["delta"] > 0 else ""
        summary.add_row(name.replace("_", " "), _pct(name, m["current"]), _pct(name, m["proposed"]),
                        f"{sign}{_pct(name, m['delta'])}" if m["delta"] else "", style=style)

    moved = Table(title="Conversations whose outcome moves")
    moved.add_column("change")
    moved.add_column("count", justify="right")
    for kind in CHANGE_KINDS:
        moved.add_row(_TITLES[kind], str(comparison.counts[kind]))
    for effect, count in sorted(comparison.effects.items()):
        moved.add_row(f"  {effect.replace('_', ' ')}", str(count),
                      style="red" if effect in ("new_miss", "new_false_positive") else None)

    fired = Table(title="Handoffs decided by trigger")
    for col in ("trigger", "current", "proposed", "change"):
        fired.add_column(col, justify="left" if col == "trigger" else "right")
    by_trigger = comparison.fired_by_trigger()
    for name, f in sorted(by_trigger.items(), key=lambda kv: -max(kv[1]["current"], kv[1]["proposed"])):
        fired.add_row(name, str(f["current"]), str(f["proposed"]), f"{f['delta']:+d}" if f["delta"] else "")

    parts: list[Any] = [summary, moved, fired]
    for kind in CHANGE_KINDS:
        if not comparison.examples[kind]:
            continue
        table = Table(title=f"{_TITLES[kind]} (examples)")
        for col in ("id", "effect", "at (now \u2192 proposed)", "triggers (now \u2192 proposed)", "text"):
            table.add_column(col, overflow="fold")
        for c in comparison.examples[kind]:
            triggers = f"{', '.join(c.current_triggers) or '-'} \u2192 {', '.join(c.proposed_triggers) or '-'}"
            table.add_row(c.id, c.effect.replace("_", " "), f"{_at(c.current_at)} \u2192 {_at(c.proposed_at)}", triggers, c.text)
        parts.append(table)
    return Group(*parts)

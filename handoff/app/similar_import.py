"""`handoff index`: the solved tickets of a Zendesk export as past cases, all stored or none.

The whole file is read and converted before anything is written: a malformed ticket stops the command with
its line (JSON Lines) or its place in the document (`tickets[3].`), and the store is left as it was. Rows are
upserted by (source, ref), so indexing the same export again adds and changes nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from handoff.core.formats.conversations import ConversationFileError
from handoff.core.formats.zendesk_export import read_zendesk_tickets
from handoff.core.similar import PastCase, SimilarSettings
from handoff.core.similar.cases import past_case_from_ticket
from handoff.storage.past_cases import upsert_past_cases
from handoff.storage.tables import PastCaseRow


@dataclass(frozen=True)
class IndexReport:
    """What indexing an export did."""

    tickets: int  # read from the file
    cases: int  # solved tickets with the customer's words: the past cases it holds
    added: int
    changed: int
    unchanged: int
    total: int  # past cases in the store afterwards, of every source

    def as_dict(self) -> dict[str, int]:
        """JSON form for the CLI."""
        return {"tickets": self.tickets, "cases": self.cases, "added": self.added, "changed": self.changed,
                "unchanged": self.unchanged, "skipped": self.tickets - self.cases, "total": self.total}

    def as_text(self, path: str) -> str:
        """For a person."""
        return (f"{path}: {self.tickets:,} ticket(s) read, {self.cases:,} solved with the customer's words "
                f"({self.tickets - self.cases:,} skipped: not solved, or nothing the customer wrote).\n"
                f"past cases: {self.added:,} added, {self.changed:,} changed, {self.unchanged:,} already indexed; "
                f"{self.total:,} in the index.")


def read_export_cases(path: str | Path, *, bot_user_ids: Collection[int] = (),
                      settings: SimilarSettings) -> tuple[int, list[PastCase]]:
    """(tickets read, past cases) of a Zendesk export; ConversationFileError naming the line or record of the
    first one that cannot be read."""
    tickets = 0
    cases: list[PastCase] = []
    for (line, where), ticket, users in read_zendesk_tickets(path):
        tickets += 1
        try:
            if isinstance(ticket, dict) and "messages" in ticket and "comments" not in ticket:
                raise ValueError("a conversation, not a Zendesk ticket: `handoff index` reads a Zendesk export")
            case = past_case_from_ticket(ticket, users, bot_user_ids=bot_user_ids, where=where, settings=settings)
        except ValueError as e:
            raise ConversationFileError(line, str(e)) from None
        if case is not None:
            cases.append(case)
    return tickets, cases


def index_export(sessions: sessionmaker[Session], path: str | Path, *, clock: Callable[[], datetime],
                 settings: SimilarSettings, bot_user_ids: Collection[int] = ()) -> IndexReport:
    """Read the export whole, then upsert its past cases in one transaction."""
    tickets, cases = read_export_cases(path, bot_user_ids=bot_user_ids, settings=settings)
    with sessions() as s:
        done = upsert_past_cases(s, cases, clock())
        s.commit()
        total = s.scalar(select(func.count()).select_from(PastCaseRow)) or 0
    return IndexReport(tickets=tickets, cases=len({(c.source, c.ref) for c in cases}), added=done.added,
                       changed=done.changed, unchanged=done.unchanged, total=int(total))

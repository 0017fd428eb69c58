"""`backtest --errors`: each conversation the engine got wrong, and the file they are written to."""
from __future__ import annotations

import errno
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from handoff.app.backtest.report import masked
from handoff.core.decide.replay import Replay
from handoff.core.formats.conversations import Conversation, Label
from handoff.core.models import Reason

ERROR_KINDS = ("missed", "false_positive", "late", "early")


@dataclass(frozen=True)
class BacktestError:
    """One labelled conversation the engine missed, wrongly escalated, or escalated late or early."""

    id: str
    kind: str  # one of ERROR_KINDS
    label: Label
    handoff_at: int | None
    category: str | None
    reasons: tuple[Reason, ...]
    customer_messages: tuple[tuple[int, str], ...]  # (message index, text with card numbers and secrets masked)

    def as_dict(self) -> dict[str, Any]:
        """One line of `backtest --errors`."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": {"escalate": self.label.escalate, "turn": self.label.turn, "category": self.label.category},
            "engine": {
                "handoff": self.handoff_at is not None,
                "handoff_at": self.handoff_at,
                "category": self.category,
                "reasons": [{"trigger": r.trigger, "message_index": r.message_index, "evidence": r.evidence,
                             "detail": r.detail} for r in self.reasons],
            },
            "customer_messages": [{"index": i, "text": t} for i, t in self.customer_messages],
        }


def error_for(conv: Conversation, result: Replay) -> BacktestError | None:
    """What the engine got wrong on a labelled conversation (None when right and on time, or unlabelled)."""
    label = conv.label
    if label is None:
        return None
    decision = result.decision
    at = result.handoff_at if decision.handoff else None
    if label.escalate and not decision.handoff:
        kind = "missed"
    elif not label.escalate and decision.handoff:
        kind = "false_positive"
    elif decision.handoff and label.turn is not None and at is not None and at != label.turn:
        kind = "late" if at > label.turn else "early"
    else:
        return None
    # The relevant turn: the later of the labelled turn and the handoff, so both are in view.
    turns = [t for t in (label.turn, at) if t is not None]
    msgs = conv.messages if not turns else conv.messages[: max(turns) + 1]
    reasons = tuple(Reason(r.trigger, r.message_index, masked(r.evidence), masked(r.detail))
                    for r in decision.reasons)
    return BacktestError(conv.id, kind, label, at, decision.category, reasons,
                         tuple((m.index, masked(m.text)) for m in msgs if m.role == "customer"))


class ErrorsFile:
    """The `backtest --errors` file: one BacktestError a line, in input order.

    A regular file is written beside its target and moved into place when the run succeeds, so a run that
    fails half-way leaves the old file, or none, rather than half a list. Opening it checks the path can be
    written, before any replay. It is created readable by its owner only: it quotes customers.
    """

    def __init__(self, path: Path, fh: IO[str], temporary: Path | None) -> None:
        self.path = path
        self.written = 0
        self._fh = fh
        self._temporary = temporary

    @classmethod
    def open(cls, path: str | Path) -> ErrorsFile:
        """Make the file ready to write; raises OSError (the path is a directory, not writable, ...)."""
        target = Path(os.path.realpath(path))
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if target.exists() and not target.is_file():  # a pipe or /dev/stdout: no rename, write straight to it
            return cls(Path(path), open(target, "w", encoding="utf-8"), None)
        if target.exists() and not os.access(target, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        return cls(target, os.fdopen(fd, "w", encoding="utf-8"), Path(tmp))

    def write(self, error: BacktestError) -> None:
        """Add one error as a JSON line."""
        self._fh.write(json.dumps(error.as_dict(), ensure_ascii=False) + "\n")
        self.written += 1

    def commit(self) -> None:
        """Close the file and put it in place."""
        self._fh.close()
        if self._temporary is not None:
            os.replace(self._temporary, self.path)
            self._temporary = None

    def discard(self) -> None:
        """Close and remove what was written (a failed run)."""
        self._fh.close()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None

    def __enter__(self) -> ErrorsFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()

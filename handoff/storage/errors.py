"""Database failures told apart: unreachable (retry later) or a real error, described without SQL or values."""
from __future__ import annotations

import traceback
from typing import Any

from sqlalchemy import exc as sa_exc


def is_database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database could not be reached (as opposed to a bug or bad data)."""
    if isinstance(error, (sa_exc.OperationalError, sa_exc.DisconnectionError, sa_exc.TimeoutError)):
        return True  # refused, dropped, server gone, SQLite busy, pool exhausted
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, sa_exc.InterfaceError)  # "connection already closed"


def describe(error: BaseException) -> str:
    """A one-line reason for the log: the driver's error class and first line, without the SQL or parameters."""
    orig: Any = getattr(error, "orig", None) or error
    first = (str(orig).strip().splitlines() or [""])[0]
    return f"{type(orig).__name__}: {first}"[:300]


def raised_at(error: BaseException, packages: tuple[str, ...] = ("handoff", "jobs", "connectors")) -> str:
    """Where our code was when `error` was raised: the innermost few of our frames, as `path:line function`."""
    ours = []
    for frame in traceback.extract_tb(error.__traceback__):
        parts = frame.filename.replace("\\", "/").split("/")
        for i, part in enumerate(parts[:-1]):
            if part in packages:
                ours.append(f"{'/'.join(parts[i:])}:{frame.lineno} {frame.name}")
                break
    return " < ".join(reversed(ours[-4:])) or "outside handoff"

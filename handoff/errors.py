"""HTTP answers for infrastructure failures: the database unreachable is a 503 with Retry-After, not a 500.

A request that meets a dropped or refused database connection (PostgreSQL restarting, a failover, the
network) stored nothing half-way: each write is one transaction. The caller may simply retry, with the
same `message_id` to be safe, so the answer says so instead of a 500 with a traceback in the log.
"""
from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

log = structlog.get_logger("handoff.api")

RETRY_AFTER_SECONDS = 2
UNAVAILABLE = "the database is unavailable; nothing was stored, try again shortly (with the same message_id)"


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


def install_error_handlers(app: FastAPI) -> None:
    """Answer database outages with 503 + Retry-After and one warning line (no traceback)."""

    async def unavailable(request: Request, error: Exception) -> JSONResponse:
        if not is_database_unavailable(error):
            raise error  # a real bug: let the server answer 500 and log the traceback
        log.warning("database unavailable; answered 503", method=request.method, path=request.url.path,
                    error=describe(error))
        return JSONResponse({"error": UNAVAILABLE}, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    for cls in (sa_exc.OperationalError, sa_exc.DisconnectionError, sa_exc.TimeoutError, sa_exc.InterfaceError):
        app.add_exception_handler(cls, unavailable)

"""HTTP answers for infrastructure failures: the database unreachable is a 503 with Retry-After, not a 500.

A request that meets a dropped or refused database connection (PostgreSQL restarting, a failover, the
network) stored nothing half-way: each write is one transaction. The caller may simply retry, with the
same `message_id` to be safe, so the answer says so instead of a 500 with a traceback in the log.

Any other database error is a 500 with one log line: the driver's error, its first line only, and
where in our code it was raised. Not the usual traceback: a SQLAlchemy error's text carries the SQL
and (unless the engine hides them, as ours does) the bound values, and a driver's later lines can
quote a row's values (PostgreSQL's DETAIL), i.e. customers' messages and card numbers.
"""
from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from handoff.storage.errors import describe, is_database_unavailable, raised_at

log = structlog.get_logger("handoff.api")

RETRY_AFTER_SECONDS = 2
UNAVAILABLE = "the database is unavailable; nothing was stored, try again shortly (with the same message_id)"
FAILED = "internal error: the database refused the request; nothing was stored"


def install_error_handlers(app: FastAPI) -> None:
    """Answer database outages with 503 + Retry-After, other database errors with 500: one log line each, no values."""

    async def database_error(request: Request, error: Exception) -> JSONResponse:
        if is_database_unavailable(error):
            log.warning("database unavailable; answered 503", method=request.method, path=request.url.path,
                        error=describe(error))
            return JSONResponse({"error": UNAVAILABLE}, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        log.error("database error; answered 500", method=request.method, path=request.url.path,
                  error=describe(error), at=raised_at(error))
        return JSONResponse({"error": FAILED}, 500)

    app.add_exception_handler(sa_exc.SQLAlchemyError, database_error)

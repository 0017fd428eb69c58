"""Logging: structlog to stderr, console or JSON, with every known secret value redacted and every card
number and credential masked."""
from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

from handoff.core.masking import for_log

REDACTED = "[redacted]"


class SecretRedactor:
    """structlog processor: replaces any configured secret value wherever it appears in an event."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # short values would redact innocent text; real secrets are long
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            for s in self.secrets:
                if s in value:
                    value = value.replace(s, REDACTED)
            return value
        if isinstance(value, dict):
            return {k: self._clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._clean(v) for v in value)
        return value

    def __call__(self, _logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
        """Redact one event."""
        return {k: self._clean(v) for k, v in event.items()} if self.secrets else event


class PIIMasker:
    """structlog processor: masks card numbers and credentials (`handoff.core.masking.for_log`) in every event.

    Whatever a line carries (a customer's text in an exception, a vendor's error body, SQL parameters),
    the card numbers and credentials in it are masked; values that are not text are masked as their
    repr, which is how the renderers would show them.
    """

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            return for_log(value)
        if isinstance(value, (int, float, bool)) or value is None:
            return value
        if isinstance(value, dict):
            return {k: self._clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self._clean(v) for v in value]
        return for_log(repr(value))

    def __call__(self, _logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
        """Mask one event."""
        return {k: self._clean(v) for k, v in event.items()}


def configure_logging(level: str = "info", fmt: str = "console", secrets: Iterable[str] = ()) -> None:
    """Route structlog and the standard library through one redacting pipeline to stderr."""
    redact = SecretRedactor(secrets)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            PIIMasker(),
            redact,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # vendor clients log whole request and response bodies at debug (customer messages, e-mails):
    # our own debug lines never turn theirs on
    for noisy in ("urllib3", "httpx", "httpcore", "apscheduler", "asyncio", "zenpy", "slack_sdk", "slack_bolt",
                  "handoff.slack.bolt", "stripe", "hubspot", "aiohttp", "requests"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))

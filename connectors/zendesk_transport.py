"""Zendesk's HTTP answers turned into the project's errors: the requests adapter zenpy's session uses.

zenpy raises its own exceptions for some failures and hands back a requests.Response for others; this
adapter sees every answer first, so a 429 keeps its Retry-After and a 5xx or a garbled body is Unavailable.
"""
from __future__ import annotations

import json
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from zenpy.lib.exception import APIException

from connectors.errors import (
    AuthFailed,
    NotFound,
    RateLimited,
    Rejected,
    Unavailable,
    UpstreamError,
    parse_retry_after,
)

SOURCE = "zendesk"


def error_for_status(status: int, headers: Any, detail: str, source: str = SOURCE) -> UpstreamError:
    """The project error for a failing HTTP status."""
    if status in (401, 403):
        return AuthFailed(source, f"HTTP {status}: {detail}")
    if status == 404:
        return NotFound(source, f"HTTP 404: {detail}")
    if status == 429:
        return RateLimited(source, "HTTP 429: rate limited",
                           retry_after=parse_retry_after(headers.get("Retry-After")))
    if status >= 500:
        return Unavailable(source, f"HTTP {status}: {detail}")
    return Rejected(source, f"HTTP {status}: {detail}")


def _error_detail(response: requests.Response) -> str:
    """Zendesk's `error`/`description` (never the request, which carries credentials), kept short."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return response.reason or "error"
    if isinstance(body, dict):
        parts = [body.get("error"), body.get("description")]
        text = " - ".join(str(p) if not isinstance(p, str) else p for p in parts if p)
        if body.get("details"):
            text = f"{text} {json.dumps(body['details'])}"
        return (text or response.reason or "error")[:300]
    return response.reason or "error"


class ZendeskTransport(HTTPAdapter):
    """Sends zenpy's canonical URLs to the real base and turns failing answers into project errors."""

    def __init__(self, canonical: str, base: str) -> None:
        super().__init__(max_retries=0)
        self._canonical = canonical.rstrip("/")
        self._base = base.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Send to the base URL; return the answer under the canonical URL, or raise a project error."""
        canonical_url = request.url or ""
        if self._base != self._canonical:
            if canonical_url.startswith(self._canonical):
                physical = request.copy()
                physical.url = self._base + canonical_url[len(self._canonical):]
            else:  # a link Zendesk returned with the base URL (pagination through a proxy)
                physical = request
                canonical_url = self._canonical + canonical_url[len(self._base):]
                request = request.copy()
                request.url = canonical_url
        else:
            physical = request
        try:
            response = super().send(physical, **kwargs)
            response.content  # read the body here, so slow or broken bodies fail here too
        except requests.Timeout as exc:
            raise Unavailable(SOURCE, f"timeout: {type(exc).__name__}") from None
        except requests.RequestException as exc:
            raise Unavailable(SOURCE, f"connection failed: {type(exc).__name__}") from None
        response.request = request
        response.url = canonical_url
        if not 200 <= response.status_code < 300:
            raise error_for_status(response.status_code, response.headers, _error_detail(response))
        if response.content and response.status_code != 204:
            try:
                json.loads(response.content)
            except ValueError:
                raise Unavailable(SOURCE, f"HTTP {response.status_code}: answer is not JSON") from None
        return response


def map_unexpected(exc: BaseException) -> UpstreamError:
    """Anything zenpy or requests raised that the transport did not already translate."""
    if isinstance(exc, UpstreamError):
        return exc
    if isinstance(exc, APIException) and getattr(exc, "response", None) is not None:
        response = exc.response
        return error_for_status(response.status_code, response.headers, _error_detail(response))
    if isinstance(exc, requests.Timeout):
        return Unavailable(SOURCE, "timeout")
    if isinstance(exc, requests.RequestException):
        return Unavailable(SOURCE, f"connection failed: {type(exc).__name__}")
    return Unavailable(SOURCE, f"unexpected answer: {type(exc).__name__}")

"""Linear's GraphQL API over httpx: file a bug report, or comment on the open issue it duplicates.

`file_bug` searches first (`issues` filtered by team, open state and the report's signature in the
description), then creates the issue (`issueCreate`) or adds a comment (`commentCreate`) to the match. The
search also finds what this handoff itself wrote before an answer was lost (its handoff marker in the issue's
description or one of its comments), so a retry after a timeout never files twice. No client retries: the
delivery outbox retries, honouring the rate limit's reset.

Errors: Linear answers GraphQL errors with `errors[].extensions.code`; RATELIMITED (HTTP 400, or 429) carries
`X-RateLimit-Requests-Reset` (epoch milliseconds) and is retried after it; AUTHENTICATION_ERROR and FORBIDDEN
(or HTTP 401/403) are permanent; 5xx, timeouts and answers that are not GraphQL are transient.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from connectors.errors import AuthFailed, RateLimited, Rejected, Unavailable, UpstreamError, parse_retry_after
from handoff.core.bug_report import handoff_marker, links_section, marker
from handoff.core.delivery_payloads import LinearIssue
from handoff.core.masking import for_ticket

SOURCE = "linear"
DEFAULT_URL = "https://api.linear.app/graphql"
OPEN_STATES = ("completed", "canceled", "duplicate")  # workflow state types that are not open (nin)
SEARCH_LIMIT = 5

SEARCH = """query HandoffFindBug($filter: IssueFilter!, $first: Int!, $mine: String!) {
  issues(filter: $filter, first: $first, orderBy: createdAt) {
    nodes {
      id
      identifier
      url
      description
      comments(filter: {body: {contains: $mine}}, first: 1) { nodes { id url } }
    }
  }
}"""

CREATE = """mutation HandoffFileBug($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { id identifier url } }
}"""

COMMENT = """mutation HandoffCommentBug($input: CommentCreateInput!) {
  commentCreate(input: $input) { success comment { id url } }
}"""

AUTH_CODES = {"AUTHENTICATION_ERROR", "FORBIDDEN"}


def _reset_seconds(headers: httpx.Headers, now: float) -> float | None:
    """Seconds until the request budget refills: Retry-After, else X-RateLimit-Requests-Reset (epoch ms)."""
    after = parse_retry_after(headers.get("retry-after"))
    if after is not None:
        return after
    for name in ("x-ratelimit-requests-reset", "x-ratelimit-complexity-reset"):
        try:
            reset_ms = float(headers.get(name, ""))
        except ValueError:
            continue
        return max(reset_ms / 1000.0 - now, 0.0)
    return None


def error_for(response: httpx.Response, now: float) -> UpstreamError | None:
    """The project's error for a Linear answer, or None when it is a good one."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    codes = [str(((e or {}).get("extensions") or {}).get("code") or "") for e in errors or [] if isinstance(e, dict)]
    message = next((str(e.get("message") or "")[:200] for e in errors or [] if isinstance(e, dict)), "")
    if "RATELIMITED" in codes or status == 429:
        return RateLimited(SOURCE, "rate limited", retry_after=_reset_seconds(response.headers, now))
    if status in (401, 403) or AUTH_CODES & set(codes):
        return AuthFailed(SOURCE, f"HTTP {status}: {message or 'unauthorised'} (check LINEAR_API_KEY)")
    if status >= 500:
        return Unavailable(SOURCE, f"HTTP {status}")
    if errors:
        return Rejected(SOURCE, f"HTTP {status}: {', '.join(c for c in codes if c) or 'error'}: {message}")
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return Unavailable(SOURCE, f"HTTP {status}: not a GraphQL answer")
    return None


class LinearConnector:
    """One Linear workspace, through a personal API key (or an OAuth token, given as `Bearer …`)."""

    def __init__(self, api_key: str, *, url: str | None = None, timeout: float = 10.0,
                 clock: Callable[[], float] = time.time, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not api_key:
            raise ValueError("Linear needs an API key")
        self._key = api_key
        self.url = url or DEFAULT_URL
        self._timeout = timeout
        self._clock = clock
        self._transport = transport

    def __repr__(self) -> str:
        return f"LinearConnector(url={self.url!r})"  # never the key

    async def _call(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        headers = {"Authorization": self._key, "Content-Type": "application/json", "Accept": "application/json"}
        try:
            # one client per call: httpx's pool belongs to one event loop, and a report is a rare write
            async with httpx.AsyncClient(timeout=httpx.Timeout(self._timeout), transport=self._transport) as client:
                response = await asyncio.wait_for(
                    client.post(self.url, json={"query": query, "variables": variables}, headers=headers),
                    timeout=self._timeout)
        except (TimeoutError, httpx.TimeoutException):
            raise Unavailable(SOURCE, "timed out") from None
        except httpx.HTTPError as e:
            raise Unavailable(SOURCE, f"connection failed: {type(e).__name__}") from None
        error = error_for(response, self._clock())
        if error is not None:
            raise error
        data: dict[str, Any] = response.json()["data"]
        return data

    async def find_open(self, report: LinearIssue) -> list[dict[str, Any]]:
        """Open issues of the team whose description carries the report's signature, oldest first."""
        issue_filter = {"team": {"id": {"eq": report.team_id}}, "state": {"type": {"nin": list(OPEN_STATES)}},
                        "description": {"contains": marker(report.signature)}}
        data = await self._call(SEARCH, {"filter": issue_filter, "first": SEARCH_LIMIT,
                                         "mine": handoff_marker(report.handoff_id)})
        nodes = ((data.get("issues") or {}).get("nodes"))
        if not isinstance(nodes, list):
            raise Unavailable(SOURCE, "issues answer without nodes")
        return nodes

    async def file_bug(self, report: LinearIssue, ticket_url: str | None = None) -> dict[str, Any]:
        """File the report, or comment on the open issue it matches; what was done, with the issue's link."""
        links = links_section(report.handoff_url, ticket_url)
        found = await self.find_open(report)
        mine = handoff_marker(report.handoff_id)
        for issue in found:  # written for this handoff already (an answer lost): done
            if mine in (issue.get("description") or ""):
                return _result("created", issue, None)
            comments = ((issue.get("comments") or {}).get("nodes")) or []
            if comments:
                return _result("commented", issue, comments[0])
        if found:
            issue = found[0]
            data = await self._call(COMMENT, {"input": {"issueId": issue["id"],
                                                        "body": for_ticket(report.comment + "\n" + links)}})
            payload = data.get("commentCreate") or {}
            if not payload.get("success"):
                raise Unavailable(SOURCE, "commentCreate did not succeed")
            return _result("commented", issue, payload.get("comment"))
        created: dict[str, Any] = {"teamId": report.team_id, "title": for_ticket(report.title),
                                   "description": for_ticket(report.description + "\n" + links)}
        if report.label_ids:
            created["labelIds"] = list(report.label_ids)
        data = await self._call(CREATE, {"input": created})
        payload = data.get("issueCreate") or {}
        if not payload.get("success") or not isinstance(payload.get("issue"), dict):
            raise Unavailable(SOURCE, "issueCreate did not succeed")
        return _result("created", payload["issue"], None)


def _result(action: str, issue: dict[str, Any], comment: dict[str, Any] | None) -> dict[str, Any]:
    return {"action": action, "issue_id": issue.get("id"), "identifier": issue.get("identifier"),
            "url": issue.get("url"), "comment_id": (comment or {}).get("id"), "comment_url": (comment or {}).get("url")}


__all__ = ["LinearConnector", "error_for", "DEFAULT_URL"]

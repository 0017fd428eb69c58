"""FakeLinear: a local Linear GraphQL API (`POST /graphql`) with the part of its schema Handoff uses.

Requests are parsed, validated and executed by graphql-core against the schema below (field names and types as
in Linear's published schema: `issues(filter:, first:, orderBy:)`, `issue(id:)`, `issueCreate`, `commentCreate`,
`Issue.comments(filter:)`), so a selection or a variable Linear would refuse is refused here too, with
`GRAPHQL_VALIDATION_FAILED` and HTTP 400. Authentication is a personal API key in `Authorization` (as is, or
`Bearer …`); anything else is `AUTHENTICATION_ERROR` (HTTP 400, as Linear answers it). Rate limiting:
`rate_limit(times)` answers RATELIMITED with HTTP 400 and the `X-RateLimit-Requests-*` headers (reset in epoch
milliseconds); `fail_next(429 | 5xx)` from FakeServer too. Every answer carries the request-budget headers.

State the tests read: `issues` (id → dict with `team_id`, `state_type`, `title`, `description`, `label_ids`,
`identifier`, `url`, `comments`: list of {id, body, url}); `created` and `commented` count the writes.
"""
from __future__ import annotations

import itertools
import threading
import time
import uuid
from typing import Any

from graphql import GraphQLError, build_schema, graphql_sync, parse, validate

from handoff.devtools.fakes.http import FakeRequest, FakeResponse, FakeServer

API_KEY = "lin_api_fakeHandoffKey0123456789abcdefghijklmnop"
TEAM_ID = "9cfb482a-81e3-4154-b5b9-2c805e70a02d"
REQUESTS_LIMIT = 5000

SCHEMA_SDL = """
scalar DateTime
enum PaginationOrderBy { createdAt updatedAt }
input IDComparator { eq: ID neq: ID in: [ID!] nin: [ID!] }
input StringComparator { eq: String neq: String in: [String!] nin: [String!] contains: String
  containsIgnoreCase: String notContains: String startsWith: String endsWith: String }
input NullableStringComparator { eq: String neq: String in: [String!] nin: [String!] contains: String
  containsIgnoreCase: String notContains: String startsWith: String endsWith: String null: Boolean }
input TeamFilter { id: IDComparator key: StringComparator name: StringComparator }
input WorkflowStateFilter { id: IDComparator name: StringComparator type: StringComparator }
input CommentFilter { body: StringComparator id: IDComparator and: [CommentFilter!] or: [CommentFilter!] }
input IssueFilter { id: IDComparator team: TeamFilter state: WorkflowStateFilter title: StringComparator
  description: NullableStringComparator and: [IssueFilter!] or: [IssueFilter!] }
input IssueCreateInput { id: String teamId: String! title: String description: String labelIds: [String!]
  priority: Int stateId: String assigneeId: String }
input CommentCreateInput { id: String issueId: String body: String parentId: String }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type Comment { id: ID! body: String! url: String! createdAt: DateTime! }
type CommentConnection { nodes: [Comment!]! pageInfo: PageInfo! }
type WorkflowState { id: ID! name: String! type: String! }
type Team { id: ID! key: String! name: String! }
type Issue { id: ID! identifier: String! title: String! description: String url: String! createdAt: DateTime!
  state: WorkflowState! team: Team!
  comments(filter: CommentFilter, first: Int, orderBy: PaginationOrderBy): CommentConnection! }
type IssueConnection { nodes: [Issue!]! pageInfo: PageInfo! }
type IssuePayload { success: Boolean! lastSyncId: Float! issue: Issue }
type CommentPayload { success: Boolean! lastSyncId: Float! comment: Comment! }
type Query {
  issues(filter: IssueFilter, first: Int, after: String, orderBy: PaginationOrderBy, includeArchived: Boolean): IssueConnection!
  issue(id: String!): Issue!
}
type Mutation {
  issueCreate(input: IssueCreateInput!): IssuePayload!
  commentCreate(input: CommentCreateInput!): CommentPayload!
}
"""


def error(message: str, code: str, status: int, **extra: Any) -> dict[str, Any]:
    """One GraphQL error the way Linear shapes it."""
    return {"message": message, "extensions": {"type": code.lower().replace("_", " "), "code": code,
                                               "statusCode": status, "userError": status < 500,
                                               "userPresentableMessage": message, **extra}}


def _string_matches(value: str | None, comparator: dict[str, Any]) -> bool:
    text = value or ""
    checks = {
        "eq": lambda v: text == v, "neq": lambda v: text != v, "in": lambda v: text in v,
        "nin": lambda v: text not in v, "contains": lambda v: v in text,
        "containsIgnoreCase": lambda v: v.lower() in text.lower(), "notContains": lambda v: v not in text,
        "startsWith": lambda v: text.startswith(v), "endsWith": lambda v: text.endswith(v),
        "null": lambda v: (value is None) == v,
    }
    return all(checks[k](v) for k, v in comparator.items() if v is not None)


class FakeLinear(FakeServer):
    """Linear's GraphQL endpoint on 127.0.0.1, for one workspace with one team."""

    def __init__(self, api_key: str = API_KEY, team_id: str = TEAM_ID, team_key: str = "ENG") -> None:
        super().__init__()
        self.api_key, self.team_id, self.team_key = api_key, team_id, team_key
        self.schema = build_schema(SCHEMA_SDL)
        self.issues: dict[str, dict[str, Any]] = {}
        self.created = 0
        self.commented = 0
        self._numbers = itertools.count(1)
        self._rate_limited = 0
        self._sync = itertools.count(1000)
        self.lose_write_answers = 0  # the next N mutations are carried out, their answers stalled (a lost answer)
        self.stall_seconds = 2.0
        self._local = threading.local()

    # -- what the tests set up and read ---------------------------------------------------
    def add_issue(self, title: str, description: str, state_type: str = "backlog") -> dict[str, Any]:
        """An issue that is already there (filed by a person, or closed: `state_type="completed"`)."""
        with self._lock:
            return self._new_issue(self.team_id, title, description, [], state_type)

    def rate_limit(self, times: int = 1) -> None:
        """Answer the next `times` requests RATELIMITED, as Linear does (HTTP 400)."""
        with self._lock:
            self._rate_limited += times

    def fault_body(self, status: int) -> Any:
        if status == 429:
            return {"errors": [error("Rate limit exceeded", "RATELIMITED", 429)]}
        if status >= 500:
            return {"errors": [error("Internal server error", "INTERNAL_SERVER_ERROR", status)]}
        return {"errors": [error(f"injected {status}", "INVALID_INPUT", status)]}

    # -- the endpoint -----------------------------------------------------------------------
    def _budget(self, remaining: int) -> dict[str, str]:
        reset_ms = int((time.time() + 60) * 1000)
        return {"X-RateLimit-Requests-Limit": str(REQUESTS_LIMIT), "X-RateLimit-Requests-Remaining": str(remaining),
                "X-RateLimit-Requests-Reset": str(reset_ms)}

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.path != "/graphql" or request.method != "POST":
            return FakeResponse(404, {"errors": [error("Not found", "NOT_FOUND", 404)]})
        given = request.headers.get("authorization", "")
        if given not in (self.api_key, f"Bearer {self.api_key}"):
            return FakeResponse(400, {"errors": [error("Authentication required, not authenticated",
                                                       "AUTHENTICATION_ERROR", 401)]}, self._budget(REQUESTS_LIMIT))
        if self._rate_limited > 0:
            self._rate_limited -= 1
            return FakeResponse(400, {"errors": [error("Rate limit exceeded", "RATELIMITED", 400,
                                                       meta={"rateLimitResult": {"allowed": False}})]},
                                self._budget(0))
        body = request.json
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return FakeResponse(400, {"errors": [error("Must provide query string.", "GRAPHQL_VALIDATION_FAILED",
                                                       400)]}, self._budget(REQUESTS_LIMIT - 1))
        try:
            problems = validate(self.schema, parse(body["query"]))
        except GraphQLError as e:
            problems = [e]
        if problems:
            return FakeResponse(400, {"errors": [error(p.message, "GRAPHQL_VALIDATION_FAILED", 400)
                                                 for p in problems]}, self._budget(REQUESTS_LIMIT - 1))
        result = graphql_sync(self.schema, body["query"], root_value=self._root(),
                              variable_values=body.get("variables") or {}, operation_name=body.get("operationName"))
        if self.lose_write_answers > 0 and body["query"].lstrip().startswith("mutation"):
            self.lose_write_answers -= 1
            self._local.stall = True  # done, but the client times out before the answer comes
        if result.errors:
            return FakeResponse(400 if result.data is None else 200,
                                {"errors": [error(e.message, "INVALID_INPUT", 400) for e in result.errors],
                                 "data": result.data}, self._budget(REQUESTS_LIMIT - 1))
        return FakeResponse(200, {"data": result.data}, self._budget(REQUESTS_LIMIT - 1))

    def _write(self, http: Any, response: FakeResponse) -> None:  # type: ignore[override]
        if getattr(self._local, "stall", False):
            self._local.stall = False
            self._stopping.wait(self.stall_seconds)
        FakeServer._write(http, response)

    # -- resolvers (graphql-core's default resolver calls these attributes of the root) -----
    def _root(self) -> dict[str, Any]:
        return {"issues": self._issues, "issue": self._issue, "issueCreate": self._issue_create,
                "commentCreate": self._comment_create}

    def _view(self, issue: dict[str, Any]) -> dict[str, Any]:
        def comments(_info: Any, filter: dict[str, Any] | None = None, first: int | None = None,  # noqa: A002
                     orderBy: str | None = None) -> dict[str, Any]:  # noqa: N803 - the schema's name
            found = [c for c in issue["comments"] if self._comment_matches(c, filter or {})]
            return {"nodes": found[:first or 50], "pageInfo": {"hasNextPage": len(found) > (first or 50),
                                                                "endCursor": None}}
        return {**issue, "state": {"id": f"state-{issue['state_type']}", "name": issue["state_type"].title(),
                                   "type": issue["state_type"]},
                "team": {"id": issue["team_id"], "key": self.team_key, "name": "Engineering"}, "comments": comments}

    def _comment_matches(self, comment: dict[str, Any], f: dict[str, Any]) -> bool:
        if f.get("body") and not _string_matches(comment["body"], f["body"]):
            return False
        if f.get("id") and not _string_matches(comment["id"], f["id"]):
            return False
        if f.get("and") and not all(self._comment_matches(comment, x) for x in f["and"]):
            return False
        return not f.get("or") or any(self._comment_matches(comment, x) for x in f["or"])

    def _issue_matches(self, issue: dict[str, Any], f: dict[str, Any]) -> bool:
        checks = [
            (f.get("id"), issue["id"]), (((f.get("team") or {}).get("id")), issue["team_id"]),
            (((f.get("state") or {}).get("type")), issue["state_type"]), (f.get("title"), issue["title"]),
            (f.get("description"), issue["description"]),
        ]
        if not all(_string_matches(value, c) for c, value in checks if c):
            return False
        if f.get("and") and not all(self._issue_matches(issue, x) for x in f["and"]):
            return False
        return not f.get("or") or any(self._issue_matches(issue, x) for x in f["or"])

    def _issues(self, _info: Any, filter: dict[str, Any] | None = None, first: int | None = None,  # noqa: A002
                after: str | None = None, orderBy: str | None = None,  # noqa: N803
                includeArchived: bool | None = None) -> dict[str, Any]:  # noqa: N803
        found = sorted((i for i in self.issues.values() if self._issue_matches(i, filter or {})),
                       key=lambda i: i["createdAt"])
        return {"nodes": [self._view(i) for i in found[:first or 50]],
                "pageInfo": {"hasNextPage": len(found) > (first or 50), "endCursor": None}}

    def _issue(self, _info: Any, id: str) -> dict[str, Any]:  # noqa: A002
        issue = self.issues.get(id) or next((i for i in self.issues.values() if i["identifier"] == id), None)
        if issue is None:
            raise GraphQLError("Entity not found: Issue")
        return self._view(issue)

    def _new_issue(self, team_id: str, title: str, description: str, label_ids: list[str],
                   state_type: str = "backlog", issue_id: str | None = None) -> dict[str, Any]:
        number = next(self._numbers)
        identifier = f"{self.team_key}-{number}"
        issue = {"id": issue_id or str(uuid.uuid4()), "identifier": identifier, "title": title,
                 "description": description, "label_ids": label_ids, "team_id": team_id, "state_type": state_type,
                 "url": f"https://linear.app/acme/issue/{identifier.lower()}",
                 "createdAt": f"2026-03-02T10:{number // 60:02d}:{number % 60:02d}.000Z", "comments": []}
        self.issues[issue["id"]] = issue
        return issue

    def _issue_create(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
        if input["teamId"] != self.team_id:
            raise GraphQLError("Entity not found: Team")
        if input.get("id") in self.issues:
            raise GraphQLError("Entity already exists")
        issue = self._new_issue(input["teamId"], input.get("title") or "", input.get("description") or "",
                                list(input.get("labelIds") or []), issue_id=input.get("id"))
        self.created += 1
        return {"success": True, "lastSyncId": float(next(self._sync)), "issue": self._view(issue)}

    def _comment_create(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
        issue = self.issues.get(input.get("issueId") or "")
        if issue is None:
            raise GraphQLError("Entity not found: Issue")
        comment_id = input.get("id") or str(uuid.uuid4())
        comment = {"id": comment_id, "body": input.get("body") or "", "createdAt": "2026-03-02T11:00:00.000Z",
                   "url": f"{issue['url']}#comment-{comment_id[:8]}"}
        issue["comments"].append(comment)
        self.commented += 1
        return {"success": True, "lastSyncId": float(next(self._sync)), "comment": comment}

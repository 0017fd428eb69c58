"""The Linear connector's real calls (httpx, GraphQL) against FakeLinear, every exchange checked against a
description of the part of Linear's schema it uses (specs/linear.graphql, written from Linear's published SDK
schema) and of its error answers (specs/linear-errors.yaml).

A request must be a GraphQL document valid against the schema, with variables its operation accepts. An answer
with `data` must be exactly what that document selects, in the schema's types: executing the document over the
answer itself (graphql-core's default resolvers read it back) must give the same answer with no error, so a key
the query did not ask for, a null where the schema says non-null or a number where it says a string all fail.
An error answer must have Linear's shape; RATELIMITED must come with HTTP 400 or 429 and the request budget's
headers.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, execute, parse, validate
from graphql.error import GraphQLError
from graphql.execution.values import get_variable_values

from connectors.errors import UpstreamError
from connectors.linear import LinearConnector
from handoff.core.bug_report import handoff_marker, marker
from handoff.core.delivery_payloads import LinearIssue
from handoff.devtools.fakes.http import Exchange, FakeRequest, FakeResponse
from handoff.devtools.fakes.linear import TEAM_ID, FakeLinear

SPECS = Path(__file__).parent / "specs"
OPERATIONS = {"issues", "issueCreate", "commentCreate"}


@cache
def schema() -> GraphQLSchema:
    return build_schema((SPECS / "linear.graphql").read_text(encoding="utf-8"))


@cache
def errors_spec() -> dict[str, Any]:
    return yaml.safe_load((SPECS / "linear-errors.yaml").read_text(encoding="utf-8"))


def check(exchange: Exchange) -> tuple[list[str], set[str]]:
    """What is wrong with one exchange, and the top-level fields it used."""
    request, response = exchange.request, exchange.response
    if request.method != "POST" or not request.headers.get("authorization"):
        return ["Security: a POST with the API key in Authorization"], set()
    body = request.json
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return ["request: not a GraphQL request"], set()
    try:
        document = parse(body["query"])
    except GraphQLError as e:
        return [f"request: {e.message}"], set()
    problems = [f"request: {e.message}" for e in validate(schema(), document)]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fields = {s.name.value for op in operations for s in op.selection_set.selections if hasattr(s, "name")}
    if problems:
        return problems, fields
    variables = body.get("variables") or {}
    coerced = get_variable_values(schema(), operations[0].variable_definitions or [], variables)
    if isinstance(coerced, list):
        problems += [f"variables: {e.message}" for e in coerced]
    answer = response.body
    if isinstance(answer, dict) and "errors" in answer:
        problems += error_problems(response)
    elif response.status == 200 and isinstance(answer, dict) and isinstance(answer.get("data"), dict):
        result = execute(schema(), document, root_value=answer["data"], variable_values=variables)
        problems += [f"answer: {e.message} at {'/'.join(map(str, e.path or []))}" for e in result.errors or []]
        if not result.errors and result.data != answer["data"]:
            problems.append("answer: not exactly what the query selects")
    elif response.status < 500:
        problems.append(f"answer: HTTP {response.status} without data or errors")
    return problems, fields


def error_problems(response: FakeResponse) -> list[str]:
    spec = errors_spec()
    try:
        jsonschema.validate(response.body, spec["body"])
    except jsonschema.ValidationError as e:
        return [f"errors: {e.message}"]
    codes = {e["extensions"]["code"] for e in response.body["errors"]}
    problems = []
    if "RATELIMITED" in codes:
        if response.status not in spec["rate_limited"]["statuses"]:
            problems.append(f"RATELIMITED with HTTP {response.status}")
        headers = {k.lower(): v for k, v in response.headers.items()}
        for name in spec["rate_limited"]["headers"]:
            if not str(headers.get(name.lower(), "")).isdigit():
                problems.append(f"RATELIMITED without a numeric {name}")
    return problems


def check_all(exchanges: list[Exchange]) -> tuple[list[str], set[str]]:
    problems: list[str] = []
    covered: set[str] = set()
    for exchange in exchanges:
        found, fields = check(exchange)
        problems += found
        covered |= fields
    return problems, covered


def report(handoff_id: str) -> LinearIssue:
    sig = "err-0123456789ab"
    return LinearIssue(handoff_id=handoff_id, signature=sig, title="TypeError: x is undefined",
                       description=f"> TypeError\n\n`{marker(sig)}` `{handoff_marker(handoff_id)}`",
                       comment=f"again `{handoff_marker(handoff_id)}`", handoff_url="http://h/v1/handoffs/x",
                       team_id=TEAM_ID, label_ids=("lbl-bug",))


async def test_every_request_and_answer_matches_the_description(fake_linear: FakeLinear) -> None:
    linear = LinearConnector(fake_linear.api_key, url=f"{fake_linear.url}/graphql", timeout=2)
    await linear.file_bug(report("h_1"), "https://acme.zendesk.com/agent/tickets/1")
    await linear.file_bug(report("h_2"))
    await linear.file_bug(report("h_2"))  # a retry: found, nothing written
    fake_linear.rate_limit()
    fake_linear.fail_next(429, headers={"Retry-After": "3", "X-RateLimit-Requests-Limit": "5000",
                                        "X-RateLimit-Requests-Remaining": "0",
                                        "X-RateLimit-Requests-Reset": "1772445660000"})
    for _ in range(2):
        with pytest.raises(UpstreamError):
            await linear.file_bug(report("h_3"))
    with pytest.raises(UpstreamError):
        await LinearConnector("lin_api_wrong", url=f"{fake_linear.url}/graphql", timeout=2).file_bug(report("h_4"))

    problems, covered = check_all(fake_linear.exchanges)

    assert problems == []
    assert covered == OPERATIONS
    assert {e.response.status for e in fake_linear.exchanges} == {200, 400, 429}


def an_exchange(query: str, variables: dict[str, Any] | None = None, *, status: int = 200, answer: Any = None,
                headers: dict[str, str] | None = None, auth: str | None = "lin_api_x") -> Exchange:
    body = {"query": query, "variables": variables or {}}
    request = FakeRequest("POST", "/graphql", {}, {"content-type": "application/json",
                                                    **({"authorization": auth} if auth else {})}, b"", body)
    return Exchange(request, FakeResponse(status, answer if answer is not None else {"data": {}}, headers or {}))


SEARCH = "query($f: IssueFilter) { issues(filter: $f, first: 5) { nodes { id url } } }"
CREATE = "mutation($i: IssueCreateInput!) { issueCreate(input: $i) { success issue { id url } } }"
OK_SEARCH = {"data": {"issues": {"nodes": [{"id": "1", "url": "https://linear.app/a/issue/eng-1"}]}}}


@pytest.mark.parametrize(("exchange", "problem"), [
    (an_exchange("query { issues { nodes { id severity } } }"), "Cannot query field 'severity'"),
    (an_exchange("query { searchIssues(term: \"x\") { nodes { id } } }"), "Cannot query field 'searchIssues'"),
    (an_exchange(SEARCH, {"f": {"description": {"like": "x"}}}), "variables"),
    (an_exchange(CREATE, {"i": {"title": "no team"}}), "variables"),
    (an_exchange(SEARCH, {}, auth=None), "Security"),
    (an_exchange(SEARCH, answer={"data": {"issues": {"nodes": [{"id": "1", "url": "u", "title": "t"}]}}}),
     "not exactly"),
    (an_exchange(SEARCH, answer={"data": {"issues": {"nodes": [{"id": "1", "url": None}]}}}), "non-nullable"),
    (an_exchange(SEARCH, answer={"data": {"issues": {"nodes": [{"id": "1", "url": 7}]}}}), "not exactly"),
    (an_exchange(SEARCH, status=400, answer={"errors": [{"message": "slow down"}]}), "errors"),
    (an_exchange(SEARCH, status=400, answer={"errors": [{"message": "Rate limit exceeded",
                                                         "extensions": {"code": "RATELIMITED"}}]}),
     "without a numeric X-RateLimit-Requests-Reset"),
    (an_exchange(SEARCH, status=503, answer={"errors": [{"message": "x", "extensions": {"code": "RATELIMITED"}}]},
                 headers={"X-RateLimit-Requests-Limit": "1", "X-RateLimit-Requests-Remaining": "0",
                          "X-RateLimit-Requests-Reset": "1"}), "RATELIMITED with HTTP 503"),
])
def test_the_check_catches(exchange: Exchange, problem: str) -> None:
    problems, _ = check(exchange)
    assert any(problem in p for p in problems), problems


def test_a_good_exchange_passes() -> None:
    assert check(an_exchange(SEARCH, {"f": {"description": {"contains": "x"}}}, answer=OK_SEARCH)) == ([], {"issues"})

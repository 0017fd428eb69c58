"""Checking recorded exchanges (a fake's request and its answer) against a vendor's OpenAPI fragment.

openapi-core validates each request (path, query, headers, security, body) and each answer (status, body)
against the operation it matches. It ignores query parameters the operation does not declare, so
`undeclared_query` adds that check: a parameter the vendor never documented is a bug too.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.testing import MockRequest, MockResponse
from werkzeug.datastructures import MultiDict

from handoff.devtools.fakes.http import Exchange

SPECS = Path(__file__).parent / "specs"


@cache
def spec(name: str) -> dict[str, Any]:
    """One description in tests/contracts/specs as a dict."""
    hand_written = SPECS / f"{name}.yaml"  # HubSpot's, written for this project
    if hand_written.exists():
        return yaml.safe_load(hand_written.read_text(encoding="utf-8"))
    return json.loads((SPECS / f"{name}.json").read_text(encoding="utf-8"))


def optional_nullable(node: Any) -> Any:
    """Every property a schema does not require may be null (with enums allowing it too).

    Zendesk's OAS marks almost nothing `nullable`, yet its answers carry null for every unset field
    (a new ticket's `type`, `organization_id`, `problem_id`, a user's `signature`...), as its docs'
    JSON examples show. Required properties stay non-null.
    """
    if isinstance(node, list):
        return [optional_nullable(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: optional_nullable(v) for k, v in node.items()}
    props = out.get("properties")
    if isinstance(props, dict):
        required = set(out.get("required") or [])
        for key, prop in props.items():
            if key in required or not isinstance(prop, dict):
                continue
            if "$ref" in prop:
                props[key] = {"allOf": [prop], "nullable": True}
                continue
            prop["nullable"] = True
            if isinstance(prop.get("enum"), list) and None not in prop["enum"]:
                prop["enum"] = [*prop["enum"], None]
    return out


RELAXATIONS: dict[str, Callable[[Any], Any]] = {"zendesk": optional_nullable}
# Formats the vendors use that openapi-core does not know.
FORMATS = {"url": lambda value: isinstance(value, str) and value.startswith(("http://", "https://"))}


@cache
def openapi(name: str) -> OpenAPI:
    """The fragment as an openapi-core application (with the vendor's documented relaxation, if any)."""
    doc = RELAXATIONS.get(name, lambda d: d)(spec(name))
    return OpenAPI.from_dict(doc, config=Config(extra_format_validators=FORMATS))


def _schema_error(error: Any) -> str:
    """A jsonschema error as `where: what`, descending into anyOf/oneOf to the closest failure."""
    from jsonschema.exceptions import best_match

    if getattr(error, "context", None):
        error = best_match(error.context)
    where = "/".join(map(str, getattr(error, "absolute_path", []))) or "(root)"
    return f"{where}: {str(getattr(error, 'message', error))[:200]}"


def _errors(exc: BaseException) -> list[str]:
    """One line per problem openapi-core found (schema errors itemised)."""
    seen: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and node not in seen:
        seen.append(node)
        node = node.__cause__ or node.__context__
    schema_errors = [e for n in seen for e in getattr(n, "schema_errors", None) or []]
    if schema_errors:
        what = f"{type(exc).__name__} {exc.name!r}" if isinstance(getattr(exc, "name", None), str) else (
            type(exc).__name__)
        return [f"{what}: {_schema_error(e)}" for e in schema_errors]
    return [f"{type(exc).__name__}: " + " <- ".join(str(n)[:200] for n in seen)]


def mock_request(exchange: Exchange, host_url: str, path: str | None = None) -> MockRequest:
    """The recorded request as openapi-core sees it."""
    request = exchange.request
    ctype = request.headers.get("content-type", "application/json").split(";")[0] or "application/json"
    return MockRequest(host_url, request.method, path or request.path, args=MultiDict(request.query_items),
                       headers=request.headers, data=request.body or None, content_type=ctype)


def mock_response(exchange: Exchange) -> MockResponse:
    """The recorded answer as openapi-core sees it."""
    response = exchange.response
    body = response.body
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else (
        body.encode() if isinstance(body, str) else (body or b""))
    return MockResponse(data, status_code=response.status, headers=response.headers,
                        content_type=response.content_type.split(";")[0])


def operation(name: str, request: MockRequest) -> dict[str, Any] | None:
    """The fragment's operation object this request matches, or None."""
    try:
        found = APICallPathFinder(openapi(name).spec).find(request.method, urljoin(request.host_url, request.path))
    except Exception:  # noqa: BLE001 - openapi-core raises one of several "not found" errors
        return None
    path_item = dict(spec(name)["paths"][found.path_result.pattern])
    op = dict(path_item.get(request.method, {}))
    op["_path_parameters"] = path_item.get("parameters", [])
    return op


def undeclared_query(name: str, request: MockRequest, op: dict[str, Any],
                     rename: Callable[[str], str] = lambda k: k) -> list[str]:
    """Query parameters the operation does not declare (`rename` maps e.g. `expand[0]` to `expand`)."""
    params = [*op.get("_path_parameters", []), *op.get("parameters", [])]
    declared = set()
    for p in params:
        if "$ref" in p:
            p = _resolve(spec(name), p["$ref"])
        if p.get("in") == "query":
            declared.add(p["name"])
    return [f"query parameter {k!r} is not in the spec" for k in dict.fromkeys(map(rename, request.args))
            if k not in declared]


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def undescribed_keys(name: str, op: dict[str, Any], status: int, body: Any) -> list[str]:
    """Top-level answer keys the operation's answer schema does not describe (an envelope is exact)."""
    responses = op.get("responses") or {}
    answer = responses.get(str(status)) or responses.get("default")
    if not isinstance(body, dict) or not isinstance(answer, dict):
        return []
    if "$ref" in answer:
        answer = _resolve(spec(name), answer["$ref"])
    media = (answer.get("content") or {}).get("application/json") or {}
    schema = media.get("schema") or answer.get("schema")  # OpenAPI 3, Swagger 2
    if isinstance(schema, dict) and "$ref" in schema:
        schema = _resolve(spec(name), schema["$ref"])
    props = (schema or {}).get("properties")
    if not isinstance(props, dict):
        return []
    return [f"answer key {k!r} is not in the spec" for k in body if k not in props]


def check_exchanges(name: str, exchanges: Iterable[Exchange], host_url: str, *,
                    path: Callable[[str], str] = lambda p: p, skip: Callable[[Exchange], bool] = lambda e: False,
                    extra_query: dict[str, set[str]] | None = None,
                    extra_keys: dict[str, set[str]] | None = None) -> tuple[list[str], set[str]]:
    """Problems found in every exchange, and the `METHOD operationId` operations they covered.

    `extra_query` and `extra_keys` name query parameters and top-level answer keys allowed beyond the
    spec, per operationId (`*`: every one), each for a reason the caller documents.
    """
    problems: list[str] = []
    covered: set[str] = set()
    app = openapi(name)
    extra = extra_query or {}
    for exchange in exchanges:
        if skip(exchange):
            continue
        req = mock_request(exchange, host_url, path(exchange.request.path))
        label = f"{exchange.request.method} {exchange.request.path}"
        op = operation(name, req)
        if op is None:
            problems.append(f"{label}: no such operation in the {name} spec")
            continue
        op_id = op.get("operationId") or path(exchange.request.path)
        covered.add(f"{exchange.request.method} {op_id}")
        allowed = extra.get("*", set()) | extra.get(op_id, set())
        found = [e for exc in app.unmarshal_request(req).errors for e in _errors(exc)]
        found += [e for e in undeclared_query(name, req, op) if e.split("'")[1] not in allowed]
        problems += [f"{label} request: {p}" for p in found]
        answer = app.unmarshal_response(req, mock_response(exchange))
        found = [e for exc in answer.errors for e in _errors(exc)]
        allowed = (extra_keys or {}).get("*", set()) | (extra_keys or {}).get(op_id, set())
        found += [e for e in undescribed_keys(name, op, exchange.response.status, exchange.response.body)
                  if e.split("'")[1] not in allowed]
        problems += [f"{label} answer {exchange.response.status}: {p}" for p in found]
    return problems, covered

"""Hostile-input limits for JSON bodies of the `/v1` API, and the error answers documented in /openapi.json.

FastAPI parses bodies with the standard `json` module, which answers deep nesting with a
RecursionError, accepts NaN/Infinity (not JSON), guesses UTF-16/32 from the bytes, and lets NUL
characters through to PostgreSQL (whose text columns refuse them: a 500). `JsonBodyGuard` checks
each `/v1` JSON body once, before FastAPI sees it, and refuses what is wrong with a 4xx whose
`error` says what: 415 not JSON, 400 not UTF-8 / not JSON / nested too deeply, 422 a string
holding a lone surrogate (not Unicode; pydantic says the same of declared fields). A NUL
character is replaced by U+FFFD instead of refused: a customer's turn must not be lost to an
invisible control character, and the replacement shows where it was. It sits inside
`BodyLimit`, so it only ever reads a body that is already known to be under the byte limit.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.middleware import Middleware

MAX_DEPTH = 32  # our bodies nest 3 levels; 32 leaves room and stays far from the recursion limit
GUARDED_PREFIX = "/v1/"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
NUL_REPLACEMENT = "\ufffd"

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "what is wrong, in words"},
        "detail": {"type": "string"},
        "problems": {
            "type": "array",
            "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Answers every /v1 operation may give, whatever its route says.
COMMON_ERRORS: dict[str, str] = {
    "400": "The body is not valid UTF-8 JSON, or is nested too deeply",
    "401": "Missing or invalid bearer API key",
    "413": "The body is over service.max_body_bytes",
    "415": "The body is not application/json",
    "422": "A field is invalid; `problems` lists each",
}
# Answers particular to one operation (the route code returns them directly).
OPERATION_ANSWERS: dict[tuple[str, str], dict[str, str]] = {
    ("post", "/v1/conversations/{conversation_id}/messages"): {"409": "error"},
    ("post", "/v1/conversations/{conversation_id}/handoff"): {"201": "same-as-200", "409": "error"},
    ("get", "/v1/handoffs/{handoff_id}"): {"404": "error"},
    ("get", "/v1/conversations/{conversation_id}"): {"404": "error"},
    ("post", "/v1/handoffs/{handoff_id}/release"): {"404": "error", "409": "error"},
    ("post", "/v1/handoffs/{handoff_id}/refresh"): {"404": "error", "409": "error"},
    ("post", "/v1/handoffs/{handoff_id}/choice"): {"404": "error", "409": "error"},
}


class BodyRefused(Exception):
    """A JSON body we refuse; `status` and `body` are the answer."""

    def __init__(self, status: int, error: str, field: str | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.body: dict[str, Any] = {"error": error}
        if field is not None:
            self.body["problems"] = [{"field": field, "message": error.rpartition(": ")[2]}]


def _no_constants(name: str) -> Any:
    raise BodyRefused(400, f"body is not valid JSON: {name} is not a JSON number")


def check_json_body(body: bytes, content_type: str | None, *, max_depth: int = MAX_DEPTH) -> bytes | None:
    """Check a JSON request body: raise BodyRefused, or return the body to use instead (NUL replaced), or None."""
    if content_type:
        media, _, params = content_type.partition(";")
        media = media.strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise BodyRefused(415, f"unsupported Content-Type {media!r}: send application/json")
        charset = re.search(r"charset\s*=\s*\"?([\w.-]+)", params, re.IGNORECASE)
        if charset and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise BodyRefused(415, f"unsupported charset {charset.group(1)!r}: JSON is UTF-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BodyRefused(400, f"body is not valid UTF-8 (byte {e.start})") from None
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as e:
        raise BodyRefused(400, f"body is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise BodyRefused(400, f"body is nested too deeply (the limit is {max_depth} levels)") from None
    except ValueError as e:  # e.g. an integer of more than 4300 digits
        raise BodyRefused(400, f"body is not valid JSON: {e}") from None
    # The walk is only needed when it could find something: more brackets than the depth limit, or
    # a \\uD8xx-\\uDFxx escape (a decoded UTF-8 text holds no surrogates of its own). Both counts run in C.
    maybe_deep = text.count("[") + text.count("{") > max_depth
    if maybe_deep or "\\ud" in text or "\\uD" in text:
        _walk(value, max_depth)
    if "\\u0000" not in text:  # cheap: a NUL in a JSON string is always written as this escape
        return None
    # PostgreSQL text cannot hold NUL (a 500 there); SQLite could, so both stores get the same
    return json.dumps(_replace_nul(value), ensure_ascii=False).encode("utf-8")


def _walk(value: Any, max_depth: int) -> None:
    """Depth and text checks without recursion, so no body can exhaust the stack here either."""
    stack: list[tuple[Any, tuple[str, ...], int]] = [(value, (), 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                raise BodyRefused(400, f"body is nested too deeply (the limit is {max_depth} levels)")
            pairs = item.items() if isinstance(item, dict) else ((str(i), v) for i, v in enumerate(item))
            for key, child in pairs:
                if isinstance(item, dict):
                    _check_text(key, path + (key,), is_key=True)
                stack.append((child, path + (key,), depth + 1))
        elif isinstance(item, str):
            _check_text(item, path)


def _check_text(text: str, path: tuple[str, ...], *, is_key: bool = False) -> None:
    bad = _LONE_SURROGATE.search(text)
    if bad is None:
        return
    # the path itself may hold the surrogate: shown escaped, since the answer must encode as UTF-8
    field = (".".join(path) or "body").encode("utf-8", "backslashreplace").decode("utf-8")
    what = "name" if is_key else "text"
    message = f"{what} must not contain lone surrogates (\\u{ord(bad.group()):04x}): not valid Unicode"
    raise BodyRefused(422, f"invalid request: {field}: {message}", field)


def _replace_nul(value: Any) -> Any:
    """The same value with every NUL in keys and strings replaced; depth is already bounded by _walk."""
    if isinstance(value, str):
        return value.replace("\x00", NUL_REPLACEMENT)
    if isinstance(value, list):
        return [_replace_nul(v) for v in value]
    if isinstance(value, dict):
        return {_replace_nul(k): _replace_nul(v) for k, v in value.items()}
    return value


class JsonBodyGuard:
    """ASGI middleware: check JSON bodies of `/v1` writes with `check_json_body` before the app parses them."""

    def __init__(self, app: Any, max_depth: int = MAX_DEPTH, prefix: str = GUARDED_PREFIX) -> None:
        self.app = app
        self.max_depth = max_depth
        self.prefix = prefix

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in _BODY_METHODS \
                or not str(scope.get("path", "")).startswith(self.prefix):
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        while True:  # BodyLimit, outside us, has already bounded what arrives here
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body:
            content_type = None
            for name, value in scope.get("headers") or []:
                if name.lower() == b"content-type":
                    content_type = value.decode("latin-1")
            try:
                cleaned = check_json_body(body, content_type, max_depth=self.max_depth)
            except BodyRefused as refused:
                return await JSONResponse(refused.body, refused.status)(scope, receive, send)
            if cleaned is not None:
                body = cleaned
                headers = [(n, v) for n, v in scope.get("headers") or [] if n.lower() != b"content-length"]
                scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        replay = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay_receive() -> dict[str, Any]:
            return replay.pop() if replay else await receive()

        await self.app(scope, replay_receive, send)


def document_errors(app: FastAPI) -> None:
    """Make /openapi.json tell the truth about error answers: the `Error` shape, and every status /v1 gives."""
    original: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for path, item in schema.get("paths", {}).items():
            if not path.startswith(GUARDED_PREFIX):
                continue
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                answers = {code: "error" for code in COMMON_ERRORS}
                answers.update(OPERATION_ANSWERS.get((method, path), {}))
                for code, kind in answers.items():
                    if kind == "same-as-200" and "200" in responses:
                        responses[code] = {**responses["200"], "description": "Created"}
                    else:
                        description = COMMON_ERRORS.get(code) or responses.get(code, {}).get("description") or "Error"
                        responses[code] = {"description": description,
                                           "content": {"application/json": {"schema": _ERROR_REF}}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_request_limits(app: FastAPI, *, max_depth: int = MAX_DEPTH) -> None:
    """Add JsonBodyGuard just inside BodyLimit and document the error answers; call it in create_app."""
    if getattr(app.state, "request_limits", False):
        return
    if app.middleware_stack is not None:
        raise RuntimeError("install_request_limits must run before the app starts")
    # Just inside BodyLimit whichever was added first (index 0 is the outermost). By name: importing
    # handoff.edge.http.api here would be circular, since api.py is the caller.
    at = next((i + 1 for i, m in enumerate(app.user_middleware) if getattr(m.cls, "__name__", "") == "BodyLimit"), 0)
    app.user_middleware.insert(at, Middleware(JsonBodyGuard, max_depth=max_depth))
    document_errors(app)
    app.state.request_limits = True

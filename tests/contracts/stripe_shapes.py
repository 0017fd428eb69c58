"""Stripe requests checked against Stripe's OpenAPI fragment, answers against the stripe library's classes.

Stripe encodes query parameters its own way (`expand[0]=a`, `created[gte]=1`), which is neither OpenAPI's
`form` nor `deepObject` style, so openapi-core cannot read them. `request_problems` decodes them as
Stripe's servers do, casts the strings by the parameter's schema and validates each value with
openapi-schema-validator (the validator openapi-core itself uses).

Answers: the spec fragment (API 2020-08-27) is stale for shapes, so `answer_problems` checks each object
against the resource class the installed stripe library generated from the spec of the API version it
sends (stripe 16.x: 2026-10-28): every key must be an attribute of the class, every value of its type,
every `Literal` value one the library knows, and an expandable field an id unless its path was expanded.
"""
from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Mapping
from typing import Any, ForwardRef

import stripe
from openapi_schema_validator import OAS30Validator
from stripe._list_object import ListObject
from stripe._stripe_object import StripeObject

from tests.contracts.support import spec
from handoff.devtools.fakes.http import Exchange

# What each list endpoint's items are.
LIST_ITEMS = {"/v1/customers": stripe.Customer, "/v1/subscriptions": stripe.Subscription,
              "/v1/invoices": stripe.Invoice, "/v1/charges": stripe.Charge, "/v1/disputes": stripe.Dispute}


# -- requests ------------------------------------------------------------------------------------
def decode_query(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's bracket encoding to nested values: `a[0]=x&a[1]=y` → a: [x, y]; `c[gte]=1` → c: {gte: 1}."""
    root: dict[str, Any] = {}
    for key, value in items:
        name, *subs = re.findall(r"^[^\[]+|(?<=\[)[^\]]*(?=\])", key)
        node, parts = root, [name, *subs]
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def listify(value: Any) -> Any:
        if isinstance(value, dict):
            value = {k: listify(v) for k, v in value.items()}
            if value and all(k.isdigit() for k in value):
                return [value[k] for k in sorted(value, key=int)]
        return value

    return {k: listify(v) for k, v in root.items()}


def _cast(value: Any, schema: Mapping[str, Any]) -> Any:
    """Query strings to the schema's types (the first anyOf branch that validates)."""
    for branch in schema.get("anyOf") or []:
        cast = _cast(value, branch)
        if OAS30Validator(branch).is_valid(cast):
            return cast
    kind = schema.get("type")
    if kind == "integer" and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if kind == "array" and isinstance(value, list):
        return [_cast(v, schema.get("items") or {}) for v in value]
    if kind == "object" and isinstance(value, dict):
        props = schema.get("properties") or {}
        return {k: _cast(v, props.get(k) or {}) for k, v in value.items()}
    return value


def request_problems(exchange: Exchange) -> list[str]:
    """The request's parameters against the operation's: unknown names, missing required, bad values."""
    request = exchange.request
    item = spec("stripe")["paths"].get(request.path) or {}
    op = item.get(request.method.lower())
    label = f"{request.method} {request.path}"
    if op is None:
        return [f"{label}: no such operation in the stripe spec"]
    params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
    sent = decode_query(request.query_items)
    problems = [f"{label}: query parameter {k!r} is not in the spec" for k in sent if k not in params]
    problems += [f"{label}: required parameter {k!r} missing" for k, p in params.items()
                 if p.get("required") and k not in sent]
    for name, value in sent.items():
        if name in params:
            schema = params[name]["schema"]
            problems += [f"{label}: {name}={value!r}: {e.message[:200]}"
                         for e in OAS30Validator(schema).iter_errors(_cast(value, schema))]
    for path in sent.get("expand") or []:
        if str(path).count(".") >= 4:
            problems.append(f"{label}: expand {path!r} is deeper than Stripe's 4 levels")
    return problems


# -- answers -------------------------------------------------------------------------------------
def _fields(cls: type) -> dict[str, Any]:
    """The annotated attributes of a stripe class and its bases."""
    out: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        if base.__module__.startswith("stripe"):
            out.update({k: v for k, v in getattr(base, "__annotations__", {}).items()
                        if not k.startswith("_") and k.islower() or k == "object"})
    return out


def _resolve(ref: Any, owner: type) -> Any:
    if isinstance(ref, ForwardRef):
        name = ref.__forward_arg__
        return getattr(owner, name, None) or getattr(stripe, name, None) or getattr(
            stripe, name.removesuffix("Resource"), None)
    if isinstance(ref, str):
        return _resolve(ForwardRef(ref), owner)
    return ref


def _is_class(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, StripeObject)


class _Checker:
    def __init__(self, expanded: set[str]) -> None:
        self.expanded = expanded
        self.problems: list[str] = []

    def _is_expanded(self, path: str) -> bool:
        return any(e == path or e.startswith(path + ".") for e in self.expanded)

    def obj(self, value: Any, cls: type, path: str) -> None:
        if not isinstance(value, dict):
            self.problems.append(f"{path or '(root)'}: {type(value).__name__} where stripe has a {cls.__name__}")
            return
        fields = _fields(cls)
        for key, hint in fields.items():
            optional = typing.get_origin(hint) is typing.Union and type(None) in typing.get_args(hint)
            if key not in value and not optional:
                self.problems.append(f"{path + '.' if path else ''}{key}: missing (stripe's {cls.__name__} "
                                     f"always has it)")
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if key not in fields:
                self.problems.append(f"{where}: not an attribute of stripe's {cls.__name__}")
                continue
            self.value(item, fields[key], where, cls)

    def value(self, value: Any, hint: Any, path: str, owner: type) -> None:
        hint = _resolve(hint, owner)
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is typing.Union:
            args = tuple(_resolve(a, owner) for a in args)
            if value is None:
                if type(None) not in args:
                    self.problems.append(f"{path}: null where stripe's type is not Optional")
                return
            classes = [a for a in args if _is_class(a)]
            literals = [a for a in args if typing.get_origin(a) is typing.Literal]
            if classes and str in args:  # ExpandableField: an id unless expanded
                if isinstance(value, str):
                    if self._is_expanded(path):
                        self.problems.append(f"{path}: an id although {path} was expanded")
                    return
                if not self._is_expanded(path):
                    self.problems.append(f"{path}: expanded although {path} was not asked for")
                self.value(value, classes[0], path, owner)
                return
            if literals:
                known = {v for lit in literals for v in typing.get_args(lit)}
                if value not in known:
                    self.problems.append(f"{path}: {value!r} is not a value stripe knows ({sorted(known)})")
                return
            if classes:  # a polymorphic object: pick by its `object`
                kind = value.get("object") if isinstance(value, dict) else None
                match = next((c for c in classes if getattr(c, "OBJECT_NAME", None) == kind), classes[0])
                self.value(value, match, path, owner)
                return
            others = [a for a in args if a is not type(None)]
            if len(others) == 1:
                self.value(value, others[0], path, owner)
            return
        if origin is typing.Literal:
            if value not in args:
                self.problems.append(f"{path}: {value!r} is not {list(args)!r}")
            return
        if origin in (list, typing.List):
            if not isinstance(value, list):
                self.problems.append(f"{path}: {type(value).__name__} where stripe has a list")
                return
            for item in value:
                self.value(item, args[0] if args else Any, path, owner)
            return
        if origin in (dict, typing.Dict):
            if not isinstance(value, dict):
                self.problems.append(f"{path}: {type(value).__name__} where stripe has a dict")
            return
        if origin is ListObject or hint is ListObject:
            if not (isinstance(value, dict) and value.get("object") == "list" and isinstance(value.get("data"), list)):
                self.problems.append(f"{path}: not a list object")
                return
            item_cls = _resolve(args[0], owner) if args else None
            for item in value["data"]:
                if _is_class(item_cls):
                    self.obj(item, item_cls, f"{path}.data")
            return
        if _is_class(hint):
            if hint.__name__ == "UntypedStripeObject":
                return
            self.obj(value, hint, path)
            return
        scalar = {str: str, int: int, bool: bool, float: (int, float)}.get(hint)
        if scalar is not None and (not isinstance(value, scalar) or (hint is int and isinstance(value, bool))):
            self.problems.append(f"{path}: {value!r} is not {hint.__name__}")


def answer_problems(exchange: Exchange) -> list[str]:
    """A 200 list answer's envelope and each item against the stripe library's class for that endpoint."""
    request, response = exchange.request, exchange.response
    label = f"{request.method} {request.path}"
    if response.status != 200:
        return []
    body = response.body
    cls = LIST_ITEMS.get(request.path)
    if cls is None:
        return [f"{label}: no stripe class known for this endpoint"]
    if not isinstance(body, dict) or set(body) != {"object", "data", "has_more", "url"} or body["object"] != "list":
        return [f"{label}: not a list object (object, data, has_more, url)"]
    checker = _Checker({str(e) for e in decode_query(request.query_items).get("expand") or []})
    for item in body["data"]:
        checker.obj(item, cls, "data")
    return [f"{label} answer: {p}" for p in dict.fromkeys(checker.problems)]

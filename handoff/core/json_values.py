"""Typed reads of untyped JSON (webhook bodies, stored payloads, stats objects): the value, or an empty one."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def as_mapping(value: object) -> Mapping[str, Any]:
    """`value` when it is a mapping (a JSON object), else an empty mapping."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: object) -> list[Any]:
    """`value` when it is a list (a JSON array), else an empty list."""
    return value if isinstance(value, list) else []

"""Pages as product areas: a customer's URL reduced to a stable page, and pages grouped by the team's patterns.

A URL names the same page with different ids (`/orders/8841/refund`, `/orders/9120/refund`), queries and
hosts. `page_path` keeps the path with id-like segments replaced by `:id` and drops the query and fragment
(where a customer's data could be); `PageGroups` then names the page by the first pattern it matches (glob
patterns on the path, or on host/path), so `/projects/*/settings/**` is one product area however many
projects there are.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

# numbers, hex digests, UUIDs and long opaque tokens: what makes one page look like many
ID_SEGMENT = re.compile(r"^(?:\d+|[0-9a-f]{8,}|[0-9a-f-]{32,36}|[A-Za-z0-9_-]{20,}|[a-z]{2,4}_[A-Za-z0-9]{6,})$")
NO_PAGE = "(no page)"


def _split(url: str) -> tuple[str, list[str]]:
    """The host (lower case, may be empty) and the path's segments with ids replaced."""
    try:
        parts = urlsplit(url.strip() if "://" in url else "//x" + ("" if url.startswith("/") else "/") + url.strip())
        host = (parts.hostname or "") if "://" in url else ""
        path = parts.path
    except ValueError:
        return "", []
    return host, [":id" if ID_SEGMENT.match(s) else s for s in path.split("/") if s]


def page_path(url: str | None) -> str | None:
    """The page's path, ids replaced by `:id`, no query or fragment: `/orders/:id/refund`; None without a URL."""
    if not url or not url.strip():
        return None
    _host, segments = _split(url)
    return "/" + "/".join(segments)


def host_and_path(url: str | None) -> str | None:
    """The page as host and path (ids replaced, no query): `app.example.com/orders/:id`; None without a URL."""
    if not url or not url.strip():
        return None
    host, segments = _split(url)
    return f"{host}/{'/'.join(segments)}".rstrip("/") or None


@dataclass(frozen=True)
class PageGroup:
    """One product area: a glob pattern on the path or on host/path, and the name it is reported under."""

    pattern: str
    name: str


@dataclass(frozen=True)
class PageGroups:
    """The team's page patterns, first match wins; an unmatched page is reported as its normalised path."""

    groups: tuple[PageGroup, ...] = ()

    def name_of(self, url: str | None) -> str:
        """The group a page belongs to: the first matching pattern's name, else its path (`(no page)` without)."""
        path = page_path(url)
        if path is None:
            return NO_PAGE
        full = host_and_path(url) or path
        for group in self.groups:
            if fnmatchcase(path, group.pattern) or fnmatchcase(full, group.pattern):
                return group.name
        return path

    def is_named(self, url: str | None) -> bool:
        """Whether one of the patterns matched (the page is a configured product area)."""
        path = page_path(url)
        if path is None:
            return False
        full = host_and_path(url) or path
        return any(fnmatchcase(path, g.pattern) or fnmatchcase(full, g.pattern) for g in self.groups)

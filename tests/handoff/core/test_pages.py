"""Pages as product areas: ids, queries and hosts do not split one page; the team's patterns name groups."""
from __future__ import annotations

import pytest

from handoff.core.pages import NO_PAGE, PageGroup, PageGroups, host_and_path, page_path


@pytest.mark.parametrize(("url", "expected"), [
    ("https://app.example.com/orders/8841/refund?email=a@b.co#x", "/orders/:id/refund"),
    ("/orders/9120/refund", "/orders/:id/refund"),
    ("/settings/billing/", "/settings/billing"),
    ("https://app.example.com", "/"),
    ("/customers/cus_N3kq8vPq1/invoices/3f2a9c1d-77aa-4c1e-9e0b-0c3e5b1a2d4f", "/customers/:id/invoices/:id"),
    ("settings/team", "/settings/team"),
])
def test_one_page_whatever_its_ids_and_query(url: str, expected: str) -> None:
    assert page_path(url) == expected


def test_no_url_is_no_page() -> None:
    assert page_path(None) is None and page_path("  ") is None
    assert PageGroups().name_of(None) == NO_PAGE


def test_host_and_path_keeps_the_host_and_drops_the_query() -> None:
    assert host_and_path("https://App.Example.com/editor/1234?token=secret") == "app.example.com/editor/:id"
    assert host_and_path("/editor/1234") == "/editor/:id"


def test_the_first_matching_pattern_names_the_group() -> None:
    groups = PageGroups((PageGroup("/projects/*/settings*", "project settings"),
                         PageGroup("/projects/*", "projects"),
                         PageGroup("docs.example.com/*", "docs")))
    assert groups.name_of("https://app.example.com/projects/alpha-site/settings/members") == "project settings"
    assert groups.name_of("/projects/beta") == "projects"
    assert groups.name_of("https://docs.example.com/guides/start") == "docs"
    assert groups.is_named("/projects/beta")
    # no pattern: the normalised path
    assert groups.name_of("https://app.example.com/orders/77/refund?x=1") == "/orders/:id/refund"
    assert not groups.is_named("/orders/77")

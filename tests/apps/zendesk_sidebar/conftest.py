"""A browser and the sidebar's scene (service, fakes, assets) shared by the module's tests."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from handoff.devtools.support.sidebar_harness import CHROMIUM


def _playwright_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs Playwright's Python package (pip install -e '.[test]')"
    if not os.path.exists(CHROMIUM):
        return f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    return None


needs_browser = pytest.mark.skipif(_playwright_missing() is not None, reason=_playwright_missing() or "")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (which downloads no browser of its own)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def sidebar_scene(tmp_path_factory: pytest.TempPathFactory, pg_database: str | None) -> Iterator[object]:
    """The service with three tickets' data and the app's assets, on 127.0.0.1, for the module."""
    from handoff.devtools.support.sidebar_harness import scene

    tmp: Path = tmp_path_factory.mktemp("sidebar")
    url = pg_database or f"sqlite:///{tmp / 'handoff.db'}"
    if pg_database:
        from sqlalchemy import create_engine, text

        from handoff.storage.tables import Base

        engine = create_engine(pg_database)
        with engine.begin() as c:  # start from no rows, as the per-test database fixture does
            present = set(c.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
            tables = [t.name for t in Base.metadata.sorted_tables if t.name in present]
            if tables:
                c.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        engine.dispose()
    with scene(tmp, url) as s:
        yield s

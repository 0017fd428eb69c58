"""Regenerate the README's screenshots of the sidebar app: python apps/zendesk-sidebar/tools/screenshots.py

The same scene as the browser tests (handoff.devtools.support.sidebar_harness): a real Handoff app on 127.0.0.1,
the app's assets with a stub ZAF client, headless Debian Chromium (/usr/bin/chromium) driven by Playwright.
Writes screenshots/full.png, screenshots/sources-unavailable.png and screenshots/no-handoff.png.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for handoff.devtools

from handoff.devtools.support.sidebar_harness import CHROMIUM, open_sidebar, scene  # noqa: E402


def main() -> None:
    """Draw the three cases into apps/zendesk-sidebar/screenshots/."""
    from playwright.sync_api import sync_playwright

    out = HERE / "screenshots"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, scene(Path(tmp), f"sqlite:///{tmp}/handoff.db") as s, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        for name, ticket, external in (("full", s.full_ticket, None), ("sources-unavailable", 4999, s.unavailable),
                                       ("no-handoff", 5000, None)):
            page = open_sidebar(browser, s, ticket, external)
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            page.context.close()
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()

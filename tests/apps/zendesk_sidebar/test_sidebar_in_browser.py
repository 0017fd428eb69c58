"""The Zendesk sidebar app in headless Chromium against a stub ZAF client and a real Handoff HTTP app: what an
agent sees for a handoff with full account data, one whose sources were down, a ticket with no handoff; and
that Claim, Copy, Insert and Hand back do what they say."""
from __future__ import annotations

from typing import Any

import pytest

from handoff.devtools.support.sidebar_harness import APP_KEY, open_sidebar
from tests.apps.zendesk_sidebar.conftest import needs_browser

pytestmark = needs_browser


def text(page: Any, selector: str) -> str:
    return page.locator(selector).inner_text()


def assert_nothing_from_outside(page: Any) -> None:
    assert page.outside == []  # only Zendesk's SDK (stubbed) and 127.0.0.1
    requests = page.evaluate("window.__zaf.requests")
    assert requests and all(r["secure"] and r["cors"] is False for r in requests)
    # the page only ever holds the placeholder: Zendesk's proxy fills the key in
    assert all(r["authorization"] == "Bearer {{setting.service_key}}" for r in requests)
    assert APP_KEY not in page.content()


def test_a_handoff_with_full_account_data(browser, sidebar_scene):
    ticket = sidebar_scene.full_ticket
    briefing = sidebar_scene.handoff(sidebar_scene.full)["briefing"]
    page = open_sidebar(browser, sidebar_scene, ticket, None)  # found by the ticket id alone
    assert text(page, "h1") == "Ana Lima"
    assert "pro" in text(page, "[data-testid=tier]")
    sentiment = page.locator("[data-testid=sentiment]")
    level = briefing["sentiment"]["trajectory"]
    assert f"s-{level}" in sentiment.get_attribute("class")
    assert {"green": "Calm", "yellow": "Uneasy", "red": "Upset"}[level] in sentiment.inner_text()  # not colour alone
    assert text(page, "[data-testid=summary]") == briefing["summary"]
    assert text(page, "[data-testid=status]") == "Waiting for an agent"
    reasons = text(page, ".reasons")
    assert "always human" in reasons and "“" in reasons  # quoted evidence
    account = page.locator("#account")
    assert account.get_attribute("open") is not None
    stripe = text(page, "[data-source=stripe]")
    assert "MRR" in stripe and "$499.00" in stripe
    assert "Biglytics" in text(page, "[data-source=hubspot]")
    assert "#4014" in account.inner_text() and "as of" in account.inner_text()
    assert "confidence 0.52" in page.locator("#ai summary").inner_text()
    assert text(page, "[data-testid=recommended]") == briefing["recommended_action"]
    assert text(page, "#greeting") == briefing["greeting"]
    transcript = page.locator("#transcript")
    assert transcript.get_attribute("open") is None  # collapsed
    transcript.locator("summary").click()
    shown = transcript.inner_text()
    assert "This is ridiculous" in shown and "4242 4242 4242 4242" not in shown  # masked like the note
    assert page.locator("#claim").is_visible() and page.locator("#hand-back").is_visible()
    assert_nothing_from_outside(page)


def test_a_handoff_whose_sources_were_unavailable(browser, sidebar_scene):
    page = open_sidebar(browser, sidebar_scene, 98765, sidebar_scene.unavailable)  # by the external id
    assert text(page, "h1") == "Bo Chen"
    assert text(page, "[data-testid=tier]") == "Tier: unknown"
    assert "Upset" in text(page, "[data-testid=sentiment]")
    for source in ("stripe", "hubspot", "zendesk"):
        box = text(page, f"[data-source={source}]")
        assert "unavailable" in box and "503" in box
    assert "unknown (Zendesk history unavailable)" in text(page, "#account")
    assert "explicit request" in text(page, ".reasons")
    assert_nothing_from_outside(page)


def test_a_ticket_without_a_handoff_says_so_plainly(browser, sidebar_scene):
    page = open_sidebar(browser, sidebar_scene, 123456, None)
    assert text(page, "[data-testid=no-handoff] h1") == "No handoff for this ticket."
    assert page.locator("#claim").count() == 0
    assert_nothing_from_outside(page)


def focus_by_tab(page: Any, element_id: str, presses: int = 20) -> None:
    """Tab through the page until `element_id` has the focus (keyboard reachable), else fail."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} is not reachable with Tab")


def test_claim_copy_insert_and_hand_back(browser, sidebar_scene):
    page = open_sidebar(browser, sidebar_scene, 55501, sidebar_scene.unavailable)
    greeting = text(page, "#greeting")
    focus_by_tab(page, "claim")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-testid=status]').innerText.startsWith('Claimed')")
    assert text(page, "[data-testid=status]") == "Claimed by Sam Rivera"
    assert "yours" in text(page, "#notice")
    stored = sidebar_scene.handoff(sidebar_scene.unavailable)
    assert stored["status"] == "claimed" and stored["agent"] == "sam"
    assert page.locator("#claim").count() == 0  # nothing left to claim

    page.locator("#copy-greeting").click()
    page.wait_for_function("document.querySelector('#copy-greeting').innerText === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == greeting
    page.locator("#insert-greeting").click()
    page.wait_for_function("window.__zaf.invoked.some(c => c[0] === 'ticket.editor.insert')")
    assert ["ticket.editor.insert", greeting] in page.evaluate("window.__zaf.invoked")

    page.locator("#hand-back").click()
    page.wait_for_function("document.querySelector('[data-testid=status]').innerText === 'Handed back to the AI'")
    assert sidebar_scene.handoff(sidebar_scene.unavailable)["status"] == "released"
    assert page.locator("#hand-back").count() == 0


def test_someone_who_is_not_an_agent_is_told_and_nothing_changes(browser, sidebar_scene):
    ticket = sidebar_scene.full_ticket
    page = open_sidebar(browser, sidebar_scene, ticket, None, email="eve@example.com")
    before = sidebar_scene.handoff(sidebar_scene.full)["status"]
    page.locator("#claim").click()
    page.wait_for_function("document.querySelector('#notice').innerText.length > 0")
    assert "not an agent" in text(page, "#notice")
    assert sidebar_scene.handoff(sidebar_scene.full)["status"] == before


def test_the_agents_language(browser, sidebar_scene):
    page = open_sidebar(browser, sidebar_scene, 123457, None, locale="pt-BR")
    assert text(page, "[data-testid=no-handoff] h1") == "Nenhuma transferência para este ticket."
    assert page.evaluate("document.documentElement.lang") == "pt"


def test_the_focus_is_visible(browser, sidebar_scene):
    page = open_sidebar(browser, sidebar_scene, 98766, sidebar_scene.unavailable)
    focus_by_tab(page, "copy-greeting")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"

"""The engine's own page and AI-offer probes, for building training examples exactly as the engine sees turns."""
from __future__ import annotations

from collections.abc import Callable

from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.normalize import normalize


def page_and_offer(settings: TriggerSettings) -> tuple[Callable[[str | None], str | None], Callable[[str], bool]]:
    """Functions giving a page's kind and whether an AI reply offers something, as the engine decides them."""
    from handoff.core.decide.turn_steps import page_kind as kind_of_page
    from handoff.core.decide.matchers import build

    mx = build(settings.model_copy(update={"learned": settings.learned.model_copy(update={"enabled": False})}))

    def page_kind(url: str | None) -> str | None:
        return kind_of_page(url, mx)

    def ai_offer(text: str) -> bool:
        return bool(mx.ai_offer.search(normalize(text, typos=False, max_chars=settings.max_text_chars)))

    return page_kind, ai_offer

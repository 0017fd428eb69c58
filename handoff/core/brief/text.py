"""Text helpers for briefings: clipping (masked), ordinals, first names, page labels."""
from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit
from handoff.core.models import Customer
from handoff.core.brief.models import LANGUAGES


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    # Prefer a word boundary when one is near, so excerpts don't end mid-word.
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    # Half a card number is no longer Luhn-valid, so masking would miss it: drop a cut-off long number.
    if text[len(cut) : len(cut) + 2].strip(" -")[:1].isdigit():
        run = re.search(r"(?:\d[ -]?)+$", cut)
        if run and sum(c.isdigit() for c in run.group(0)) >= 6:
            cut = cut[: run.start()]
    return cut.rstrip(" ,;:.-") + "…"


# Beyond twice the excerpt, this much more of a long text is masked before it is cut (see masked_clip).
MASK_MARGIN_CHARS = 256


def masked_clip(text: str, limit: int, mask: Callable[[str], str]) -> str:
    """`clip(mask(text), limit)`, masking only a bounded head of a long text, so a 30 KB message costs
    what a short one does.

    The head ends before its last word and any trailing run of digits and separators: nothing masking
    would catch whole (a card number, a key) is left cut in two and missed.
    """
    bound = 2 * limit + MASK_MARGIN_CHARS
    if len(text) <= bound:
        return clip(mask(text), limit)
    end = bound
    while end > 0 and not text[end - 1].isspace():
        end -= 1
    while end > 0 and (text[end - 1].isdigit() or not text[end - 1].isalnum()):
        end -= 1
    if end == 0:  # one huge word: nowhere safe to cut before masking
        return clip(mask(text), limit)
    cut = clip(mask(text[:end]), limit)
    if cut.endswith("…"):
        return cut
    cut = cut.rstrip()  # the text goes on: say so
    return cut + "…" if len(cut) < limit else cut[: limit - 1] + "…"


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal(n: int) -> str:
    """`third` for 3, `12th` beyond ten."""
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def first_name(customer: Customer) -> str | None:
    """The customer's first name when the name looks like one (not an e-mail address)."""
    name = (customer.name or "").strip()
    if not name or "@" in name:
        return None
    first = name.split()[0].strip(",.")
    return first[:1].upper() + first[1:] if first else None


def language_of(customer: Customer) -> str:
    """The customer's base language code among the supported ones (`es-MX` → `es`), else `en`."""
    code = (customer.language or "en").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else "en"


_ID_SEGMENT = re.compile(
    r"^(?:\d+|[0-9a-f]{8,}|[0-9a-f-]{16,}|[a-z]{2,4}_[A-Za-z0-9]{6,}|[a-z]{2}(?:-[a-z]{2})?)$", re.I
)


_PAGE_WORDS = {"settings", "account", "billing", "subscription", "cancel", "plans", "pricing", "payment", "payments"}


def page_label(url: str | None) -> str | None:
    """A readable name for the page the customer is on: `/settings/billing` → `billing settings page`."""
    if not url:
        return None
    try:
        path = urlsplit(url).path if "://" in url else url.split("?")[0].split("#")[0]
    except ValueError:
        return None
    segments = [s for s in path.split("/") if s]
    # Drop ids and locale prefixes ("/en/", "/cus_123/") that say nothing about the page.
    words = [s for s in segments if not (_ID_SEGMENT.match(s) and s.lower() not in _PAGE_WORDS)]
    words = [re.sub(r"\.\w{2,4}$", "", w) for w in words]
    if not words:
        return "home page" if not segments else None
    tail = [re.sub(r"[-_+]+", " ", w).strip().lower() for w in words[-2:]]
    return " ".join(reversed([t for t in tail if t])) + " page"


def counted(n: int, one: str, many: str | None = None) -> str:
    """`n` and the noun in the right number: "1 message", "2,140 messages"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"

"""Two or three suggested next replies for the agent, in the customer's language, from the briefing's facts.

Only suggestions: the agent picks, edits and sends one; the service never sends them to the customer.
Built from the case (the greeting's issue), the account facts (an open dispute, failed payments), what the
AI already tried and the best earlier case's resolution, each masked for a ticket.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from handoff.core.brief.facts import account_facts, failed_payments, money, open_disputes, stripe_of
from handoff.core.brief.models import LANGUAGES, AIAttempt
from handoff.core.brief.text import clip
from handoff.core.locales.greetings import ISSUE_KEYS
from handoff.core.locales.replies import (
    AI_TRIED, AI_TRIED_KB, AMOUNT, DISPUTE, FAILED_MANY, FAILED_ONE, NEXT_STEPS, SIMILAR,
)
from handoff.core.masking import for_ticket
from handoff.core.brief.summary import category_of
from handoff.core.models import AccountContext, Customer, Decision, Message
from handoff.core.similar.models import SimilarCase

MAX_REPLIES = 3
REPLY_CHARS = 400  # one suggestion, whoever wrote it
QUOTE_CHARS = 160  # of the earlier case's resolution
KB_TITLE_CHARS = 80


def reply_language(language: str | None) -> str:
    """The supported base language of a code (`pt-BR` → `pt`), else English."""
    code = (language or "en").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else "en"


def suggested_replies(
    *,
    language: str | None,
    category: str | None,
    account: AccountContext,
    ai_attempts: Sequence[AIAttempt] = (),
    similar: Sequence[SimilarCase] = (),
) -> tuple[str, ...]:
    """Two or three replies the agent could send next (facts first, then the earlier case, then the case)."""
    lang = reply_language(language)
    stripe = stripe_of(account)
    out: list[str] = []
    disputes = open_disputes(stripe)
    failed = failed_payments(stripe)
    if disputes:
        d = disputes[0]
        amount = AMOUNT[lang].format(x=money(d.amount, d.currency)) if d.amount is not None else ""
        out.append(DISPUTE[lang].format(amount=amount))
    elif failed:
        out.append(FAILED_ONE[lang] if failed == 1 else FAILED_MANY[lang].format(n=failed))
    best = next((c for c in similar if c.resolution.strip()), None)
    if best is not None:
        out.append(SIMILAR[lang].format(quote=clip(for_ticket(" ".join(best.resolution.split())), QUOTE_CHARS)))
    steps = NEXT_STEPS[lang]
    out.append(steps.get(ISSUE_KEYS.get((category or "").lower(), "default"), steps["default"]))
    if len(out) < MAX_REPLIES and ai_attempts:
        titles = [k.title for a in ai_attempts for k in a.kb_articles if k.title]
        tried = AI_TRIED_KB[lang].format(title=clip(titles[-1], KB_TITLE_CHARS)) if titles else AI_TRIED[lang]
        out.append(tried)
    if len(out) < 2:
        out.append(steps["default"] if out[0] != steps["default"] else AI_TRIED[lang])
    return tidy_replies(out)


def tidy_replies(replies: Sequence[str]) -> tuple[str, ...]:
    """At most three distinct replies, each on one line, masked for a ticket and bounded."""
    seen: dict[str, None] = {}
    for r in replies:
        text = clip(for_ticket(" ".join(r.split())), REPLY_CHARS)
        if text:
            seen.setdefault(text)
    return tuple(seen)[:MAX_REPLIES]


@dataclass(frozen=True)
class ReplyFacts:
    """What an LLM drafts the replies from: the facts the rules' replies are built from, and those replies."""

    language: str
    category: str | None
    account_facts: tuple[str, ...]
    ai_tried: tuple[str, ...]  # the AI's last replies, clipped
    resolutions: tuple[str, ...]  # the similar cases' resolving replies, best first
    transcript: tuple[tuple[str, str], ...]  # (role, text) of the last messages
    rules: tuple[str, ...]  # the replies the rules suggest


FACTS_MESSAGES = 8
FACTS_TEXT_CHARS = 600


def reply_facts(*, messages: Sequence[Message], decision: Decision, account: AccountContext, customer: Customer,
                similar: Sequence[SimilarCase] = ()) -> ReplyFacts:
    """The facts an LLM drafter is given for a handoff, with the rules' replies as its starting point."""
    language = reply_language(customer.language or decision.language)
    category = category_of(decision)
    tried = tuple(AIAttempt(m.index, clip(m.text, FACTS_TEXT_CHARS), m.confidence, m.kb_articles)
                  for m in [m for m in messages if m.role == "ai"][-3:])
    return ReplyFacts(
        language=language,
        category=category,
        account_facts=tuple(f"{f.source} {f.label}: {f.value}" for f in account_facts(account)),
        ai_tried=tuple(a.excerpt for a in tried),
        resolutions=tuple(clip(c.resolution, QUOTE_CHARS * 2) for c in similar if c.resolution.strip())[:3],
        transcript=tuple((m.role, clip(m.text, FACTS_TEXT_CHARS)) for m in messages[-FACTS_MESSAGES:]),
        rules=suggested_replies(language=language, category=category, account=account, ai_attempts=tried,
                                similar=similar),
    )

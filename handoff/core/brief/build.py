"""Building the briefing from a decision, the account facts and the route."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from handoff.core.decide.sentiment import score
from handoff.core.models import AccountContext, Customer, Decision, KBArticle, Message, Reason, Route
from handoff.core.brief.actions import recommended_action
from handoff.core.brief.facts import account_facts, open_tickets, zendesk_of
from handoff.core.brief.greeting import greeting
from handoff.core.brief.models import AIAttempt, Briefing, BriefingSettings
from handoff.core.brief.replies import suggested_replies, tidy_replies
from handoff.core.brief.summary import category_of, category_text, last_question, extractive_summary, summary_parts
from handoff.core.brief.text import clip, page_label
from handoff.core.similar.models import SimilarCase


def _confidence_stats(replies: Sequence[Message]) -> dict[str, float | None]:
    values = [m.confidence for m in replies if m.confidence is not None]
    if not values:
        return {"last": None, "min": None, "avg": None}
    return {"last": values[-1], "min": min(values), "avg": round(sum(values) / len(values), 3)}


# The KB articles a briefing lists: the distinct ones the AI used, the latest this many of them.
KB_ARTICLES_MAX = 50


def _dedupe_kb(replies: Sequence[Message]) -> tuple[KBArticle, ...]:
    seen: dict[str, KBArticle] = {}
    for a in replies:
        for kb in a.kb_articles:
            known = seen.get(kb.id)
            # Keep the richest copy: a later mention may carry the title or URL.
            if known is None or (not known.title and kb.title) or (not known.url and kb.url):
                title = kb.title or (known.title if known else "")
                seen[kb.id] = KBArticle(kb.id, title, kb.url or (known.url if known else None))
    return tuple(seen.values())[-KB_ARTICLES_MAX:]


def _indexed(messages: Sequence[Message]) -> tuple[Message, ...]:
    # Callers that build messages by hand may leave every index at 0; number them by position then.
    if len(messages) > 1 and len({m.index for m in messages}) < len(messages):
        return tuple(replace(m, index=i) for i, m in enumerate(messages))
    return tuple(messages)


def _last_of_role(messages: Sequence[Message], role: str, n: int) -> tuple[Message, ...]:
    found: list[Message] = []
    for m in reversed(messages):
        if len(found) >= n:
            break
        if m.role == role:
            found.append(m)
    return tuple(reversed(found))


def texts_needed(roles: Sequence[str], settings: BriefingSettings) -> set[int]:
    """Positions of the messages (given by role, in order) whose text `build_briefing` reads: the last
    `transcript_messages` messages and the last `ai_attempts` AI replies. The others may be left empty."""
    n = len(roles)
    wanted = set(range(max(0, n - settings.transcript_messages), n))
    ai = 0
    for i in range(n - 1, -1, -1):
        if ai >= settings.ai_attempts:
            break
        if roles[i] == "ai":
            wanted.add(i)
            ai += 1
    return wanted


# A customer's message is scored for the sentiment history on this much of it, as the triggers score it.
SENTIMENT_TEXT_CHARS = 4000


def build_briefing(
    *,
    conversation_id: str,
    messages: Sequence[Message],
    decision: Decision,
    account: AccountContext,
    route: Route | None,
    customer: Customer,
    page_url: str | None,
    settings: BriefingSettings,
    summary_override: str | None = None,
    priority: str | None = None,
    similar: tuple[SimilarCase, ...] = (),
    replies_override: Sequence[str] | None = None,
) -> Briefing:
    """Package what a human needs to take over: summary, facts, what the AI tried, next step, transcript.

    `priority` is routing's final priority (the decision's hint raised by tier, sentiment...), so the note
    and the card say what the ticket says; without it the decision's own.

    Text work is bounded whatever the conversation's length: only the texts of the last messages and the
    last AI replies are read (`texts_needed`); the other messages count only by their metadata.

    `similar`: the earlier cases most like this one (looked up by the caller: handoff.app.similar_cases).
    `replies_override`: suggested replies drafted by the LLM; without them (or when none is usable) the
    rules' ones (handoff.core.brief.replies).
    """
    msgs = _indexed(messages)
    if page_url is None:
        page_url = next((m.page_url for m in reversed(msgs) if m.page_url), None)
    page = page_label(page_url)
    category = category_of(decision)
    text = category_text(category, decision.reasons)
    recent = msgs[-settings.transcript_messages :]
    last_q = last_question(recent, settings.excerpt_chars)
    language = customer.language or decision.language
    history = tuple(round(score(m.text[:SENTIMENT_TEXT_CHARS], language), 3) for m in recent if m.role == "customer")
    now = decision.sentiment if decision.sentiment is not None else (history[-1] if history else None)
    replies = tuple(m for m in msgs if m.role == "ai")
    attempts = tuple(
        AIAttempt(
            message_index=m.index,
            excerpt=clip(m.text, settings.excerpt_chars),
            confidence=m.confidence,
            kb_articles=m.kb_articles,
            actions=m.ai_actions,
            full_text=m.text,
        )
        for m in _last_of_role(msgs, "ai", settings.ai_attempts)
    )
    parts = summary_parts(category=category, decision=decision, account=account, page=page)
    extractive = extractive_summary(parts, settings.summary_max_chars)
    reasons = tuple(
        Reason(r.trigger, r.message_index, clip(r.evidence, settings.evidence_chars), r.detail)
        for r in decision.reasons
    )
    override = " ".join(summary_override.split()) if summary_override else ""
    action = recommended_action(
        category=category, decision=decision, account=account, last_question=last_q, overrides=settings.actions
    )
    drafted = tidy_replies(replies_override) if replies_override else ()
    if route is not None and not route.on_shift and route.callback_at is not None:
        when = route.callback_at.strftime("%a %d %b %H:%M %Z").strip()
        action += f" The customer was offered a callback on {when}."
    return Briefing(
        conversation_id=conversation_id,
        summary=clip(override, max(settings.summary_max_chars, 300)) if override else extractive,
        category=category,
        intent=text.intent if text else last_q,
        priority=priority or decision.priority,
        sentiment_now=now,
        trajectory=decision.trajectory,
        sentiment_history=history,
        page_url=page_url,
        page_label=page,
        ai_attempts=attempts,
        ai_confidence=_confidence_stats(replies),
        kb_articles=_dedupe_kb(replies),
        account=account,
        account_facts=account_facts(account),
        open_tickets=open_tickets(zendesk_of(account)),
        recommended_action=action,
        greeting=greeting(customer=customer if customer.language or not language else replace(customer, language=language),
                          category=category, account=account, overrides=settings.greetings),
        reasons=reasons,
        transcript=recent,
        customer=customer,
        summary_source="llm" if override else "extractive",
        extractive_summary=extractive,
        transcript_total=len(msgs),
        ai_attempts_total=len(replies),
        settings=settings,
        topic=decision.topic,
        language=language,
        similar=tuple(similar),
        suggested_replies=drafted or suggested_replies(language=language, category=category, account=account,
                                                       ai_attempts=attempts, similar=similar),
        suggested_replies_source="llm" if drafted else "rules",
    )

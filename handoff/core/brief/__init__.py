"""The briefing a human gets: what happened, who the customer is, what to do next.

models (what a briefing is) · text (clipping, names, pages) · facts (account facts from the sources) ·
summary · actions (the recommended next step) · greeting · replies (suggested next replies) · build (the briefing from a decision) ·
account (tier and churn risk from the facts).
"""
from handoff.core.brief.actions import recommended_action
from handoff.core.brief.build import build_briefing, texts_needed
from handoff.core.brief.facts import account_facts
from handoff.core.brief.greeting import greeting
from handoff.core.brief.models import (
    AccountFact,
    AIAttempt,
    Briefing,
    BriefingSettings,
    ReplyDrafterSettings,
    SummariserSettings,
    bounded_briefing_json,
    transcript_json,
)
from handoff.core.brief.replies import ReplyFacts, reply_facts, suggested_replies, tidy_replies
from handoff.core.brief.text import MASK_MARGIN_CHARS, clip, masked_clip, page_label

__all__ = [
    "AIAttempt", "AccountFact", "Briefing", "BriefingSettings", "MASK_MARGIN_CHARS", "ReplyDrafterSettings", "ReplyFacts",
    "SummariserSettings",
    "account_facts", "bounded_briefing_json", "build_briefing", "clip", "greeting", "masked_clip", "page_label",
    "recommended_action", "reply_facts", "suggested_replies", "texts_needed", "tidy_replies", "transcript_json",
]

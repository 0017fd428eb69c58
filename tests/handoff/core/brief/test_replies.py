"""Suggested replies: two or three, in the customer's language, from the facts, the AI's tries and earlier cases."""
from __future__ import annotations

from typing import Any

import pytest

from handoff.core.brief import AIAttempt, suggested_replies, tidy_replies
from handoff.core.locales.replies import DISPUTE, FAILED_MANY, NEXT_STEPS, SIMILAR
from handoff.core.models import AccountContext, KBArticle, SourceResult
from handoff.core.similar import SimilarCase

NONE = AccountContext(())


def stripe(**facts: Any) -> AccountContext:
    return AccountContext((SourceResult("stripe", "ok", {"customer_id": "cus_1", **facts}),))


CASE = SimilarCase(ref="h_1", source="handoff", title="charged twice", topic="billing", page=None,
                   resolution="Refunded the duplicate charge on card 4111 1111 1111 1111; it shows in 5 days.",
                   tags=(), resolved_in_seconds=600.0, score=2.0)
TRIED = (AIAttempt(1, "Have a look at this article.", 0.5, (KBArticle("kb-1", "Pending charges"),)),)


@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt"])
def test_each_language_has_its_own_replies(lang: str) -> None:
    out = suggested_replies(language=lang, category="refund", account=NONE, similar=(CASE,), ai_attempts=TRIED)
    assert 2 <= len(out) <= 3
    assert out[-2] == NEXT_STEPS[lang]["refund"]
    assert out[0].startswith(SIMILAR[lang].split("{")[0])


def test_a_regional_or_unknown_language_falls_back() -> None:
    assert suggested_replies(language="pt-BR", category="refund", account=NONE)[0] == NEXT_STEPS["pt"]["refund"]
    assert suggested_replies(language="ja", category="refund", account=NONE)[0] == NEXT_STEPS["en"]["refund"]
    assert suggested_replies(language=None, category=None, account=NONE)[0] == NEXT_STEPS["en"]["default"]


def test_the_open_dispute_comes_first_with_its_amount() -> None:
    account = stripe(open_disputes=[{"id": "dp_1", "amount": 4900, "currency": "usd"}], failed_payments_90d={"count": 2})
    out = suggested_replies(language="en", category="billing_dispute", account=account)
    assert out[0].startswith("I can see the open dispute of $") and "on your account" in out[0]
    assert out[1] == NEXT_STEPS["en"]["charge"]


def test_failed_payments_are_counted_in_the_customers_language() -> None:
    out = suggested_replies(language="de", category="cancellation", account=stripe(failed_payments_90d={"count": 3}))
    assert out[0] == FAILED_MANY["de"].format(n=3)
    assert out[1] == NEXT_STEPS["de"]["cancellation"]
    one = suggested_replies(language="en", category="billing", account=stripe(failed_payments_90d={"count": 1}))
    assert one[0].startswith("I can see a recent payment didn't go through")


def test_the_best_similar_case_is_quoted_briefly_and_masked() -> None:
    out = suggested_replies(language="en", category="refund", account=NONE, similar=(CASE,))
    assert "Refunded the duplicate charge" in out[0]
    assert "4111 1111 1111 1111" not in " ".join(out)
    long = SimilarCase(**{**CASE.__dict__, "resolution": "word " * 200})
    assert len(suggested_replies(language="en", category="refund", account=NONE, similar=(long,))[0]) < 260


def test_a_case_without_a_public_reply_is_skipped() -> None:
    empty = SimilarCase(**{**CASE.__dict__, "resolution": "  "})
    out = suggested_replies(language="en", category="refund", account=NONE, similar=(empty,))
    assert not any("solved this before" in r for r in out)


def test_what_the_ai_tried_is_acknowledged_not_repeated() -> None:
    out = suggested_replies(language="fr", category="technical", account=NONE, ai_attempts=TRIED)
    assert out == (NEXT_STEPS["fr"]["technical"], out[1]) and "« Pending charges »" in out[1]


def test_without_facts_there_are_still_two() -> None:
    out = suggested_replies(language="es", category=None, account=NONE)
    assert len(out) == 2 and out[0] == NEXT_STEPS["es"]["default"]


def test_never_more_than_three_and_each_distinct() -> None:
    account = stripe(open_disputes=[{"id": "dp_1"}])
    out = suggested_replies(language="en", category="refund", account=account, similar=(CASE,), ai_attempts=TRIED)
    assert len(out) == 3 and out[0] == DISPUTE["en"].format(amount="")
    assert tidy_replies(["a  b", "a b", "c", "d", "e"]) == ("a b", "c", "d")


def test_tidy_masks_and_bounds_any_reply() -> None:
    (one,) = tidy_replies(["pay with 4242 4242 4242 4242 " + "x" * 1000])
    assert "4242 4242 4242 4242" not in one and len(one) <= 400

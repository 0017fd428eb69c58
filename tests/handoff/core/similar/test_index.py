"""Ranking past cases: the words decide, topic and page order near-equals, nothing unrelated comes back."""
from __future__ import annotations

from datetime import UTC, datetime

from handoff.core.similar import EMPTY, PastCase, SimilarIndex, SimilarQuery, took
from handoff.core.similar.terms import terms


def case(ref: str, text: str, *, topic: str | None = None, page: str | None = None, resolution: str = "done",
         tags: tuple[str, ...] = ()) -> PastCase:
    return PastCase(source="handoff", ref=ref, text=text, title=text[:60], topic=topic, category=None, page=page,
                    resolution=resolution, tags=tags, resolved_in_seconds=1800.0,
                    resolved_at=datetime(2026, 3, 1, tzinfo=UTC))


CASES = [
    case("h_charge", "I was charged twice for my subscription this month", topic="billing",
         resolution="Refunded the duplicate charge; it shows in 5-10 days.", tags=("refund",)),
    case("h_login", "I cannot log in, the password reset email never arrives", topic="account_access",
         resolution="Whitelisted our sender; the reset mail arrived."),
    case("h_export", "The CSV export of invoices fails with an error", topic="technical"),
    case("h_cancel", "Please cancel my plan at the end of the month", topic="cancellation"),
]


def test_the_case_sharing_the_customers_words_comes_first() -> None:
    found = SimilarIndex(CASES).top(SimilarQuery("why was my card charged twice??"), 3)
    assert [c.ref for c in found][:1] == ["h_charge"]
    assert found[0].resolution.startswith("Refunded") and found[0].tags == ("refund",)
    assert found[0].resolved_in_seconds == 1800.0 and found[0].score > 0


def test_cases_sharing_no_word_are_not_returned() -> None:
    assert SimilarIndex(CASES).top(SimilarQuery("wie spät ist es"), 5) == ()
    assert SimilarIndex(CASES).top(SimilarQuery("thanks, hello, please"), 5) == ()  # filler only


def test_an_empty_index_gives_no_cases_not_an_error() -> None:
    assert EMPTY.top(SimilarQuery("charged twice"), 5) == ()
    assert SimilarIndex([]).top(SimilarQuery(""), 5) == ()
    assert len(EMPTY) == 0


def test_topic_and_page_order_equal_matches() -> None:
    twins = [case("a", "the invoice is wrong", topic="technical", page="/reports"),
             case("b", "the invoice is wrong", topic="billing", page="/settings/billing")]
    index = SimilarIndex(twins)
    assert [c.ref for c in index.top(SimilarQuery("invoice wrong", topic="billing"), 2)] == ["b", "a"]
    assert [c.ref for c in index.top(SimilarQuery("invoice wrong", page="/reports"), 2)] == ["a", "b"]
    # a boost never brings in a case without the words
    assert [c.ref for c in index.top(SimilarQuery("invoice", topic="cancellation"), 5)] == ["a", "b"]


def test_topic_never_outranks_much_better_words() -> None:
    index = SimilarIndex(CASES)
    found = index.top(SimilarQuery("charged twice for my subscription", topic="account_access"), 2)
    assert found[0].ref == "h_charge"


def test_k() -> None:
    index = SimilarIndex(CASES)
    query = SimilarQuery("charged subscription password export invoices cancel plan")
    assert len(index.top(query, 2)) == 2
    assert len(index.top(query, 10)) == 4
    assert index.top(query, 0) == ()


def test_equal_scores_keep_the_given_order() -> None:
    same = [case(f"h{i}", "refund please for the double charge") for i in range(5)]
    assert [c.ref for c in SimilarIndex(same).top(SimilarQuery("double charge"), 3)] == ["h0", "h1", "h2"]


def test_terms_fold_inflections_and_drop_stop_words() -> None:
    assert terms("Charged, charges, CHARGING") == ["charg", "charg", "charg"]
    assert terms("the invoices and the invoice") == ["invoic", "invoic"]
    assert terms("Ich möchte kündigen") == ["möcht", "kündigen"]  # German stop word "ich" left out
    assert terms("4242 4242 _ a") == []


def test_precomputed_terms_give_the_same_ranking() -> None:
    from handoff.core.similar.index import case_terms

    plain = SimilarIndex(CASES).top(SimilarQuery("charged twice"), 3)
    kept = SimilarIndex(CASES, terms=[case_terms(c) for c in CASES]).top(SimilarQuery("charged twice"), 3)
    assert plain == kept


def test_took_reads_for_people() -> None:
    assert [took(None), took(30), took(2400), took(3 * 3600), took(5 * 86400)] == \
        ["time unknown", "1 min", "40 min", "3 h", "5 days"]

"""The bug-report rules (handoff.core.bug_report): which handoffs are bug reports, the signature that finds a
duplicate, and the report's text (quoted error, steps, page, tier and MRR; masked; no e-mail, no name unless
allowed)."""
from __future__ import annotations

from datetime import UTC, datetime

from handoff.core.brief import Briefing, BriefingSettings, build_briefing
from handoff.core.bug_report import (
    BugRules,
    build_report,
    error_text,
    in_product_area,
    is_bug_report,
    links_section,
    page_of,
    signature,
)
from handoff.core.models import AccountContext, AccountSignals, Customer, Decision, Message, Reason, SourceResult

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ACCOUNT = AccountContext((SourceResult("stripe", "ok", {"customer_id": "cus_1", "mrr": {"amount": 499.0,
                                                                                      "currency": "usd"}}),),
                         AccountSignals(tier="pro"))


def briefing(*texts: str, topic: str | None = "technical", page: str | None = None,
             name: str = "Ana Souza") -> Briefing:
    messages = tuple(Message("customer", t, i, T0) for i, t in enumerate(texts))
    decision = Decision(True, (Reason("explicit_request", len(texts) - 1, texts[-1]),), category="technical_issue",
                        topic=topic)
    return build_briefing(conversation_id="c-1", messages=messages, decision=decision, account=ACCOUNT, route=None,
                          customer=Customer(email="ana@example.com", name=name), page_url=page,
                          settings=BriefingSettings())


def test_a_technical_case_with_a_quoted_error_is_a_bug_report():
    b = briefing("Export gives me `ERR_EXPORT_FAILED: quota 12 exceeded`. A human please.")
    assert is_bug_report(b, BugRules())
    assert error_text(b) == "ERR_EXPORT_FAILED: quota 12 exceeded"


def test_each_kind_of_error_text_is_found():
    assert error_text(briefing("It says TypeError: x is undefined when I click save")) == \
        "TypeError: x is undefined when I click save"
    assert error_text(briefing("I get a 500 Internal Server Error on the reports page")).startswith("500 Internal")
    assert error_text(briefing('the popup says "Upload failed, try again"')) == "Upload failed, try again"
    assert error_text(briefing("Error code: E4012 shows up")) == "Error code: E4012 shows up"
    assert error_text(briefing("Nothing wrong, just a question")) is None


def test_a_broken_feature_or_a_product_area_page_counts_too():
    assert is_bug_report(briefing("The calendar sync stopped working yesterday"), BugRules())
    plain = briefing("How do I invite a colleague?", page="https://app.example.com/editor/42")
    assert not is_bug_report(plain, BugRules())
    assert is_bug_report(plain, BugRules(product_areas=("*/editor/*",)))
    assert is_bug_report(plain, BugRules(product_areas=("/editor/*",)))  # the path alone matches too


def test_only_technical_cases_are_bug_reports():
    assert not is_bug_report(briefing("Payment failed: `card_declined`", topic="billing"), BugRules())
    assert not is_bug_report(briefing("TypeError: x is undefined", topic=None), BugRules())


def test_the_page_drops_ids_and_the_query():
    assert page_of("https://app.example.com/projects/48213/editor?draft=ana@example.com") == \
        "app.example.com/projects/:id/editor"
    assert page_of("https://app.example.com/d/6f1c2a3b-1111-4222-8333-444455556666/") == "app.example.com/d/:id"
    assert page_of(None) is None
    assert in_product_area("app.example.com/projects/:id/editor", BugRules(product_areas=("*/editor",)))


def test_the_same_error_with_other_numbers_has_the_same_signature():
    a = signature("Timeout after 30012 ms on job 8b7c6d5e4f3a2b1c0d9e", "app.example.com/a")
    b = signature("timeout after 29870 ms on job 1a2b3c4d5e6f7a8b9c0d", "app.example.com/b")
    assert a == b and a.startswith("err-")
    assert signature("TypeError: x is undefined", None) != signature("TypeError: y is undefined", None)
    assert signature(None, "app.example.com/editor") == signature(None, "APP.example.com/editor")
    assert signature(None, "app.example.com/editor").startswith("page-")


def test_the_report_quotes_the_error_and_gives_the_facts_without_the_e_mail_or_name():
    b = briefing("I opened the editor", "Saving fails: `TypeError: blocks is undefined`, my card 4242 4242 4242 "
                 "4242 was on screen, mail me at ana@example.com or call +44 7700 900123", page="https://app.example.com/editor/42")
    report = build_report(b, "h_1", BugRules())
    assert report.title == "TypeError: blocks is undefined (app.example.com/editor/:id)"
    d = report.description
    assert "> TypeError: blocks is undefined" in d
    assert "1. I opened the editor" in d and d.index("1. I opened") < d.index("2. Saving fails")
    assert "- Page: `app.example.com/editor/:id`" in d
    assert "- Account tier: pro" in d and "- MRR: $499.00" in d
    assert "4242 4242 4242 4242" not in d  # masked as for a ticket
    assert "ana@example.com" not in d and "Ana" not in d and "@example.com" not in d
    assert "7700 900123" not in d and "0123" in d  # a phone number's last four only
    assert f"handoff-signature:{report.signature}" in d and "handoff-id:h_1" in d
    assert "handoff-id:h_1" in report.comment and "> TypeError" in report.comment
    assert "handoff-signature" not in report.comment  # a comment must not make its issue match twice


def test_the_name_only_when_the_settings_allow_it():
    b = briefing("The export is broken")
    assert "- Customer: Ana Souza" in build_report(b, "h_1", BugRules(include_customer_name=True)).description
    assert "Ana Souza" not in build_report(b, "h_1", BugRules()).description


def test_a_long_title_is_cut():
    report = build_report(briefing("It fails: `" + "x" * 290 + "`"), "h_1", BugRules())
    assert len(report.title) == 120 and report.title.endswith("…")


def test_links_say_when_the_ticket_is_not_there_yet():
    assert "- Zendesk ticket: not created yet" in links_section("http://h/v1/handoffs/h_1", None)
    assert "- Zendesk ticket: https://z/t/1" in links_section("http://h/v1/handoffs/h_1", "https://z/t/1")

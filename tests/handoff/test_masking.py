"""Masking of PII and secrets: what is masked, how, and what must be left alone."""
from __future__ import annotations

import pytest

from handoff.masking import CARD, CARDS_AND_SECRETS, EMAIL, PHONE, mask_email, mask_pii

MASKED = [
    # cards: Luhn-valid, 13-19 digits, spaces or dashes; last four kept
    ("card 4242 4242 4242 4242 exp 12/27", "card •••• 4242 exp 12/27"),
    ("4111-1111-1111-1111.", "•••• 1111."),
    ("amex 378282246310005 ok", "amex •••• 0005 ok"),
    ("mc 5555555555554444", "mc •••• 4444"),
    ("4242 4242 4242 4242 2026", "•••• 4242 2026"),
    # e-mail: first character and domain kept
    ("mail ana.lima@example.com now", "mail a***@example.com now"),
    ("x+tag@sub.example.co.uk", "x***@sub.example.co.uk"),
    # tokens and keys: prefix kept, the secret part gone
    ("key sk_live_51H8abcDEFghiJKLmnop", "key sk_live_••••"),
    ("rk_test_abcdefgh12345678", "rk_test_••••"),
    ("Authorization: Bearer abc.def.ghi123456", "Authorization: Bearer ••••"),
    ("xoxb-1234-5678-abcdefgh", "xoxb-••••"),
    ("xoxp-99999999-abcdefgh", "xoxp-••••"),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_••••"),
    ("AKIAIOSFODNN7EXAMPLE", "AKIA••••"),
    ("whsec_abcdefgh12345678", "whsec_••••"),
    ("password: hunter2!!", "password: ••••"),
    ("hex 0123456789abcdef0123456789abcdef01", "hex [secret ••••]"),
    ("b64 Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZg==", "b64 [secret ••••]"),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "jwt eyJ••••",
    ),
    # IBAN (mod-97 valid): country and last four kept
    ("GB82 WEST 1234 5698 7654 32", "GB•• •••• 5432"),
    ("DE89370400440532013000", "DE•• •••• 3000"),
    # US SSN
    ("ssn 123-45-6789", "ssn •••-••-6789"),
    # phones: last four kept
    ("call +1 (415) 555-2671", "call +• (•••) •••-2671"),
    ("or 415-555-2671.", "or •••-•••-2671."),
    ("+44 20 7946 0958", "+•• •• •••• 0958"),
    ("(415) 555 2671", "(•••) ••• 2671"),
]

UNTOUCHED = [
    "not luhn 4242 4242 4242 4241",
    "order 123456789012 shipped",
    "order #100023456789 and ORD-2026-000123",
    "date 2026-03-02 at 12:30, 02/03/2026",
    "version 1.2.3, v10.15.7, build 2026.11.21",
    "amount $1,234.56 and €99.00, 12,000,000 users",
    "ip 192.168.100.1",
    "https://app.example.com/settings/billing/invoices/in_1234567890abcd",
    "the-quick-brown-fox-jumps-over-the-lazy-dog-2026",
    "supercalifragilisticexpialidociousness",
    "invalid ssn 000-12-3456 and 666-12-3456",
    "tracking 1Z999AA10123456784",
    "0000 0000 0000 0000",
    "I was charged $49 twice on 3/2",
    "ask-me-anything about the task-force",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_masks(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize("text", UNTOUCHED)
def test_leaves_look_alikes_alone(text: str) -> None:
    assert mask_pii(text) == text


def test_masking_is_idempotent() -> None:
    text = "card 4242424242424242, ana@example.com, sk_live_abcdefgh1234, +1 415 555 2671"
    once = mask_pii(text)
    assert "4242424242424242" not in once and "ana@" not in once
    assert mask_pii(once) == once


def test_kinds_select_rules() -> None:
    text = "4242 4242 4242 4242 ana@example.com 415-555-2671 sk_test_abcdefgh1234"
    assert mask_pii(text, {CARD}) == "•••• 4242 ana@example.com 415-555-2671 sk_test_abcdefgh1234"
    assert mask_pii(text, {EMAIL, PHONE}) == "4242 4242 4242 4242 a***@example.com •••-•••-2671 sk_test_abcdefgh1234"
    # what a ticket may never hold: cards and credentials, while contact details stay usable
    assert mask_pii(text, CARDS_AND_SECRETS) == "•••• 4242 ana@example.com 415-555-2671 sk_test_••••"


@pytest.mark.parametrize(
    ("email", "expected"),
    [("ana@example.com", "a***@example.com"), (None, None), ("", ""), ("not-an-email", "not-an-email")],
)
def test_mask_email(email: str | None, expected: str | None) -> None:
    assert mask_email(email) == expected


def test_empty_and_huge_text() -> None:
    assert mask_pii("") == ""
    huge = ("word 4242 4242 4242 4242 " * 5000).strip()
    out = mask_pii(huge)
    assert "4242 4242 4242 4242" not in out
    assert out.count("•••• 4242") == 5000

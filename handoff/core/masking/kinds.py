"""The kinds of personal data and secrets a masker knows, which destination masks which, and the mask itself."""
from __future__ import annotations

BULLET = "•"
MASK = BULLET * 4

CARD = "card"
EMAIL = "email"
SECRET = "secret"
IBAN = "iban"
SSN = "ssn"
PHONE = "phone"

ALL_KINDS: frozenset[str] = frozenset({CARD, EMAIL, SECRET, IBAN, SSN, PHONE})
# What may never be stored in a ticket or a log either: card numbers (PCI), credentials, and the two
# financial identifiers (IBAN, SSN) an agent never needs to read back. E-mails and phones stay usable.
CARDS_AND_SECRETS: frozenset[str] = frozenset({CARD, SECRET, IBAN, SSN})
SLACK_KINDS = ALL_KINDS
TICKET_KINDS = CARDS_AND_SECRETS
LOG_KINDS = CARDS_AND_SECRETS

KEPT = "kept"  # the rule that recognises earlier masks: always on, so re-masking changes nothing

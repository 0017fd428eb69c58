"""Lookup keys the store keeps beside personal data, so that data can be found exactly (GDPR erasure).

An e-mail address is compared by its key: trimmed, in Unicode NFC and lower-cased by Python. The key
is computed here, never by the database: SQLite's lower() changes ASCII letters only and
PostgreSQL's follows the server's locale, so the same comparison done in SQL would give different
answers on the two databases for "JÖSÉ@example.com". `str.lower`, not `str.casefold`: casefold
also folds "ß" to "ss", which would make two different mailboxes one customer.
"""
from __future__ import annotations

import unicodedata

# the longest address the columns hold (RFC 5321: 64 + 1 + 255, rounded up like the API's limit)
EMAIL_KEY_LENGTH = 320


def email_key(address: str | None) -> str | None:
    """The lookup key of an e-mail address; None for none, an empty one, or one too long to index."""
    if address is None:
        return None
    key = unicodedata.normalize("NFC", unicodedata.normalize("NFC", address.strip()).lower())
    return key if 0 < len(key) <= EMAIL_KEY_LENGTH else None

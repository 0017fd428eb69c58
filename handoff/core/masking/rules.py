"""The rules in the order they run, and masking a text or a JSON-like value for a destination."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from handoff.core.masking.cards import CARD_RULE, CVC_RULE
from handoff.core.masking.credentials import LOOSE_SECRET_RULES, PASSWORD_RULES, TOKEN_RULES
from handoff.core.masking.emails import EMAIL_RULE, KEPT_EMAIL_RULE
from handoff.core.masking.finders import Rule
from handoff.core.masking.identifiers import IBAN_RULE, SSN_RULES
from handoff.core.masking.kinds import ALL_KINDS, CARDS_AND_SECRETS, KEPT, LOG_KINDS, TICKET_KINDS
from handoff.core.masking.phones import PHONE_RULE

RULES: tuple[Rule, ...] = (
    KEPT_EMAIL_RULE,
    *TOKEN_RULES,
    # numbers checked by their own check digits go before the word-based rules ("pw 4111 1111 ...")
    IBAN_RULE,
    CARD_RULE,
    *PASSWORD_RULES,
    CVC_RULE,
    EMAIL_RULE,
    *LOOSE_SECRET_RULES,
    *SSN_RULES,
    PHONE_RULE,
)


def segments(text: str, kinds: Iterable[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, masked) pairs: each rule looks only at what the earlier ones left."""
    wanted = frozenset(kinds) | {KEPT}
    parts: list[tuple[str, bool]] = [(text, False)]
    for rule in RULES:
        if rule.kind not in wanted:
            continue
        out: list[tuple[str, bool]] = []
        for piece, masked in parts:
            if masked:
                out.append((piece, True))
                continue
            pos = 0
            for start, end, replacement in rule.find(piece):
                if start > pos:
                    out.append((piece[pos:start], False))
                out.append((replacement, True))
                pos = end
            if pos < len(piece):
                out.append((piece[pos:], False))
        parts = out
    return parts


def mask_pii(text: str, kinds: Iterable[str] = ALL_KINDS) -> str:
    """Mask card numbers, e-mail addresses, credentials, IBANs, SSNs and phone numbers (those of `kinds`)."""
    if not text:
        return text
    return "".join(piece for piece, _ in segments(text, kinds))


def mask_email(email: str | None) -> str | None:
    """Mask one e-mail address, keeping its first character and domain."""
    if not email:
        return email
    local, sep, domain = email.partition("@")
    if not sep or not local:
        return mask_pii(email)
    return f"{local[0]}***@{domain}"


def for_ticket(text: str) -> str:
    """A text for a Zendesk ticket (note, subject, requester name) or the local outbox."""
    return mask_pii(text, TICKET_KINDS)


def for_log(text: str) -> str:
    """A text for a log line."""
    return mask_pii(text, LOG_KINDS)


# -- structured values (log events, Block Kit, kept payloads) ----------------------------------


def mask_json(value: Any, kinds: Iterable[str] = CARDS_AND_SECRETS, *,
              skip_keys: frozenset[str] = frozenset()) -> Any:
    """Every string inside a JSON-like value masked (dict keys and the values of `skip_keys` kept)."""
    wanted = frozenset(kinds)

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return mask_pii(v, wanted)
        if isinstance(v, Mapping):
            return {k: (x if k in skip_keys else walk(x)) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, tuple):
            return tuple(walk(x) for x in v)
        return v

    return walk(value)


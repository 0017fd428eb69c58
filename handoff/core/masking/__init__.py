"""What a text may carry when it leaves the service: PII masking for each destination, and Slack's escaping.

Every text that leaves goes through one of these (see README, "Personal data"):
- `for_slack` (mrkdwn) / `for_slack_plain` (plain_text): everything masked (cards, credentials, IBANs,
  SSNs, e-mail addresses, phone numbers); for mrkdwn also Slack's control characters escaped and its
  formatting characters neutralised, so customer text cannot ping, link or format;
- `for_ticket`: the Zendesk note and subject, and the local outbox: cards, credentials, IBANs and SSNs
  masked; e-mail addresses and phone numbers stay, because agents call and write customers back;
- `for_log`: every log line, the same kinds as a ticket.

Detection is one rule per kind of secret: a finder that yields the spans to replace and what to show
instead, with a check that the match really is that kind (Luhn for cards, the IBAN registry's formats
and mod-97, SSA rules for SSNs; python-stdnum does those checks). Rules run from the most specific to
the most generic, each on the text the earlier ones left unmasked, so a token is masked as a token before
the generic rules see its digits, and what was masked is never looked at again (masking is idempotent).
Phone numbers are found by their shape rather than by libphonenumber: a masker must catch what looks
like a phone in any of several national formats, unassigned or fictional ranges included, without
knowing the customer's country.
"""
from __future__ import annotations

from handoff.core.masking.kinds import (
    ALL_KINDS,
    BULLET,
    CARD,
    CARDS_AND_SECRETS,
    EMAIL,
    IBAN,
    LOG_KINDS,
    PHONE,
    SECRET,
    SLACK_KINDS,
    SSN,
    TICKET_KINDS,
)
from handoff.core.masking.rules import for_log, for_ticket, mask_email, mask_json, mask_pii
from handoff.core.masking.slack import for_slack, for_slack_plain, slack_escape

__all__ = [
    "ALL_KINDS", "BULLET", "CARD", "CARDS_AND_SECRETS", "EMAIL", "IBAN", "LOG_KINDS", "PHONE", "SECRET",
    "SLACK_KINDS", "SSN", "TICKET_KINDS", "for_log", "for_slack", "for_slack_plain", "for_ticket", "mask_email",
    "mask_json", "mask_pii", "slack_escape",
]

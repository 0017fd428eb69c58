"""Text for Slack: masked, with mrkdwn's control characters escaped and its formatting neutralised."""
from __future__ import annotations

import re
from typing import Any

from handoff.core.masking.kinds import BULLET, SLACK_KINDS
from handoff.core.masking.rules import mask_pii, segments

# Slack's mrkdwn has no escape for its formatting characters: customer text gets look-alikes that
# Slack does not read as markup (fullwidth forms), except inside a word ("john_doe", "in_1234"),
# where Slack does not format either.
_FORMATTING = {"*": "\uff0a", "_": "\uff3f", "~": "\uff5e", "`": "\uff40"}
_FORMATTING_RE = re.compile(r"[*_~`]")


def slack_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters (&, <, >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch == BULLET


def _neutralise(piece: str, before: str, after: str) -> str:
    def sub(m: re.Match[str]) -> str:
        ch = m.group(0)
        i = m.start()
        left = piece[i - 1] if i > 0 else before
        right = piece[i + 1] if i + 1 < len(piece) else after
        if ch != "`" and _wordish(left) and _wordish(right):
            return ch
        return _FORMATTING[ch]

    return _FORMATTING_RE.sub(sub, piece)


def for_slack(text: Any) -> str:
    """Text (usually from a customer) as safe Slack mrkdwn on one line: masked, escaped, unformattable."""
    text = " ".join(str(text if text is not None else "").split())
    if not text:
        return ""
    pieces = segments(text, SLACK_KINDS)
    out = []
    for k, (piece, masked) in enumerate(pieces):
        if not masked:
            before = pieces[k - 1][0][-1:] if k > 0 else ""
            after = pieces[k + 1][0][:1] if k + 1 < len(pieces) else ""
            piece = _neutralise(piece, before, after)
            if k == 0 and piece.startswith(">"):
                piece = "\uff1e" + piece[1:]  # a leading ">" would quote the rest of the line
        out.append(slack_escape(piece))
    return "".join(out)


def for_slack_plain(text: Any) -> str:
    """Text for a Slack plain_text object (headers, button labels): masked, on one line, no <…> sequences.

    Slack reads no markup in plain_text, but shows entities as typed: angle brackets become look-alikes
    so `<!channel>` reads as what it is and can never become one.
    """
    masked = mask_pii(" ".join(str(text if text is not None else "").split()), SLACK_KINDS)
    return masked.replace("<", "\u2039").replace(">", "\u203a")


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

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.us import ssn as _ssn

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

_KEPT = "kept"  # the rule that recognises earlier masks: always on, so re-masking changes nothing

# Horizontal separators people type between digit groups (NBSP, thin and figure spaces, dashes of
# every width, the minus sign) and their punctuation: one of them, optionally spaced.
_SPACES = " \t\u00a0\u2007\u2009\u202f"
_PUNCT = r"./_\-\u2010\u2011\u2012\u2013\u2014\u2212"
_SEP = rf"(?:[{_SPACES}]{{1,2}}|[{_SPACES}]?[{_PUNCT}][{_SPACES}]?)"
_DIGITS = re.compile(r"\d+")

Span = tuple[int, int, str]
Finder = Callable[[str], Iterator[Span]]


@dataclass(frozen=True)
class _Rule:
    kind: str
    find: Finder


def _ascii_digits(text: str) -> str:
    if text.isascii():
        return text
    return "".join(str(unicodedata.digit(c)) for c in text if c.isdigit())


def _by_regex(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]) -> Finder:
    """A finder from a pattern and a function that returns the replacement, or None for a look-alike."""

    def find(text: str) -> Iterator[Span]:
        for m in pattern.finditer(text):
            out = replace(m)
            if out is not None:
                yield m.start(), m.end(), out

    return find


def _keep_prefix(m: re.Match[str]) -> str:
    return f"{m.group('prefix')}{MASK}"


# -- what earlier masking left ------------------------------------------------------------------

_LOCAL = r"[\w.%+'-]"
_DOMAIN = r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})(?![\w-])"
_MASKED_EMAIL = re.compile(rf"(?<!{_LOCAL}){_LOCAL}\*\*\*@{_DOMAIN}")

# -- credentials ---------------------------------------------------------------------------------

_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<what>[A-Z0-9 ]*PRIVATE KEY)-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S
)


def _private_key(m: re.Match[str]) -> str:
    return f"-----BEGIN {m.group('what')}----- {MASK} -----END {m.group('what')}-----"


# https://bob:s3cret@host/ : the user stays, the password goes
_URL_USERINFO = re.compile(r"(?P<prefix>\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@<>]{1,128}:)[^\s/@<>]{1,256}(?=@)")
# a value that is one lower-case word is prose ("Bearer tokens are..."), not a credential
_AUTH_SCHEME = re.compile(
    r"(?P<prefix>\b(?:[Bb]earer|[Bb]asic|[Tt]oken|BEARER|BASIC|TOKEN)\s+)(?![a-z]+(?![A-Za-z0-9._~+/=-]))[A-Za-z0-9._~+/=-]{8,}"
)
_TOKEN_PREFIXES = (
    r"(?:sk|rk|pk)_(?:live|test)_",  # Stripe keys
    r"whsec_",  # Stripe webhook signing secrets
    r"xox[abposre]-",  # Slack tokens
    r"xapp-",  # Slack app-level tokens
    r"pat-(?:na|eu|ap)\d-",  # HubSpot private app tokens
    r"gh[pousr]_",  # GitHub tokens
    r"github_pat_",
    r"glpat-",  # GitLab
    r"AIza",  # Google API keys
    r"sk-(?:proj-|ant-|svcacct-)?",  # OpenAI, Anthropic
    r"lin_api_",  # Linear
)
_VENDOR_TOKEN = re.compile(r"(?P<prefix>\b(?:" + "|".join(_TOKEN_PREFIXES) + r"))[A-Za-z0-9_-]{8,}")
_SLACK_WEBHOOK = re.compile(r"(?P<prefix>hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]{8,}")
_AWS_KEY_ID = re.compile(r"(?P<prefix>\b(?:AKIA|ASIA|ABIA|ACCA))[0-9A-Z]{16}\b")
_AWS_SECRET_NAMED = re.compile(
    r"(?P<prefix>\baws[_ -]?secret(?:[_ -]?access)?[_ -]?key\b[\"']?\s*(?:[:=]|\bis\b)?\s*[\"']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])",
    re.I,
)
# JSON Web Tokens: three base64url parts, the first two starting with '{"' encoded.
_JWT = re.compile(r"(?P<prefix>\beyJ)[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")

# Words for a password in the languages the briefing speaks (and a few more), then what may stand
# between the word and the password itself.
_PASSWORD_WORDS = (
    r"passwords?|passwd|pwd|pw|pass\s?code|pass\s?phrase|passwort|kennwort|contrase[ñn]as?|clave|"
    r"mot\s+de\s+passe|mdp|senhas?|palavra[\s-]passe|wachtwoord|l[öo]senord|has[łl]o|pin(?:\s?code)?|code\s+pin"
)
_KEY_WORDS = r"api[\s_-]?key|apikey|secret(?:[\s_-]?key)?|client[\s_-]?secret|access[\s_-]?token|auth[\s_-]?token|token|private[\s_-]?key"
_VERBS = r"is|was|are|'s|es|era|est|était|etait|ist|war|lautet|é|è|sera|will\s+be"
_VALUE = r"(?P<value>\"[^\"\n]{1,128}\"|'[^'\n]{1,128}'|«[^»\n]{1,128}»|“[^”\n]{1,128}”|[^\s\"'«“]{1,128})"
_WORD = rf"(?<![\w-])(?:{_PASSWORD_WORDS})(?![\w-])"
_PASSWORD_COLON = re.compile(rf"(?P<prefix>{_WORD}\s*[:=]\s*){_VALUE}", re.I)
_PASSWORD_VERB = re.compile(rf"(?P<prefix>{_WORD}\s+(?:{_VERBS})(?![\w])\s*:?\s*){_VALUE}", re.I)
_PASSWORD_BARE = re.compile(rf"(?P<prefix>{_WORD}\s+){_VALUE}", re.I)
_KEY = rf"(?<![\w-])(?:{_KEY_WORDS})(?![\w-])"
_KEY_COLON = re.compile(rf"(?P<prefix>{_KEY}\s*[:=]\s*){_VALUE}", re.I)
_KEY_VERB = re.compile(rf"(?P<prefix>{_KEY}\s+(?:{_VERBS})(?![\w])\s*:?\s*){_VALUE}", re.I)
# Words after "my password is" that describe it rather than spell it.
_NOT_A_PASSWORD = frozenset("""
    not no wrong incorrect invalid correct right fine ok okay working expired locked blocked reset changed
    too still being the a an my your his her our their same different new old long short weak strong also
    already now required empty missing gone lost stolen compromised hacked just only in on that this what for
    saved stored set sent there here valid accepted rejected denied case definitely really very never
    nicht falsch richtig mein meine zu abgelaufen gesperrt ungültig pas faux mon ma le la trop bloqué expiré
    incorrecta correcta mi el muy caducada bloqueada não errada minha o um uma una un une ein eine
""".split())
_SENTENCE_END = ".,;"


def _password(m: re.Match[str], *, prose: bool = False, bare: bool = False, key: bool = False) -> str | None:
    """Mask the value after a password (or key) word; None when it reads as prose, not a credential.

    `prose`: the word and the value are joined by a verb ("my password is hunter2"), `bare`: by a space
    only ("pw hunter2"), `key`: the word names a key or token, whose values are long.
    """
    value = m.group("value")
    quoted = value[:1] in "\"'«“"
    core = value if quoted or not (prose or bare) else value.rstrip(_SENTENCE_END)
    tail = value[len(core):]
    if not core:
        return None
    if prose and not quoted and core.lower() in _NOT_A_PASSWORD:
        return None
    # after a bare word only something that is not a plain word is taken for a password
    if bare and not quoted and (len(core) < 4 or core.isalpha()):
        return None
    if key and not quoted and len(core) < 8:
        return None
    if key and prose and not quoted and not (re.search(r"\d", core) or core.lower() != core != core.upper()):
        return None
    return f"{m.group('prefix')}{MASK}{tail}"


# 40 characters of base64 standing alone: how AWS secret access keys look
_AWS_SECRET_ALONE = re.compile(r"(?<![A-Za-z0-9/+=._-])[A-Za-z0-9][A-Za-z0-9/+]{38}[A-Za-z0-9+](?![A-Za-z0-9/+=._-])")


def _aws_secret_alone(m: re.Match[str]) -> str | None:
    raw = m.group(0)
    if not (re.search(r"\d", raw) and re.search(r"[a-z]", raw) and re.search(r"[A-Z]", raw)):
        return None
    return f"[secret {MASK}]"


# '/' is left out so URL paths are not taken for one long base64 run.
_GENERIC_SECRET = re.compile(r"(?<![A-Za-z0-9+_=-])[A-Za-z0-9+_-]{32,}={0,2}(?![A-Za-z0-9+_=-])")


def _generic_secret(m: re.Match[str]) -> str | None:
    raw = m.group(0)
    # Slugs and words are one case; a random key mixes cases and digits, or is long hex.
    is_hex = re.fullmatch(r"[0-9a-fA-F]+", raw) is not None and re.search(r"\d", raw) is not None
    mixed = all(re.search(p, raw) for p in (r"\d", r"[a-z]", r"[A-Z]"))
    if not (is_hex or mixed):
        return None
    return f"[secret {MASK}]"


# -- e-mail ------------------------------------------------------------------------------------------

_EMAIL = re.compile(rf"(?<!{_LOCAL})({_LOCAL}+)@({_DOMAIN})")


def _email(m: re.Match[str]) -> str:
    return f"{m.group(1)[0]}***@{m.group(2)}"


# -- IBAN --------------------------------------------------------------------------------------------

_IBAN_START = re.compile(r"(?<![^\W_])[A-Za-z]{2}\d{2}(?=[ \u00a0-]?[A-Za-z0-9])")
_IBAN_SEPARATORS = " \u00a0-"


def _find_ibans(text: str) -> Iterator[Span]:
    pos = 0
    for m in _IBAN_START.finditer(text):
        if m.start() < pos:
            continue
        # read up to 34 characters, allowing one separator between them, and try every length
        chars: list[tuple[str, int]] = []
        i = m.start()
        while i < len(text) and len(chars) < 34:
            c = text[i]
            if c.isascii() and c.isalnum():
                chars.append((c.upper(), i + 1))
                i += 1
            elif c in _IBAN_SEPARATORS and i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalnum() \
                    and text[i - 1] not in _IBAN_SEPARATORS:
                i += 1
            else:
                break
        for n in range(len(chars), 14, -1):
            end = chars[n - 1][1]
            if end < len(text) and text[end].isascii() and text[end].isalnum():
                continue  # the IBAN must end where a word ends
            compact = "".join(c for c, _ in chars[:n])
            if _iban.is_valid(compact):
                yield m.start(), end, f"{compact[:2]}{BULLET * 2} {MASK} {compact[-4:]}"
                pos = end
                break


# -- cards ------------------------------------------------------------------------------------------

# digits right after bullets are what an earlier masking left ("•••• 4242"): never part of a new number
_AFTER_MASK = rf"(?<!{BULLET})(?<!{MASK} )"
_CARD_RUN = re.compile(rf"(?<![\w+])(?<!\d[.,]){_AFTER_MASK}\d+(?:{_SEP}\d+)*")
_CVC_WORDS = (
    r"cvv2?|cvc2?|cvn|csc|cid|security\s+code|card\s+code|c[óo]digo\s+de\s+seguridad|cryptogramme|"
    r"(?:karten)?pr[üu]fnummer|c[óo]digo\s+de\s+seguran[çc]a"
)
_CVC = re.compile(rf"(?P<prefix>(?<![\w-])(?:{_CVC_WORDS})(?![\w-])\s*(?:is|es|est|ist|é|:|=|#|-)?\s*)\d{{3,4}}(?!\d)", re.I)


def _sep_kind(sep: str) -> str:
    stripped = sep.strip(_SPACES)
    return stripped or " "


def _is_amex(digits: str) -> bool:
    return len(digits) == 15 and digits[:2] in ("34", "37")


def _tail(groups: list[str], seps: list[str], j: int, digits: str) -> str | None:
    """What follows a candidate card number: "end", "cvc", "expiry", or None (more digits of something)."""
    if j == len(groups) - 1:
        return "end"
    nxt = groups[j + 1]
    if len(nxt) == 3 or (len(nxt) == 4 and _is_amex(digits)):
        return "cvc"
    if len(nxt) == 2 and 1 <= int(nxt) <= 12 and j + 2 < len(groups) and seps[j + 1] in "/-." \
            and len(groups[j + 2]) in (2, 4):
        return "expiry"
    return None


def _card_at(groups: list[str], seps: list[str], i: int) -> tuple[int, bool] | None:
    """The card number starting at group `i`: (index of its last group, whether a CVC follows), or None."""
    if groups[i][0] == "0":
        return None  # no card brand starts with 0 (international phone numbers do)
    candidates: list[tuple[int, str | None]] = []
    digits = ""
    for j in range(i, len(groups)):
        if j > i and (seps[j - 1] != seps[i] or not 3 <= len(groups[j - 1]) <= 6 or len(groups[j]) > 6):
            break  # one separator style, groups of 3-6 digits (the last may be shorter), as cards are written
        digits += groups[j]
        if len(digits) > 19:
            break
        if len(digits) >= 13 and len(set(digits)) > 1 and _luhn.is_valid(digits):
            candidates.append((j, _tail(groups, seps, j, digits)))
    if not candidates:
        return None
    # "4111 1111 1111 1111 123" is a card and its CVC: prefer the shortest number followed by nothing,
    # a CVC or an expiry date; else the longest valid one
    for j, tail in candidates:
        if tail is not None:
            return j, tail == "cvc"
    return candidates[-1][0], False


def _find_cards(text: str) -> Iterator[Span]:
    for run in _CARD_RUN.finditer(text):
        raw = run.group(0)
        if sum(c.isdigit() for c in raw) < 13:
            continue
        parts = list(_DIGITS.finditer(raw))
        groups = [_ascii_digits(p.group(0)) for p in parts]
        seps = [_sep_kind(raw[parts[k].end():parts[k + 1].start()]) for k in range(len(parts) - 1)]
        i = 0
        while i < len(groups):
            found = _card_at(groups, seps, i)
            if found is None:
                i += 1
                continue
            j, cvc = found
            digits = "".join(groups[i:j + 1])
            last = j + 1 if cvc else j
            out = f"{MASK} {digits[-4:]}" + (f" {BULLET * 3}" if cvc else "")
            yield run.start() + parts[i].start(), run.start() + parts[last].end(), out
            i = last + 1


# -- SSN ------------------------------------------------------------------------------------------

_SSN_DASHED = re.compile(rf"(?<![\w-]){_AFTER_MASK}(\d{{3}})-(\d{{2}})-(\d{{4}})(?![\w-]|[.,]\d)")
_SSN_NAMED = re.compile(
    r"(?P<prefix>(?<![\w-])(?:ssn|ss#|social\s+security(?:\s+(?:number|no\.?|#))?|soc\.?\s*sec\.?(?:\s+no\.?)?)"
    r"\s*(?:is|was|:|#|=|no\.?)?\s*)(\d{3})[ .]?(\d{2})[ .]?(\d{4})(?![\w-]|[.,]\d)",
    re.I,
)


def _ssn_masked(area: str, group: str, serial: str) -> str | None:
    if not _ssn.is_valid(area + group + serial):
        return None
    return f"{BULLET * 3}-{BULLET * 2}-{serial}"


def _ssn_dashed(m: re.Match[str]) -> str | None:
    return _ssn_masked(m.group(1), m.group(2), m.group(3))


def _ssn_named(m: re.Match[str]) -> str | None:
    masked = _ssn_masked(m.group(2), m.group(3), m.group(4))
    return None if masked is None else m.group("prefix") + masked


# -- phones -----------------------------------------------------------------------------------------

_PHONE_SEP = rf"(?:[{_SPACES}]?[./\-\u2013][{_SPACES}]?|[{_SPACES}]{{1,2}}|\)[{_SPACES}]?|[{_SPACES}]?\()"
_PHONE_RUN = re.compile(rf"(?<![\w+./,#№\-]){_AFTER_MASK}(?:\+[{_SPACES}]?)?\(?\d+(?:{_PHONE_SEP}\d+)*\)?")


_PHONE_GROUPS_MAX = 6  # "+33 6 12 34 56 78"


def _nanp(digits: str) -> bool:
    return len(digits) == 10 and digits[0] in "23456789" and digits[3] in "23456789"


def _phone_style(sep: str) -> str:
    return sep.strip(_SPACES + "()") or " "


def _is_phone(groups: list[str], seps: list[str], plus: bool, around: tuple[str, ...] = ()) -> bool:
    """Whether digit groups look like a phone number; `around`: the separators just outside them."""
    digits = "".join(groups)
    n = len(digits)
    if plus:
        return 8 <= n <= 15
    # without a +: one separator style, as people write phone numbers (dates and versions mix them; a
    # parenthesised area code aside), not part of a longer number written the same way (an address, a
    # version, a date), and no IPv4 address
    styles = {_phone_style(s) for s in seps if "(" not in s and ")" not in s}
    if len(styles) > 1 or styles & {_phone_style(s) for s in around}:
        return False
    if styles == {"."} and len(groups) == 4 and all(len(g) <= 3 for g in groups):
        return False
    if digits[0] != "0":
        sizes = [len(g) for g in groups]
        if sizes in ([10], [3, 3, 4]):
            return _nanp(digits)
        return sizes in ([11], [1, 3, 3, 4], [1, 10]) and digits[0] == "1" and _nanp(digits[1:])
    # groups of two digits or more ("01.0.000.000" is not a phone), but a country code's own ("0033 6 12...")
    if digits.startswith("00") and n > 2 and digits[2] != "0":
        pairs = all(len(g) >= 2 for k, g in enumerate(groups) if k != 1)
        return 8 <= n - 2 <= 15 and pairs  # international with 00 instead of +
    if n > 1 and digits[1] != "0":
        return 9 <= n <= 12 and all(len(g) >= 2 for g in groups)  # national, trunk prefix 0 (UK, FR, DE...)
    return False


def _find_phones(text: str) -> Iterator[Span]:
    for run in _PHONE_RUN.finditer(text):
        raw = run.group(0)
        if sum(c.isdigit() for c in raw) < 8:
            continue
        parts = list(_DIGITS.finditer(raw))
        groups = [_ascii_digits(p.group(0)) for p in parts]
        seps = [raw[parts[k].end():parts[k + 1].start()] for k in range(len(parts) - 1)]
        i = 0
        while i < len(groups):
            found = None
            total = 0
            ends = []
            for j in range(i, min(len(groups), i + _PHONE_GROUPS_MAX)):
                total += len(groups[j])
                if total > 17:
                    break
                if total >= 8:
                    ends.append(j)
            for j in reversed(ends):  # the longest phone number starting here
                around = tuple(seps[k] for k in (i - 1, j) if 0 <= k < len(seps))
                if _is_phone(groups[i:j + 1], seps[i:j], plus=i == 0 and raw.startswith("+"), around=around):
                    found = j
                    break
            if found is None:
                i += 1
                continue
            start = 0 if i == 0 else parts[i].start()
            if i > 0 and seps[i - 1].endswith("("):
                start -= 1
            end = parts[found].end()
            if raw[end:end + 1] == ")" and "(" in raw[start:parts[found].start()]:
                end += 1
            yield run.start() + start, run.start() + end, _phone(raw[start:end])
            i = found + 1


def _phone(raw: str) -> str:
    n = sum(c.isdigit() for c in raw)
    keep = 4 if n >= 10 else 2
    seen = 0
    out = []
    for ch in raw:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > n - keep else BULLET)
        else:
            out.append(ch)
    return "".join(out)


_RULES: tuple[_Rule, ...] = (
    _Rule(_KEPT, _by_regex(_MASKED_EMAIL, lambda m: m.group(0))),
    _Rule(SECRET, _by_regex(_PRIVATE_KEY, _private_key)),
    _Rule(SECRET, _by_regex(_URL_USERINFO, _keep_prefix)),
    _Rule(SECRET, _by_regex(_AUTH_SCHEME, _keep_prefix)),
    _Rule(SECRET, _by_regex(_VENDOR_TOKEN, _keep_prefix)),
    _Rule(SECRET, _by_regex(_SLACK_WEBHOOK, _keep_prefix)),
    _Rule(SECRET, _by_regex(_AWS_KEY_ID, _keep_prefix)),
    _Rule(SECRET, _by_regex(_AWS_SECRET_NAMED, _keep_prefix)),
    _Rule(SECRET, _by_regex(_JWT, _keep_prefix)),
    # numbers checked by their own check digits go before the word-based rules ("pw 4111 1111 ...")
    _Rule(IBAN, _find_ibans),
    _Rule(CARD, _find_cards),
    _Rule(SECRET, _by_regex(_PASSWORD_COLON, _password)),
    _Rule(SECRET, _by_regex(_PASSWORD_VERB, lambda m: _password(m, prose=True))),
    _Rule(SECRET, _by_regex(_PASSWORD_BARE, lambda m: _password(m, bare=True))),
    _Rule(SECRET, _by_regex(_KEY_COLON, lambda m: _password(m, key=True))),
    _Rule(SECRET, _by_regex(_KEY_VERB, lambda m: _password(m, key=True, prose=True))),
    _Rule(CARD, _by_regex(_CVC, _keep_prefix)),
    _Rule(EMAIL, _by_regex(_EMAIL, _email)),
    _Rule(SECRET, _by_regex(_AWS_SECRET_ALONE, _aws_secret_alone)),
    _Rule(SECRET, _by_regex(_GENERIC_SECRET, _generic_secret)),
    _Rule(SSN, _by_regex(_SSN_NAMED, _ssn_named)),
    _Rule(SSN, _by_regex(_SSN_DASHED, _ssn_dashed)),
    _Rule(PHONE, _find_phones),
)


def _segments(text: str, kinds: Iterable[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, masked) pairs: each rule looks only at what the earlier ones left."""
    wanted = frozenset(kinds) | {_KEPT}
    segments: list[tuple[str, bool]] = [(text, False)]
    for rule in _RULES:
        if rule.kind not in wanted:
            continue
        out: list[tuple[str, bool]] = []
        for piece, masked in segments:
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
        segments = out
    return segments


def mask_pii(text: str, kinds: Iterable[str] = ALL_KINDS) -> str:
    """Mask card numbers, e-mail addresses, credentials, IBANs, SSNs and phone numbers (those of `kinds`)."""
    if not text:
        return text
    return "".join(piece for piece, _ in _segments(text, kinds))


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


# -- Slack -------------------------------------------------------------------------------------

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
    segments = _segments(text, SLACK_KINDS)
    out = []
    for k, (piece, masked) in enumerate(segments):
        if not masked:
            before = segments[k - 1][0][-1:] if k > 0 else ""
            after = segments[k + 1][0][:1] if k + 1 < len(segments) else ""
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


__all__ = [
    "ALL_KINDS", "BULLET", "CARD", "CARDS_AND_SECRETS", "EMAIL", "IBAN", "LOG_KINDS", "PHONE", "SECRET",
    "SLACK_KINDS", "SSN", "TICKET_KINDS", "for_log", "for_slack", "for_slack_plain", "for_ticket", "mask_email",
    "mask_json", "mask_pii", "slack_escape",
]

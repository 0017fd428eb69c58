"""Credentials: private keys, passwords in URLs, bearer and vendor tokens, AWS keys, JWTs, a value after a
password or key word, and long random strings standing alone."""
from __future__ import annotations

import re

from handoff.core.locales.credential_words import KEY_WORDS, NOT_A_PASSWORD, PASSWORD_WORDS, VERBS
from handoff.core.masking.finders import Rule, by_regex, keep_prefix
from handoff.core.masking.kinds import MASK, SECRET

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

# What may stand between a password (or key) word and the password itself.
_VALUE = r"(?P<value>\"[^\"\n]{1,128}\"|'[^'\n]{1,128}'|«[^»\n]{1,128}»|“[^”\n]{1,128}”|[^\s\"'«“]{1,128})"
_WORD = rf"(?<![\w-])(?:{PASSWORD_WORDS})(?![\w-])"
_PASSWORD_COLON = re.compile(rf"(?P<prefix>{_WORD}\s*[:=]\s*){_VALUE}", re.I)
_PASSWORD_VERB = re.compile(rf"(?P<prefix>{_WORD}\s+(?:{VERBS})(?![\w])\s*:?\s*){_VALUE}", re.I)
_PASSWORD_BARE = re.compile(rf"(?P<prefix>{_WORD}\s+){_VALUE}", re.I)
_KEY = rf"(?<![\w-])(?:{KEY_WORDS})(?![\w-])"
_KEY_COLON = re.compile(rf"(?P<prefix>{_KEY}\s*[:=]\s*){_VALUE}", re.I)
_KEY_VERB = re.compile(rf"(?P<prefix>{_KEY}\s+(?:{VERBS})(?![\w])\s*:?\s*){_VALUE}", re.I)
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
    if prose and not quoted and core.lower() in NOT_A_PASSWORD:
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


# Credentials with a shape of their own: looked for first, before any number or word rule.
TOKEN_RULES: tuple[Rule, ...] = (
    Rule(SECRET, by_regex(_PRIVATE_KEY, _private_key)),
    Rule(SECRET, by_regex(_URL_USERINFO, keep_prefix)),
    Rule(SECRET, by_regex(_AUTH_SCHEME, keep_prefix)),
    Rule(SECRET, by_regex(_VENDOR_TOKEN, keep_prefix)),
    Rule(SECRET, by_regex(_SLACK_WEBHOOK, keep_prefix)),
    Rule(SECRET, by_regex(_AWS_KEY_ID, keep_prefix)),
    Rule(SECRET, by_regex(_AWS_SECRET_NAMED, keep_prefix)),
    Rule(SECRET, by_regex(_JWT, keep_prefix)),
)
# A value after a password or key word: after the numbers with check digits ("pw 4111 1111 ...").
PASSWORD_RULES: tuple[Rule, ...] = (
    Rule(SECRET, by_regex(_PASSWORD_COLON, _password)),
    Rule(SECRET, by_regex(_PASSWORD_VERB, lambda m: _password(m, prose=True))),
    Rule(SECRET, by_regex(_PASSWORD_BARE, lambda m: _password(m, bare=True))),
    Rule(SECRET, by_regex(_KEY_COLON, lambda m: _password(m, key=True))),
    Rule(SECRET, by_regex(_KEY_VERB, lambda m: _password(m, key=True, prose=True))),
)
# Random-looking strings with nothing around them: the most generic, so after e-mail addresses.
LOOSE_SECRET_RULES: tuple[Rule, ...] = (
    Rule(SECRET, by_regex(_AWS_SECRET_ALONE, _aws_secret_alone)),
    Rule(SECRET, by_regex(_GENERIC_SECRET, _generic_secret)),
)

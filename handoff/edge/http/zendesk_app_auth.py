"""Who may call `/zendesk-app/`: the sidebar app, through Zendesk's proxy, with a key no browser sees.

Two ways, either or both configured from the environment:
- a service key (HANDOFF_ZENDESK_APP_KEY) in the app's secure setting `service_key`: the app asks for
  `Authorization: Bearer {{setting.service_key}}` and Zendesk's proxy fills the value in server-side, so the
  key never reaches the agent's browser; compared in constant time;
- a JWT signed HS256 with a shared secret (HANDOFF_ZENDESK_APP_SECRET), `exp` and `iat` required and checked
  (with `leeway_seconds` of clock skew; no token older than `max_age_seconds`); its `email` claim, when
  present, is who the caller is.
Neither configured: every request is refused, saying what to set.
"""
from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt


class Refused(Exception):
    """The request's credentials are missing or wrong: a 401 with this message."""


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: how it proved itself, and the e-mail a JWT vouches for (None with the key)."""

    via: str  # "key" | "jwt"
    email: str | None = None


MIN_SECRET_BYTES = 32
NOT_CONFIGURED = ("the Zendesk app is not configured on this service: set HANDOFF_ZENDESK_APP_KEY (the app's "
                  "secure setting service_key) or HANDOFF_ZENDESK_APP_SECRET")


class ZendeskAppAuth:
    """Checks the Authorization header of a `/zendesk-app/` request."""

    def __init__(self, *, key: str | None, secret: str | None, clock: Callable[[], datetime],
                 leeway_seconds: float = 60.0, max_age_seconds: float = 3600.0) -> None:
        self.key = key.encode() if key else None
        self.secret = secret.encode() if secret else None
        # RFC 7518 §3.2: an HS256 key shorter than the hash is guessable; such a secret opens nothing
        self.secret_problem = None
        if self.secret is not None and len(self.secret) < MIN_SECRET_BYTES:
            self.secret, self.secret_problem = None, (
                f"HANDOFF_ZENDESK_APP_SECRET is shorter than {MIN_SECRET_BYTES} bytes: signed JWTs are refused")
        self.clock = clock
        self.leeway = leeway_seconds
        self.max_age = max_age_seconds

    @property
    def configured(self) -> bool:
        """Whether any way in is configured."""
        return bool(self.key or self.secret)

    def check(self, authorization: str | None) -> Caller:
        """The caller behind `Authorization: Bearer …`; raises Refused with the reason."""
        if not self.configured:
            raise Refused(self.secret_problem or NOT_CONFIGURED)
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Refused("missing bearer credentials (the app's service key or a signed JWT)")
        presented = token.encode()
        if self.key is not None and hmac.compare_digest(presented, self.key):
            return Caller("key")
        if token.count(".") == 2:
            if self.secret_problem:
                raise Refused(self.secret_problem)
            if self.secret is not None:
                return Caller("jwt", self._verified_email(token))
        raise Refused("invalid credentials")

    def _verified_email(self, token: str) -> str | None:
        assert self.secret is not None
        try:
            # PyJWT checks the form, the algorithm (HS256 only: never "none", never another key type) and the
            # signature; the times are checked below against the service's clock, which tests drive
            claims = jwt.decode(token, self.secret, algorithms=["HS256"],
                                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False})
        except jwt.InvalidAlgorithmError:
            raise Refused("invalid JWT: only HS256 is accepted") from None
        except jwt.InvalidSignatureError:
            raise Refused("invalid JWT: bad signature") from None
        except jwt.InvalidTokenError:
            raise Refused("invalid JWT: not base64url JSON") from None
        if not isinstance(claims, dict):
            raise Refused("invalid JWT: the claims are not an object")
        now = self.clock().timestamp()
        exp, iat = _time(claims, "exp"), _time(claims, "iat")
        if now > exp + self.leeway:
            raise Refused("JWT expired")
        if iat > now + self.leeway:
            raise Refused("JWT issued in the future (check the clocks)")
        if now - iat > self.max_age + self.leeway:
            raise Refused(f"JWT too old (issued more than {self.max_age:g} s ago)")
        email = claims.get("email")
        return email.strip() if isinstance(email, str) and email.strip() else None


def _time(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Refused(f"invalid JWT: the {name!r} claim (seconds since 1970) is required")
    return float(value)

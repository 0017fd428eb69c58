"""Zendesk webhook signatures, built the way Zendesk builds them, and the freshness window."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from handoff.core.formats.zendesk_events import WebhookRejected, verify_signature

DATA = Path(__file__).parent / "data" / "zendesk_events"
NOW = datetime(2026, 3, 2, 10, 25, 31, tzinfo=timezone.utc)
SECRET = "dGhpcyBpcyBhIHNhbXBsZSBzZWNyZXQ="  # Zendesk secrets look like base64 text; used as UTF-8
STAMP = "2026-03-02T10:25:30Z"


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Exactly as Zendesk documents it: base64(HMAC-SHA256(secret, timestamp + raw body)), no separator."""
    mac = hmac.new(secret.encode("utf-8"), msg=timestamp.encode("utf-8") + body, digestmod=hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_valid_signature_is_accepted() -> None:
    body = raw("comment_added.json")
    verify_signature(SECRET, STAMP, body, zendesk_signature(SECRET, STAMP, body), now=NOW)


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "signature", "reason"),
    [
        pytest.param("wrong-secret", STAMP, b'{"ticket_id": "1"}', None, "signature mismatch", id="wrong-secret"),
        pytest.param(SECRET, STAMP, b'{"ticket_id": "2"}', None, "signature mismatch", id="tampered-body"),
        pytest.param(SECRET, "2026-03-02T10:25:29Z", b'{"ticket_id": "1"}', None, "signature mismatch",
                     id="other-timestamp"),
        pytest.param(SECRET, None, b'{"ticket_id": "1"}', None, "missing signature headers", id="no-timestamp"),
        pytest.param(SECRET, STAMP, b'{"ticket_id": "1"}', "", "missing signature headers", id="no-signature"),
        pytest.param(SECRET, STAMP, b'{"ticket_id": "1"}', "not base64 at all!", "signature is not base64",
                     id="bad-base64"),
        pytest.param(SECRET, "yesterday", b'{"ticket_id": "1"}', None, "signature timestamp is not ISO-8601",
                     id="bad-timestamp"),
        pytest.param(SECRET, STAMP, b'{"ticket_id": "1"}', base64.b64encode(b"short").decode(),
                     "signature mismatch", id="wrong-length"),
    ],
)


def test_bad_signatures_are_rejected(secret: str, timestamp: str | None, body: bytes, signature: str | None,
                                     reason: str) -> None:
    # The signature is always made over the original body with the real secret and timestamp.
    good = zendesk_signature(SECRET, STAMP, b'{"ticket_id": "1"}')
    with pytest.raises(WebhookRejected) as err:
        verify_signature(secret, timestamp, body, good if signature is None else signature, now=NOW)
    assert (err.value.status, err.value.reason) == (401, reason)


def test_reserialised_json_fails() -> None:
    body = raw("comment_added.json")
    signature = zendesk_signature(SECRET, STAMP, body)
    reserialised = json.dumps(json.loads(body)).encode()
    assert reserialised != body
    with pytest.raises(WebhookRejected, match="signature mismatch"):
        verify_signature(SECRET, STAMP, reserialised, signature, now=NOW)


@pytest.mark.parametrize(("offset", "accepted"), [
    (timedelta(seconds=-299), True), (timedelta(seconds=299), True),
    (timedelta(seconds=-301), False), (timedelta(seconds=301), False), (timedelta(days=-1), False),
])


def test_timestamp_window(offset: timedelta, accepted: bool) -> None:
    stamp = (NOW + offset).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = b'{"ticket_id": "1"}'
    sig = zendesk_signature(SECRET, stamp, body)
    if accepted:
        verify_signature(SECRET, stamp, body, sig, now=NOW)
    else:
        with pytest.raises(WebhookRejected) as err:
            verify_signature(SECRET, stamp, body, sig, now=NOW)
        assert (err.value.status, err.value.reason) == (401, "stale signature timestamp")


def test_tolerance_is_configurable_and_offset_timestamps_work() -> None:
    stamp = "2026-03-02T11:25:30+01:00"  # the same instant as STAMP
    body = b"{}"
    verify_signature(SECRET, stamp, body, zendesk_signature(SECRET, stamp, body), now=NOW, tolerance_seconds=5)
    with pytest.raises(WebhookRejected, match="stale"):
        verify_signature(SECRET, stamp, body, zendesk_signature(SECRET, stamp, body),
                         now=NOW + timedelta(seconds=10), tolerance_seconds=5)


def test_no_configured_secret_rejects_everything() -> None:
    with pytest.raises(WebhookRejected) as err:
        verify_signature("", STAMP, b"{}", zendesk_signature("", STAMP, b"{}"), now=NOW)
    assert err.value.status == 401

"""Log lines: known secret values redacted, and card numbers and credentials masked wherever they appear."""
from __future__ import annotations

import json
import logging

import pytest
import structlog

from handoff.logs import PIIMasker, configure_logging

CARD = "4111 1111 1111 1111"


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Configure JSON logging (in the test itself: pytest resets the root level after setup); read lines."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def lines() -> list[dict[str, object]]:
        return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]

    yield lambda: configure_logging("debug", "json", secrets=["configured-secret-value"]), lines
    root.handlers[:], root.level = handlers, level


def test_cards_and_credentials_are_masked_in_every_line(json_logs) -> None:  # type: ignore[no-untyped-def]
    configure, read = json_logs
    configure()
    log = structlog.get_logger("handoff.test")
    log.info(f"turn from a customer: my card is {CARD} 123", text=f"pw hunter2 and {CARD}",
             nested={"body": [f"key sk_live_51H8abcDEFghiJKLmnop {CARD}"]}, count=3, email="ana@example.com")
    try:
        raise ValueError(f"could not store ('{CARD}', 'https://bob:s3cret@db.example/')")
    except ValueError:
        log.exception("insert failed")
    logging.getLogger("sqlalchemy.engine").warning("parameters: %s", (CARD, "passwort: geheim123"))
    log.info("configured secret configured-secret-value")
    out = read()
    dumped = json.dumps(out)
    assert len(out) == 4
    for raw in (CARD, "4111111111111111", "hunter2", "sk_live_51H8", "s3cret", "geheim123", "configured-secret-value"):
        assert raw not in dumped
    assert out[0]["event"] == "turn from a customer: my card is •••• 1111 •••" and out[0]["count"] == 3
    assert out[0]["email"] == "ana@example.com"  # logs mask what a ticket masks: cards and credentials
    assert "•••• 1111" in out[1]["exception"] and "bob:••••@db.example" in out[1]["exception"]
    assert "[redacted]" in out[3]["event"]


def test_values_that_are_not_text_are_masked_as_shown() -> None:
    class Row:
        def __repr__(self) -> str:
            return f"Row(card='{CARD}')"

    event = PIIMasker()(None, "info", {"row": Row(), "rows": ({CARD},), "n": None, "ok": True})
    assert event == {"row": "Row(card='•••• 1111')", "rows": [["•••• 1111"]], "n": None, "ok": True}

"""A whole run at debug level, with every secret set and every edge exercised, never logs a secret."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from datetime import UTC, datetime
from collections.abc import Callable
from pathlib import Path

import httpx

from handoff.devtools.support.processes import free_port, start_process, stop_process, wait_healthy, wait_until

SECRETS = {
    "HANDOFF_API_KEYS": "api-key-A1b2C3d4E5f6",
    "ZENDESK_WEBHOOK_SECRET": "zd-webhook-signing-secret-9f8e7d",
    "SLACK_SIGNING_SECRET": "slack-signing-secret-0a1b2c3d4e",
    "HANDOFF_SUMMARISER_API_KEY": "sk-summariser-key-5566778899",
    "HANDOFF_REPLIES_API_KEY": "sk-replies-key-1122334455",
    "HANDOFF_BOT_WEBHOOK_SECRET": "bot-webhook-secret-6677889900",
    "LINEAR_API_KEY": "lin_api_secret_key_AbCdEf0123",
    "SUNSHINE_KEY_SECRET": "sunshine-key-secret-ZyXwVu9876",
}


def _zendesk_signed(body: bytes, secret: str) -> dict[str, str]:
    ts = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sig = base64.b64encode(hmac.new(secret.encode(), ts.encode() + body, hashlib.sha256).digest()).decode()
    return {"x-zendesk-webhook-signature": sig, "x-zendesk-webhook-signature-timestamp": ts,
            "x-zendesk-webhook-invocation-id": "inv-secrets", "content-type": "application/json"}


def _slack_signed(body: str, secret: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig,
            "Content-Type": "application/x-www-form-urlencoded"}


def test_a_full_run_logs_no_secret(tmp_path: Path, database_url, fake_zendesk, fake_slack, fake_stripe, fake_hubspot):
    fake_stripe.add_customer("ana@example.com", name="Ana Lima")
    fake_hubspot.add_contact("ana@example.com")
    fake_zendesk.fail_next(401, times=5, path="/api/v2/tickets.json")  # ticket writes refused: logged, dead
    port = free_port()
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f"[service]\noutbox_dir = '{(tmp_path / 'outbox').as_posix()}'\nlog_level = 'debug'\nlog_format = 'json'\n"
        "[zendesk]\nsubdomain = 'acme'\n[slack]\ndefault_channel = 'C0HANDOFF'\n"
        "[delivery]\npoll_seconds = 0.2\nbackoff_initial_seconds = 0.1\n"
        "[briefing.summariser]\nenabled = true\nurl = 'http://127.0.0.1:9'\ntimeout_seconds = 0.5\n"
        "[briefing.replies]\nenabled = true\nurl = 'http://127.0.0.1:9'\ntimeout_seconds = 0.5\n"
        # the bot webhook, Linear and the Switchboard configured but unreachable: their failures are logged too
        "[bot]\nwebhook_url = 'http://127.0.0.1:9/updates'\ntimeout_seconds = 0.5\n"
        "[linear]\nteam_id = 'team-1'\nurl = 'http://127.0.0.1:9/graphql'\ntimeout_seconds = 0.5\n"
        "[sunshine]\napp_id = 'app-1'\nurl = 'http://127.0.0.1:9/sc'\ntimeout_seconds = 0.5\n",
        encoding="utf-8",
    )
    env = {**SECRETS, "DATABASE_URL": database_url, "HANDOFF_SETTINGS": str(settings),
           "ZENDESK_EMAIL": fake_zendesk.email, "ZENDESK_API_TOKEN": fake_zendesk.token, "ZENDESK_URL": fake_zendesk.url,
           "SLACK_BOT_TOKEN": fake_slack.token, "SLACK_API_URL": fake_slack.api_url,
           "STRIPE_API_KEY": fake_stripe.api_key, "STRIPE_API_BASE": fake_stripe.url,
           "HUBSPOT_ACCESS_TOKEN": fake_hubspot.token, "HUBSPOT_URL": fake_hubspot.url,
           "SUNSHINE_KEY_ID": "app_5e4af71a81966cfff3ef6550"}
    proc = start_process(["serve", "--port", str(port)], env, tmp_path, tmp_path / "run.log")
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {SECRETS['HANDOFF_API_KEYS']}"}
    try:
        wait_healthy(base, proc, tmp_path / "run.log")
        customer = {"email": "ana@example.com", "name": "Ana"}
        r = httpx.post(f"{base}/v1/conversations/s-1/messages", headers=auth, timeout=10,
                       json={"role": "customer", "text": "I want a real person now", "customer": customer})
        assert r.json()["decision"] == "handoff"
        hid = r.json()["handoff_id"]
        httpx.post(f"{base}/v1/conversations/s-2/messages", headers={"Authorization": "Bearer wrong"}, timeout=5,
                   json={"role": "customer", "text": "hi"})
        body = json.dumps({"ticket_id": "123"}).encode()
        httpx.post(f"{base}/webhooks/zendesk", content=body, headers=_zendesk_signed(body, "forged"), timeout=5)
        httpx.post(f"{base}/webhooks/zendesk", content=body, timeout=5,
                   headers=_zendesk_signed(body, SECRETS["ZENDESK_WEBHOOK_SECRET"]))
        form = urllib.parse.urlencode({"command": "/handoff", "text": "queue", "user_id": "U0NOBODY",
                                       "channel_id": "C0HANDOFF", "team_id": "T1", "trigger_id": "1.2"})
        httpx.post(f"{base}/slack/events", content=form, headers=_slack_signed(form, SECRETS["SLACK_SIGNING_SECRET"]),
                   timeout=5)
        httpx.post(f"{base}/slack/events", content=form, headers=_slack_signed(form, "forged"), timeout=5)
        def settled():  # the ticket, refused with 401, is dead; the alert goes out
            status = httpx.get(f"{base}/v1/handoffs/{hid}", headers=auth, timeout=5).json()
            return status["deliveries"] and {d["status"] for d in status["deliveries"]} <= {"sent", "dead"}

        wait_until(settled, 30, "the deliveries to settle", (proc,))
    finally:
        stop_process(proc)
    text = (tmp_path / "run.log").read_text(errors="replace")
    assert '"level": "debug"' in text or '"level":"debug"' in text  # debug really was on
    assert "delivery dead" in text and "zendesk webhook refused" in text
    secrets = [*SECRETS.values(), fake_zendesk.token, fake_slack.token, fake_stripe.api_key, fake_hubspot.token,
               base64.b64encode(f"{fake_zendesk.email}/token:{fake_zendesk.token}".encode()).decode()]
    for secret in secrets:
        assert secret not in text, f"a secret ({secret[:4]}…) is in the log"
    # vendor clients' debug dumps (whole bodies, customer data) stay off even at our debug level
    assert "ana@example.com" not in text and "I want a real person now" not in text


CARD = "4111 1111 1111 1111"
CUSTOMER_TEXT = "please charge my card again, Zacharias Quillfeather here"


def _refuse_turns_in_the_database(database_url: str) -> Callable[[], None]:
    """Make every insert of a turn fail inside the database (a trigger), with a non-outage error: the
    statement's bound values (the customer's text) are then in the driver's exception. Returns the undo."""
    from sqlalchemy import text

    from handoff.storage.db import make_engine, migrate

    engine = make_engine(database_url)
    migrate(engine)
    with engine.begin() as c:
        if engine.dialect.name == "sqlite":  # "string or blob too big": sqlite3.DataError
            c.execute(text("CREATE TRIGGER refuse_turns BEFORE INSERT ON messages BEGIN SELECT zeroblob(2000000000); END"))
        else:
            c.execute(text("CREATE FUNCTION refuse_turn() RETURNS trigger AS $$ BEGIN "
                           "RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'data_exception'; END $$ LANGUAGE plpgsql"))
            c.execute(text("CREATE TRIGGER refuse_turns BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_turn()"))

    def undo() -> None:
        with engine.begin() as c:
            c.execute(text("DROP TRIGGER IF EXISTS refuse_turns" + ("" if engine.dialect.name == "sqlite" else " ON messages")))
            if engine.dialect.name != "sqlite":
                c.execute(text("DROP FUNCTION IF EXISTS refuse_turn()"))
        engine.dispose()

    return undo


def test_a_database_error_logs_neither_the_customers_text_nor_the_card(tmp_path: Path, database_url):
    """SQLAlchemy's error text ends in `[parameters: ...]`, the bound values: in a traceback in the log that
    was the customer's message and card. Now the engine hides them and the API logs one line."""
    undo = _refuse_turns_in_the_database(database_url)
    port = free_port()
    settings = tmp_path / "settings.toml"
    settings.write_text(f"[service]\noutbox_dir = '{(tmp_path / 'outbox').as_posix()}'\nlog_level = 'debug'\n"
                        "log_format = 'json'\n", encoding="utf-8")
    log = tmp_path / "run.log"
    proc = start_process(["serve", "--port", str(port), "--no-jobs"],
                         {"DATABASE_URL": database_url, "HANDOFF_SETTINGS": str(settings)}, tmp_path, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log)
        r = httpx.post(f"{base}/v1/conversations/db-err/messages", timeout=10, json={
            "role": "customer", "text": f"{CUSTOMER_TEXT}: {CARD}", "customer": {"email": "zq@example.com"}})
        assert r.status_code == 500 and "nothing was stored" in r.json()["error"]
        wait_until(lambda: "database error; answered 500" in log.read_text(errors="replace"), 10,
                   "the error line", (proc,))
    finally:
        stop_process(proc)
        undo()
    text = log.read_text(errors="replace")
    [line] = [json.loads(x) for x in text.splitlines() if "database error; answered 500" in x]
    assert line["error"] in ("DataError: string or blob too big", "DataException: refused by the test")  # what, and where:
    assert "handoff/app/turns.py" in line["at"] and line["path"] == "/v1/conversations/db-err/messages"
    for value in (CARD, CARD.replace(" ", ""), "Zacharias", "zq@example.com"):
        assert value not in text, f"{value} is in the log"
    assert "[parameters:" not in text and "Traceback" not in text


def test_database_errors_never_show_their_parameters(database_url):
    """Whatever logs an error raised by the engine (a job, a traceback) gets the SQL without the values."""
    from sqlalchemy import text

    from handoff.storage.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as c:
            try:
                c.execute(text("SELECT * FROM no_such_table WHERE x = :card"), {"card": CARD})
            except Exception as e:  # noqa: BLE001 - the text of whatever the driver raised
                message = str(e)
            else:
                raise AssertionError("the query should have failed")
    finally:
        engine.dispose()
    assert "no_such_table" in message and CARD not in message and "parameters hidden" in message

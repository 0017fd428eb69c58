"""`handoff index FILE`: a Zendesk export's solved tickets become past cases, once; a bad file stores nothing;
`simulate --json` then shows them as the briefing's similar cases."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from handoff.settings import normalise_database_url
from handoff.storage.tables import PastCaseRow
from tests.handoff.edge.cli.test_main import CONVERSATION, invoke


def ticket(tid: int, text: str, reply: str, *, status: str = "solved", tags=("billing",)) -> dict:
    return {"id": tid, "status": status, "subject": text[:40], "requester_id": 100 + tid, "tags": list(tags),
            "created_at": "2026-02-01T10:00:00Z",
            "comments": [
                {"id": tid * 10 + 1, "author_id": 100 + tid, "public": True, "plain_body": text,
                 "created_at": "2026-02-01T10:00:00Z"},
                {"id": tid * 10 + 2, "author_id": 7, "public": True, "plain_body": reply,
                 "created_at": "2026-02-01T12:30:00Z"},
            ]}


EXPORT = {
    "tickets": [
        ticket(1, "My card was charged twice this month", "Refunded the duplicate charge."),
        ticket(2, "The export button does nothing", "Cleared the stuck export job.", tags=("technical",)),
        ticket(3, "Still waiting on my refund", "Working on it", status="open"),
    ],
    "users": [{"id": 7, "role": "agent", "name": "Sam"}, {"id": 101, "email": "ana@example.com", "role": "end-user"}],
}


@pytest.fixture
def workdir(tmp_path, monkeypatch, database_url):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    for var in ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "SLACK_BOT_TOKEN", "STRIPE_API_KEY", "HUBSPOT_ACCESS_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def rows(database_url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(select(PastCaseRow.source, PastCaseRow.ref, PastCaseRow.resolution)
                                                 .order_by(PastCaseRow.ref))]
    finally:
        engine.dispose()


def test_indexing_an_export_twice_adds_nothing_the_second_time(workdir, database_url):
    export = workdir / "export.json"
    export.write_text(json.dumps(EXPORT))
    first = invoke("index", str(export))
    assert first.exit_code == 0, first.output
    assert "3 ticket(s) read, 2 solved" in first.stdout and "2 added, 0 changed, 0 already indexed" in first.stdout
    again = invoke("index", str(export), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == {"tickets": 3, "cases": 2, "added": 0, "changed": 0, "unchanged": 2,
                                        "skipped": 1, "total": 2}
    assert rows(database_url) == [("zendesk", "1", "Refunded the duplicate charge."),
                                  ("zendesk", "2", "Cleared the stuck export job.")]


def test_a_changed_ticket_is_updated_in_place(workdir, database_url):
    export = workdir / "export.jsonl"
    export.write_text(json.dumps(EXPORT["tickets"][0]) + "\n")
    assert invoke("index", str(export)).exit_code == 0
    changed = ticket(1, "My card was charged twice this month", "Refunded, and a credit for the trouble.")
    export.write_text(json.dumps(changed) + "\n")
    r = invoke("index", str(export), "--json")
    assert json.loads(r.stdout)["changed"] == 1
    assert rows(database_url) == [("zendesk", "1", "Refunded, and a credit for the trouble.")]


@pytest.mark.parametrize(("content", "where"), [
    (json.dumps(EXPORT["tickets"][0]) + "\n{not json\n", "line 2"),
    (json.dumps(EXPORT["tickets"][0]) + "\n" + json.dumps({**EXPORT["tickets"][1], "created_at": "soon"}) + "\n",
     "line 2: created_at"),
    (json.dumps({"tickets": [EXPORT["tickets"][0], {**EXPORT["tickets"][1], "tags": "x"}]}), "tickets[1].tags"),
    (json.dumps({"tickets": [EXPORT["tickets"][0], {**EXPORT["tickets"][1], "comments": [{"plain_body": "x"}]}]}),
     "tickets[1].comments[0].author_id"),
    (json.dumps(CONVERSATION) + "\n", "line 1: a conversation, not a Zendesk ticket"),
    (b"\xff\xfe not utf-8", "UTF-8"),
])
def test_a_bad_file_is_refused_with_where_and_nothing_is_stored(workdir, database_url, content, where):
    export = workdir / "bad.jsonl"
    if isinstance(content, bytes):
        export.write_bytes(content)
    else:
        export.write_text(content)
    r = invoke("index", str(export))
    assert r.exit_code == 2
    assert where in r.stderr and "nothing was indexed" in r.stderr
    assert rows(database_url) == []  # the good ticket before the bad one is not stored either


def test_a_missing_file_is_refused(workdir):
    r = invoke("index", str(workdir / "nope.json"))
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_simulate_json_shows_the_indexed_cases(workdir):
    export = workdir / "export.json"
    export.write_text(json.dumps(EXPORT))
    conv = workdir / "convs.jsonl"
    conv.write_text(json.dumps(CONVERSATION) + "\n")
    before = invoke("simulate", str(conv), "--json", "--at", "2026-03-02T15:00:00Z")
    assert before.exit_code == 0, before.output
    assert json.loads(before.stdout)["briefing"]["similar"] == []  # an empty index: none, not an error
    assert invoke("index", str(export)).exit_code == 0
    r = invoke("simulate", str(conv), "--json", "--at", "2026-03-02T15:00:00Z")
    assert r.exit_code == 0, r.output
    similar = json.loads(r.stdout)["briefing"]["similar"]
    assert [c["ref"] for c in similar] == ["1"]
    assert similar[0]["source"] == "zendesk" and similar[0]["resolution"] == "Refunded the duplicate charge."
    assert similar[0]["resolved_in_seconds"] == 9000.0 and similar[0]["tags"] == ["billing"]
    replies = json.loads(r.stdout)["briefing"]["suggested_replies"]
    assert any("Refunded the duplicate charge." in s for s in replies)  # the earlier case's resolution, quoted
    assert not any("Refunded" in s for s in json.loads(before.stdout)["briefing"]["suggested_replies"])
    view = invoke("simulate", str(conv), "--at", "2026-03-02T15:00:00Z")
    assert "SIMILAR CASES" in view.stdout and "ticket #1" in view.stdout


def test_simulate_without_a_store_shows_no_cases_and_creates_none(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'absent.db'}")
    conv = tmp_path / "convs.jsonl"
    conv.write_text(json.dumps(CONVERSATION) + "\n")
    r = invoke("simulate", str(conv), "--json", "--at", "2026-03-02T15:00:00Z")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["briefing"]["similar"] == []
    assert not Path(tmp_path / "absent.db").exists()

"""Zendesk exports as labelled conversations; field names as the Incremental Ticket Export and comments APIs use."""
import json
from pathlib import Path

import pytest

from handoff.core.formats.conversations import ConversationFileError
from handoff.core.formats.zendesk_export import detect_format, read_any, ticket_to_conversation

REQUESTER, BOT, AGENT = 1001, 2002, 3003


def comment(author: int, body: str, public: bool = True, minute: int = 0) -> dict:
    return {"id": 9000 + minute, "type": "Comment", "author_id": author, "body": body, "plain_body": body,
            "html_body": f"<p>{body}</p>", "public": public, "created_at": f"2026-03-02T10:{minute:02d}:00Z",
            "attachments": [], "via": {"channel": "web"}}


def ticket(tid: int, comments: list[dict] | None) -> dict:
    t = {"id": tid, "url": f"https://acme.zendesk.com/api/v2/tickets/{tid}.json", "subject": "Help",
         "description": "first message", "status": "open", "requester_id": REQUESTER, "submitter_id": REQUESTER,
         "assignee_id": None, "via": {"channel": "chat", "source": {"from": {}, "to": {}, "rel": None}},
         "created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-02T11:00:00Z", "tags": []}
    if comments is not None:
        t["comments"] = comments
    return t


ESCALATED = ticket(1, [
    comment(REQUESTER, "my invoice is wrong", minute=0),
    comment(BOT, "Could you tell me which line?", minute=1),
    comment(REQUESTER, "the tax line, I want a person", minute=2),
    comment(AGENT, "internal: check tax settings", public=False, minute=3),
    comment(AGENT, "Hi, I'm Sam from billing.", minute=4),
    comment(REQUESTER, "thanks Sam", minute=5),
])
BOT_ONLY = ticket(2, [comment(REQUESTER, "where is search?"), comment(BOT, "Press /.", minute=1)])
USERS = [{"id": REQUESTER, "role": "end-user", "name": "Ana", "email": "ana@example.com", "locale": "es"},
         {"id": BOT, "role": "agent", "name": "Answer Bot"}, {"id": AGENT, "role": "agent", "name": "Sam"}]


def test_agent_reply_ends_the_conversation_and_labels_it() -> None:
    c = ticket_to_conversation(ESCALATED, bot_user_ids={BOT})
    assert c is not None and c.id == "zendesk-1"
    assert [m.role for m in c.messages] == ["customer", "ai", "customer"]
    assert c.label is not None and c.label.escalate and c.label.turn == 2
    assert c.channel == "chat"
    assert c.messages[0].sent_at is not None


def test_ticket_without_agent_reply_is_not_escalated() -> None:
    c = ticket_to_conversation(BOT_ONLY, bot_user_ids={BOT})
    assert c is not None and c.label is not None and not c.label.escalate


def test_without_a_bot_list_every_other_author_is_an_agent() -> None:
    c = ticket_to_conversation(BOT_ONLY)
    assert c is not None and c.label.escalate and c.label.turn == 0 and len(c.messages) == 1


def test_user_roles_decide_who_is_an_agent() -> None:
    cc = 4004
    t = ticket(3, [comment(REQUESTER, "hello"), comment(cc, "me too, same problem", minute=1), comment(AGENT, "On it", minute=2)])
    users = {u["id"]: u for u in USERS + [{"id": cc, "role": "end-user"}]}
    c = ticket_to_conversation(t, bot_user_ids={BOT}, users=users)
    assert [m.role for m in c.messages] == ["customer", "customer"] and c.label.turn == 1
    assert c.customer.email == "ana@example.com" and c.customer.language == "es"


def test_outbound_ticket_is_skipped_and_missing_comments_is_unlabelled() -> None:
    assert ticket_to_conversation(ticket(4, [comment(AGENT, "We noticed an issue")]), bot_user_ids={BOT}) is None
    c = ticket_to_conversation(ticket(5, None))
    assert c.label is None and c.messages[0].text == "first message"


def test_comments_api_response_is_accepted_as_is() -> None:
    t = ticket(6, None)
    t["comments"] = {"comments": BOT_ONLY["comments"], "next_page": None, "count": 2}
    c = ticket_to_conversation(t, bot_user_ids={BOT})
    assert len(c.messages) == 2


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_read_any_accepts_an_incremental_export_document(tmp_path: Path) -> None:
    doc = {"tickets": [ESCALATED, BOT_ONLY], "users": USERS, "end_time": 1772445600, "next_page": None,
           "end_of_stream": True, "count": 2}
    p = write(tmp_path, "export.json", json.dumps(doc, indent=2))
    assert detect_format(p) == "zendesk_json"
    convs = list(read_any(p, bot_user_ids={BOT}))
    assert [c.label.escalate for c in convs] == [True, False]


def test_read_any_accepts_jsonl_tickets_and_conversations(tmp_path: Path) -> None:
    p = write(tmp_path, "tickets.jsonl", json.dumps(ESCALATED) + "\n\n" + json.dumps(BOT_ONLY) + "\n")
    assert detect_format(p) == "zendesk_jsonl"
    assert len(list(read_any(p, bot_user_ids={BOT}))) == 2
    q = write(tmp_path, "convs.jsonl", json.dumps({"id": "c1", "messages": [{"role": "customer", "text": "hi"}]}) + "\n")
    assert detect_format(q) == "conversations"
    assert [c.id for c in read_any(q)] == ["c1"]


def test_errors_carry_the_line_number(tmp_path: Path) -> None:
    bad = dict(BOT_ONLY, comments=[{"body": "no author"}])
    p = write(tmp_path, "tickets.jsonl", json.dumps(ESCALATED) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(ConversationFileError) as e:
        list(read_any(p, bot_user_ids={BOT}))
    assert e.value.line == 2 and "author_id" in str(e.value)
    q = write(tmp_path, "broken.jsonl", json.dumps(ESCALATED) + "\n{not json\n")
    with pytest.raises(ConversationFileError) as e2:
        list(read_any(q))
    assert e2.value.line == 2


def test_broken_json_document_reports_its_line(tmp_path: Path) -> None:
    p = write(tmp_path, "export.json", '{"tickets": [\n  {"id": 1,\n  oops\n]}\n')
    with pytest.raises(ConversationFileError) as e:
        list(read_any(p))
    assert e.value.line == 3


def test_missing_file_is_a_conversation_file_error(tmp_path: Path) -> None:
    with pytest.raises(ConversationFileError):
        read_any(tmp_path / "nope.jsonl")

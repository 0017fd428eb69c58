"""Benchmark of the decision engine: microseconds per message at turn 10, 100 and 1000.

Drives `handoff.core.decide.step` directly on long synthetic conversations that never escalate (an
escalated conversation short-circuits, which would flatter the numbers), with the learned layer and
without it (rules only). Prints a table, or with `--json` one object: {"learned": {"us_per_message":
{"10": ..., "100": ..., "1000": ...}, "mean_us_per_message": ..., "messages_per_second": ...},
"rules_only": {...}}. `--cpu N` pins the process to one core.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handoff.core.decide import DecisionContext, TriggerSettings, initial_state, step  # noqa: E402
from handoff.core.models import Message  # noqa: E402

CUSTOMER = [
    "How do I add a teammate to the workspace?", "Where can I find the export button for reports?",
    "Can the dashboard show weekly totals instead of daily?", "Is there a keyboard shortcut for search?",
    "What file formats does the importer accept?", "How do I change the timezone of my project?",
    "Does the mobile app support dark mode?", "Can I rename a pipeline after creating it?",
    "Where do I set up single sign-on for my team?", "How many projects can a free workspace have?",
    "Is there a way to archive old boards?", "Can I schedule a report to go out every Monday?",
    "How do I connect the Slack integration?", "Which browsers do you support?",
    "Can guests comment on tasks without an account?", "How do I reorder columns in a table view?",
    "Where is the audit log kept?", "Can I duplicate a template for another client?",
    "How long do you keep deleted items in the trash?", "Is two-step login available on the basic plan?",
    "What is the maximum size of an attachment?", "Can I filter tasks by label and assignee together?",
    "How do I embed a chart in our wiki?", "Does the calendar sync with Outlook?",
    "How can I restore an earlier version of a document?", "Where do I change notification emails?",
    "Can I set a default view for new members?", "Is there an API endpoint for comments?",
    "How do I make a field required in a form?", "Can I print a board as a PDF?",
    "What does the green dot next to a name mean?", "How do I move a task to another project?",
]
AI = [
    "You can add teammates from Settings, Members, then Invite.", "The export button sits at the top right of every report.",
    "Yes: open the chart menu and pick Weekly as the interval.", "Press the slash key anywhere to open search.",
    "The importer reads CSV, XLSX and JSON files.", "Project timezone lives under Project settings, General.",
    "Dark mode is in the app under Profile, Appearance.", "Open the pipeline, click its name and type the new one.",
    "Single sign-on is configured by an admin under Security, SSO.", "A free workspace holds up to five projects.",
    "Boards can be archived from their menu, Archive board.", "Reports have a Schedule option in their menu.",
    "Go to Integrations, Slack, and press Connect.", "Current Chrome, Firefox, Safari and Edge are supported.",
    "Guests can comment when the board is shared with them.", "Drag a column header left or right to reorder it.",
    "Admins find the audit log under Security, Audit log.", "Templates have a Duplicate action in their menu.",
    "Deleted items stay in the trash for thirty days.", "Two-step login is available on every plan.",
    "Attachments can be up to two hundred and fifty megabytes.", "Yes: add both filters from the filter bar.",
    "Use Share, Embed, and paste the snippet into the wiki.", "Calendar sync with Outlook is under Integrations.",
    "Open the document history and choose Restore on a version.", "Notification emails are set in Profile, Notifications.",
    "Admins can set a default view under Workspace, Defaults.", "Comments have their own endpoint in the REST API.",
    "In the form editor, toggle Required on the field.", "Use Print from the board menu and save as PDF.",
    "The green dot means that person is online now.", "Open the task menu and choose Move to project.",
]
TURNS = (10, 100, 1000)


def conversation(n: int) -> list[Message]:
    """A never-escalating conversation of n messages alternating customer and AI."""
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(Message("customer", CUSTOMER[(i // 2) % len(CUSTOMER)], index=i))
        else:
            out.append(Message("ai", AI[(i // 2) % len(AI)], index=i, confidence=0.92))
    return out


def _one_round(msgs: list[Message], settings: TriggerSettings, ctx: DecisionContext) -> tuple[list[float], float]:
    clock = time.perf_counter
    state = initial_state()
    times = []
    t_start = clock()
    for i, m in enumerate(msgs):
        t0 = clock()
        state, decision = step(state, m, ctx, settings)
        times.append(clock() - t0)
        if decision.handoff:
            raise SystemExit(f"benchmark conversation escalated at message {i}: {decision.reasons}")
    return times, clock() - t_start


def run(rounds: int = 5, learned: bool = True) -> dict:
    """Time every step of `rounds` 1000-message conversations.

    Per turn: the mean of the twenty messages around it (ten customer, ten AI: a median would report one
    kind or the other), the median of the rounds' means. Messages per second: the median round's.
    """
    settings = TriggerSettings(learned={"enabled": learned})
    ctx = DecisionContext()
    msgs = conversation(max(TURNS) + 10)
    step(initial_state(), msgs[0], ctx, settings)  # compile the matchers, load the model and the detector
    _one_round(msgs[:100], settings, ctx)  # warm up
    per_round = [_one_round(msgs, settings, ctx) for _ in range(rounds)]
    per_turn = {}
    for turn in TURNS:
        lo, hi = max(0, turn - 10), turn + 10
        per_turn[str(turn)] = round(statistics.median(statistics.fmean(ts[lo:hi]) for ts, _ in per_round) * 1e6, 1)
    mean_us = statistics.median(statistics.fmean(ts) for ts, _ in per_round) * 1e6
    rate = statistics.median(len(msgs) / total for _, total in per_round)
    return {"us_per_message": per_turn, "mean_us_per_message": round(mean_us, 1), "messages_per_second": round(rate)}


def main() -> None:
    """Command line entry: table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cpu", type=int, help="pin the process to this core (Linux)")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    result = {"learned": run(args.rounds, True), "rules_only": run(args.rounds, False)}
    if args.json:
        print(json.dumps(result))
        return
    a, b = result["learned"], result["rules_only"]
    print(f"{'turn':>6}  {'us/message':>10}  {'rules only':>10}")
    for turn in a["us_per_message"]:
        print(f"{turn:>6}  {a['us_per_message'][turn]:>10.1f}  {b['us_per_message'][turn]:>10.1f}")
    print(f"{'mean':>6}  {a['mean_us_per_message']:>10.1f}  {b['mean_us_per_message']:>10.1f}")
    print(f"{'msg/s':>6}  {a['messages_per_second']:>10}  {b['messages_per_second']:>10}")
    flat = a["us_per_message"]["1000"] / a["us_per_message"]["10"]
    print(f"turn 1000 / turn 10 (learned layer on): {flat:.2f}x")


if __name__ == "__main__":
    main()

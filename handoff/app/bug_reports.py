"""The bug report a new handoff files in Linear (handoff.core.bug_report), as an outbox row stored with the
handoff, its ticket and its alert: queued only when `[linear]` has a team and the case is one."""
from __future__ import annotations

from datetime import datetime

from handoff.app.packaging import Package, transcript_url
from handoff.core.bug_report import BugRules, build_report, is_bug_report
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import LinearIssue, payload_json
from handoff.settings import Settings
from handoff.storage.tables import DeliveryRow


def bug_rules(settings: Settings) -> BugRules:
    """`[linear]`'s rules for what a bug report is and what it may say."""
    return BugRules(product_areas=tuple(settings.linear.product_areas),
                    include_customer_name=settings.linear.include_customer_name)


def bug_report_row(pkg: Package, *, handoff_id: str, settings: Settings, targets: dict[str, str],
                   now: datetime) -> DeliveryRow | None:
    """The `linear_issue` row of this handoff (dedupe key `<hid>:linear`), or None when it is no bug report or
    bug reports are off (no `[linear] team_id`, or no target for them)."""
    target = targets.get(DeliveryKind.LINEAR_ISSUE)
    team = settings.linear.team_id
    rules = bug_rules(settings)
    if not (target and team) or not is_bug_report(pkg.briefing, rules):
        return None
    report = build_report(pkg.briefing, handoff_id, rules)
    payload = LinearIssue(handoff_id=handoff_id, signature=report.signature, title=report.title,
                          description=report.description, comment=report.comment,
                          handoff_url=transcript_url(settings.service.public_url, handoff_id), team_id=team,
                          label_ids=tuple(settings.linear.label_ids))
    return DeliveryRow(handoff_id=handoff_id, kind=DeliveryKind.LINEAR_ISSUE, target=target,
                       payload=payload_json(payload), dedupe_key=f"{handoff_id}:linear", status="pending", attempts=0,
                       next_attempt_at=now, created_at=now, updated_at=now)

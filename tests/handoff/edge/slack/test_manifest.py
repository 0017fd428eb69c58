"""slack-app-manifest.yml, the README and the Slack app agree on what Slack calls Handoff for."""
from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[4]


def test_the_manifest_subscribes_to_what_the_app_handles_and_the_readme_says():
    manifest = yaml.safe_load((REPO / "slack-app-manifest.yml").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/handoff" and command["url"].endswith("/slack/events")
    assert manifest["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    # the app registers a command and button actions only (handoff.edge.slack.app): no events to subscribe to
    assert "event_subscriptions" not in manifest["settings"]
    assert "subscribes to no events" in readme
    source = (REPO / "handoff" / "edge" / "slack" / "app.py").read_text(encoding="utf-8")
    assert "app.event(" not in source and "app.message(" not in source

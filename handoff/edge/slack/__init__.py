"""The Slack app: alerts' buttons, `/handoff` and its replies."""

"""Local fake servers that answer like Zendesk, Slack, Stripe and HubSpot (modelled on their real payloads)."""

"""The Zendesk webhook endpoint."""

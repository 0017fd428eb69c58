"""The edges people and vendors meet: the HTTP API, the command line, the Slack app and the Zendesk webhook."""

"""Files and payloads read from outside: conversation files, Zendesk exports and webhook events."""

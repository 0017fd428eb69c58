"""The briefing a human gets: what happened, who the customer is, what to do next."""

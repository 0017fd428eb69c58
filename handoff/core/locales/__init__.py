"""Every customer- and agent-facing text table, per language (en, es, fr, de, pt)."""

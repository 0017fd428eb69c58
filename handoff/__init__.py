"""Handoff: decide when an AI support agent must hand a customer to a human, and do it well."""

__version__ = "0.1.0"

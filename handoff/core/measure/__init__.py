"""Measures of handoffs: analytics for `stats` and the quality score."""

"""Use cases over ports: turns and handoffs, follow-ups, history, stats, erasure, training and back-tests."""

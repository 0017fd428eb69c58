"""Helpers for tests and benchmarks: a clock to drive, processes to start and wait on, shipped settings, big conversations."""

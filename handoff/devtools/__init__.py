"""Development tools the tests and the benchmarks share: local fake vendor servers and test helpers.

Nothing in the service imports them (an import-linter contract in pyproject.toml holds it to that).
"""

"""One module per outside system, each behind a small interface, each raising the project's own errors."""

"""The HTTP edge: the FastAPI app, its limits and guards, and serving it with several workers."""

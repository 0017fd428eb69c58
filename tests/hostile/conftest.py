"""Shared pieces of the hostile-input suite."""
from __future__ import annotations

from typing import Any



def hostile_app(rt: Any, *, jobs: bool = False) -> Any:
    """The runtime's app as served."""
    return rt.app(jobs=jobs)


class BlockingClient:
    """An httpx client on an ASGI app, callable from sync code (Hypothesis tests) through an anyio portal."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __enter__(self) -> BlockingClient:
        import httpx
        from anyio.from_thread import start_blocking_portal

        self._portal_cm = start_blocking_portal()
        self.portal = self._portal_cm.__enter__()
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://handoff.test")
        return self

    def post(self, url: str, **kwargs: Any) -> Any:
        """POST and wait for the answer."""
        return self.portal.call(lambda: self.client.post(url, **kwargs))

    def __exit__(self, *exc: Any) -> None:
        self.portal.call(self.client.aclose)
        self._portal_cm.__exit__(*exc)

"""`/docs` and `/redoc` work without internet: every script, style and image they load is served here."""
from __future__ import annotations

import re

import httpx
import pytest

from handoff.bootstrap import build_runtime


@pytest.fixture
def runtime(make_config):
    rt = build_runtime(make_config())
    yield rt
    rt.close()


def _references(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*['"]([^'"]+)['"]""", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_documentation_pages_load_only_local_assets(runtime, page):
    transport = httpx.ASGITransport(app=runtime.app(jobs=False), client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        r = await c.get(page)
        assert r.status_code == 200
        refs = [a or b for a, b in _references(r.text)]
        assert refs, r.text
        assert not re.search(r"https?://", r.text.replace("http://t", "")), "an absolute URL: it needs internet"
        for ref in refs:
            assert ref.startswith("/"), ref
            asset = await c.get(ref)
            assert asset.status_code == 200, ref
            assert len(asset.content) > 100
    if page == "/docs":
        assert '"validatorUrl": null' in r.text  # no badge fetched from validator.swagger.io

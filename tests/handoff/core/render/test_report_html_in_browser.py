"""The HTML stats report drawn for real by headless Chromium (skipped, saying why, without it)."""
from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest

from handoff.core.render.report_html import first_response_histogram, quality_histogram, render_report
from tests.handoff.core.render.report_pages import (
    CHARTS,
    CHROMIUM,
    FIRST_RESPONSES,
    NOW,
    QUALITY,
    parse_dom,
    sample_page,
    sample_stats,
)


# ---- drawn by a real browser ----------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    cmd = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True,
                          env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})


@needs_chromium
def test_chromium_draws_every_chart(tmp_path: Path) -> None:
    stats = sample_stats()
    page = tmp_path / "report.html"
    page.write_text(sample_page(stats), encoding="utf-8")
    dumped = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    d = parse_dom(dumped)
    assert d.elements[0][1].get("data-measured") == "true"  # the measuring script ran under the page's CSP
    assert set(d.figures) == set(CHARTS)
    expected_marks = {
        "rate": len(stats["timeline"]) + 1,  # every point and the line
        "reasons": len(stats["by_reason"]),
        "categories": len(stats["by_category"]),
        "signals": len(stats["signals"]["pages"]),
        "first-response": sum(1 for n in first_response_histogram(FIRST_RESPONSES) if n),
        "quality": sum(1 for n in quality_histogram(QUALITY) if n),
    }
    for chart, fig in d.figures.items():
        assert int(fig["data-drawn-marks"]) == expected_marks[chart], chart
        assert float(fig["data-drawn-width"]) > 200 and float(fig["data-drawn-height"]) > 50, (chart, fig)


@needs_chromium
def test_chromium_measures_an_empty_report_as_drawing_nothing(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text(render_report({}, first_response_seconds=[], quality_scores=[], generated_at=NOW), "utf-8")
    d = parse_dom(_chromium(tmp_path, "--dump-dom", page.as_uri()).stdout)
    assert d.elements[0][1].get("data-measured") == "true"
    assert {c: f["data-drawn-marks"] for c, f in d.figures.items()} == {c: "0" for c in CHARTS}


@needs_chromium
def test_chromium_screenshot_is_a_full_size_png(tmp_path: Path) -> None:
    page, png = tmp_path / "report.html", tmp_path / "report.png"
    page.write_text(sample_page(), encoding="utf-8")
    _chromium(tmp_path, "--hide-scrollbars", f"--screenshot={png}", "--window-size=1200,2400", page.as_uri())
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 2400)
    assert len(data) > 20_000  # a blank page compresses to a few KB; charts and text do not

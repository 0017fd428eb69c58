"""Draw the app's logos (assets/logo.png 320×320, assets/logo-small.png 128×128) with the standard library only.

Run `python apps/zendesk-sidebar/tools/logos.py` to redraw them: a blue disc with a white "H".
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "assets"
BLUE, WHITE = (31, 115, 183, 255), (255, 255, 255, 255)


def pixel(x: float, y: float) -> tuple[int, int, int, int]:
    """The colour at (x, y) in a unit square."""
    if (x - 0.5) ** 2 + (y - 0.5) ** 2 > 0.25:
        return (0, 0, 0, 0)
    in_h = (0.3 <= x <= 0.4 or 0.6 <= x <= 0.7) and 0.27 <= y <= 0.73 or 0.3 <= x <= 0.7 and 0.46 <= y <= 0.54
    return WHITE if in_h else BLUE


def png(size: int) -> bytes:
    """A size×size RGBA PNG of the logo."""
    rows = b"".join(b"\0" + b"".join(bytes(pixel((i + 0.5) / size, (j + 0.5) / size)) for i in range(size))
                    for j in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    (ASSETS / "logo.png").write_bytes(png(320))
    (ASSETS / "logo-small.png").write_bytes(png(128))

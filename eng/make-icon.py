"""Writes eng/icon.png, the packages' icon: a white theta (a ring crossed by a bar) on a blue rounded square, 128x128.

Run from the repository root: python3 eng/make-icon.py. Standard library only; the output is deterministic.
"""
import struct
import zlib

SIZE = 128
BACKGROUND = (0x1F, 0x4E, 0x8C)
FOREGROUND = (0xFF, 0xFF, 0xFF)


def pixel(x, y):
    cx = cy = (SIZE - 1) / 2
    # Rounded square: transparent outside corners of radius 20.
    r = 20
    dx = max(r - x, 0, x - (SIZE - 1 - r))
    dy = max(r - y, 0, y - (SIZE - 1 - r))
    if dx * dx + dy * dy > r * r:
        return (0, 0, 0, 0)
    # The theta: an ellipse ring and a horizontal bar inside it.
    ex, ey = (x - cx) / 34, (y - cy) / 46
    d = (ex * ex + ey * ey) ** 0.5
    ring = 0.78 <= d <= 1.0
    bar = abs(y - cy) <= 6 and abs(x - cx) <= 30
    return FOREGROUND + (255,) if ring or bar else BACKGROUND + (255,)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(SIZE)) for y in range(SIZE))
png = (
    b"\x89PNG\r\n\x1a\n"
    + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(rows, 9))
    + chunk(b"IEND", b"")
)
with open("eng/icon.png", "wb") as f:
    f.write(png)

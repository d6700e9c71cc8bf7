"""Draw the app icons into pwa/public/icons/ (run from the repo root: .venv/bin/python pwa/scripts/make_icons.py).

A white open book on the theme's teal. The "any" icons fill the square with rounded corners; the
maskable one keeps the book inside the central 80 % safe zone and fills the whole square, because the
launcher cuts its own shape out of it. Re-run after changing the colours; commit the PNGs.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

THEME = (15, 118, 110)  # #0f766e, the manifest's theme_color
PAPER = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"
SCALE = 4  # draw large, then downsample: smooth edges without an antialiasing library


def book(draw: ImageDraw.ImageDraw, size: int, inset: float) -> None:
    """An open book centred in the square, `inset` (fraction of size) away from each edge."""
    left, top = size * inset, size * (inset + 0.08)
    right, bottom = size - left, size - top
    mid = size / 2
    gap = size * 0.02
    radius = size * 0.03
    draw.rounded_rectangle((left, top, mid - gap, bottom), radius, fill=PAPER)
    draw.rounded_rectangle((mid + gap, top, right, bottom), radius, fill=PAPER)
    line = max(2, int(size * 0.018))
    for i in range(1, 5):
        y = top + (bottom - top) * i / 5.5
        draw.line((left + size * 0.05, y, mid - gap - size * 0.05, y), fill=THEME, width=line)
        draw.line((mid + gap + size * 0.05, y, right - size * 0.05, y), fill=THEME, width=line)


def icon(size: int, maskable: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=THEME)
        book(draw, big, 0.25)
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), big * 0.18, fill=THEME)
        book(draw, big, 0.16)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    # iOS ignores transparency and the manifest: a full-bleed 180 px icon for the home screen.
    icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(OUT.parent.parent), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

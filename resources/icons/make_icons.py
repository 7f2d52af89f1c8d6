#!/usr/bin/env python3
"""Draw zsdesk's application icon: a white 招 on a deep-red rounded square,
with three rising gold bars (a ledger that grows) in the lower right.

Writes, beside this script:

* ``zsdesk.png`` (256×256) and ``zsdesk-{16,32,48,64,128}.png``,
* ``zsdesk.ico`` with 16, 24, 32, 48, 64, 128 and 256 pixel images.

Uses Pillow (a Matplotlib dependency) and the bundled bold font
(``resources/fonts/NotoSansSC-Bold-GBK.otf``, build it first with
``make_subset.py``)::

    python resources/icons/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "NotoSansSC-Bold-GBK.otf"

MASTER = 1024  # drawn large, then scaled down with a good filter
TOP = (200, 40, 40)  # gradient of the square, top to bottom
BOTTOM = (150, 18, 24)
GOLD = (255, 200, 64)
WHITE = (255, 255, 255)
PNG_SIZES = (16, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def draw_master() -> Image.Image:
    size = MASTER
    margin = round(size * 0.04)
    radius = round(size * 0.2)

    # Vertical gradient, masked to a rounded square.
    gradient = Image.new("RGBA", (size, size))
    px = ImageDraw.Draw(gradient)
    for y in range(size):
        t = y / (size - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM))
        px.line([(0, y), (size, y)], fill=(*colour, 255))
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (margin, margin, size - 1 - margin, size - 1 - margin), radius=radius, fill=255
    )
    icon = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    icon.paste(gradient, (0, 0), mask)

    draw = ImageDraw.Draw(icon)
    # 招, centred a little up and left to leave room for the bars.
    font = ImageFont.truetype(str(FONT), round(size * 0.58))
    text = "招"
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    cx, cy = size * 0.43, size * 0.43
    draw.text((cx - (left + right) / 2, cy - (top + bottom) / 2), text, font=font, fill=WHITE)

    # Three rising bars in the lower right.
    bar_w = size * 0.06
    gap = size * 0.025
    base = size * 0.85
    x0 = size * 0.67
    for i, h in enumerate((0.07, 0.12, 0.17)):
        x = x0 + i * (bar_w + gap)
        draw.rounded_rectangle(
            (x, base - size * h, x + bar_w, base), radius=round(bar_w * 0.25), fill=GOLD
        )
    return icon


def main() -> None:
    master = draw_master()
    images = {s: master.resize((s, s), Image.Resampling.LANCZOS) for s in ICO_SIZES}
    for s in PNG_SIZES:
        name = "zsdesk.png" if s == 256 else f"zsdesk-{s}.png"
        images[s].save(HERE / name, optimize=True)
    images[256].save(
        HERE / "zsdesk.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != 256],
    )
    print("wrote", ", ".join(p.name for p in sorted(HERE.glob("zsdesk*"))))


if __name__ == "__main__":
    main()

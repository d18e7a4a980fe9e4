"""The site's mark, drawn once from one description: the favicon set, the app icons, the default share image
and the SVG icon all come from `MARK` below, in the site's colours (static/css/portal.css).

Two linked rings (people working together as equals) on the brand blue. `python manage.py make_brand_icons`
writes every file to static/brand/; the files are committed, and a test checks they match this source.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = "#0b4f8a"  # --brand
PAPER = "#ffffff"  # --paper
FOCUS = "#ffbf47"  # --focus

# The mark on a 512 × 512 canvas: a rounded square and two rings (centre x, centre y, radius, colour).
CANVAS = 512
CORNER = 96
RING_WIDTH = 40
RINGS = [(200, 256, 112, PAPER), (312, 256, 112, FOCUS)]

# File name -> (size, maskable). A maskable icon fills its whole square (the platform cuts the shape) and
# keeps the rings inside the central safe zone.
PNG_ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),
}
FAVICON_SIZES = [(16, 16), (32, 32), (48, 48)]
SHARE_SIZE = (1200, 630)
SUPERSAMPLE = 4  # drawn this many times larger, then reduced, for smooth edges


def svg(maskable=False):
    """The mark as SVG text (what browsers that take SVG icons show)."""
    corner = 0 if maskable else CORNER
    rings = "".join(
        f'<circle cx="{x}" cy="{y}" r="{r - RING_WIDTH / 2:g}" fill="none" stroke="{colour}" '
        f'stroke-width="{RING_WIDTH}"/>'
        for x, y, r, colour in RINGS
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CANVAS} {CANVAS}">'
        f'<rect width="{CANVAS}" height="{CANVAS}" rx="{corner}" fill="{BRAND}"/>{rings}</svg>\n'
    )


def draw_mark(size, maskable=False):
    """The mark as an RGBA image of `size` × `size` pixels."""
    big = size * SUPERSAMPLE
    scale = big / CANVAS
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    corner = 0 if maskable else CORNER
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=round(corner * scale), fill=BRAND)
    # In a maskable icon the rings shrink to 80 % around the centre, the zone every mask keeps.
    shrink = 0.8 if maskable else 1.0
    for x, y, r, colour in RINGS:
        cx = (CANVAS / 2 + (x - CANVAS / 2) * shrink) * scale
        cy = (CANVAS / 2 + (y - CANVAS / 2) * shrink) * scale
        radius = r * shrink * scale
        draw.ellipse(
            (cx - radius, cy - radius, cx + radius, cy + radius),
            outline=colour,
            width=round(RING_WIDTH * shrink * scale),
        )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def draw_share_image(name):
    """The default picture for shared links: the mark and the organisation's name on the brand blue."""
    width, height = SHARE_SIZE
    image = Image.new("RGB", SHARE_SIZE, BRAND)
    mark = draw_mark(360)
    image.paste(mark, (90, (height - 360) // 2), mark)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=64)
    lines = _wrap(draw, name, font, width - 540)
    line_height = 80
    top = (height - line_height * len(lines)) // 2
    for number, line in enumerate(lines):
        draw.text((510, top + number * line_height), line, fill=PAPER, font=font)
    return image


def _wrap(draw, text, font, max_width):
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=font) > max_width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def write_all(folder, name):
    """Writes every icon file into `folder`; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    path = folder / "icon.svg"
    path.write_text(svg())
    written.append(path)
    for filename, (size, maskable) in PNG_ICONS.items():
        path = folder / filename
        draw_mark(size, maskable).save(path, optimize=True)
        written.append(path)
    path = folder / "favicon.ico"
    draw_mark(48).save(path, sizes=FAVICON_SIZES)
    written.append(path)
    path = folder / "share.png"
    draw_share_image(name).save(path, optimize=True)
    written.append(path)
    return written

"""Branded image cards: a headline on the brand's post template, sized for each network.

Each brand has a post design template (`CardDesign`) so its posts stand out in the feed; a card
is a PNG of the headline drawn on that template at a network's size (`CardFormat`). The fonts
ship in `generators/fonts/` (DejaVu Sans, Latin and Cyrillic), so rendering needs no network and
no system fonts, and the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from brand_voice.design import MIN_CONTRAST, CardDesign, FontName, contrast, decode_logo
from storage.enums import Platform

Box = tuple[int, int, int, int]

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES: dict[FontName, str] = {"sans": "DejaVuSans.ttf", "sans-bold": "DejaVuSans-Bold.ttf"}

TEXT_HEAVY = 0.2  # Facebook's old "20 % text" ad-image guideline
MARGIN = 0.08  # side margins as a share of the card's width (at least 6 %)
MAX_LINES = 6

ELLIPSIS = "…"
LINE_PITCH = 1.18  # line advance as a multiple of the font size
SIZE_STEP = 2


class CardFormat(StrEnum):
    """The picture shapes social networks show best."""

    SQUARE = "square"
    PORTRAIT = "portrait"
    STORY = "story"
    LANDSCAPE = "landscape"


SIZES: dict[CardFormat, tuple[int, int]] = {
    CardFormat.SQUARE: (1080, 1080),
    CardFormat.PORTRAIT: (1080, 1350),
    CardFormat.STORY: (1080, 1920),
    CardFormat.LANDSCAPE: (1200, 630),
}

# Meta's feeds (Instagram, Facebook, Threads) and Pinterest show a 4:5 picture uncropped and it
# takes the most room in the feed. VK, OK, Telegram, X and LinkedIn show a square uncropped on
# every client (taller pictures get cropped in previews or push the caption off the screen).
# TikTok and YouTube Shorts are full-screen vertical. A link preview (og:image) is 1200x630.
_DEFAULT_FORMATS: dict[Platform, CardFormat] = {
    Platform.INSTAGRAM: CardFormat.PORTRAIT,
    Platform.FACEBOOK: CardFormat.PORTRAIT,
    Platform.THREADS: CardFormat.PORTRAIT,
    Platform.PINTEREST: CardFormat.PORTRAIT,
    Platform.VK: CardFormat.SQUARE,
    Platform.OK: CardFormat.SQUARE,
    Platform.TELEGRAM: CardFormat.SQUARE,
    Platform.X: CardFormat.SQUARE,
    Platform.LINKEDIN: CardFormat.SQUARE,
    Platform.TIKTOK: CardFormat.STORY,
    Platform.YOUTUBE: CardFormat.STORY,
}


def default_format(platform: Platform, *, link_preview: bool = False) -> CardFormat:
    """The card shape a platform shows best; a link preview is always landscape."""
    return CardFormat.LANDSCAPE if link_preview else _DEFAULT_FORMATS[platform]


@dataclass(frozen=True)
class Card:
    """A rendered card: the PNG, its size, how much of it is text, the headline as wrapped."""

    png: bytes
    width: int
    height: int
    text_share: float
    lines: list[str]
    font_size: int

    @property
    def text_heavy(self) -> bool:
        """More than TEXT_HEAVY of the picture is text: as an ad it will cost more per click."""
        return self.text_share > TEXT_HEAVY


@lru_cache(maxsize=256)
def load_font(name: FontName, size: int) -> ImageFont.FreeTypeFont:
    """A shipped font at a size, with the basic layout so measurements match on every machine."""
    path = FONTS_DIR / FONT_FILES[name]
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def _glyph_image(name: FontName, char: str) -> bytes:
    """A character drawn at a fixed small size, to compare glyphs."""
    image = Image.new("L", (48, 48))
    ImageDraw.Draw(image).text((8, 8), char, font=load_font(name, 24), fill=255)
    return image.tobytes()


@lru_cache(maxsize=4096)
def _has_glyph(name: FontName, char: str) -> bool:
    """Whether the font draws the character (and not its empty-box placeholder)."""
    return _glyph_image(name, char) != _glyph_image(name, "\U0010fffd")


def drawable(text: str, name: FontName) -> str:
    """The text in NFC with the characters the font lacks (colour emoji) dropped."""
    kept = "".join(
        c for c in unicodedata.normalize("NFC", text) if c.isspace() or _has_glyph(name, c)
    )
    return "\n".join(" ".join(line.split()) for line in kept.splitlines())


def _hyphenated(word: str, cut: int) -> str:
    """The first `cut` characters of the word ending in a hyphen."""
    return word[:cut] if word[cut - 1] == "-" else word[:cut] + "-"


def _split_word(word: str, font: ImageFont.FreeTypeFont, width: int) -> tuple[str, str]:
    """The longest head of the word that fits with a hyphen (at least one letter), and the rest."""
    low, high = 1, len(word) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(_hyphenated(word, middle)) <= width:
            low = middle
        else:
            high = middle - 1
    return _hyphenated(word, low), word[low:]


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> tuple[list[str], int]:
    """Greedy word wrap measured with the font; words wider than a line are hyphen-broken."""
    lines: list[str] = []
    breaks = 0
    for paragraph in text.splitlines():
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while font.getlength(word) > width:
                head, word = _split_word(word, font, width)
                lines.append(head)
                breaks += 1
            line = word
        if line:
            lines.append(line)
    return lines, breaks


def _pitch(size: int) -> int:
    """The distance between two lines' baselines."""
    return round(size * LINE_PITCH)


def cap_height(font: ImageFont.FreeTypeFont) -> int:
    """How far capitals rise above the baseline."""
    return -int(font.getbbox("H", anchor="ls")[1])


def _block_height(font: ImageFont.FreeTypeFont, count: int) -> int:
    """The height of `count` lines, from the first line's cap height to the last descender."""
    return cap_height(font) + _pitch(int(font.size)) * (count - 1) + font.getmetrics()[1]


def _ellipsized(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """The text ending in an ellipsis, cut at a word (or a character) to fit the width."""
    words = text.split()
    while len(words) > 1 and font.getlength(" ".join(words) + ELLIPSIS) > width:
        words.pop()
    cut = " ".join(words)
    while cut and font.getlength(cut.rstrip(",.;:-–— ") + ELLIPSIS) > width:
        cut = cut[:-1]
    return cut.rstrip(",.;:-–— ") + ELLIPSIS


def _fit_line(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """The text as is when it fits the width, otherwise cut with an ellipsis."""
    return text if font.getlength(text) <= width else _ellipsized(text, font, width)


def _truncated(lines: list[str], font: ImageFont.FreeTypeFont, width: int, count: int) -> list[str]:
    """The first `count` lines, the last one ending in an ellipsis."""
    return [*lines[: count - 1], _ellipsized(lines[count - 1], font, width)]


@dataclass(frozen=True)
class _Fit:
    """A headline laid out at one font size."""

    size: int
    lines: list[str]
    breaks: int


def _fit_headline(text: str, name: FontName, box: tuple[int, int], sizes: tuple[int, int]) -> _Fit:
    """The largest size (with the fewest hyphen breaks) at which the headline fits the box."""
    width, height = box
    largest, smallest = sizes
    best: _Fit | None = None
    for size in range(largest, smallest - 1, -SIZE_STEP):
        font = load_font(name, size)
        lines, breaks = wrap(text, font, width)
        fits = len(lines) <= MAX_LINES and _block_height(font, len(lines)) <= height
        if fits and (best is None or breaks < best.breaks):
            best = _Fit(size, lines, breaks)
            if breaks == 0:
                break
    if best is not None:
        return best
    font = load_font(name, smallest)
    lines, breaks = wrap(text, font, width)
    room = min(MAX_LINES, 1 + (height - _block_height(font, 1)) // _pitch(smallest))
    return _Fit(smallest, _truncated(lines, font, width, max(room, 1)), breaks)


@dataclass(frozen=True)
class Frame:
    """Where things go on a card of one format."""

    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    meta_size: int
    logo_height: int
    band: int

    @property
    def text_width(self) -> int:
        """The width of the text area."""
        return self.width - self.left - self.right


def frame(fmt: CardFormat) -> Frame:
    """The margins and element sizes of a format; stories keep clear of the app's own overlays."""
    width, height = SIZES[fmt]
    side = round(MARGIN * width)
    top = bottom = side if fmt != CardFormat.LANDSCAPE else round(0.09 * height)
    right = side
    if fmt == CardFormat.STORY:
        top, bottom, right = round(0.13 * height), round(0.18 * height), round(0.14 * width)
    return Frame(
        width=width,
        height=height,
        left=side,
        top=top,
        right=right,
        bottom=bottom,
        meta_size=round(0.03 * width),
        logo_height=round(0.065 * width),
        band=max(6, round(0.014 * min(width, height))),
    )


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    font: ImageFont.FreeTypeFont,
    fill: str,
) -> Box:
    """Draws a line from its left end on the baseline and returns its bounding box."""
    draw.text(xy, text, font=font, fill=fill, anchor="ls")
    left, top, right, bottom = draw.textbbox(xy, text, font=font, anchor="ls")
    return (int(left), int(top), int(right), int(bottom))


def _logo_image(design: CardDesign, height: int, max_width: int) -> Image.Image | None:
    """The brand's logo scaled to the header height, or None."""
    if not design.logo_png_base64:
        return None
    logo = decode_logo(design.logo_png_base64).convert("RGBA")
    scale = min(height / logo.height, max_width / logo.width)
    size = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
    return logo.resize(size, Image.Resampling.LANCZOS)


def _header(image: Image.Image, design: CardDesign, fr: Frame) -> tuple[int, list[Box]]:
    """Draws the logo and the wordmark in the top-left corner; returns their bottom and boxes."""
    draw = ImageDraw.Draw(image)
    x, boxes = fr.left, []
    logo = _logo_image(design, fr.logo_height, fr.text_width // 2)
    height = logo.height if logo else 0
    if logo is not None:
        image.paste(logo, (x, fr.top), logo)
        x += logo.width + fr.meta_size // 2
    if design.logo_text:
        font = load_font("sans-bold", fr.meta_size)
        text = _fit_line(drawable(design.logo_text, "sans-bold"), font, fr.width - fr.right - x)
        cap = cap_height(font)
        y = fr.top + (max(height, cap) + cap) // 2
        boxes.append(_text(draw, (x, y), text, font, _wordmark_colour(design)))
        height = max(height, cap)
    return fr.top + height, boxes


def _wordmark_colour(design: CardDesign) -> str:
    """The accent when it reads well on the background, the foreground otherwise."""
    readable = contrast(design.accent, design.background) >= MIN_CONTRAST
    return design.accent if readable else design.foreground


def _footer(draw: ImageDraw.ImageDraw, design: CardDesign, fr: Frame, name: str) -> list[Box]:
    """Draws the brand name small at the bottom left."""
    font = load_font("sans", fr.meta_size)
    text = _fit_line(drawable(name, "sans"), font, fr.text_width)
    if not text:
        return []
    return [_text(draw, (fr.left, fr.height - fr.bottom), text, font, design.foreground)]


def _union_area(boxes: list[Box], size: tuple[int, int]) -> int:
    """The area covered by the union of boxes, in pixels."""
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    for left, top, right, bottom in boxes:
        if right > left and bottom > top:
            draw.rectangle((left, top, right - 1, bottom - 1), fill=255)
    return mask.histogram()[255]


def _png(image: Image.Image) -> bytes:
    """The image as an optimised PNG."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _headline(
    draw: ImageDraw.ImageDraw,
    text: str,
    design: CardDesign,
    fr: Frame,
    header_bottom: int,
    has_footer: bool,
) -> tuple[_Fit, list[Box]]:
    """Fits the headline between header and footer with an accent rule above it, and draws it."""
    gap = 2 * fr.meta_size
    top = header_bottom + gap if header_bottom > fr.top else fr.top
    bottom = fr.height - fr.bottom - (fr.meta_size + gap if has_footer else 0)
    rule_height = max(4, round(0.009 * fr.width))
    rule_gap = 3 * rule_height
    sizes = (round(0.1 * fr.width), round(0.04 * fr.width))
    box = (fr.text_width, bottom - top - rule_height - rule_gap)
    fit = _fit_headline(text, design.font, box, sizes)
    font = load_font(design.font, fit.size)
    block = rule_height + rule_gap + _block_height(font, len(fit.lines))
    y = top + max(0, (bottom - top - block) // 2)
    rule = (fr.left, y, fr.left + round(0.12 * fr.width), y + rule_height - 1)
    draw.rectangle(rule, fill=design.accent)
    y += rule_height + rule_gap + cap_height(font)
    boxes = []
    for index, line in enumerate(fit.lines):
        boxes.append(
            _text(draw, (fr.left, y + index * _pitch(fit.size)), line, font, design.foreground)
        )
    return fit, boxes


def render_card(headline: str, design: CardDesign, fmt: CardFormat, brand_name: str = "") -> Card:
    """Renders a headline on the brand's template at the format's size.

    `text_share` is the union area of the drawn text's bounding boxes (headline, wordmark and
    brand name) over the image area. Ad networks show text-heavy pictures less and so charge
    more per click for them; Facebook's old rule rejected ads with more than 20 % text, and
    that figure (`TEXT_HEAVY`) stays a useful threshold: see `Card.text_heavy`.
    """
    text = drawable(headline, design.font)
    if not text.strip():
        raise ValueError("the headline has no drawable text")
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        raise ValueError("right-to-left headlines (Hebrew, Arabic) are not supported yet")
    fr = frame(fmt)
    image = Image.new("RGB", (fr.width, fr.height), design.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, fr.height - fr.band, fr.width, fr.height), fill=design.accent)
    header_bottom, boxes = _header(image, design, fr)
    footer = _footer(draw, design, fr, brand_name)
    fit, lines = _headline(draw, text, design, fr, header_bottom, bool(footer))
    boxes += footer + lines
    share = _union_area(boxes, image.size) / (fr.width * fr.height)
    return Card(_png(image), fr.width, fr.height, share, fit.lines, fit.size)

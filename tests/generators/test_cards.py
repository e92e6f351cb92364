"""Branded image cards: sizes, word wrapping with the real font, text share, design validation."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image, ImageChops, ImageFont
from pydantic import ValidationError

from brand_voice.design import CardDesign
from generators.cards import (
    FONTS_DIR,
    MAX_LINES,
    SIZES,
    TEXT_HEAVY,
    Card,
    CardFormat,
    default_format,
    frame,
    render_card,
)
from storage.enums import Platform

RU = "Новый сезонный лот из Эфиопии: как заварить его дома в воронке, аэропрессе и френч-прессе"
LONG_WORD = "Превысокомногорассмотрительствующий" * 3
RED = (255, 0, 0)


def _png(
    size: tuple[int, int], colour: tuple[int, ...], mode: str = "RGB", fmt: str = "PNG"
) -> str:
    """A solid picture, base64-encoded."""
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format=fmt)
    return base64.b64encode(buffer.getvalue()).decode()


def _image(card: Card) -> Image.Image:
    """The card's PNG, opened."""
    image = Image.open(io.BytesIO(card.png))
    assert image.format == "PNG"
    return image.convert("RGB")


def _font(card: Card) -> ImageFont.FreeTypeFont:
    """The shipped bold font at the size the card's headline was set in."""
    path = FONTS_DIR / "DejaVuSans-Bold.ttf"
    return ImageFont.truetype(str(path), card.font_size, layout_engine=ImageFont.Layout.BASIC)


def test_the_fonts_and_their_license_ship_in_the_package() -> None:
    names = {path.name for path in FONTS_DIR.iterdir()}
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"} <= names
    assert "Bitstream Vera" in (FONTS_DIR / "LICENSE").read_text()


@pytest.mark.parametrize(
    ("fmt", "size"),
    [
        (CardFormat.SQUARE, (1080, 1080)),
        (CardFormat.PORTRAIT, (1080, 1350)),
        (CardFormat.STORY, (1080, 1920)),
        (CardFormat.LANDSCAPE, (1200, 630)),
    ],
)
def test_every_format_gives_a_png_of_its_exact_size(fmt: CardFormat, size: tuple[int, int]) -> None:
    card = render_card("Кофе недели", CardDesign(logo_text="ЗЕРНО"), fmt, brand_name="Зерно")
    assert SIZES[fmt] == size
    assert (card.width, card.height) == size
    assert _image(card).size == size


def test_each_platform_has_a_default_format() -> None:
    formats = {platform: default_format(platform) for platform in Platform}
    assert formats[Platform.INSTAGRAM] == CardFormat.PORTRAIT
    assert formats[Platform.PINTEREST] == CardFormat.PORTRAIT
    assert formats[Platform.TIKTOK] == CardFormat.STORY
    assert formats[Platform.TELEGRAM] == CardFormat.SQUARE
    assert default_format(Platform.VK, link_preview=True) == CardFormat.LANDSCAPE


def test_a_long_russian_headline_wraps_at_words_within_the_text_area() -> None:
    card = render_card(RU, CardDesign(), CardFormat.PORTRAIT)
    area = frame(CardFormat.PORTRAIT)
    assert area.left >= 0.06 * card.width
    assert area.right >= 0.06 * card.width
    assert 3 <= len(card.lines) <= MAX_LINES
    assert " ".join(card.lines) == RU
    font = _font(card)
    assert all(font.getlength(line) <= area.text_width for line in card.lines)


def test_no_ink_falls_in_the_side_margins() -> None:
    card = render_card(RU + " " + RU, CardDesign(), CardFormat.SQUARE)
    area = frame(CardFormat.SQUARE)
    image = _image(card)
    body = (0, 0, card.width, card.height - area.bottom)
    left = image.crop((0, body[1], area.left, body[3]))
    right = image.crop((card.width - area.right, body[1], card.width, body[3]))
    background = (0x1F, 0x29, 0x37)
    assert left.getcolors() == [(left.width * left.height, background)]
    assert right.getcolors() == [(right.width * right.height, background)]


def test_a_long_ordinary_word_shrinks_the_type_rather_than_breaking() -> None:
    headline = "Достопримечательности Петербурга"
    card = render_card(headline, CardDesign(), CardFormat.STORY)
    assert " ".join(card.lines) == headline
    assert _font(card).getlength("Достопримечательности") <= frame(CardFormat.STORY).text_width


def test_a_word_wider_than_the_line_is_hyphen_broken_and_fits() -> None:
    card = render_card(LONG_WORD, CardDesign(), CardFormat.SQUARE)
    width = frame(CardFormat.SQUARE).text_width
    assert len(card.lines) > 1
    assert all(line.endswith("-") for line in card.lines[:-1])
    assert "".join(line.removesuffix("-") for line in card.lines) == LONG_WORD
    font = _font(card)
    assert all(font.getlength(line) <= width for line in card.lines)


def test_a_headline_too_long_for_the_card_ends_in_an_ellipsis() -> None:
    card = render_card("слово " * 300, CardDesign(), CardFormat.LANDSCAPE)
    assert len(card.lines) == MAX_LINES
    assert card.lines[-1].endswith("…")
    assert _font(card).getlength(card.lines[-1]) <= frame(CardFormat.LANDSCAPE).text_width


def test_the_text_share_grows_with_the_headline() -> None:
    headlines = ["Кофе", "Новый лот из Эфиопии", RU]
    shares = [render_card(h, CardDesign(), CardFormat.PORTRAIT).text_share for h in headlines]
    assert 0 < shares[0] < shares[1] < shares[2] < 1
    assert shares[0] < TEXT_HEAVY < shares[2]


def test_the_text_share_counts_the_wordmark_and_brand_name_and_covers_the_ink() -> None:
    bare = render_card("Кофе", CardDesign(), CardFormat.SQUARE)
    branded = render_card("Кофе", CardDesign(logo_text="ЗЕРНО"), CardFormat.SQUARE, "Зерно")
    assert branded.text_share > bare.text_share
    assert not branded.text_heavy
    card = render_card(RU, CardDesign(), CardFormat.SQUARE)
    red, green, blue = _image(card).split()
    darkest = ImageChops.darker(red, ImageChops.darker(green, blue))
    white = sum(darkest.histogram()[201:])
    assert white / (card.width * card.height) < card.text_share
    assert card.text_heavy


@pytest.mark.parametrize("colour", ["red", "#12345", "#GGGGGG", "123456", "#1234567", ""])
def test_invalid_colours_are_rejected(colour: str) -> None:
    with pytest.raises(ValidationError):
        CardDesign(accent=colour)


def test_colours_are_normalised_and_unreadable_text_is_rejected() -> None:
    assert CardDesign(accent="#fa0").accent == "#FFAA00"
    with pytest.raises(ValidationError, match="contrast"):
        CardDesign(background="#FFFFFF", foreground="#FFFF66")


@pytest.mark.parametrize(
    "logo",
    [
        "not base64!",
        base64.b64encode(b"not a picture").decode(),
        base64.b64encode(base64.b64decode(_png((64, 64), RED))[:60]).decode(),
        _png((64, 64), RED, fmt="JPEG"),
        _png((4000, 1), RED),
        base64.b64encode(b"\x89PNG" + bytes(200 * 1024)).decode(),
    ],
    ids=["not-base64", "not-a-picture", "truncated", "jpeg", "huge", "too-many-bytes"],
)
def test_a_broken_logo_is_rejected(logo: str) -> None:
    with pytest.raises(ValidationError):
        CardDesign(logo_png_base64=logo)


def test_the_logo_is_drawn_in_the_top_left_corner() -> None:
    design = CardDesign(logo_png_base64=_png((64, 64), (*RED, 255), mode="RGBA"))
    corner = (0, 0, 1080 // 3, 1080 // 5)
    with_logo = _image(render_card("Кофе", design, CardFormat.SQUARE)).crop(corner)
    without = _image(render_card("Кофе", CardDesign(), CardFormat.SQUARE)).crop(corner)
    assert RED in {rgb for _, rgb in with_logo.getcolors(1 << 24) or []}
    assert RED not in {rgb for _, rgb in without.getcolors(1 << 24) or []}


def test_the_same_inputs_give_the_same_bytes() -> None:
    design = CardDesign(logo_text="GRAIN", accent="#E2C044")
    first = render_card(RU, design, CardFormat.STORY, "Grain")
    second = render_card(RU, design, CardFormat.STORY, "Grain")
    other = render_card(RU, design.model_copy(update={"accent": "#22C55E"}), CardFormat.STORY)
    assert first.png == second.png
    assert first.png != other.png


def test_emoji_the_font_lacks_are_dropped_and_rtl_is_refused() -> None:
    card = render_card("Кофе 🔥 дня", CardDesign(), CardFormat.SQUARE)
    assert card.lines == ["Кофе дня"]
    with pytest.raises(ValueError, match="right-to-left"):
        render_card("קפה", CardDesign(), CardFormat.SQUARE)

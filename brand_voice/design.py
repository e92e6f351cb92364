"""A brand's post design template: colours, typeface, wordmark and logo (rendered by
generators.cards)."""

from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Literal

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FontName = Literal["sans", "sans-bold"]
RGB = tuple[int, int, int]

MAX_LOGO_BYTES = 200 * 1024
MAX_LOGO_SIDE = 2048  # pixels; a tiny PNG can inflate to gigabytes when decoded
MIN_CONTRAST = 3.0  # WCAG AA for large text: the headline must stay readable
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def rgb(colour: str) -> RGB:
    """#RGB or #RRGGBB as an RGB triple."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def _luminance(colour: RGB) -> float:
    """WCAG relative luminance."""
    channels = [c / 255 for c in colour]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two hex colours, 1 to 21."""
    lighter, darker = sorted((_luminance(rgb(first)), _luminance(rgb(second))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def decode_logo(data: str) -> Image.Image:
    """The logo PNG from base64, loaded; ValueError when it is not a small, sound PNG."""
    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
    except binascii.Error as exc:
        raise ValueError("logo_png_base64 is not valid base64") from exc
    if len(raw) > MAX_LOGO_BYTES:
        raise ValueError(f"the logo is {len(raw)} bytes; at most {MAX_LOGO_BYTES} are allowed")
    try:
        image = Image.open(io.BytesIO(raw))
        if image.format != "PNG":
            raise ValueError(f"the logo must be a PNG, not {image.format}")
        if max(image.size) > MAX_LOGO_SIDE:
            raise ValueError(f"the logo is {image.size}; at most {MAX_LOGO_SIDE} px a side")
        image.load()
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(f"the logo is not a readable PNG: {exc}") from exc
    return image


class CardDesign(BaseModel):
    """A brand's card template: colours, typeface, wordmark and logo."""

    model_config = ConfigDict(extra="forbid")

    background: str = "#1F2937"
    foreground: str = "#FFFFFF"
    accent: str = "#F59E0B"
    font: FontName = "sans-bold"
    logo_text: str = Field(default="", max_length=40, description="A short wordmark")
    logo_png_base64: str = Field(default="", description=f"PNG, ≤ {MAX_LOGO_BYTES} B decoded")

    @field_validator("background", "foreground", "accent")
    @classmethod
    def _hex_colour(cls, value: str) -> str:
        if not HEX_COLOUR.fullmatch(value):
            raise ValueError(f"{value!r} is not a hex colour (#RGB or #RRGGBB)")
        return "#{:02X}{:02X}{:02X}".format(*rgb(value))

    @field_validator("logo_text")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("logo_png_base64")
    @classmethod
    def _sound_logo(cls, value: str) -> str:
        if value:
            decode_logo(value)
        return value

    @model_validator(mode="after")
    def _readable(self) -> CardDesign:
        ratio = contrast(self.foreground, self.background)
        if ratio < MIN_CONTRAST:
            raise ValueError(
                f"foreground on background has contrast {ratio:.1f}:1; at least "
                f"{MIN_CONTRAST}:1 is needed for a readable headline"
            )
        return self

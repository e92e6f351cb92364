"""Cleaning of untrusted text: invisible Unicode and control characters out, NFC in."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Zero-width and bidi controls hide instructions from people while models still read them.
# The one definition: ingestion strips them, and so does the compliance gate on model output.
INVISIBLE = re.compile(
    "[\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\u2800\u3164\uffa0\ufeff\ufff9-\ufffb]"
    "|[\U000e0000-\U000e007f]"
)
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 but tab and line breaks; DEL; C1
_CONTROL = re.compile(f"[{_CONTROLS}]")
# The same rule as a JSON Schema pattern, for the OpenAPI spec of every text the API accepts.
TEXT_PATTERN = f"^[^{_CONTROLS}]*$"
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # only reachable through JSON escapes; not UTF-8
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """NFC text without invisible or control characters, with tidy spaces and blank lines."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", INVISIBLE.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def forbidden_character(text: str) -> str | None:
    """The first control character (tab and line breaks are fine) or lone surrogate in the
    text, or None: such input is refused at the API's edge, as no text field needs one and
    PostgreSQL cannot store NUL."""
    found = _CONTROL.search(text) or _SURROGATE.search(text)
    return found.group() if found else None


def content_hash(text: str) -> str:
    """A hash of the text's content that ignores case and spacing (for de-duplication)."""
    normal = " ".join(clean_text(text).casefold().split())
    return hashlib.sha256(normal.encode()).hexdigest()

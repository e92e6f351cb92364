"""The one prompt renderer: templates are files, a missing variable is an error.

Untrusted text (guide excerpts, past posts, competitor examples) goes into a template through
the `fenced` filter: anything that looks like the tag of a data fence (`<example>`,
`</competitor>`, `< /guide >`, full-width brackets too) loses its angle brackets, so the text
cannot close its fence and pose as instructions. The draft prompt ends with the operator's
platform section under `PLATFORM_HEADER` (a template global); the filter defuses that header's
words in data too (‹platform instructions›), so data cannot pose as that section either.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, UndefinedError

TEMPLATES = Path(__file__).parent / "templates"
FENCES = ("guide", "example", "competitor")
FENCE_TAG = re.compile(
    r"[<＜﹤]\s*/?\s*(?:" + "|".join(FENCES) + r")\b[^<>＜＞﹤﹥\n]*[>＞﹥]", re.IGNORECASE
)
# The heading of the draft prompt's last section: the operator's instructions for one platform.
PLATFORM_HEADER = "# Platform instructions (the operator's, not data)"
_HEADER_WORDS = re.compile(r"platform\W+instructions", re.IGNORECASE)


def fenced(text: object) -> str:
    """Text safe inside a data fence: fence tags in it are defused (‹/example›), and so are the
    words of the platform section's header (‹platform instructions›)."""
    defused = FENCE_TAG.sub(_defuse, str(text))
    return _HEADER_WORDS.sub(_quote, defused)


def _defuse(match: re.Match[str]) -> str:
    inner = match.group()[1:-1]
    return f"‹{inner}›"


def _quote(match: re.Match[str]) -> str:
    return f"‹{match.group()}›"


def _prepend_hash(tag: object) -> str:
    return "#" + str(tag).lstrip("#")


class PromptError(Exception):
    """A template asked for a variable the caller did not give, or does not exist."""


@cache
def _environment() -> Environment:
    # Prompts are plain text, not HTML: autoescape would corrupt quotes and ampersands.
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    environment.filters["fenced"] = fenced
    environment.filters["prepend_hash"] = _prepend_hash
    environment.globals["platform_header"] = PLATFORM_HEADER
    return environment


def render(template: str, **variables: Any) -> str:
    """Render `templates/<template>` with exactly these variables."""
    try:
        return _environment().get_template(template).render(**variables).strip()
    except UndefinedError as exc:
        raise PromptError(f"{template}: {exc.message}") from exc
    except OSError as exc:
        raise PromptError(f"no prompt template named {template!r} in {TEMPLATES}") from exc

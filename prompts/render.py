"""The one prompt renderer: templates are files, a missing variable is an error."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, UndefinedError

TEMPLATES = Path(__file__).parent / "templates"


class PromptError(Exception):
    """A template asked for a variable the caller did not give, or does not exist."""


@cache
def _environment() -> Environment:
    # Prompts are plain text, not HTML: autoescape would corrupt quotes and ampersands.
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(template: str, **variables: Any) -> str:
    """Render `templates/<template>` with exactly these variables."""
    try:
        return _environment().get_template(template).render(**variables).strip()
    except UndefinedError as exc:
        raise PromptError(f"{template}: {exc.message}") from exc
    except OSError as exc:
        raise PromptError(f"no prompt template named {template!r} in {TEMPLATES}") from exc

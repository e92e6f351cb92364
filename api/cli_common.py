"""What the CLI's API commands share: the API's address and key options, the consoles, a
client for them, and API errors turned into a message and exit status 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from api.client import ApiClient
from storage.errors import PostcraftError

console = Console()
err = Console(stderr=True)

ApiUrl = Annotated[str, typer.Option(envvar="POSTCRAFT_API_URL")]
ApiKey = Annotated[str, typer.Option(envvar="POSTCRAFT_API_KEY", help="An API key (pc_...)")]
DEFAULT_URL = "http://127.0.0.1:8000"


def client_for(api_url: str, api_key: str) -> ApiClient:
    """A client for the API at `api_url` with the key (exit status 2 without one)."""
    if not api_key:
        err.print("Give an API key: --api-key pc_... or POSTCRAFT_API_KEY (make demo prints one)")
        raise typer.Exit(2)
    return ApiClient(api_url, api_key)


@contextmanager
def api_errors() -> Iterator[None]:
    """An API error ends the command with its words and exit status 1."""
    try:
        yield
    except PostcraftError as exc:
        err.print(f"[red]{exc.code.value}[/]: {exc.detail}", highlight=False)
        raise typer.Exit(1) from None

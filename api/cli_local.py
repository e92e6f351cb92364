"""What the CLI's commands on this machine share: the settings, a runtime on the configured
database (migrated), an error turned into its words and exit status 1, the workspace option."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from api.cli_common import err
from generators.runtime import Runtime, build_runtime
from storage.db import migrate
from storage.errors import PostcraftError
from storage.logs import configure_logging
from storage.models import Workspace
from storage.settings import ConfigurationError, Settings, load_settings


def settings_or_exit() -> Settings:
    """The settings, or their problem in words and exit status 2."""
    try:
        return load_settings()
    except ConfigurationError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None


def local_runtime(log_file: Path | None = None) -> Runtime:
    """A runtime on this machine's configuration, its database migrated."""
    settings = settings_or_exit()
    configure_logging(settings.log_level, settings.log_json, log_file)
    try:
        rt = build_runtime(settings)
    except ConfigurationError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    migrate(rt.engine)
    return rt


def fail(exc: PostcraftError) -> typer.Exit:
    """Print the error's code and words; the exit (status 1) to raise."""
    err.print(f"[red]error[/] {exc.code.value}: {exc.detail}")
    return typer.Exit(1)


def workspace_of(rt: Runtime, given: str | None) -> str:
    """The workspace named, or the only one (exit status 1 otherwise)."""
    with rt.sessions() as session:
        ids = list(session.scalars(select(Workspace.id)))
    if given:
        if given not in ids:
            err.print(f"[red]No workspace {given}[/]; see `postcraft workspaces create`")
            raise typer.Exit(1)
        return given
    if len(ids) == 1:
        return ids[0]
    err.print(f"[red]Name the workspace with --workspace ID[/] (there are {len(ids)})")
    raise typer.Exit(1)


WorkspaceOption = Annotated[str | None, typer.Option("--workspace", help="Default: the only one")]

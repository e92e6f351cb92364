"""`postcraft workspaces|brands|keys ...`, `login-link` and `ingest`: setting up who works on
which brand, and the brand's knowledge, on this machine's database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.cli_common import console, err
from api.cli_local import WorkspaceOption, fail, local_runtime, workspace_of
from api.demo import import_folder
from api.web.links import login_link
from brand_voice.brands import create_brand
from brand_voice.profile import BrandProfile
from brand_voice.sources import Upload, parse_upload, store_source
from storage.access import (
    create_workspace,
    get_or_create_user,
    issue_key,
    key_by_prefix,
    revoke_key,
    workspace_keys,
)
from storage.db import transaction
from storage.enums import DocumentKind, Platform, Role
from storage.errors import ErrorCode, PostcraftError
from storage.models import Brand

brands_app = typer.Typer(help="Brands of a workspace.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
workspaces_app = typer.Typer(help="Workspaces (agencies, companies).", no_args_is_help=True)


@workspaces_app.command("create")
def workspaces_create(name: str) -> None:
    """Create a workspace and print its id."""
    rt = local_runtime()
    with transaction(rt.sessions) as session:
        workspace = create_workspace(session, name)
    console.print(workspace.id)


@brands_app.command("create")
def brands_create(
    name: str,
    slug: str,
    language: Annotated[str, typer.Option(help="ISO 639-1: ru, en, ...")] = "ru",
    platform: Annotated[list[Platform] | None, typer.Option(help="Repeat for each")] = None,
    hashtag: Annotated[list[str] | None, typer.Option(help="Branded hashtag; repeat")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Create a brand and print its id."""
    rt = local_runtime()
    workspace_id = workspace_of(rt, workspace)
    try:
        profile = BrandProfile(
            language=language, platforms=platform or [], branded_hashtags=hashtag or []
        )
        with transaction(rt.sessions) as session:
            brand = create_brand(session, workspace_id, name, slug, profile)
    except PostcraftError as exc:
        raise fail(exc) from None
    except ValueError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    console.print(brand.id)


@brands_app.command("list")
def brands_list(workspace: WorkspaceOption = None) -> None:
    """List the brands of a workspace."""
    rt = local_runtime()
    workspace_id = workspace_of(rt, workspace)
    with rt.sessions() as session:
        for brand in session.scalars(select(Brand).where(Brand.workspace_id == workspace_id)):
            console.print(f"{brand.id}  {brand.slug:<20} {brand.language}  {brand.name}")


@brands_app.command("import")
def brands_import(
    path: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A brand folder")],
    workspace: WorkspaceOption = None,
) -> None:
    """Create a brand from a folder (brand.json, guide, post exports, competitors) and ingest it;
    importing it again adds only what is new."""
    rt = local_runtime()
    try:
        brand = import_folder(rt, workspace_of(rt, workspace), path, console)
    except PostcraftError as exc:
        raise fail(exc) from None
    console.print(brand.id)


def login_link_command(
    prefix: Annotated[str, typer.Argument(help="The key's start, as `keys list` shows it")],
    workspace: WorkspaceOption = None,
    url: Annotated[str, typer.Option(help="The service's address (POSTCRAFT_PUBLIC_URL)")] = "",
) -> None:
    """Print a one-time link that signs a browser in to the review page as the key's person
    (its role and brands), good for POSTCRAFT_LOGIN_LINK_MINUTES."""
    rt = local_runtime()
    workspace_id = workspace_of(rt, workspace)
    try:
        with rt.sessions() as session:
            key_id = key_by_prefix(session, workspace_id, prefix).id
    except PostcraftError as exc:
        raise fail(exc) from None
    link = login_link(rt, key_id, url or None)
    minutes = rt.settings.login_link_minutes
    console.print(link, highlight=False, soft_wrap=True)
    console.print(f"[dim]works once, for {minutes:g} minutes[/]")


def ingest(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
    brand: Annotated[str, typer.Option(help="Brand id or slug")],
    kind: Annotated[DocumentKind, typer.Option(help="voice_guide, post or competitor")],
    platform: Annotated[Platform | None, typer.Option(help="For files that do not say")] = None,
    competitor: Annotated[
        str | None, typer.Option(help="The competitor's name, for items that name none")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Ingest files into a brand's knowledge, with a progress bar; all or nothing."""
    rt = local_runtime()
    workspace_id = workspace_of(rt, workspace)
    try:
        with rt.sessions() as session:
            brand_row = _brand_by_key(session, workspace_id, brand)
        payloads = [
            parse_upload(Upload(kind, f.name, f.read_bytes(), competitor, platform)) for f in files
        ]
        total = sum(len(p.documents) for p in payloads)
        with transaction(rt.sessions) as session, Progress(console=console) as bar:
            task = bar.add_task("Ingesting", total=total)
            reports = [
                store_source(session, rt.store, brand_row.id, p, lambda n: bar.advance(task, n))
                for p in payloads
            ]
    except PostcraftError as exc:
        raise fail(exc) from None
    for payload, report in zip(payloads, reports, strict=True):
        state = "already ingested" if report.already_ingested else f"{report.added} new"
        console.print(
            f"{payload.name}: {report.items} items, {state}, {report.duplicates} duplicates"
        )
        for warning in report.warnings:
            console.print(f"  warning: {warning}", markup=False, highlight=False)


def _brand_by_key(session: Session, workspace_id: str, key: str) -> Brand:
    brand = session.scalars(
        select(Brand).where(
            Brand.workspace_id == workspace_id, or_(Brand.slug == key, Brand.id == key)
        )
    ).one_or_none()
    if brand is None:
        raise PostcraftError(ErrorCode.BRAND_NOT_FOUND, f"No brand {key!r} in this workspace")
    return brand


@keys_app.command("create")
def keys_create(
    email: str,
    role: Annotated[Role, typer.Option()] = Role.COPYWRITER,
    brand: Annotated[
        list[str] | None, typer.Option(help="Brand id or slug; repeat; none = all")
    ] = None,
    name: Annotated[str, typer.Option(help="A label for the key")] = "cli",
    workspace: WorkspaceOption = None,
) -> None:
    """Create an API key for a person (created with the role if new); the key is shown once."""
    rt = local_runtime()
    workspace_id = workspace_of(rt, workspace)
    try:
        with transaction(rt.sessions) as session:
            ids = None
            if brand:
                rows = session.scalars(
                    select(Brand).where(Brand.workspace_id == workspace_id)
                ).all()
                by = {b.slug: b.id for b in rows} | {b.id: b.id for b in rows}
                ids = [by.get(b, b) for b in brand]
            user = get_or_create_user(session, workspace_id, email, email.split("@")[0], role)
            issued = issue_key(session, user, name, ids)
    except PostcraftError as exc:
        raise fail(exc) from None
    console.print(issued.secret)


@keys_app.command("list")
def keys_list(workspace: WorkspaceOption = None) -> None:
    """The workspace's API keys: prefix, person, role, scope, created, revoked."""
    rt = local_runtime()
    workspace_id = workspace_of(rt, workspace)
    with rt.sessions() as session:
        for key, user in workspace_keys(session, workspace_id):
            scope = "all brands" if key.all_brands else "some brands"
            revoked = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            console.print(
                f"{key.prefix}  {user.email}  {user.role}  {scope}  {key.name}  "
                f"{key.created_at:%Y-%m-%d %H:%M}  {revoked}"
            )


@keys_app.command("revoke")
def keys_revoke(
    prefix: Annotated[str, typer.Argument(help="The key's start, as `keys list` shows it")],
    workspace: WorkspaceOption = None,
) -> None:
    """Revoke an API key: refused from now on (within POSTCRAFT_AUTH_CACHE_S by API processes
    that checked it lately)."""
    rt = local_runtime()
    workspace_id = workspace_of(rt, workspace)
    try:
        with transaction(rt.sessions) as session:
            key = revoke_key(session, workspace_id, prefix)
    except PostcraftError as exc:
        raise fail(exc) from None
    console.print(
        f"[green]✓[/] {key.prefix} revoked; running API processes refuse it within "
        f"{rt.settings.auth_cache_s:g} s"
    )

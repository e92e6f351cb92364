"""The demo workspace: two brands from packs, an admin key; and how a draft is printed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.progress import Progress
from sqlalchemy import select

from brand_voice.ingest import ingest
from brand_voice.packs import ensure_pack_brand, load_pack, pack_documents
from generators.runtime import Runtime
from storage.access import authenticate, create_workspace, get_or_create_user, issue_key
from storage.db import transaction
from storage.enums import Role
from storage.errors import PostcraftError
from storage.models import Brand, Workspace

DEMO_WORKSPACE = "Postcraft demo"
BATCH = 16


@dataclass(frozen=True)
class Demo:
    """What the demo set up: its workspace, brands by slug and an admin key."""

    workspace_id: str
    brands: dict[str, str]
    api_key: str


def setup_demo(rt: Runtime, packs: Path, console: Console) -> Demo:
    """Create (or reuse) the demo workspace, its brands and knowledge, and an admin key."""
    with transaction(rt.sessions) as session:
        workspace = session.scalars(
            select(Workspace).where(Workspace.name == DEMO_WORKSPACE)
        ).first() or create_workspace(session, DEMO_WORKSPACE)
        workspace_id = workspace.id
    brands = {}
    for path in sorted(packs.glob("*.json")):
        brand = ingest_pack_file(rt, workspace_id, path, console)
        brands[brand.slug] = brand.id
    return Demo(workspace_id, brands, _demo_key(rt, workspace_id))


def ingest_pack_file(rt: Runtime, workspace_id: str, path: Path, console: Console) -> Brand:
    """Create the pack's brand and ingest its knowledge, with a progress bar; one transaction."""
    pack = load_pack(path)
    docs = pack_documents(pack)
    added = 0
    with transaction(rt.sessions) as session, Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"Ingesting {path.name}", total=len(docs))
        brand = ensure_pack_brand(session, workspace_id, pack)
        for start in range(0, len(docs), BATCH):
            report = ingest(session, rt.store, brand.id, docs[start : start + BATCH])
            added += report.added
            bar.advance(task, len(docs[start : start + BATCH]))
    console.print(
        f"[green]✓[/] {pack.brand.name} ({pack.brand.slug}): {added} new documents, "
        f"{len(docs) - added} already known"
    )
    return brand


def _demo_key(rt: Runtime, workspace_id: str) -> str:
    key_file = rt.settings.data_dir / "demo-api-key"
    if key_file.exists():
        secret = key_file.read_text().strip()
        with rt.sessions() as session:
            try:
                if authenticate(session, secret).workspace_id == workspace_id:
                    return secret
            except PostcraftError:
                pass
    with transaction(rt.sessions) as session:
        user = get_or_create_user(
            session, workspace_id, "admin@demo.local", "Demo admin", Role.ADMIN
        )
        secret = issue_key(session, user, "demo", None).secret
    key_file.write_text(secret + "\n")
    key_file.chmod(0o600)
    return secret


def print_draft(console: Console, draft: dict[str, Any]) -> None:
    """Show one draft as a panel: the post, then who wrote it and from which sources."""
    kinds: dict[str, int] = {}
    for source in draft["sources"]:
        kinds[source["kind"]] = kinds.get(source["kind"], 0) + 1
    used = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "none"
    console.print(
        Panel(
            draft["text"],
            title=f"{draft['platform']} · {draft['language']}",
            subtitle=f"{draft['generator']} ({draft['model']}) · sources: {used}",
            expand=False,
        )
    )

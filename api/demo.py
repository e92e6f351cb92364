"""The demo workspace: two brands from folders, an admin key; and how a draft is printed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.progress import Progress
from sqlalchemy import select

from api.client import ApiClient
from brand_voice.folders import ensure_brand, read_brand_folder
from brand_voice.sources import parse_upload, store_source
from generators.runtime import Runtime
from storage.access import authenticate, create_workspace, get_or_create_user, issue_key
from storage.db import transaction
from storage.enums import Role
from storage.errors import ErrorCode, PostcraftError
from storage.models import Brand, Workspace

DEMO_WORKSPACE = "Postcraft demo"


@dataclass(frozen=True)
class Demo:
    """What the demo set up: its workspace, brands by slug and an admin key."""

    workspace_id: str
    brands: dict[str, str]
    api_key: str


def setup_demo(rt: Runtime, folders: Path, console: Console) -> Demo:
    """Create (or reuse) the demo workspace, its brands and knowledge, and an admin key."""
    with transaction(rt.sessions) as session:
        workspace = session.scalars(
            select(Workspace).where(Workspace.name == DEMO_WORKSPACE)
        ).first() or create_workspace(session, DEMO_WORKSPACE)
        workspace_id = workspace.id
    brands = {}
    for path in sorted(p for p in folders.iterdir() if (p / "brand.json").is_file()):
        brand = import_folder(rt, workspace_id, path, console)
        brands[brand.slug] = brand.id
    return Demo(workspace_id, brands, _demo_key(rt, workspace_id))


def import_folder(rt: Runtime, workspace_id: str, path: Path, console: Console) -> Brand:
    """Create the folder's brand and ingest its files with a progress bar, in one transaction:
    a broken file stores nothing of the folder."""
    folder = read_brand_folder(path)
    payloads = [parse_upload(upload) for upload in folder.uploads]
    total = sum(len(p.documents) for p in payloads)
    with transaction(rt.sessions) as session, Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"Ingesting {path.name}", total=total)
        brand = ensure_brand(session, workspace_id, folder)
        reports = [
            store_source(session, rt.store, brand.id, p, lambda n: bar.advance(task, n))
            for p in payloads
        ]
    added = sum(r.added for r in reports)
    console.print(
        f"[green]✓[/] {folder.brand.name} ({folder.brand.slug}): {len(payloads)} files, "
        f"{added} new documents, {total - added} already known or duplicates"
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
    """Show one draft: the post, who wrote it from which sources, and its validation."""
    kinds: dict[str, int] = {}
    for source in draft["sources"]:
        kinds[source["kind"]] = kinds.get(source["kind"], 0) + 1
    used = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "none"
    console.print(
        Panel(
            draft["text"],
            title=f"{draft['platform']} · {draft['language']} · version {draft['version']}",
            subtitle=f"{draft['generator']} ({draft['model']}) · sources: {used}",
            expand=False,
        )
    )
    report = draft["validation"]
    verdict = "[green]✓ passes[/]" if report.get("passed") else "[red]✗ blocked[/]"
    console.print(f"{verdict} {report.get('length')}/{report.get('limit')} characters")
    for violation in report.get("violations", []):
        console.print(f"  [yellow]{violation['severity']}[/] {violation['message']}")
    for change in draft["repairs"]:
        console.print(f"  [dim]repaired: {change}[/]")


DEMO_PLAN = {
    "cadence": [
        {"platform": "vk", "posts_per_week": 3},
        {"platform": "telegram", "posts_per_week": 3},
    ],
    "goals": ["узнаваемость кофейни", "продажи зерна"],
    "days": 14,
}


def demo_plan(client: ApiClient, brand_id: str, console: Console) -> str:
    """The demo brand's newest plan still in the works, or a new two-week one (a plan job,
    waited for): its id, for the review page."""
    page = client.get_json(f"/v1/brands/{brand_id}/plans", {"limit": 5})
    for plan in page["items"]:
        if plan["review_state"] in ("draft", "in_review"):
            return str(plan["id"])
    job = client.submit_plan(brand_id, DEMO_PLAN)
    with console.status("A two-week content plan for the review page…"):
        done = client.wait(job["id"], 300)
    if done["status"] != "succeeded":
        error = done.get("error") or {}
        raise PostcraftError(ErrorCode.INTERNAL, f"The demo plan job failed: {error}")
    return str(done["result"]["plan_id"])

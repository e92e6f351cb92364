"""`postcraft plans ...`: a manager's content-plan round over the API, from the terminal:
ask for a plan, read it, submit it, send items back, regenerate them, approve the rest, get
and approve their drafts, export the calendar and read the trail."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli_common import DEFAULT_URL, ApiKey, ApiUrl, api_errors, client_for, console, err
from api.client import ApiClient

plans_app = typer.Typer(help="Content plans and their review.", no_args_is_help=True)
DEFAULT_POSTS_PER_WEEK = 3


def _brand(client: ApiClient, key: str) -> dict[str, Any]:
    for brand in client.brands():
        if key in (brand["slug"], brand["id"]):
            return brand
    err.print(f"No brand {key!r} among this key's brands")
    raise typer.Exit(1)


def _cadence(platforms: list[str], brand: dict[str, Any]) -> list[dict[str, Any]]:
    """`vk=3` → three VK posts a week; nothing given → the brand's platforms, three a week."""
    if not platforms:
        names = brand["profile"].get("platforms") or []
        return [{"platform": p, "posts_per_week": DEFAULT_POSTS_PER_WEEK} for p in names]
    cadence = []
    for given in platforms:
        name, _, count = given.partition("=")
        if not count.isdigit():
            err.print(f"--platform {given!r}: write it as platform=posts-per-week, e.g. vk=3")
            raise typer.Exit(2)
        cadence.append({"platform": name.strip(), "posts_per_week": int(count)})
    return cadence


@plans_app.command("create")
def create(
    brand: Annotated[str, typer.Option(help="Brand slug or id")],
    platform: Annotated[
        list[str] | None, typer.Option(help="platform=posts-per-week, e.g. vk=3; repeat")
    ] = None,
    days: Annotated[int | None, typer.Option(help="Default: 14 for a first plan, then 30")] = None,
    goal: Annotated[list[str] | None, typer.Option(help="A goal of the period; repeat")] = None,
    event: Annotated[
        list[str] | None, typer.Option(help="YYYY-MM-DD:title of a date to cover; repeat")
    ] = None,
    api_url: ApiUrl = DEFAULT_URL,
    api_key: ApiKey = "",
    timeout: Annotated[float, typer.Option(help="Seconds to wait")] = 300.0,
) -> None:
    """Ask for a content plan and wait for it, then show it."""
    client = client_for(api_url, api_key)
    with api_errors():
        found = _brand(client, brand)
        request: dict[str, Any] = {"cadence": _cadence(platform or [], found)}
        if days:
            request["days"] = days
        if goal:
            request["goals"] = goal
        if event:
            request["events"] = [_event(e) for e in event]
        job = client.submit_plan(found["id"], request)
        with console.status(f"plan job {job['id']}: queued") as status:
            job = client.wait(
                job["id"], timeout, lambda j: status.update(f"plan job {j['id']}: {j['status']}")
            )
        if job["status"] == "failed":
            err.print(f"[red]plan job failed[/] {job['error']['code']}: {job['error']['detail']}")
            raise typer.Exit(1)
        print_plan(client.plan(job["result"]["plan_id"]))


def _event(given: str) -> dict[str, str]:
    day, _, title = given.partition(":")
    try:
        date.fromisoformat(day)
    except ValueError:
        err.print(f"--event {given!r}: write it as YYYY-MM-DD:title")
        raise typer.Exit(2) from None
    return {"on": day, "title": title.strip()}


def print_plan(plan: dict[str, Any]) -> None:
    """The plan as a table in the brand's time zone, then its check report."""
    zone = ZoneInfo(plan["timezone"])
    table = Table(
        title=f"Plan {plan['id']} · {plan['starts_on']} + {plan['days']} days · "
        f"{plan['review_state']} · version {plan['version']}",
        show_lines=False,
    )
    for column in ("#", "when", "platform", "rubric", "topic", "state", "v", "item id"):
        table.add_column(column, overflow="fold")
    for n, item in enumerate(plan["plan_items"], 1):
        at = _local(item["at"], zone)
        topic = item["topic"] + (f"  [{item['event']}]" if item["event"] else "")
        table.add_row(
            str(n),
            at,
            item["platform"],
            item["rubric"],
            topic,
            item["review_state"],
            str(item["version"]),
            item["id"],
        )
    console.print(table)
    report = plan["report"]
    verdict = "[green]✓ the plan rules pass[/]" if report.get("passed") else "[red]✗ blocked[/]"
    console.print(f"{verdict} · generator: {plan['generator']} · times in {plan['timezone']}")
    for violation in report.get("violations", []):
        console.print(f"  [yellow]{violation['severity']}[/] {violation['message']}")


def _local(stamp: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(zone).strftime("%a %d %b %H:%M")


@plans_app.command("show")
def show(plan_id: str, api_url: ApiUrl = DEFAULT_URL, api_key: ApiKey = "") -> None:
    """Show a plan, its items and their states."""
    with api_errors():
        print_plan(client_for(api_url, api_key).plan(plan_id))


@plans_app.command("submit")
def submit(plan_id: str, api_url: ApiUrl = DEFAULT_URL, api_key: ApiKey = "") -> None:
    """Put the plan and its draft items in review."""
    client = client_for(api_url, api_key)
    with api_errors():
        plan = client.plan(plan_id)
        print_plan(client.review(f"/v1/plans/{plan_id}/review", plan["version"], "submit"))


def _find_item(plan: dict[str, Any], key: str) -> dict[str, Any]:
    """An item by id or by its number in `plans show`."""
    items = plan["plan_items"]
    if key.isdigit() and 1 <= int(key) <= len(items):
        return dict(items[int(key) - 1])
    for item in items:
        if item["id"] == key:
            return dict(item)
    err.print(f"No item {key!r} in plan {plan['id']}")
    raise typer.Exit(1)


@plans_app.command("send-back")
def send_back(
    plan_id: str,
    item: Annotated[str, typer.Argument(help="The item's number in `plans show`, or its id")],
    comment: Annotated[str, typer.Option(help="What to change (required)")],
    api_url: ApiUrl = DEFAULT_URL,
    api_key: ApiKey = "",
) -> None:
    """Send one item back with a comment."""
    client = client_for(api_url, api_key)
    with api_errors():
        found = _find_item(client.plan(plan_id), item)
        moved = client.review(
            f"/v1/plan-items/{found['id']}/review", found["version"], "request_changes", comment
        )
        console.print(f"[yellow]↩[/] {moved['topic']}: {moved['review_state']}")


@plans_app.command("regenerate")
def regenerate(
    plan_id: str,
    item: Annotated[str, typer.Argument(help="The item's number in `plans show`, or its id")],
    guidance: Annotated[str, typer.Option(help="Default: the send-back comment")] = "",
    submit_again: Annotated[bool, typer.Option("--submit", help="Then submit it")] = False,
    api_url: ApiUrl = DEFAULT_URL,
    api_key: ApiKey = "",
) -> None:
    """A new topic and briefs for an item in the same slot, following the guidance."""
    client = client_for(api_url, api_key)
    with api_errors():
        found = _find_item(client.plan(plan_id), item)
        rewritten: dict[str, Any] = client.post_json(
            f"/v1/plan-items/{found['id']}/regenerate",
            {"guidance": guidance},
            found["version"],
        )
        console.print(f"[green]↻[/] {found['topic']} → {rewritten['topic']}")
        if submit_again:
            moved = client.review(
                f"/v1/plan-items/{found['id']}/review", rewritten["version"], "submit"
            )
            console.print(f"  {moved['review_state']}")


@plans_app.command("approve")
def approve(
    plan_id: str,
    item: Annotated[
        list[str] | None, typer.Option(help="Only these items (number or id); default: all")
    ] = None,
    api_url: ApiUrl = DEFAULT_URL,
    api_key: ApiKey = "",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the drafts")] = 600.0,
) -> None:
    """Approve the plan's items in review (in one bulk call), then wait for the draft job
    each approval queued, with a progress bar."""
    client = client_for(api_url, api_key)
    with api_errors():
        plan = client.plan(plan_id)
        chosen = [_find_item(plan, key) for key in item] if item else plan["plan_items"]
        pending = [(i["id"], i["version"]) for i in chosen if i["review_state"] == "in_review"]
        if not pending:
            console.print("No item of this plan is in review: submit the plan first")
            raise typer.Exit(1)
        result = client.review_many(f"/v1/plans/{plan_id}/items/review", pending, "approve")
        console.print(f"[green]✓[/] approved {result['moved']}, refused {result['refused']}")
        for outcome in result["items"]:
            if not outcome["moved"]:
                console.print(f"  [yellow]{outcome['id']}[/]: {outcome['detail']}")
        _wait_for_drafts(client, plan_id, timeout)


def _wait_for_drafts(client: ApiClient, plan_id: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    columns = (TextColumn("drafts"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("drafts", total=None)
        while True:
            jobs = [i for i in client.plan(plan_id)["plan_items"] if i["draft_job_id"]]
            done = sum(1 for i in jobs if i["drafts"])
            bar.update(task, total=len(jobs), completed=done)
            if done == len(jobs) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    console.print(
        f"{done} of {len(jobs)} approved items have their drafts: "
        f"`postcraft plans drafts {plan_id}` shows them"
    )


@plans_app.command("drafts")
def drafts(
    plan_id: str,
    approve_all: Annotated[
        bool, typer.Option("--approve", help="Approve those in review whose checks pass")
    ] = False,
    api_url: ApiUrl = DEFAULT_URL,
    api_key: ApiKey = "",
) -> None:
    """The drafts of the plan's approved items; with --approve, approve them in bulk."""
    client = client_for(api_url, api_key)
    with api_errors():
        plan = client.plan(plan_id)
        found = [(i, d) for i in plan["plan_items"] for d in i["drafts"]]
        for item, draft in found:
            full = client.draft(draft["id"])
            passed = "✓" if full["validation"].get("passed") else "✗"
            console.print(
                f"{passed} {item['platform']:9} {draft['review_state']:17} {item['topic'][:60]}"
            )
        if approve_all:
            ready = [(d["id"], d["version"]) for _, d in found if d["review_state"] == "in_review"]
            if ready:
                result = client.review_many(
                    f"/v1/brands/{plan['brand_id']}/review", ready, "approve"
                )
                console.print(f"[green]✓[/] approved {result['moved']} drafts")
                for outcome in result["items"]:
                    if not outcome["moved"]:
                        console.print(f"  [yellow]{outcome['id']}[/]: {outcome['detail']}")


@plans_app.command("calendar")
def calendar(
    plan_id: str,
    output: Annotated[Path, typer.Option("--output", "-o", help="The .ics file to write")],
    api_url: ApiUrl = DEFAULT_URL,
    api_key: ApiKey = "",
) -> None:
    """Export the plan as an iCalendar file (import it into any calendar app)."""
    with api_errors():
        text = client_for(api_url, api_key).text(f"/v1/plans/{plan_id}/calendar.ics")
    output.write_text(text, encoding="utf-8", newline="")
    console.print(f"[green]✓[/] {output} ({text.count('BEGIN:VEVENT')} events)")


@plans_app.command("audit")
def audit(
    brand: Annotated[str, typer.Option(help="Brand slug or id")],
    limit: Annotated[int, typer.Option(help="Moves to show")] = 50,
    api_url: ApiUrl = DEFAULT_URL,
    api_key: ApiKey = "",
) -> None:
    """The brand's audit trail, newest first: every review move of plans, items and drafts."""
    client = client_for(api_url, api_key)
    with api_errors():
        found = _brand(client, brand)
        page = client.get_json(f"/v1/brands/{found['id']}/audit", {"limit": limit})
    for event in page["items"]:
        comment = f" — {event['comment']}" if event["comment"] else ""
        console.print(
            f"{event['at'][:19]}  {event['actor_name']:12} {event['action']:16} "
            f"{event['subject_kind']:9} {event['from_state']} → {event['to_state']}{comment}",
            highlight=False,
            markup=False,
        )

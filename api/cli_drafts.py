"""`postcraft drafts ...`: one draft's review from the terminal: show it, send it back with a
comment, write it again following that comment (a job, waited for with a live status line),
submit and approve it."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli_common import DEFAULT_URL, ApiKey, ApiUrl, api_errors, client_for, console, err
from api.demo import print_draft

drafts_app = typer.Typer(
    help="One draft's review: show, send back, regenerate, approve.", no_args_is_help=True
)


@drafts_app.command("show")
def show(draft_id: str, api_url: ApiUrl = DEFAULT_URL, api_key: ApiKey = "") -> None:
    """The draft as it is now, with its checks and state."""
    with api_errors():
        draft = client_for(api_url, api_key).draft(draft_id)
    print_draft(console, draft)
    console.print(f"[dim]{draft['review_state']} · version {draft['version']}[/]")


def _move(api_url: str, api_key: str, draft_id: str, action: str, comment: str = "") -> None:
    client = client_for(api_url, api_key)
    with api_errors():
        draft = client.draft(draft_id)
        moved = client.review(f"/v1/drafts/{draft_id}/review", draft["version"], action, comment)
    console.print(f"{draft['review_state']} → [bold]{moved['review_state']}[/]")


@drafts_app.command("submit")
def submit(draft_id: str, api_url: ApiUrl = DEFAULT_URL, api_key: ApiKey = "") -> None:
    """Put the draft in review (again, after a send-back and a change)."""
    _move(api_url, api_key, draft_id, "submit")


@drafts_app.command("send-back")
def send_back(
    draft_id: str,
    comment: Annotated[str, typer.Option(help="What to change (required)")],
    api_url: ApiUrl = DEFAULT_URL,
    api_key: ApiKey = "",
) -> None:
    """Send the draft back to its writer with a comment."""
    _move(api_url, api_key, draft_id, "request_changes", comment)


@drafts_app.command("approve")
def approve(draft_id: str, api_url: ApiUrl = DEFAULT_URL, api_key: ApiKey = "") -> None:
    """Approve the draft (refused while its checks report errors)."""
    _move(api_url, api_key, draft_id, "approve")


@drafts_app.command("regenerate")
def regenerate(
    draft_id: str,
    guidance: Annotated[str, typer.Option(help="Default: the send-back comment")] = "",
    submit_again: Annotated[bool, typer.Option("--submit", help="Then submit it")] = False,
    api_url: ApiUrl = DEFAULT_URL,
    api_key: ApiKey = "",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the job")] = 300.0,
) -> None:
    """Write the draft again following the guidance, as its next version; wait and show it."""
    client = client_for(api_url, api_key)
    with api_errors():
        draft = client.draft(draft_id)
        job = client.post_json(
            f"/v1/drafts/{draft_id}/regenerate", {"guidance": guidance}, draft["version"]
        )
        with console.status(f"job {job['id']}: queued") as status:
            job = client.wait(
                job["id"], timeout, lambda j: status.update(f"job {j['id']}: {j['status']}")
            )
        if job["status"] != "succeeded":
            error = job.get("error") or {"code": job["status"], "detail": "still running"}
            err.print(f"[red]job {job['status']}[/] {error['code']}: {error['detail']}")
            raise typer.Exit(1)
        (new,) = job["drafts"]
        print_draft(console, new)
        console.print(f"[green]↻[/] version {draft['version']} → {new['version']}")
        if submit_again:
            moved = client.review(f"/v1/drafts/{draft_id}/review", new["version"], "submit")
            console.print(f"  {moved['review_state']}")

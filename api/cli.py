"""`postcraft`: serve the API, run workers and the reconciler, manage brands and keys, draft."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from celery.exceptions import CPendingDeprecationWarning
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.app import create_app
from api.cli_drafts import drafts_app
from api.cli_plans import plans_app
from api.client import ApiClient
from api.demo import demo_plan, import_folder, print_draft, setup_demo
from api.web.links import login_link
from brand_voice.brands import create_brand
from brand_voice.profile import BrandProfile
from brand_voice.sources import Upload, parse_upload, store_source
from generators.runtime import Runtime, build_runtime
from storage.access import (
    authenticate,
    create_workspace,
    get_or_create_user,
    issue_key,
    key_by_prefix,
    revoke_key,
    workspace_keys,
)
from storage.db import migrate, transaction
from storage.enums import DocumentKind, Platform, Role, Rubric
from storage.errors import ErrorCode, PostcraftError
from storage.logs import configure_logging
from storage.models import Brand, Workspace
from storage.settings import ConfigurationError, Settings, load_settings
from worker.app import make_celery
from worker.queue import JobQueue
from worker.reconciler import reconcile_forever, reconcile_once
from worker.supervisor import WorkerSupervisor, exit_with_parent

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False)
brands_app = typer.Typer(help="Brands of a workspace.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
workspaces_app = typer.Typer(help="Workspaces (agencies, companies).", no_args_is_help=True)
app.add_typer(brands_app, name="brands")
app.add_typer(keys_app, name="keys")
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(plans_app, name="plans")
app.add_typer(drafts_app, name="drafts")
console = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None


def _runtime(log_file: Path | None = None) -> Runtime:
    settings = _settings()
    configure_logging(settings.log_level, settings.log_json, log_file)
    try:
        rt = build_runtime(settings)
    except ConfigurationError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    migrate(rt.engine)
    return rt


def _fail(exc: PostcraftError) -> typer.Exit:
    err.print(f"[red]error[/] {exc.code.value}: {exc.detail}")
    return typer.Exit(1)


@app.command("migrate")
def migrate_schema() -> None:
    """Bring the database schema up to date."""
    _runtime()
    console.print("[green]✓[/] database schema is up to date")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: POSTCRAFT_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="Default: POSTCRAFT_PORT")] = None,
    worker: Annotated[
        bool | None, typer.Option(help="Also start a worker and the reconciler (default: embedded)")
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Jobs a worker runs at once, as threads (default: POSTCRAFT_WORKER_CONCURRENCY)",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="API processes on the one port (default: POSTCRAFT_API_WORKERS); more than "
            "one needs PostgreSQL and --no-worker",
        ),
    ] = None,
) -> None:
    """Run the HTTP API (and, in the embedded default, a worker and the reconciler)."""
    rt = _runtime()
    with_worker = rt.settings.embedded if worker is None else worker
    threads = concurrency or rt.settings.worker_concurrency
    host, port = host or rt.settings.host, port or rt.settings.port
    processes = workers or rt.settings.api_workers
    if processes == 1:
        run_server(rt, host, port, with_worker, threads)
        return
    if with_worker or not rt.settings.sqlalchemy_url.startswith("postgresql"):
        err.print(
            "[red]error[/] several API processes need PostgreSQL (DATABASE_URL) and run no "
            "worker of their own: set DATABASE_URL and BROKER_URL, start workers with "
            "`postcraft worker` and the reconciler with `postcraft reconciler`, and serve with "
            "--no-worker"
        )
        raise typer.Exit(2)
    # uvicorn's own supervisor: it binds the port once, starts the processes, restarts one that
    # dies, and stops them all on SIGINT/SIGTERM.
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=processes,
        log_config=None,
        access_log=False,
    )


def run_server(
    rt: Runtime,
    host: str,
    port: int,
    with_worker: bool,
    concurrency: int,
    on_ready: Callable[[str, uvicorn.Server], None] | None = None,
    worker_log: Path | None = None,
) -> None:
    """Serve until interrupted; with_worker runs a supervised worker process beside the API."""
    supervisors = _start_workers(rt.settings, concurrency, worker_log) if with_worker else []
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(rt.settings, rt, reconcile=with_worker),
            host=host,
            port=port,
            log_config=None,
            access_log=False,
        )
    )
    if on_ready is not None:
        url = f"http://{host}:{port}"
        threading.Thread(target=_when_started, args=(server, url, on_ready), daemon=True).start()
    try:
        server.run()
    finally:
        for supervisor in supervisors:
            supervisor.stop()
        for supervisor in supervisors:
            supervisor.join(timeout=20)


def _start_workers(
    settings: Settings, concurrency: int, log: Path | None
) -> list[WorkerSupervisor]:
    """Two worker children, each restarted whenever it dies and supervised from a thread of
    this process: one for the batch queue, one of its own for the interactive queue (reply
    suggestions), so a batch of drafts that fills every batch thread never delays a reply."""
    supervisors = [
        WorkerSupervisor(_worker_command("batch", concurrency), log=log, stop_timeout=15.0),
        WorkerSupervisor(
            _worker_command("interactive", settings.interactive_concurrency),
            log=log,
            stop_timeout=15.0,
        ),
    ]
    for supervisor in supervisors:
        supervisor.start()
    return supervisors


def _worker_command(queues: str, concurrency: int) -> list[str]:
    """The command line of a supervised worker child: the Celery worker itself."""
    return [
        sys.executable,
        "-m",
        "api.cli",
        "worker",
        "--no-supervise",
        "--supervisor-pid",
        str(os.getpid()),
        "--queues",
        queues,
        "--concurrency",
        str(concurrency),
    ]


def _when_started(
    server: uvicorn.Server, url: str, on_ready: Callable[[str, uvicorn.Server], None]
) -> None:
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.05)
    try:
        on_ready(url, server)
    except PostcraftError as exc:
        err.print(f"[red]error[/] {exc.code.value}: {exc.detail}")
        server.should_exit = True


@app.command()
def worker(
    queues: Annotated[str, typer.Option(help="Comma-separated queues")] = "interactive,batch",
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Jobs a worker runs at once, as threads (default: POSTCRAFT_WORKER_CONCURRENCY)",
        ),
    ] = None,
    supervise: Annotated[
        bool,
        typer.Option(help="Run the Celery worker as a child and restart it if it dies"),
    ] = True,
    supervisor_pid: Annotated[int | None, typer.Option(hidden=True)] = None,
) -> None:
    """Run a Celery worker for the job queues, restarted with back-off whenever it dies."""
    settings = _settings()
    configure_logging(settings.log_level, settings.log_json)
    if supervise:
        # A warm shutdown lets running jobs finish; past their hard limit they are killed.
        supervisor = WorkerSupervisor(
            _worker_command(queues, concurrency or settings.worker_concurrency),
            stop_timeout=settings.job_time_limit_s + settings.job_lease_grace_s,
        )
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: supervisor.stop())
        supervisor.run()
        return
    if supervisor_pid is not None:
        exit_with_parent(supervisor_pid)
    # Running jobs deliberately outlive a lost broker connection (see worker.app): Celery's
    # notice that this may change in 6.0 is not news on every reconnect.
    warnings.filterwarnings(
        "ignore", message=r"\s*In Celery 5\.1 we introduced", category=CPendingDeprecationWarning
    )
    celery = make_celery(settings)
    # Threads, not prefork: a job mostly waits on the model, and every thread shares the
    # process's one embedding model and vector client (prefork loaded both in every child).
    threads = concurrency or settings.worker_concurrency
    argv = ["worker", "-Q", queues, "--concurrency", str(threads), "--pool", "threads"]
    argv += ["--without-mingle", "--without-gossip", "--loglevel", settings.log_level]
    if settings.celery_broker_url.startswith("filesystem"):
        argv += ["--without-heartbeat"]
    celery.worker_main(argv)


@app.command()
def reconciler(
    once: Annotated[bool, typer.Option(help="One pass, then exit")] = False,
) -> None:
    """Re-enqueue jobs stuck past their deadline (run one in scaled mode)."""
    rt = _runtime()
    queue = JobQueue(make_celery(rt.settings), rt.settings)
    if once:
        console.print(f"re-enqueued {reconcile_once(rt.settings, rt.sessions, queue)} job(s)")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        reconcile_forever(rt.settings, rt.sessions, queue, stop)
    except KeyboardInterrupt:
        stop.set()


@workspaces_app.command("create")
def workspaces_create(name: str) -> None:
    """Create a workspace and print its id."""
    rt = _runtime()
    with transaction(rt.sessions) as session:
        workspace = create_workspace(session, name)
    console.print(workspace.id)


def _workspace_id(rt: Runtime, given: str | None) -> str:
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


Workspace_ = Annotated[str | None, typer.Option("--workspace", help="Default: the only one")]


@brands_app.command("create")
def brands_create(
    name: str,
    slug: str,
    language: Annotated[str, typer.Option(help="ISO 639-1: ru, en, ...")] = "ru",
    platform: Annotated[list[Platform] | None, typer.Option(help="Repeat for each")] = None,
    hashtag: Annotated[list[str] | None, typer.Option(help="Branded hashtag; repeat")] = None,
    workspace: Workspace_ = None,
) -> None:
    """Create a brand and print its id."""
    rt = _runtime()
    workspace_id = _workspace_id(rt, workspace)
    try:
        profile = BrandProfile(
            language=language, platforms=platform or [], branded_hashtags=hashtag or []
        )
        with transaction(rt.sessions) as session:
            brand = create_brand(session, workspace_id, name, slug, profile)
    except PostcraftError as exc:
        raise _fail(exc) from None
    except ValueError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    console.print(brand.id)


@brands_app.command("list")
def brands_list(workspace: Workspace_ = None) -> None:
    """List the brands of a workspace."""
    rt = _runtime()
    workspace_id = _workspace_id(rt, workspace)
    with rt.sessions() as session:
        for brand in session.scalars(select(Brand).where(Brand.workspace_id == workspace_id)):
            console.print(f"{brand.id}  {brand.slug:<20} {brand.language}  {brand.name}")


@brands_app.command("import")
def brands_import(
    path: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A brand folder")],
    workspace: Workspace_ = None,
) -> None:
    """Create a brand from a folder (brand.json, guide, post exports, competitors) and ingest it;
    importing it again adds only what is new."""
    rt = _runtime()
    try:
        brand = import_folder(rt, _workspace_id(rt, workspace), path, console)
    except PostcraftError as exc:
        raise _fail(exc) from None
    console.print(brand.id)


@app.command("login-link")
def login_link_command(
    prefix: Annotated[str, typer.Argument(help="The key's start, as `keys list` shows it")],
    workspace: Workspace_ = None,
    url: Annotated[str, typer.Option(help="The service's address (POSTCRAFT_PUBLIC_URL)")] = "",
) -> None:
    """Print a one-time link that signs a browser in to the review page as the key's person
    (its role and brands), good for POSTCRAFT_LOGIN_LINK_MINUTES."""
    rt = _runtime()
    workspace_id = _workspace_id(rt, workspace)
    try:
        with rt.sessions() as session:
            key_id = key_by_prefix(session, workspace_id, prefix).id
    except PostcraftError as exc:
        raise _fail(exc) from None
    link = login_link(rt, key_id, url or None)
    minutes = rt.settings.login_link_minutes
    console.print(link, highlight=False, soft_wrap=True)
    console.print(f"[dim]works once, for {minutes:g} minutes[/]")


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
    brand: Annotated[str, typer.Option(help="Brand id or slug")],
    kind: Annotated[DocumentKind, typer.Option(help="voice_guide, post or competitor")],
    platform: Annotated[Platform | None, typer.Option(help="For files that do not say")] = None,
    competitor: Annotated[
        str | None, typer.Option(help="The competitor's name, for items that name none")
    ] = None,
    workspace: Workspace_ = None,
) -> None:
    """Ingest files into a brand's knowledge, with a progress bar; all or nothing."""
    rt = _runtime()
    workspace_id = _workspace_id(rt, workspace)
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
        raise _fail(exc) from None
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
    workspace: Workspace_ = None,
) -> None:
    """Create an API key for a person (created with the role if new); the key is shown once."""
    rt = _runtime()
    workspace_id = _workspace_id(rt, workspace)
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
        raise _fail(exc) from None
    console.print(issued.secret)


@keys_app.command("list")
def keys_list(workspace: Workspace_ = None) -> None:
    """The workspace's API keys: prefix, person, role, scope, created, revoked."""
    rt = _runtime()
    workspace_id = _workspace_id(rt, workspace)
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
    workspace: Workspace_ = None,
) -> None:
    """Revoke an API key: refused from now on (within POSTCRAFT_AUTH_CACHE_S by API processes
    that checked it lately)."""
    rt = _runtime()
    workspace_id = _workspace_id(rt, workspace)
    try:
        with transaction(rt.sessions) as session:
            key = revoke_key(session, workspace_id, prefix)
    except PostcraftError as exc:
        raise _fail(exc) from None
    console.print(
        f"[green]✓[/] {key.prefix} revoked; running API processes refuse it within "
        f"{rt.settings.auth_cache_s:g} s"
    )


@app.command()
def draft(
    brand: Annotated[str, typer.Option(help="Brand id or slug")],
    topic: Annotated[str, typer.Option()],
    platform: Annotated[list[Platform], typer.Option(help="Repeat for each platform")],
    brief: Annotated[str, typer.Option()] = "",
    rubric: Annotated[Rubric | None, typer.Option()] = None,
    api_url: Annotated[str, typer.Option(envvar="POSTCRAFT_API_URL")] = "http://127.0.0.1:8000",
    api_key: Annotated[str, typer.Option(envvar="POSTCRAFT_API_KEY")] = "",
    timeout: Annotated[float, typer.Option(help="Seconds to wait")] = 300.0,
) -> None:
    """Submit a draft job over the API and wait for it, printing the drafts."""
    client = ApiClient(api_url, api_key)
    try:
        request_and_print(client, brand, topic, platform, brief, rubric, timeout)
    except PostcraftError as exc:
        raise _fail(exc) from None


def request_and_print(
    client: ApiClient,
    brand: str,
    topic: str,
    platforms: list[Platform],
    brief: str = "",
    rubric: Rubric | None = None,
    timeout: float = 300.0,
) -> None:
    """Submit, wait with a live status line, print each draft (or the job's error)."""
    brands = {b["slug"]: b["id"] for b in client.brands()}
    brand_id = brands.get(brand, brand)
    request = {"topic": topic, "brief": brief, "platforms": [p.value for p in platforms]}
    if rubric:
        request["rubric"] = rubric.value
    job = client.submit_draft(brand_id, request)
    with console.status(f"job {job['id']}: queued") as status:
        job = client.wait(
            job["id"], timeout, lambda j: status.update(f"job {j['id']}: {j['status']}")
        )
    if job["status"] == "failed":
        err.print(f"[red]job failed[/] {job['error']['code']}: {job['error']['detail']}")
        raise typer.Exit(1)
    for item in job["drafts"]:
        print_draft(console, item)
    usage = job["usage"]
    console.print(
        f"[dim]job {job['id']} · {usage['prompt_tokens']} prompt + {usage['completion_tokens']} "
        f"completion tokens ({usage['counted_by']}) · attempt {job['attempts']}[/]"
    )


@app.command()
def demo(
    brands: Annotated[Path, typer.Option(help="Folder of brand folders")] = Path("demo/brands"),
    port: Annotated[int | None, typer.Option()] = None,
    exit_after: Annotated[bool, typer.Option(help="Stop the server after the draft")] = False,
) -> None:
    """Set up the demo brands, start the API and a worker, write a draft, keep serving."""
    settings = _settings()
    log_file = settings.data_dir / "logs" / "postcraft.log"
    rt = _runtime(log_file)
    console.print(
        f"[bold]Postcraft demo[/] · embedded default under {settings.data_dir.resolve()}/"
    )
    try:
        setup = setup_demo(rt, brands, console)
    except PostcraftError as exc:
        raise _fail(exc) from None
    port = port or settings.port

    def on_ready(url: str, server: uvicorn.Server) -> None:
        client = ApiClient(url, setup.api_key)
        console.print(f"API up at {url}; a worker is starting. Asking for a VK + Telegram post…")
        request_and_print(
            client,
            "zerno",
            "Новый сезонный лот из Эфиопии и как его заваривать дома",
            [Platform.VK, Platform.TELEGRAM],
            rubric=Rubric.EDUCATIONAL,
        )
        plan_id = demo_plan(client, setup.brands["zerno"], console)
        with rt.sessions() as session:
            key_id = authenticate(session, setup.api_key).api_key_id
        link = login_link(rt, key_id, url)
        console.print(
            f"\n[bold green]Review page:[/] {link}\n"
            f"  (a one-time sign-in link; then open the plan {url}/app/plans/{plan_id} and "
            f"review it: README, The review page; a new link: .venv/bin/postcraft login-link "
            f"{setup.api_key[:10]})",
            soft_wrap=True,  # the link on one line, whatever the terminal's width
        )
        console.print(
            f"\n[bold green]Server running:[/] {url}/docs   (API key: {setup.api_key})\n"
            f"Logs: {log_file}\nTry: .venv/bin/postcraft draft --brand northwind "
            f"--platform linkedin --topic 'Closing the month in three days' "
            f"--api-key {setup.api_key}\n"
            f"A content plan to review: POSTCRAFT_API_KEY={setup.api_key} .venv/bin/postcraft "
            "plans create --brand zerno --platform vk=3 --platform telegram=3 "
            "(then `plans --help`; README: A content plan)\n"
            "Press Ctrl-C to stop."
        )
        if exit_after:
            server.should_exit = True

    threads = settings.worker_concurrency
    run_server(rt, settings.host, port, True, threads, on_ready, worker_log=log_file)


def main() -> None:
    """Entry point of `python -m api.cli`."""
    app()


if __name__ == "__main__":
    main()

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

from api.app import create_app
from api.cli_admin import (
    brands_app,
    ingest,
    keys_app,
    login_link_command,
    workspaces_app,
)
from api.cli_common import console, err
from api.cli_drafts import drafts_app
from api.cli_local import fail, local_runtime, settings_or_exit
from api.cli_plans import plans_app
from api.client import ApiClient
from api.demo import demo_plan, print_draft, setup_demo
from api.web.links import login_link
from generators.runtime import Runtime
from storage.access import (
    authenticate,
)
from storage.enums import Platform, Rubric
from storage.errors import PostcraftError
from storage.logs import configure_logging
from storage.settings import Settings
from worker.app import make_celery
from worker.queue import JobQueue
from worker.reconciler import reconcile_forever, reconcile_once
from worker.supervisor import WorkerSupervisor, exit_with_parent

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(brands_app, name="brands")
app.add_typer(keys_app, name="keys")
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(plans_app, name="plans")
app.add_typer(drafts_app, name="drafts")
app.command("login-link")(login_link_command)
app.command()(ingest)


@app.command("migrate")
def migrate_schema() -> None:
    """Bring the database schema up to date."""
    local_runtime()
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
    """Run the HTTP API (and, in the embedded default, its two workers and the reconciler)."""
    rt = local_runtime()
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
    settings = settings_or_exit()
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
    rt = local_runtime()
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
        raise fail(exc) from None


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
    settings = settings_or_exit()
    log_file = settings.data_dir / "logs" / "postcraft.log"
    rt = local_runtime(log_file)
    console.print(
        f"[bold]Postcraft demo[/] · embedded default under {settings.data_dir.resolve()}/"
    )
    try:
        setup = setup_demo(rt, brands, console)
    except PostcraftError as exc:
        raise fail(exc) from None
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

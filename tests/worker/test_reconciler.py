"""The reconciler re-sends a job whose message is lost, and never one whose message may still
reach a worker: back-off while its queue is idle, at once when it was overtaken."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from generators.runtime import Runtime
from storage.db import transaction
from storage.enums import JobKind, JobStatus, Queue
from storage.jobs import NewJob, ResendReason, create_job, stuck_jobs
from storage.models import Job, utcnow
from storage.settings import Settings
from tests.conftest import World
from worker.app import make_celery
from worker.queue import JobQueue
from worker.reconciler import reconcile_once, resend_rule

GRACE = 120  # the default POSTCRAFT_JOB_QUEUED_GRACE_S
EXPIRES = 3600  # the default POSTCRAFT_JOB_MESSAGE_EXPIRES_S


class RecordingQueue(JobQueue):
    """Records what would be sent; `up=False` is a broker that refuses every send."""

    def __init__(self, settings: Settings, up: bool = True) -> None:
        super().__init__(make_celery(settings), settings)
        self.up = up
        self.sent: list[str] = []

    def send(self, job: Job) -> bool:
        if not self.up:
            self.sent.append(f"refused:{job.id}")
            return False
        self.sent.append(job.id)
        return True


def _queued_files(runtime: Runtime) -> list[str]:
    return sorted(p.name for p in (runtime.settings.broker_folder / "queue").glob("*.msg"))


def _job(
    rt: Runtime, world: World, queue: Queue = Queue.BATCH, sent_ago: float | None = None
) -> str:
    """A queued job; `sent_ago`: created and sent that many seconds ago."""
    job_id = create_job(
        rt.sessions(),
        NewJob(
            world.workspace_id, world.brand_a, None, JobKind.DRAFT, queue, {"n": next(_n)}, None
        ),
    ).job.id
    if sent_ago is not None:
        _set(rt, job_id, created_at=_ago(sent_ago), enqueued_at=_ago(sent_ago))
    return job_id


_n = iter(range(1_000_000))


def _set(rt: Runtime, job_id: str, **values: Any) -> None:
    with transaction(rt.sessions) as session:
        row = session.get(Job, job_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)


def _row(rt: Runtime, job_id: str) -> Job:
    with rt.sessions() as session:
        row = session.get(Job, job_id)
        assert row is not None
        return row


def _ago(seconds: float) -> datetime:
    return utcnow() - timedelta(seconds=seconds)


def _claimed(rt: Runtime, world: World, created_ago: float, claimed_ago: float) -> str:
    """A job of the batch queue created and claimed (running) that long ago."""
    job_id = _job(rt, world, sent_ago=created_ago)
    _set(
        rt,
        job_id,
        status=JobStatus.RUNNING,
        attempts=1,
        started_at=_ago(claimed_ago),
        lease_until=utcnow() + timedelta(minutes=5),
    )
    return job_id


def test_a_job_whose_message_was_lost_is_sent_again(runtime: Runtime, world: World) -> None:
    queue = JobQueue(make_celery(runtime.settings), runtime.settings)
    fresh = _job(runtime, world)
    lost = _job(runtime, world)
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0  # both within grace
    _set(runtime, lost, enqueued_at=_ago(GRACE + 1))
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 1
    files = _queued_files(runtime)
    assert len(files) == 1
    assert files[0].endswith(".batch.msg")
    assert lost in (runtime.settings.broker_folder / "queue" / files[0]).read_text()
    assert fresh not in (runtime.settings.broker_folder / "queue" / files[0]).read_text()
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0  # its timer restarted
    assert _row(runtime, lost).sends == 2


def test_an_idle_queue_backs_off_exponentially_up_to_the_message_expiry(
    runtime: Runtime, world: World
) -> None:
    queue = RecordingQueue(runtime.settings)
    job = _job(runtime, world)
    sends = 1
    for wait in (GRACE, 2 * GRACE, 4 * GRACE, 8 * GRACE, 16 * GRACE):
        _set(runtime, job, enqueued_at=_ago(wait - 2))  # not yet
        assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0, wait
        _set(runtime, job, enqueued_at=_ago(wait + 1))
        assert reconcile_once(runtime.settings, runtime.sessions, queue) == 1, wait
        sends += 1
        assert _row(runtime, job).sends == sends
    # 32 x grace is past the expiry: from now on, one message per expiry period.
    _set(runtime, job, enqueued_at=_ago(EXPIRES - 2))
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0
    _set(runtime, job, enqueued_at=_ago(EXPIRES + 1))
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 1
    assert queue.sent == [job] * 6


def test_a_backlog_being_worked_through_is_never_re_sent(runtime: Runtime, world: World) -> None:
    """Issue 7: every job past its grace was re-sent on every pass, 1,148 messages for 200 jobs.
    While the queue's jobs are being claimed, a waiting job's message is still ahead in it."""
    queue = RecordingQueue(runtime.settings)
    backlog = [_job(runtime, world, sent_ago=20 * GRACE) for _ in range(20)]  # far past grace
    older = _claimed(runtime, world, created_ago=30 * GRACE, claimed_ago=1)  # claimed just now
    for _ in range(5):
        assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0
    # That job is still running: its worker will take the next message when it is done.
    _set(runtime, older, started_at=_ago(GRACE + 1))
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0
    # Done, and nothing claimed for a grace: the queue is idle, the back-off applies again.
    _set(runtime, older, status=JobStatus.SUCCEEDED, lease_until=None)
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == len(backlog)
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0
    # A running job whose lease ran out (its worker died) does not keep the queue busy.
    job = backlog[0]
    _set(runtime, job, enqueued_at=_ago(2 * GRACE + 1))
    _set(runtime, older, status=JobStatus.RUNNING, lease_until=_ago(1))
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 2  # both


def test_an_overtaken_message_is_re_sent_at_once(runtime: Runtime, world: World) -> None:
    """A job created after A's message was sent has been claimed: in a FIFO queue A's message
    would have come first, so it is lost; no need to wait for the grace."""
    queue = RecordingQueue(runtime.settings)
    a = _job(runtime, world, sent_ago=30)
    _claimed(runtime, world, created_ago=29.5, claimed_ago=20)  # created within the slack
    _claimed(runtime, world, created_ago=10, claimed_ago=2)  # claimed within the slack: not yet
    other = _job(runtime, world, Queue.INTERACTIVE, sent_ago=10)  # another queue proves nothing
    _set(runtime, other, status=JobStatus.SUCCEEDED, started_at=_ago(8))
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0
    with runtime.sessions() as session:
        assert stuck_jobs(session, resend_rule(runtime.settings)) == []

    _claimed(runtime, world, created_ago=20, claimed_ago=10)
    with runtime.sessions() as session:
        stuck = stuck_jobs(session, resend_rule(runtime.settings))
    assert [(s.job.id, s.reason) for s in stuck] == [(a, ResendReason.OVERTAKEN)]
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 1
    assert queue.sent == [a]
    # The new message was sent after every claim so far: nothing overtakes it yet.
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0


def test_a_running_job_past_its_lease_is_re_sent_once_then_backs_off(
    runtime: Runtime, world: World
) -> None:
    queue = RecordingQueue(runtime.settings)
    job = _job(runtime, world, sent_ago=GRACE + 401)
    _set(
        runtime,
        job,
        status=JobStatus.RUNNING,
        attempts=1,
        started_at=_ago(GRACE + 400),
        lease_until=_ago(5),
    )
    with runtime.sessions() as session:
        stuck = stuck_jobs(session, resend_rule(runtime.settings))
    assert [s.reason for s in stuck] == [ResendReason.LEASE_EXPIRED]
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 1
    for _ in range(3):  # the old rule sent it again on every pass until a worker claimed it
        assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0
    _set(runtime, job, enqueued_at=_ago(2 * GRACE + 1))  # second send: twice the grace
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 1
    assert queue.sent == [job, job]


def test_a_refused_send_ends_the_pass_and_records_nothing(runtime: Runtime, world: World) -> None:
    queue = RecordingQueue(runtime.settings, up=False)
    jobs = [_job(runtime, world, sent_ago=GRACE + 1) for _ in range(3)]
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0
    assert len(queue.sent) == 1, "one refusal is enough to know the broker is down"
    assert all(_row(runtime, job).sends == 1 for job in jobs)
    queue.up = True
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 3


def test_settings_shape_the_rule(tmp_path: Any) -> None:
    settings = Settings(data_dir=tmp_path, job_queued_grace_s=5, job_message_expires_s=60)
    rule = resend_rule(settings)
    assert rule.grace == timedelta(seconds=5)
    assert rule.expires == timedelta(seconds=60)

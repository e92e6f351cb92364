"""Two Celery apps in one process (tests, an API process beside an embedded worker) each run
their own tasks with their own runtime: no task answers for another app's."""

from __future__ import annotations

from pathlib import Path

import pytest

from generators.runtime import Runtime
from storage.settings import Settings
from worker.app import DELIVERY_TASK_NAME, TASK_NAME, LazyRuntime, make_celery


class ReachedError(Exception):
    """Raised by a runtime holder to say which one a task reached."""


class Holder(LazyRuntime):
    def __init__(self, settings: Settings, name: str) -> None:
        super().__init__(settings)
        self.name = name

    def get(self) -> Runtime:
        raise ReachedError(self.name)


@pytest.mark.parametrize("task", [TASK_NAME, DELIVERY_TASK_NAME])
def test_each_app_runs_its_own_tasks(tmp_path: Path, task: str) -> None:
    apps = []
    for name in ("first", "second"):
        settings = Settings(data_dir=tmp_path / name)
        apps.append((name, make_celery(settings, Holder(settings, name))))
    for name, app in reversed(apps):
        with pytest.raises(ReachedError, match=f"^{name}$"):
            app.tasks[task]("00000000-0000-0000-0000-000000000000")

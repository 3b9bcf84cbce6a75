"""The task queue (Huey): a SQLite file by default (HUEY_SQLITE_PATH), Redis when
REDIS_URL is set (workers on several machines); with HUEY_IMMEDIATE (the tests) a job runs in the request that
asks for it. `flask --app wsgi worker` runs the consumer; the tasks are registered on the app's own Huey.

The queue is built at its first use (`jobs()`: the worker's start, the first file asked for), not when the app is
created: importing Huey imports redis and psycopg as well (~17 MB, ~0.15 s), which a web worker serving pages never
needs."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

from consult.core.models import utcnow
from consult.diagnostic import services
from consult.extensions import db

if TYPE_CHECKING:
    from huey.api import Huey, TaskWrapper

EXTENSION = "consult_jobs"
QUEUE_NAME = "consult"
_BUILDING = threading.Lock()  # two threads of a worker asking for the queue at once build it once


@dataclass(frozen=True)
class Jobs:
    """The app's queue and its tasks."""

    huey: Huey
    run_export: TaskWrapper
    purge: TaskWrapper


def make_huey(config) -> Huey:
    """Redis when REDIS_URL is set, else the SQLite file HUEY_SQLITE_PATH; in memory in immediate mode."""
    from huey import RedisHuey, SqliteHuey

    immediate = bool(config["HUEY_IMMEDIATE"])
    if config["REDIS_URL"]:
        return RedisHuey(QUEUE_NAME, url=config["REDIS_URL"], immediate=immediate, results=False)
    if not immediate:
        Path(config["HUEY_SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=config["HUEY_SQLITE_PATH"], immediate=immediate, results=False)


@contextmanager
def task_context(app: Flask) -> Iterator[None]:
    """What a task runs in: an app context of its own (its own database session, even when the task runs inside
    a request in immediate mode) and a request context on SITE_URL, so that builders can make links."""
    with app.app_context(), app.test_request_context("/", base_url=app.config["SITE_URL"]):
        yield


def init_jobs(app: Flask) -> None:
    """Reserve the app's queue; `jobs()` builds it at its first use."""
    app.extensions[EXTENSION] = None


def _build(app: Flask) -> Jobs:
    """The app's Huey with its tasks registered (a worker process creates the app, hence the same tasks)."""
    from huey import crontab

    huey = make_huey(app.config)

    @huey.task(name="run_export")
    def run_export(job_id: int) -> None:
        """Build one job's file."""
        with task_context(app):
            services.run_export(job_id)

    @huey.periodic_task(crontab(minute="*/15"), name="purge_exports")
    def purge() -> None:
        """Delete the files whose time is up."""
        with task_context(app):
            services.purge_expired(utcnow())
            db.session.commit()

    return Jobs(huey=huey, run_export=run_export, purge=purge)


def jobs() -> Jobs:
    """The current app's queue and tasks, built on the first call."""
    app = current_app._get_current_object()
    queue = app.extensions[EXTENSION]
    if queue is None:
        with _BUILDING:
            queue = app.extensions[EXTENSION]
            if queue is None:
                queue = app.extensions[EXTENSION] = _build(app)
    return queue


def enqueue_export(job_id: int) -> None:
    """Hand a committed job to the workers (in immediate mode: build it now)."""
    jobs().run_export(job_id)

"""Background jobs: a worker thread by default, an RQ worker when REDIS_URL is set.

A job is a plain function named by its dotted path ("eventapp.services.planning.run_plan")
with plain arguments (ids), so both runners can call it: the thread calls it in the same
process, and an RQ worker imports it in another one. Either way it runs inside an app
context with its own database session, never the request's.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable

import click
from flask import Flask, current_app, has_app_context

from eventapp.extensions import db

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "mingle"

_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def _resolve(path: str) -> Callable[..., None]:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def submit(path: str, *args: int | str | float) -> None:
    """Run the job function named by `path` with `args` in the background; return at once."""
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        queue(app).enqueue(run_job, path, *args, job_timeout=3600)
        return
    thread = threading.Thread(
        target=_run_in_thread, args=(app, path, args), name=f"job:{path}", daemon=True
    )
    with _threads_lock:
        _threads.add(thread)
    thread.start()


def _run_in_thread(app: Flask, path: str, args: tuple) -> None:
    try:
        with app.app_context():
            try:
                _resolve(path)(*args)
            finally:
                db.session.remove()
    except Exception:  # a job records its own failures; this is only the last resort
        log.exception("Background job %s%r failed", path, args)
    finally:
        with _threads_lock:
            _threads.discard(threading.current_thread())


def run_job(path: str, *args: int | str | float) -> None:
    """What an RQ worker runs: the job inside an app context.

    `flask worker` (and an in-process test worker) already has one; a bare `rq worker`
    does not, so the app is built from the environment (DATABASE_URL, ...).
    """
    if has_app_context():
        _resolve(path)(*args)
        return
    from eventapp import create_app

    with create_app().app_context():
        try:
            _resolve(path)(*args)
        finally:
            db.session.remove()


def queue(app: Flask):
    """The RQ queue jobs go to (REDIS_URL, RQ_QUEUE)."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(app.config["REDIS_URL"])
    return Queue(app.config.get("RQ_QUEUE") or DEFAULT_QUEUE, connection=connection)


def work(app: Flask, *, burst: bool = False) -> None:
    """Run an RQ worker in this process, inside the app context (`flask worker`)."""
    from rq import SimpleWorker

    # SimpleWorker runs jobs in this process: no fork, so the app and its engine stay valid.
    q = queue(app)
    SimpleWorker([q], connection=q.connection).work(burst=burst)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run plan jobs queued in Redis (REDIS_URL, RQ_QUEUE) in this process."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.UsageError("Set REDIS_URL: without it, plans run in a thread of the web app.")
    work(app, burst=burst)


def wait_for_threads(timeout: float = 10.0) -> bool:
    """Wait for the thread jobs started in this process; True when all have finished."""
    with _threads_lock:
        running = list(_threads)
    for thread in running:
        thread.join(timeout)
    return not any(t.is_alive() for t in running)

"""The Redis path of background jobs, over a real connection (REDIS_URL or 127.0.0.1:6379).

The request only enqueues; an RQ worker (here rq's SimpleWorker, in this process, burst mode)
runs the plan and stores it. Each run uses its own queue name and removes its keys afterwards.
"""

import contextlib
import os
import uuid

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job

from eventapp.extensions import db
from eventapp.models import Plan
from eventapp.services import jobs
from tests.app.planning_support import make_event, session_of

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def run_worker(app):
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    name = f"mingle-test-{uuid.uuid4().hex[:12]}"
    app.config.update(REDIS_URL=REDIS_URL, RQ_QUEUE=name)
    workers: list[SimpleWorker] = []

    def run_worker() -> bool:
        """Run the queued jobs in this process, as `rq worker --burst` would."""
        queue = jobs.queue(app)
        workers.append(
            SimpleWorker([queue], connection=queue.connection, name=f"{name}-w{len(workers)}")
        )
        return workers[-1].work(burst=True)

    yield run_worker
    queue = jobs.queue(app)
    job_ids = set(queue.job_ids)
    for registry in (queue.finished_job_registry, queue.failed_job_registry):
        job_ids.update(registry.get_job_ids())
    for job_id in job_ids:
        with contextlib.suppress(NoSuchJobError):
            Job.fetch(job_id, connection=connection).delete()
    queue.delete(delete_jobs=True)
    for worker in workers:
        connection.srem("rq:workers", worker.key)
    for key in connection.scan_iter(f"*{name}*"):
        connection.delete(key)
    connection.close()


@pytest.mark.db
def test_a_plan_goes_through_redis_and_an_rq_worker_stores_it(run_worker, app, client, auth):
    auth.login()
    event = make_event()
    session = session_of(event)
    response = client.post(f"/sessions/{session.id}/plans", data={"time_limit": 0.5, "seed": 1})
    plan = db.session.get(Plan, int(response.location.rsplit("/", 1)[1]))

    queue = jobs.queue(app)
    assert queue.count == 1, "the request enqueues the job and returns"
    assert plan.state == "queued" and not plan.assignments
    assert client.get(f"/plans/{plan.id}/progress").get_json()["state"] == "queued"

    assert run_worker()

    db.session.expire_all()
    assert queue.count == 0 and len(queue.finished_job_registry) == 1
    assert plan.state == "done" and plan.status in ("optimal", "feasible")
    assert len(plan.assignments) == len(event.attendees) * session.rounds
    assert client.get(f"/plans/{plan.id}/progress").get_json()["finished"]


def test_a_plan_cancelled_while_queued_is_never_solved(run_worker, client, auth):
    auth.login()
    session = session_of(make_event())
    response = client.post(f"/sessions/{session.id}/plans", data={"time_limit": 0.5})
    plan_id = int(response.location.rsplit("/", 1)[1])
    client.post(f"/plans/{plan_id}/cancel")

    run_worker()
    plan = db.session.get(Plan, plan_id)
    db.session.refresh(plan)
    assert plan.state == "cancelled" and plan.status is None and not plan.assignments

"""Redis, holding both the cache (throttle counters) and the broker as in compose, stopped for 30 s while a learner
logs in, reviews, answers quiz questions and submits demo runs: not one request fails (the throttles let requests
through, runs are stored and dispatched later), and every run submitted finishes once Redis is back."""

import time

import pytest

from tests.faults.traffic import Learner, Traffic
from tests.processes import wait_for
from tests.servers import service_env, sqlite_copy

pytestmark = [pytest.mark.django_db, pytest.mark.services]  # django_db: before transactional tests (sqlite_template)
OUTAGE_SECONDS = 30


def test_no_request_fails_while_redis_is_down_and_every_run_finishes(
    redis, sqlite_template, start_server, start_service_worker, tmp_path
):
    data = tmp_path / "data"
    env = service_env(
        data,
        sqlite_copy(sqlite_template, data),
        CACHE_URL=f"redis://127.0.0.1:{redis.port}/1",
        CELERY_BROKER_URL=redis.url,
    )
    server = start_server(env, ready=False)
    start_service_worker(env)
    learner = Learner(server.wait_ready().url)

    with Traffic(learner, pause=0.3, submit_every=8) as traffic:
        time.sleep(4)
        redis.stop()
        stopped = time.monotonic()
        time.sleep(OUTAGE_SECONDS)
        restarted = time.monotonic()
        redis.start()
        time.sleep(4)

    print(f"before: {traffic.summary(end=stopped)}\nduring: {traffic.summary(stopped, restarted)}")
    print(f"after: {traffic.summary(start=restarted)}")
    assert [(o.action, o.status, o.body) for o in traffic.outcomes if not o.ok] == []
    during = {o.action for o in traffic.outcomes if stopped < o.at < restarted}
    assert {"login", "review", "answer", "submit"} <= during

    runs = [o.body["id"] for o in traffic.of("submit")]
    wait_for(lambda: all(status_of(learner, run) == "succeeded" for run in runs), 180, 1, "every run to succeed")


def status_of(learner: Learner, run_id: str) -> str:
    status = learner.http.get(f"{learner.url}/api/demo-runs/{run_id}/", timeout=60).json()["status"]
    assert status != "failed", run_id
    return status

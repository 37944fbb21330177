"""The real queue: redis-server, Celery worker processes with embedded beat, and the API in this process."""

import pytest

from demos.models import DemoRun
from tests.processes import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]
QUICK = {"steps": 20, "depth": 4, "width": 8}
LONG = {"steps": 500, "depth": 16, "width": 128}  # long enough to act on mid-run


def submit(api, params, **body):
    response = api.post("/api/demo-runs/", {"demo": "activation-gradients", "params": params, **body}, format="json")
    assert response.status_code == 202, response.json()
    return response.json()["id"]


def status_of(api, run_id):
    return api.get(f"/api/demo-runs/{run_id}/").json()


def test_submit_observe_progress_and_read_result(api, start_worker):
    worker = start_worker()
    run_id = submit(api, {"steps": 300, "depth": 10, "width": 64}, prediction="sigmoid")
    seen = wait_for(
        lambda: (body := status_of(api, run_id))["status"] == "running" and 0 < body["progress"] < 1 and body,
        90,
        what="progress reported while running",
    )
    assert seen["started_at"] and seen["message"]
    done = wait_for(
        lambda: (body := status_of(api, run_id))["status"] in ("succeeded", "failed") and body,
        180,
        what="the run to finish",
    )
    assert done["status"] == "succeeded", done["error"] + worker.log.read_text()[-2000:]
    assert done["progress"] == 1.0
    assert done["metrics"]["first_layer_grad_sigmoid"] < done["metrics"]["first_layer_grad_relu"]
    assert done["prediction_result"]["correct"] == (done["prediction_result"]["answer"] == "sigmoid")
    assert DemoRun.objects.get(pk=run_id).worker.startswith("test-")


def test_cancel_a_running_run(api, start_worker):
    start_worker()
    run_id = submit(api, LONG)
    wait_for(lambda: status_of(api, run_id)["status"] == "running", 90, what="the run to start")
    assert api.post(f"/api/demo-runs/{run_id}/cancel/").json()["cancel_requested"] is True
    final = wait_for(
        lambda: (body := status_of(api, run_id))["status"] != "running" and body, 60, what="the run to stop"
    )
    assert final["status"] == "cancelled"
    assert final["metrics"] is None


def test_worker_killed_mid_run_is_marked_failed(api, start_worker):
    first = start_worker()
    run_id = submit(api, LONG)
    wait_for(lambda: status_of(api, run_id)["status"] == "running", 90, what="the run to start")
    first.kill()  # SIGKILL to the worker's whole process group: no chance to clean up

    start_worker()  # its beat runs the reaper every second; a run is stale after 3 s without a heartbeat
    final = wait_for(
        lambda: (body := status_of(api, run_id))["status"] != "running" and body, 60, what="the stale run to be reaped"
    )
    assert final["status"] == "failed"
    assert "stopped responding" in final["error"]
    assert "Submit the run again" in final["error"]

    again = submit(api, QUICK)  # the surviving worker still serves new runs
    wait_for(lambda: status_of(api, again)["status"] == "succeeded", 120, what="a new run on the second worker")


def test_soft_time_limit_fails_the_run_with_a_clear_message(api, start_worker):
    start_worker(DEMO_SOFT_TIME_LIMIT="2")
    run_id = submit(api, LONG)
    final = wait_for(
        lambda: (body := status_of(api, run_id))["status"] not in ("queued", "running") and body,
        90,
        what="the time limit to stop the run",
    )
    assert final["status"] == "failed"
    assert "longer than its 2 s time limit" in final["error"]


def test_run_submitted_while_broker_is_down_is_sent_when_it_is_back(api, start_worker, redis_broker):
    start_worker()
    redis_broker.stop()
    run_id = submit(api, QUICK)
    stored = DemoRun.objects.get(pk=run_id)
    assert (stored.status, stored.dispatched_at) == ("queued", None)

    redis_broker.start()
    final = wait_for(
        lambda: (body := status_of(api, run_id))["status"] in ("succeeded", "failed") and body,
        120,
        what="the run to be sent and executed after the broker came back",
    )
    assert final["status"] == "succeeded", final["error"]
    assert DemoRun.objects.get(pk=run_id).dispatched_at is not None

"""The demo catalog and run API. The worker's part runs in-process here (services.execute_run); the real queue is
exercised in test_worker.py."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from demos import execution
from demos.catalog import CATALOG
from demos.models import DemoRun

pytestmark = pytest.mark.django_db
QUICK = {"steps": 3, "depth": 4, "width": 8}


def submit(api, **body):
    return api.post("/api/demo-runs/", {"demo": "activation-gradients", "params": QUICK, **body}, format="json")


def test_catalog_lists_every_demo_with_schema_concepts_and_question():
    body = APIClient().get("/api/demos/").json()
    assert {d["name"] for d in body} == set(CATALOG)
    for demo in body:
        assert demo["params_schema"]["type"] == "object"
        assert "seed" in demo["params_schema"]["properties"]
        assert demo["concepts"] and all(c["title"] != c["slug"] for c in demo["concepts"]), demo["name"]
        assert demo["prediction"]["question"] and len(demo["prediction"]["choices"]) >= 2


def test_catalog_detail_and_unknown_demo():
    client = APIClient()
    assert client.get("/api/demos/activation-gradients/").json()["name"] == "activation-gradients"
    assert client.get("/api/demos/no-such-demo/").json()["code"] == "not_found"


def test_concept_detail_lists_its_demos():
    body = APIClient().get("/api/concepts/sigmoid/").json()
    assert "activation-gradients" in {d["name"] for d in body["demos"]}


def test_runs_need_authentication():
    response = APIClient().post("/api/demo-runs/", {"demo": "activation-gradients"}, format="json")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_submit_stores_validated_params_and_returns_202(api, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(api, prediction="sigmoid")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "queued"
    run = DemoRun.objects.get(pk=body["id"])
    assert run.owner == learner
    assert run.params == {**CATALOG["activation-gradients"].defaults(), **QUICK}
    assert run.queue == "cpu"
    assert run.dispatched_at is not None  # handed to the (filesystem) broker after the commit


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"demo": "no-such-demo"}, "demo", "unknown_demo"),
        ({"params": {"steps": 0}}, "params.steps", "invalid_params"),
        ({"params": {"steps": "many"}}, "params.steps", "invalid_params"),
        ({"params": {"colour": "red"}}, "params.colour", "invalid_params"),
        ({"params": {"init": "magic"}}, "params.init", "invalid_params"),
        ({"device": "tpu"}, "device", "invalid_choice"),
        ({"device": "cuda"}, "device", "no_gpu_worker"),
        ({"prediction": "tanh-maybe"}, "prediction", "invalid_prediction"),
        ({"params": "steps=3"}, "params", "not_a_dict"),
    ],
)
def test_bad_submissions_are_400_and_store_nothing(api, body, field, code):
    response = api.post("/api/demo-runs/", {"demo": "activation-gradients", **body}, format="json")
    assert response.status_code == 400, response.json()
    error = response.json()
    assert error["code"] == code
    assert field in error["errors"], error
    assert DemoRun.objects.count() == 0


def test_run_executes_and_grades_the_prediction(api):
    run_id = submit(api, prediction="relu").json()["id"]
    execution.execute_run(run_id, worker="in-process")
    body = api.get(f"/api/demo-runs/{run_id}/").json()
    assert body["status"] == "succeeded", body["error"]
    assert body["progress"] == 1.0
    assert body["metrics"] and body["series"] and body["summary"]
    assert body["device"] == "cpu"
    assert body["started_at"] and body["finished_at"] and body["duration"] >= 0
    grading = body["prediction_result"]
    assert grading["prediction"] == "relu"
    assert grading["answer"] == CATALOG["activation-gradients"].prediction.answer(body["metrics"])
    assert grading["correct"] == (grading["answer"] == "relu")
    assert grading["explanation"]


def test_executing_twice_changes_nothing_the_second_time(api):
    run_id = submit(api).json()["id"]
    execution.execute_run(run_id)
    first = DemoRun.objects.get(pk=run_id)
    execution.execute_run(run_id)
    again = DemoRun.objects.get(pk=run_id)
    assert (again.finished_at, again.metrics, again.status) == (first.finished_at, first.metrics, first.status)


def test_identical_submission_is_served_from_cache_unless_fresh(api, other_api):
    original = submit(api).json()["id"]
    execution.execute_run(original)
    cached = submit(other_api)
    assert cached.status_code == 200
    assert cached.json()["cached"] is True
    assert cached.json()["metrics"] == DemoRun.objects.get(pk=original).metrics
    fresh = submit(other_api, fresh=True)
    assert fresh.status_code == 202
    assert fresh.json()["status"] == "queued"
    different = api.post(
        "/api/demo-runs/", {"demo": "activation-gradients", "params": {**QUICK, "seed": 1}}, format="json"
    )
    assert different.status_code == 202


def test_list_shows_only_own_runs_and_filters(api, other_api):
    mine = submit(api).json()["id"]
    submit(other_api, params={**QUICK, "seed": 7})
    body = api.get("/api/demo-runs/").json()
    assert [r["id"] for r in body["results"]] == [mine]
    assert "series" not in body["results"][0]
    assert api.get("/api/demo-runs/", {"status": "succeeded"}).json()["count"] == 0
    assert api.get("/api/demo-runs/", {"status": "queued", "demo": "activation-gradients"}).json()["count"] == 1
    assert api.get("/api/demo-runs/", {"status": "exploded"}).json()["code"] == "invalid_choice"


def test_another_users_run_is_404_everywhere(api, other_api):
    run_id = submit(api).json()["id"]
    for response in (
        other_api.get(f"/api/demo-runs/{run_id}/"),
        other_api.post(f"/api/demo-runs/{run_id}/cancel/"),
        other_api.get(f"/api/demo-runs/{run_id}/plot.svg"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert DemoRun.objects.get(pk=run_id).status == "queued"


def test_cancel_queued_run_then_execution_does_nothing(api):
    run_id = submit(api).json()["id"]
    response = api.post(f"/api/demo-runs/{run_id}/cancel/")
    assert response.json()["status"] == "cancelled"
    execution.execute_run(run_id)
    assert DemoRun.objects.get(pk=run_id).status == "cancelled"
    again = api.post(f"/api/demo-runs/{run_id}/cancel/")
    assert again.status_code == 409
    assert again.json()["code"] == "not_cancellable"


def test_plot_svg_has_axes_and_legend(api):
    run_id = submit(api).json()["id"]
    assert api.get(f"/api/demo-runs/{run_id}/plot.svg").json()["code"] == "no_result_yet"
    execution.execute_run(run_id)
    response = api.get(f"/api/demo-runs/{run_id}/plot.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert 'id="legend_' in svg and 'id="xtick_' in svg and 'id="ytick_' in svg
    # matplotlib styles the chart inline: opened on its own, the chart is the page and its policy allows that.
    assert "style-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]


@override_settings(DEMO_MAX_ACTIVE_RUNS=2)
def test_cap_on_active_runs_is_429(api):
    for seed in (1, 2):
        assert submit(api, params={**QUICK, "seed": seed}).status_code == 202
    response = submit(api, params={**QUICK, "seed": 3})
    assert response.status_code == 429
    assert response.json()["code"] == "active_run_limit"
    assert DemoRun.objects.count() == 2


@override_settings(DEMO_SUBMIT_RATE="2/hour", DEMO_MAX_ACTIVE_RUNS=10)
def test_submission_throttle_is_429_with_retry_after(api):
    from django.core.cache import cache

    cache.clear()
    for seed in (1, 2):
        assert submit(api, params={**QUICK, "seed": seed}).status_code == 202
    response = submit(api, params={**QUICK, "seed": 3})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    cache.clear()


def test_failing_run_records_the_error(api, monkeypatch):
    run_id = submit(api).json()["id"]
    demo = CATALOG["activation-gradients"]

    def explode(params, device, progress):
        raise RuntimeError("CUDA out of memory (simulated)")

    monkeypatch.setattr(type(demo), "run", lambda self, *a, **k: explode(*a, **k))
    execution.execute_run(run_id)
    body = api.get(f"/api/demo-runs/{run_id}/").json()
    assert body["status"] == "failed"
    assert body["error"] == "RuntimeError: CUDA out of memory (simulated)"


@override_settings(DEMO_GPU_QUEUE=True)
def test_runs_go_to_the_gpu_queue_when_a_gpu_worker_is_configured(api):
    auto = submit(api).json()
    assert DemoRun.objects.get(pk=auto["id"]).queue == "gpu"
    forced_cpu = submit(api, device="cpu").json()
    assert DemoRun.objects.get(pk=forced_cpu["id"]).queue == "cpu"


def test_progress_reports_store_the_latest_partial_curves_for_live_charts(api, monkeypatch):
    from demos.execution import _ProgressReporter
    from demos.models import RunStatus

    run_id = submit(api).json()["id"]
    DemoRun.objects.filter(pk=run_id).update(status=RunStatus.RUNNING)
    report = _ProgressReporter(run_id)
    first = {"panels": [{"lines": [{"label": "loss", "x": [1], "y": [0.9]}]}]}
    report(0.1, "step 1", series=first)  # in the run's first half second: kept in memory, not written yet
    assert (DemoRun.objects.get(pk=run_id).series, DemoRun.objects.get(pk=run_id).progress) == (None, 0.0)
    monkeypatch.setattr(execution, "PROGRESS_WRITE_SECONDS", 0)  # as if half a second had passed
    report(0.2, "step 2")  # written, with the curves kept from step 1
    assert (DemoRun.objects.get(pk=run_id).series, DemoRun.objects.get(pk=run_id).progress) == (first, 0.2)
    later = {"panels": [{"lines": [{"label": "loss", "x": [1, 2], "y": [0.9, 0.7]}]}]}
    report(0.3, "step 3", series=later)
    assert DemoRun.objects.get(pk=run_id).series == later
    plot = api.get(f"/api/demo-runs/{run_id}/plot.svg")
    assert plot.status_code == 409  # partial curves are for live charts; the SVG waits for the result

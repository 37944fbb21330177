"""The demo pages: the catalog, predict-then-run, one run, my runs and the comparison (Django's test client).

The worker's part runs in-process (``demos.execution.execute_run``), as in tests/demo_runs/test_api.py.
"""

import json
import re
import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings

from demos import execution
from demos.catalog import CATALOG
from demos.models import DemoRun, RunStatus
from demos.plots import CHART_STYLE, line_styles, styled_series
from demos.submission import submit_run
from portal.demo_views import overlay
from tests.portal.helpers import assert_csp_ready, assert_login_redirect, parse

pytestmark = pytest.mark.django_db
QUICK = {"steps": 3, "depth": 4, "width": 8}  # activation-gradients in well under a second


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The submission throttle counts in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def form_data(demo_name: str, prediction: str | None, **params) -> dict:
    """A POST of the demo page's form: every parameter at its default unless given, and the prediction."""
    demo = CATALOG[demo_name]
    values = {**demo.defaults(), **params}
    data = {}
    for param in demo.params:
        value = values[param.name]
        if param.kind == "bool":
            if value:
                data[f"params-{param.name}"] = "on"
        else:
            data[f"params-{param.name}"] = str(value)
    if prediction is not None:
        data["prediction"] = prediction
    return data


def attrs_of(response, element_id: str) -> dict:
    return next(attrs for tag, attrs in parse(response).elements if attrs.get("id") == element_id)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", " ".join(parse(response).text))


def finished_run(owner, demo="activation-gradients", params=None, prediction="relu") -> DemoRun:
    run, _cached = submit_run(owner, demo, params or QUICK, prediction=prediction, fresh=True)
    execution.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


# The catalog


def test_the_catalog_lists_every_demo_with_what_it_shows_and_its_concepts(client):
    response = client.get("/demos/")
    assert response.status_code == 200
    assert_csp_ready(response)
    text = text_of(response)
    hrefs = {attrs.get("href") for tag, attrs in parse(response).elements if tag == "a"}
    for demo in CATALOG.values():
        assert f"/demos/{demo.name}/" in hrefs
        assert demo.title in text and demo.shows in text
        for slug in demo.concepts:
            assert f"/concepts/{slug}/" in hrefs, (demo.name, slug)
    assert "Batch Normalization 批量归一化" in text  # concept titles in both languages, not slugs


# Predict, then run


def test_the_demo_page_asks_first_and_builds_the_form_from_the_schema(client):
    response = client.get("/demos/optimizers/")
    assert response.status_code == 200
    assert_csp_ready(response)
    html = response.content.decode()
    demo = CATALOG["optimizers"]
    assert html.index(demo.prediction.question) < html.index('name="params-lr_sgd"')  # the question comes first
    radios = [attrs for tag, attrs in parse(response).elements if attrs.get("name") == "prediction"]
    assert [radio["value"] for radio in radios] == list(demo.prediction.choices)
    assert all(radio["type"] == "radio" for radio in radios)
    lr = attrs_of(response, "id_params-lr_sgd")
    assert (lr["type"], lr["min"], lr["max"], lr["step"], lr["value"]) == ("number", "1e-05", "2", "any", "0.1")
    steps = attrs_of(response, "id_params-steps_2d")
    assert (steps["min"], steps["max"], steps["step"], steps["value"]) == ("1", "2000", "1", "200")
    for param in demo.params:  # every parameter has a label and its help
        assert f'<label for="id_params-{param.name}">{param.name}</label>' in html
        assert param.help in text_of(response)
    # anonymous visitors see how to log in instead of the Run button
    assert "/accounts/login/?next=/demos/optimizers/" in html
    assert ">Run</button>" not in html


def test_choice_and_boolean_parameters_get_a_select_and_a_checkbox(learner_client):
    conv = learner_client.get("/demos/conv-arithmetic/")
    options = [attrs["value"] for tag, attrs in parse(conv).elements if tag == "option"]
    assert options[:5] == ["vgg", "resnet-stem", "dilated", "valid", "custom"]
    residual = learner_client.get("/demos/residual-depth/")
    box = attrs_of(residual, "id_params-shallow_baseline")
    assert box["type"] == "checkbox" and "checked" in box


def test_an_unknown_demo_is_a_404_page(client):
    response = client.get("/demos/no-such-demo/")
    assert response.status_code == 404
    assert "There is no demo named “no-such-demo”." in text_of(response)


def test_running_needs_an_account(client):
    response = client.post("/demos/optimizers/", form_data("optimizers", "adam"))
    assert_login_redirect(response, "/demos/optimizers/")
    assert not DemoRun.objects.exists()


def test_submitting_stores_the_run_and_goes_to_its_page(learner_client, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = learner_client.post(
            "/demos/optimizers/", form_data("optimizers", "adam", steps_2d=40, steps_net=20, lr_adam=0.05)
        )
    run = DemoRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/runs/{run.pk}/"
    assert run.owner == learner
    assert run.prediction == "adam"
    assert run.params == {**CATALOG["optimizers"].defaults(), "steps_2d": 40, "steps_net": 20, "lr_adam": 0.05}
    assert run.status == RunStatus.QUEUED
    assert run.dispatched_at is not None  # handed to the broker, as the API does


@pytest.mark.parametrize(
    ("demo", "params", "field", "message"),
    [
        ("optimizers", {"lr_sgd": 100}, "lr_sgd", "must be at most 2.0"),
        ("optimizers", {"steps_2d": "many"}, "steps_2d", "must be an integer"),
        ("optimizers", {"steps_2d": 2.5}, "steps_2d", "must be an integer"),
        ("optimizers", {"momentum": ""}, "momentum", "This field is required."),
        ("conv-arithmetic", {"stack": "tiny"}, "stack", "must be one of vgg, resnet-stem, dilated, valid, custom"),
        ("l1-vs-l2", {"n_features": 5, "n_informative": 6}, "n_informative", "must be at most n_features (5)"),
    ],
)
def test_bad_parameters_are_shown_at_their_field_and_change_nothing(learner_client, demo, params, field, message):
    prediction = next(iter(CATALOG[demo].prediction.choices))
    response = learner_client.post(f"/demos/{demo}/", form_data(demo, prediction, **params))
    assert response.status_code == 400
    assert_csp_ready(response)
    errors = re.search(rf'<ul class="errorlist" id="id_params-{field}_error">(.*?)</ul>', response.content.decode())
    assert errors and message in errors.group(1), response.content.decode()
    widget = attrs_of(response, f"id_params-{field}")
    assert widget["aria-invalid"] == "true"
    assert f"id_params-{field}_error" in widget["aria-describedby"]
    assert "The run was not started." in text_of(response)
    assert not DemoRun.objects.exists()


@pytest.mark.parametrize("prediction", [None, "lion"])
def test_the_prediction_comes_first(learner_client, prediction):
    response = learner_client.post("/demos/optimizers/", form_data("optimizers", prediction))
    assert response.status_code == 400
    error = re.search(r'<ul class="errorlist" id="id_prediction_error">(.*?)</ul>', response.content.decode())
    expected = (
        "Pick your prediction before you run the demo." if prediction is None else "&#x27;lion&#x27; is not one of sgd"
    )
    assert error and expected in error.group(1)
    assert not DemoRun.objects.exists()


def test_the_entered_values_stay_in_the_form_after_an_error(learner_client):
    response = learner_client.post("/demos/optimizers/", form_data("optimizers", "sgd", lr_sgd=100, steps_2d=77))
    assert attrs_of(response, "id_params-steps_2d")["value"] == "77"
    assert "checked" in attrs_of(response, "id_prediction_0")


@override_settings(DEMO_MAX_ACTIVE_RUNS=1)
def test_the_active_run_limit_is_the_services(learner_client, learner):
    submit_run(learner, "activation-gradients", QUICK)
    response = learner_client.post("/demos/optimizers/", form_data("optimizers", "adam"))
    assert response.status_code == 429
    assert "You already have 1 runs queued or running" in text_of(response)
    assert DemoRun.objects.count() == 1


@override_settings(DEMO_SUBMIT_RATE="2/hour")
def test_the_submission_throttle_is_the_apis(learner_client):
    data = form_data("optimizers", "adam", lr_sgd=100)  # even rejected submissions count, as in the API
    assert [learner_client.post("/demos/optimizers/", data).status_code for _ in range(3)] == [400, 400, 429]
    assert not DemoRun.objects.exists()


def test_an_identical_finished_run_comes_back_at_once(learner_client, learner, other_learner):
    earlier = finished_run(other_learner)
    response = learner_client.post("/demos/activation-gradients/", form_data("activation-gradients", "relu", **QUICK))
    run = DemoRun.objects.exclude(pk=earlier.pk).get()
    assert response["Location"] == f"/runs/{run.pk}/"
    assert (run.owner, run.status, run.cached_from) == (learner, RunStatus.SUCCEEDED, earlier)
    page = learner_client.get(response["Location"])
    assert "An identical run had already finished" in text_of(page)


def test_run_it_again_starts_from_an_earlier_runs_parameters(learner_client, learner, other_learner):
    mine, _ = submit_run(learner, "optimizers", {"lr_adam": 0.02, "steps_2d": 33})
    response = learner_client.get(f"/demos/optimizers/?from={mine.pk}")
    assert attrs_of(response, "id_params-lr_adam")["value"] == "0.02"
    assert attrs_of(response, "id_params-steps_2d")["value"] == "33"
    theirs, _ = submit_run(other_learner, "optimizers", {"lr_adam": 0.03})
    response = learner_client.get(f"/demos/optimizers/?from={theirs.pk}")  # not mine: the defaults
    assert attrs_of(response, "id_params-lr_adam")["value"] == "0.1"
    assert learner_client.get("/demos/optimizers/?from=nonsense").status_code == 200


# One run


def test_run_pages_are_personal(client, learner):
    run, _ = submit_run(learner, "activation-gradients", QUICK)
    for path in (f"/runs/{run.pk}/", "/runs/", f"/runs/compare/?ids={run.pk},{run.pk}"):
        assert_login_redirect(client.get(path), path)
    response = client.post(f"/runs/{run.pk}/cancel/")
    assert_login_redirect(response, f"/runs/{run.pk}/cancel/")
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED


def test_another_learners_run_is_a_404(learner_client, other_learner):
    theirs, _ = submit_run(other_learner, "activation-gradients", QUICK)
    for path in (f"/runs/{theirs.pk}/", f"/runs/{uuid.uuid4()}/"):
        response = learner_client.get(path)
        assert response.status_code == 404
        assert "None of your runs has this id." in text_of(response)
    assert learner_client.post(f"/runs/{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == RunStatus.QUEUED


def test_a_queued_run_shows_progress_and_a_cancel_button(learner_client, learner):
    run, _ = submit_run(learner, "activation-gradients", QUICK, prediction="relu")
    response = learner_client.get(f"/runs/{run.pk}/")
    assert response.status_code == 200
    assert_csp_ready(response)
    html = response.content.decode()
    progress = attrs_of(response, "run-progress-bar")
    assert (progress["max"], progress["value"]) == ("100", "0")
    assert "waiting for a worker" in html
    assert f'action="/runs/{run.pk}/cancel/"' in html
    section = next(attrs for tag, attrs in parse(response).elements if attrs.get("data-module") == "run")
    assert section["data-api-url"] == f"/api/demo-runs/{run.pk}/"
    assert section["data-status"] == "queued"
    assert re.search(rf'<a href="/runs/{run.pk}/" data-run-refresh>Refresh</a>', html)  # without JavaScript
    assert "You predicted: ReLU" in text_of(response)
    assert "/plot.svg" not in html


def test_a_running_run_draws_the_series_it_has_so_far(learner_client, learner):
    run, _ = submit_run(learner, "activation-gradients", QUICK)
    partial = {"loss": {"title": "Training loss", "x_label": "step", "y_label": "loss (nats)", "log_y": False,
                        "lines": [{"label": "relu", "x": [1, 2], "y": [0.9, 0.7]}]}}  # fmt: skip
    DemoRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=0.4, message="step 2", series=partial)
    response = learner_client.get(f"/runs/{run.pk}/")
    assert attrs_of(response, "run-progress-bar")["value"] == "40"
    charts = next(attrs for tag, attrs in parse(response).elements if attrs.get("data-module") == "charts")
    assert json.loads(charts["data-series"]) == styled_series(partial)
    assert json.loads(charts["data-chart-style"])["palette"] == CHART_STYLE["palette"]


def test_a_finished_run_shows_its_result(learner_client, learner):
    run = finished_run(learner, prediction="relu")
    response = learner_client.get(f"/runs/{run.pk}/")
    assert response.status_code == 200
    assert_csp_ready(response)
    html, text = response.content.decode(), text_of(response)
    assert "run-progress-bar" not in html and "/cancel/" not in html
    charts = next(attrs for tag, attrs in parse(response).elements if attrs.get("data-module") == "charts")
    assert json.loads(charts["data-series"]) == styled_series(run.series)
    assert f'href="/api/demo-runs/{run.pk}/plot.svg"' in html
    assert run.summary in text
    for name in ("final_loss_sigmoid", "seeds", "claim_holds"):
        assert f"<code>{name}</code>" in html
    grade = run.prediction_result
    assert grade["correct"] is False  # sigmoid's gradient vanishes first, not ReLU's
    assert "Not this time. The answer is:" in text and grade["answer_label"] in text
    assert grade["explanation"] in text
    assert f'href="/demos/activation-gradients/?from={run.pk}"' in html


def test_failed_and_cancelled_runs_say_so(learner_client, learner):
    failed, _ = submit_run(learner, "activation-gradients", QUICK)
    DemoRun.objects.filter(pk=failed.pk).update(status=RunStatus.FAILED, message="failed", error="RuntimeError: boom")
    text = text_of(learner_client.get(f"/runs/{failed.pk}/"))
    assert "The run failed." in text and "RuntimeError: boom" in text
    cancelled, _ = submit_run(learner, "optimizers", {})
    learner_client.post(f"/runs/{cancelled.pk}/cancel/")
    text = text_of(learner_client.get(f"/runs/{cancelled.pk}/"))
    assert "The run was cancelled before it finished" in text


def test_cancel_calls_the_service(learner_client, learner):
    queued, _ = submit_run(learner, "activation-gradients", QUICK)
    response = learner_client.post(f"/runs/{queued.pk}/cancel/", follow=True)
    assert response.redirect_chain == [(f"/runs/{queued.pk}/", 302)]
    assert "The run is cancelled." in text_of(response)
    queued.refresh_from_db()
    assert queued.status == RunStatus.CANCELLED

    running, _ = submit_run(learner, "optimizers", {})
    DemoRun.objects.filter(pk=running.pk).update(status=RunStatus.RUNNING)
    response = learner_client.post(f"/runs/{running.pk}/cancel/", follow=True)
    assert "The run will stop at its next progress report." in text_of(response)
    running.refresh_from_db()
    assert (running.status, running.cancel_requested) == (RunStatus.RUNNING, True)

    response = learner_client.post(f"/runs/{queued.pk}/cancel/", follow=True)  # nothing left to cancel
    assert "The run has already cancelled; there is nothing to cancel." in text_of(response)
    assert learner_client.get(f"/runs/{queued.pk}/cancel/").status_code == 302  # GET changes nothing


# My runs and the comparison


def test_my_runs_newest_first_and_only_mine(learner_client, learner, other_learner):
    first, _ = submit_run(learner, "activation-gradients", QUICK)
    second, _ = submit_run(learner, "optimizers", {"steps_2d": 10})
    submit_run(other_learner, "optimizers", {"steps_2d": 11})
    response = learner_client.get("/runs/")
    assert response.status_code == 200
    assert_csp_ready(response)
    picked = [attrs["value"] for tag, attrs in parse(response).elements if attrs.get("name") == "ids"]
    assert picked == [str(second.pk), str(first.pk)]
    assert 'action="/runs/compare/"' in response.content.decode()
    only = learner_client.get("/runs/?demo=optimizers")
    assert [attrs["value"] for tag, attrs in parse(only).elements if attrs.get("name") == "ids"] == [str(second.pk)]


def test_comparing_two_runs_overlays_their_curves_and_lines_up_their_parameters(learner_client, learner):
    a = finished_run(learner, params={**QUICK, "lr": 0.05})
    b = finished_run(learner, params={**QUICK, "lr": 0.2})
    response = learner_client.get(f"/runs/compare/?ids={a.pk},{b.pk}")
    assert response.status_code == 200
    assert_csp_ready(response)
    html = response.content.decode()
    assert re.search(
        r'<tr class="differs"><th scope="row"><code>lr</code>.*?<td lang="en">0.05</td><td lang="en">0.2</td>', html
    )
    assert re.search(r"<tr><th scope=\"row\"><code>depth</code></th><td lang=\"en\">4</td><td lang=\"en\">4</td>", html)
    charts = next(attrs for tag, attrs in parse(response).elements if attrs.get("data-module") == "charts")
    assert json.loads(charts["data-series"]) == overlay([a, b])
    # the same through checkboxes (?ids=a&ids=b) and with a duplicate
    again = learner_client.get(f"/runs/compare/?ids={a.pk}&ids={b.pk}&ids={a.pk}")
    assert again.status_code == 200


def test_the_overlay_keeps_each_lines_colour_and_gives_each_run_a_dash(learner, other_learner):
    a = finished_run(learner, params={**QUICK, "lr": 0.05})
    b = finished_run(learner, params={**QUICK, "lr": 0.2})
    panels = overlay([a, b])
    assert set(panels) == set(a.series)
    for key, panel in panels.items():
        own = line_styles(a.series[key])
        count = len(a.series[key]["lines"])
        assert len(panel["lines"]) == 2 * count
        for index, line in enumerate(panel["lines"]):
            run, position = divmod(index, count)
            assert line["label"].startswith("AB"[run] + ": ")
            assert line["style"]["color"] == own[position]["color"]
            assert line["style"]["dash"] == CHART_STYLE["dashes"][run]


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("ids=not-a-uuid,{a}", 400, "“not-a-uuid” is not a run id."),
        ("ids={a}", 400, "Pick from 2 to 6 of your runs to compare."),
        ("", 400, "Pick from 2 to 6 of your runs to compare."),
        ("ids={a},{theirs}", 404, "One of these runs does not exist or is not yours."),
        ("ids={a},{missing}", 404, "One of these runs does not exist or is not yours."),
        ("ids={a},{other_demo}", 400, "These runs are of different demos; compare runs of one demo."),
    ],
)
def test_a_bad_comparison_says_why(learner_client, learner, other_learner, query, status, message):
    a, _ = submit_run(learner, "activation-gradients", QUICK)
    other_demo, _ = submit_run(learner, "optimizers", {})
    theirs, _ = submit_run(other_learner, "activation-gradients", QUICK)
    query = query.format(a=a.pk, theirs=theirs.pk, missing=uuid.uuid4(), other_demo=other_demo.pk)
    response = learner_client.get(f"/runs/compare/?{query}")
    assert response.status_code == status
    assert message in text_of(response)
    assert_csp_ready(response)


def test_the_demo_pages_are_translated(learner_client, learner):
    learner_client.cookies["django_language"] = "zh-hans"
    form = text_of(learner_client.get("/demos/optimizers/"))
    assert "1. 预测" in form and "2. 设置参数" in form and "运行" in form
    run, _ = submit_run(learner, "activation-gradients", QUICK)
    page = text_of(learner_client.get(f"/runs/{run.pk}/"))
    assert "排队中" in page and "取消运行" in page and "进度" in page
    assert "比较勾选的运行" in text_of(learner_client.get("/runs/"))

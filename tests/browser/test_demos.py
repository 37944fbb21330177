"""The demo pages in a real browser, at desktop and phone width: predict, run, watch the curves grow, read the
result, compare two runs, and the run page without JavaScript.

There is no worker process here: the test plays the worker, calling ``demos.execution.execute_run`` in a thread.
The training waits at its start until the test lets it go, so the page can be seen queued and then running; while
it runs, the test stores growing partial series on the run, as the worker does while it trains.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import threading
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import expect

from common import accounts
from demos import execution
from demos.catalog import CATALOG
from demos.models import DemoRun, RunStatus
from demos.plots import line_styles
from demos.submission import submit_run
from demos.trainings.base import panel
from portal.demo_views import CHART_STYLE_JSON
from tests.browser.helpers import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long passphrase 42"
SMALL = {"steps_2d": "40", "steps_net": "20"}  # optimizers in a few seconds
QUICK = {"steps": 3, "depth": 4, "width": 8}  # activation-gradients in well under a second


def log_in(page, next_url: str) -> None:
    accounts.register("ada", PASSWORD)
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


def _execute(run_id) -> None:
    try:
        execution.execute_run(run_id)
    finally:
        connection.close()


@pytest.fixture
def worker(monkeypatch):
    """``worker.start(run_id)`` runs the run in a thread; its training starts once ``worker.go`` is set."""
    go, started, threads = threading.Event(), threading.Event(), []
    real_get_demo = execution.get_demo

    def gated(name):
        demo = real_get_demo(name)

        def train(params, device, progress):
            started.set()
            go.wait(60)
            return demo.train(params, device, progress)

        return dataclasses.replace(demo, train=train)

    monkeypatch.setattr(execution, "get_demo", gated)

    def start(run_id) -> None:
        thread = threading.Thread(target=_execute, args=(run_id,), daemon=True)
        thread.start()
        threads.append(thread)

    yield SimpleNamespace(start=start, go=go, started=started)
    go.set()
    for thread in threads:
        thread.join(60)


def partial_series(points: int) -> dict:
    """What a run holds part-way through: the same shape as a result's series, with ``points`` steps so far."""
    steps = list(range(1, points + 1))
    lines = [
        {"label": label, "x": steps, "y": [round(math.exp(-rate * step), 6) for step in steps]}
        for label, rate in (("SGD", 0.05), ("Adam", 0.2))
    ]
    return {"loss": panel("Training loss so far", "step (optimizer updates)", "loss (nats)", lines, log_y=True)}


def test_predict_run_watch_the_curves_grow_and_read_the_result(page, inspect, worker, problems):
    log_in(page, "/demos/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Demos")
    expect(page.locator(".demo-card")).to_have_count(len(CATALOG))
    inspect(page, "catalog")

    demo = CATALOG["optimizers"]
    page.get_by_role("link", name=demo.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title)
    question = page.get_by_role("group", name=re.compile(re.escape(demo.prediction.question)))
    expect(question.get_by_role("radio")).to_have_count(len(demo.prediction.choices))
    for name, value in SMALL.items():
        page.get_by_label(name, exact=True).fill(value)
    # The browser enforces the schema's bounds: out of range, nothing is sent.
    page.get_by_label("lr_sgd", exact=True).fill("100")
    question.get_by_label("Adam", exact=True).check()
    page.get_by_role("button", name="Run").click()
    assert page.get_by_label("lr_sgd", exact=True).evaluate("input => input.validity.rangeOverflow")
    expect(page).to_have_url(re.compile(r"/demos/optimizers/$"))
    assert not DemoRun.objects.exists()
    page.get_by_label("lr_sgd", exact=True).fill("0.1")
    inspect(page, "form")

    page.get_by_role("button", name="Run").click()
    # as long as the result's wait below: on a loaded 2-core machine the submission once took longer than 15 s
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}/$"), timeout=60_000)
    run = DemoRun.objects.get()
    assert run.params == {**demo.defaults(), "steps_2d": 40, "steps_net": 20} and run.prediction == "adam"
    bar = page.get_by_label("Progress", exact=True)
    expect(bar).to_be_visible()
    expect(page.locator("[data-run-status]")).to_have_text("Queued")
    expect(page.get_by_role("status")).to_contain_text("waiting for a worker")
    expect(page.get_by_role("button", name="Cancel the run")).to_be_visible()
    inspect(page, "queued")

    worker.start(run.pk)
    assert worker.started.wait(30)
    expect(page.locator("[data-run-status]")).to_have_text("Running")
    charts = page.locator("[data-run-charts]")
    for step, points in enumerate((10, 25), start=1):  # the curves grow at each report
        DemoRun.objects.filter(pk=run.pk).update(
            progress=0.3 * step, message=f"step {points}", series=partial_series(points)
        )
        expect(bar).to_have_js_property("value", round(30 * step))
        expect(page.get_by_role("status")).to_contain_text(f"step {points}")
        expect(charts).to_have_attribute("data-points", str(2 * points))
        expect(charts.locator("figure.run-chart canvas")).to_have_count(1)
    expect(charts.get_by_role("img", name=re.compile("Training loss so far"))).to_be_visible()
    inspect(page, "running")

    worker.go.set()
    expect(page.get_by_role("heading", name="Result")).to_be_visible(timeout=60_000)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    expect(page.locator("[data-run-status]")).to_have_text("Succeeded")
    expect(page.get_by_label("Progress", exact=True)).to_have_count(0)
    figures = page.locator("[data-run-charts] figure.run-chart")
    expect(figures).to_have_count(len(run.series))
    for index, series_panel in enumerate(run.series.values()):
        expect(figures.nth(index).locator("figcaption")).to_contain_text(series_panel["title"])
        expect(figures.nth(index).locator("canvas")).to_have_count(1)
    expect(page.get_by_role("heading", name="Your prediction")).to_be_visible()
    verdict = "Right." if run.prediction_result["correct"] else "Not this time."
    expect(page.locator(".run-verdict__mark")).to_contain_text(verdict)
    expect(page.get_by_role("table").first).to_contain_text("final_loss_2d_adam")
    expect(page.locator(".run-summary")).to_have_text(run.summary)

    # The live charts style lines as demos.plots does: charts.js's copy of line_styles gives the same answer.
    computed = page.evaluate(
        """([series, style]) => Object.fromEntries(Object.entries(series).map(
            ([key, panel]) => [key, DeepRecall.charts.lineStyles(panel, style)]))""",
        [run.series, json.loads(CHART_STYLE_JSON)],
    )
    assert computed == {key: line_styles(series_panel) for key, series_panel in run.series.items()}

    svg = page.get_by_role("link", name="Open the chart as SVG")
    response = page.request.get(svg.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "image/svg+xml"
    inspect(page, "result")


def test_compare_two_runs(page, inspect, problems):
    log_in(page, "/runs/")
    user = get_user_model().objects.get(username="ada")
    runs = []
    for lr in (0.05, 0.2):
        run, _cached = submit_run(user, "activation-gradients", {**QUICK, "lr": lr}, prediction="relu", fresh=True)
        execution.execute_run(run.pk)
        run.refresh_from_db()
        runs.append(run)
    submit_run(user, "optimizers", {"steps_2d": 5})  # another demo, still queued
    page.reload()
    items = page.locator(".run-item")
    expect(items).to_have_count(3)
    inspect(page, "list")

    # Runs of different demos are refused with a reason.
    problems.allow_status(400)
    for item in items.all():
        item.get_by_role("checkbox").check()
    page.get_by_role("button", name="Compare the ticked runs").click()
    expect(page.get_by_role("alert")).to_have_text("These runs are of different demos; compare runs of one demo.")
    page.wait_for_load_state("networkidle")  # leaving while the favicon loads would abort it (a failed request)
    page.go_back()
    page.wait_for_load_state("networkidle")

    items.nth(0).get_by_role("checkbox").set_checked(False)  # the optimizers run, the newest
    items.nth(1).get_by_role("checkbox").set_checked(True)
    items.nth(2).get_by_role("checkbox").set_checked(True)
    page.get_by_role("button", name="Compare the ticked runs").click()
    expect(page).to_have_url(re.compile(r"/runs/compare/\?ids=.+&ids=.+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(CATALOG["activation-gradients"].title)
    figures = page.locator(".charts figure.run-chart")
    expect(figures).to_have_count(len(runs[0].series))
    expect(figures.first.locator("canvas")).to_have_count(1)
    expect(page.locator(".run-chart-legend li").first).to_contain_text("A: ")  # newest first: A is lr 0.2, B lr 0.05
    lr_row = page.locator("tr.differs", has=page.locator("code", has_text=re.compile(r"^lr$")))
    expect(lr_row).to_contain_text("0.2")
    expect(lr_row).to_contain_text("0.05")
    inspect(page, "compare")


def test_a_run_page_without_javascript(new_page, screenshot):
    page = new_page(javascript=False)
    log_in(page, "/runs/")
    user = get_user_model().objects.get(username="ada")
    run, _cached = submit_run(user, "activation-gradients", QUICK, prediction="sigmoid")
    page.goto(f"/runs/{run.pk}/")
    expect(page.get_by_label("Progress", exact=True)).to_have_attribute("value", "0")
    expect(page.get_by_role("status")).to_contain_text("waiting for a worker")
    # axe-core cannot run in a page without JavaScript (it waits forever); the same page with it is checked above.
    assert_no_horizontal_scroll(page)
    screenshot(page, "queued")

    execution.execute_run(run.pk)
    page.get_by_role("link", name="Refresh").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible()
    expect(page.locator(".run-verdict__mark")).to_have_text("Right.")
    chart = page.get_by_role("img", name="The charts of this run")  # the SVG, in <noscript>
    expect(chart).to_be_visible(timeout=30_000)  # matplotlib draws it on request
    assert chart.evaluate("image => image.naturalWidth") > 0
    assert_no_horizontal_scroll(page)
    screenshot(page, "result")

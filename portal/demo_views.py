"""The demo pages: the catalog, "predict, then run", one run (live while it trains), my runs, and a comparison.

They call what the API calls: ``demos.selectors`` to read, ``demos.submission`` to submit and cancel, the API's
submission throttle, and ``demos.plots`` for the look of the charts (the same panels, colours and line styles as
the SVG chart). ``portal/static/portal/charts.js`` draws the series with uPlot and ``run.js`` polls
``GET /api/demo-runs/<id>/`` while a run is queued or running.
"""

from __future__ import annotations

import json
import uuid
from string import ascii_uppercase

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import NotFound, ServiceError
from demos import selectors, submission
from demos.catalog import CATALOG
from demos.models import FINISHED, RunStatus
from demos.plots import CHART_STYLE, KNOWN_GROUPS, line_styles, styled_series
from demos.throttles import DemoSubmitThrottle
from portal.access import login_redirect, personal_page
from portal.forms import PortalForm

RUNS_PER_PAGE = 25
MAX_COMPARED = 6  # one dash pattern per run (demos.plots.DASHES)
STATUS_LABELS = {
    RunStatus.QUEUED: gettext_lazy("Queued"),
    RunStatus.RUNNING: gettext_lazy("Running"),
    RunStatus.SUCCEEDED: gettext_lazy("Succeeded"),
    RunStatus.FAILED: gettext_lazy("Failed"),
    RunStatus.CANCELLED: gettext_lazy("Cancelled"),
}
# What charts.js needs to style lines itself (the API's series carry no styles): demos.plots.line_styles's data.
CHART_STYLE_JSON = json.dumps({**CHART_STYLE, "known_groups": list(KNOWN_GROUPS)})


class PredictionForm(PortalForm):
    """The demo's question, answered before the run. ``submit_run`` checks the answer is one of the choices."""

    prediction = forms.CharField(max_length=40, widget=forms.RadioSelect)

    def __init__(self, demo, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prediction"].label = demo.prediction.question
        self.fields["prediction"].widget.choices = list(demo.prediction.choices.items())
        self.fields["prediction"].error_messages["required"] = _("Pick your prediction before you run the demo.")


class ParamsForm(PortalForm):
    """One field per parameter, generated from the demo's JSON Schema. The bounds go to the browser (min, max,
    step); the server's check is ``submit_run``'s, whose errors name the parameter and land next to its field."""

    def __init__(self, demo, *args, initial_params: dict | None = None, **kwargs):
        super().__init__(*args, prefix="params", **kwargs)
        values = {**demo.defaults(), **(initial_params or {})}
        for name, schema in demo.json_schema()["properties"].items():
            self.fields[name] = _param_field(name, schema, values.get(name))


def _param_field(name: str, schema: dict, initial) -> forms.Field:
    help_text = schema.get("description", "")
    if schema["type"] == "boolean":
        return forms.BooleanField(label=name, required=False, initial=bool(initial), help_text=help_text)
    if schema["type"] == "string":
        choices = [(choice, choice) for choice in schema.get("enum", [])]
        return forms.CharField(label=name, initial=initial, help_text=help_text, widget=forms.Select(choices=choices))
    attrs = {"step": "1" if schema["type"] == "integer" else "any", "inputmode": "decimal"}
    for bound in ("minimum", "maximum"):
        if schema.get(bound) is not None:
            attrs[bound[:3]] = _number(schema[bound])
    if schema.get("minimum") is not None and schema.get("maximum") is not None:
        bounds = _("From %(min)s to %(max)s.") % {"min": attrs["min"], "max": attrs["max"]}
        help_text = f"{help_text} {bounds}"
    return forms.CharField(
        label=name, initial=_number(initial), help_text=help_text, widget=forms.NumberInput(attrs=attrs)
    )


def _number(value) -> str:
    """A number as a form shows it: 3, 0.1, 1e-05 (no 3.0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def demo_list(request):
    """``/demos/``: every demo with what it shows and the concepts it illustrates."""
    concepts = selectors.catalog_concepts()
    demos = [
        {
            "demo": demo,
            "concepts": [
                {"slug": slug, **concepts.get(slug, {"title": slug, "title_zh": ""})} for slug in demo.concepts
            ],
        }
        for demo in CATALOG.values()
    ]
    return render(request, "portal/demos/list.html", {"demos": demos})


def demo_detail(request, name: str):
    """``/demos/<name>/``: predict, then run. POST submits through ``submit_run`` and goes to the run's page."""
    try:
        demo = selectors.demo_named(name)
    except NotFound:
        return _not_found(request, _("There is no demo named “%(name)s”.") % {"name": name}, "demos")
    if request.method == "POST":
        if not request.user.is_authenticated:
            return login_redirect(request)
        return _submit(request, demo)
    return _demo_page(request, demo, PredictionForm(demo), ParamsForm(demo, initial_params=_earlier_params(request)))


def _earlier_params(request) -> dict | None:
    """``?from=<run id>``: start from the parameters of one of my earlier runs."""
    if not request.user.is_authenticated or not request.GET.get("from"):
        return None
    try:
        return selectors.run_of(request.user, _uuid(request.GET["from"])).params
    except (NotFound, ValueError):
        return None


def _submit(request, demo):
    prediction_form = PredictionForm(demo, request.POST)
    params_form = ParamsForm(demo, request.POST)
    throttle = DemoSubmitThrottle()
    if not throttle.allow_request(request, None):
        minutes = max(1, round((throttle.wait() or 60) / 60))
        message = _("You have submitted many runs lately; try again in %(minutes)s min.") % {"minutes": minutes}
        params_form.add_error(None, message)
        return _demo_page(request, demo, prediction_form, params_form, status=429)
    if not (prediction_form.is_valid() & params_form.is_valid()):
        return _demo_page(request, demo, prediction_form, params_form, status=400)
    try:
        run, cached = submission.submit_run(
            request.user, demo.name, params_form.cleaned_data, prediction=prediction_form.cleaned_data["prediction"]
        )
    except ServiceError as exc:
        _place_errors(exc, prediction_form, params_form)
        return _demo_page(request, demo, prediction_form, params_form, status=exc.status)
    if cached:
        messages.success(request, _("An identical run had already finished, so its result is shown at once."))
    return redirect("portal:run-detail", run_id=run.pk)


def _place_errors(exc: ServiceError, prediction_form, params_form) -> None:
    """Each of the service's errors next to the field it names; the rest above the form."""
    for key, message in exc.errors.items():
        field = key.removeprefix("params.")
        if key.startswith("params.") and field in params_form.fields:
            params_form.add_error(field, message)
        elif key == "prediction":
            prediction_form.add_error("prediction", message)
        else:
            params_form.add_error(None, message)
    if not exc.errors:
        params_form.add_error(None, exc.detail)


def _demo_page(request, demo, prediction_form, params_form, status: int = 200):
    context = {"demo": demo, "prediction_form": prediction_form, "params_form": params_form}
    return render(request, "portal/demos/detail.html", context, status=status)


@personal_page
def run_detail(request, run_id):
    """``/runs/<id>/``: the state of one run; live progress and curves while it trains, the result when it ends."""
    try:
        run = selectors.run_of(request.user, run_id)
    except NotFound:
        return _not_found(request, _("None of your runs has this id."), "runs")
    demo = CATALOG.get(run.demo)
    context = {
        "run": run,
        "demo": demo,
        "title": demo.title if demo else run.demo,
        "active": run.status not in FINISHED,
        "status_label": STATUS_LABELS.get(run.status, run.status),
        "percent": round(100 * (run.progress or 0)),
        "prediction_label": demo.prediction.choices.get(run.prediction, run.prediction) if demo else run.prediction,
        "question": demo.prediction.question if demo else "",
        "params": _rows(run.params),
        "metrics": _rows(run.metrics or {}),
        "series_json": json.dumps(styled_series(run.series)) if run.series else "",
        "chart_style": CHART_STYLE_JSON,
        "api_url": reverse("demo-run-detail", args=[run.pk]),
        "svg_url": reverse("demo-run-plot", args=[run.pk]),
    }
    return render(request, "portal/runs/detail.html", context)


@personal_page
def run_cancel(request, run_id):
    """``POST /runs/<id>/cancel/``: ``cancel_run``; back to the run's page with what happened."""
    if request.method != "POST":
        return redirect("portal:run-detail", run_id=run_id)
    try:
        run = submission.cancel_run(selectors.run_of(request.user, run_id))
    except NotFound:
        return _not_found(request, _("None of your runs has this id."), "runs")
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        if run.status == RunStatus.CANCELLED:
            messages.success(request, _("The run is cancelled."))
        else:
            messages.success(request, _("The run will stop at its next progress report."))
    return redirect("portal:run-detail", run_id=run_id)


@personal_page
def run_list(request):
    """``/runs/``: my runs, newest first (``?demo=`` for one demo's), with boxes to pick runs to compare."""
    demo = CATALOG.get(request.GET.get("demo", ""))
    runs = selectors.runs_of_demo(request.user, demo.name) if demo else selectors.runs_of(request.user)
    page = Paginator(runs.defer("series", "metrics"), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    for run in page:
        run.title = CATALOG[run.demo].title if run.demo in CATALOG else run.demo
        run.status_label = STATUS_LABELS.get(run.status, run.status)
    return render(request, "portal/runs/list.html", {"page": page, "demo": demo})


@personal_page
def run_compare(request):
    """``/runs/compare/?ids=<id>,<id>[,...]``: the curves of two or more runs of one demo, and their parameters."""
    raw = [part.strip() for value in request.GET.getlist("ids") for part in value.split(",") if part.strip()]
    try:
        ids = list(dict.fromkeys(_uuid(value) for value in raw))
    except ValueError as exc:
        return _compare_error(request, _("“%(id)s” is not a run id.") % {"id": exc.args[0]}, 400)
    if not 2 <= len(ids) <= MAX_COMPARED:
        message = _("Pick from 2 to %(max)s of your runs to compare.") % {"max": MAX_COMPARED}
        return _compare_error(request, message, 400)
    try:
        runs = [selectors.run_of(request.user, run_id) for run_id in ids]
    except NotFound:
        return _compare_error(request, _("One of these runs does not exist or is not yours."), 404)
    if len({run.demo for run in runs}) > 1:
        return _compare_error(request, _("These runs are of different demos; compare runs of one demo."), 400)
    demo = CATALOG.get(runs[0].demo)
    for letter, run in zip(ascii_uppercase, runs, strict=False):
        run.letter, run.status_label = letter, STATUS_LABELS.get(run.status, run.status)
    context = {
        "runs": runs,
        "title": demo.title if demo else runs[0].demo,
        "demo": demo,
        "params": _side_by_side([run.params for run in runs]),
        "metrics": _side_by_side([run.metrics or {} for run in runs]),
        "series_json": json.dumps(overlay(runs)),
        "chart_style": CHART_STYLE_JSON,
    }
    return render(request, "portal/runs/compare.html", context)


def _compare_error(request, message: str, status: int):
    return render(request, "portal/runs/compare.html", {"error": message}, status=status)


def overlay(runs) -> dict:
    """The runs' panels overlaid, styled: a line keeps its colour from its own run's chart, and each run has its
    own dash pattern (and hollow or filled markers), so both "which line" and "which run" stay readable."""
    panels: dict[str, dict] = {}
    dashes = CHART_STYLE["dashes"]
    for index, run in enumerate(runs):
        letter = ascii_uppercase[index]
        for key, panel in (run.series or {}).items():
            target = panels.setdefault(key, {**panel, "lines": []})
            if panel.get("contour") and not target.get("contour"):
                target["contour"] = panel["contour"]
            for line, style in zip(panel["lines"], line_styles(panel), strict=True):
                label = f"{letter}: {line.get('label', '')}"
                group = f"{letter}: {line['group']}" if line.get("group") else None
                style = {**style, "dash": list(dashes[index % len(dashes)]), "hollow": bool(index % 2)}
                target["lines"].append({**line, "label": label, "group": group, "style": style})
    return panels


def _side_by_side(mappings: list[dict]) -> list[dict]:
    """Rows of ``{name, values, differs}`` over the keys of several dicts (``<key>_std`` folded into its key)."""
    names = list(dict.fromkeys(key for mapping in mappings for key in mapping))
    rows = []
    for name in names:
        if name.endswith("_std") and name.removesuffix("_std") in names:
            continue
        values = [_value(mapping, name) for mapping in mappings]
        rows.append({"name": name, "values": values, "differs": len(set(values)) > 1})
    return rows


def _rows(mapping: dict) -> list[dict]:
    return [{"name": row["name"], "value": row["values"][0]} for row in _side_by_side([mapping])]


def _value(mapping: dict, name: str) -> str:
    if name not in mapping:
        return "—"
    text = _format(mapping[name])
    std = mapping.get(f"{name}_std")
    return f"{text} ± {_format(std)}" if isinstance(std, int | float) else text


def _format(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return _number(float(f"{value:.4g}"))
    return str(value)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise ValueError(value) from None


def _not_found(request, message: str, back: str):
    return render(request, "portal/demos/not_found.html", {"message": message, "back": back}, status=404)

"""``/settings/``: the learner's scheduler settings (the rules of ``cards.serializers.SchedulerSettingsSerializer``),
what a desired retention costs (``cards.workload``, drawn here as plain SVG like the dashboard's charts), fitting
the FSRS parameters to their reviews (``cards.optimization``), and the exports."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cards import optimization, selectors, services, workload
from common.errors import ServiceError
from common.language import language_of
from portal.access import personal_page
from portal.study_forms import SchedulerSettingsForm


@personal_page
def scheduler_settings(request):
    """``GET``: the form with the current settings; ``POST``: save them, or show each error at its field."""
    config = selectors.settings_of(request.user)
    if request.method == "POST":
        form = SchedulerSettingsForm(request.POST)
        if form.is_valid():
            services.update_settings(request.user, form.validated)
            messages.success(request, _("Your settings are saved."))
            return redirect("portal:settings")
        status = 400
    else:
        form, status = SchedulerSettingsForm(initial=SchedulerSettingsForm.initial_from(config)), 200
    context = {"form": form, "config": config, "workload": workload_charts(request.user)}
    return render(request, "portal/settings/settings.html", context, status=status)


@require_POST
@personal_page
def optimize(request):
    """Queue the fit of the learner's FSRS parameters; the service says when there are not enough reviews."""
    try:
        count = optimization.request_optimization(request.user)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("Fitting your parameters to %(count)d reviews; they are used as soon as the fit is done.")
            % {"count": count},
        )
    return redirect("portal:settings")


# SVG geometry (user units); the CSS scales the charts to the width of the page.
CHART = {"width": 600, "height": 160}
TOP_ROOM = 4  # so that a line at the peak is not cut in half by the top edge
WEEK = 7


def workload_charts(owner) -> dict:
    """The forecast of ``cards.workload`` for the learner's retention and its neighbours: a line per option in two
    charts (reviews per day and cards remembered, by week) and a row per option for the table."""
    forecast = workload.workload(owner, language=language_of(get_language()))
    options = forecast["options"]
    for number, option in enumerate(options, start=1):
        option["style"] = number
        option["percent"] = round(100 * option["retention"])
        option["yours"] = option["retention"] == round(forecast["desired_retention"], 3)
    reviews = [weekly_means(option["reviews_per_day"]) for option in options]
    remembered = [weekly_means(option["memorized_per_day"]) for option in options]
    return {
        **forecast,
        "reviews": line_chart(options, reviews),
        "remembered": line_chart(options, remembered),
        "summary": _(
            "At %(low)d%% retention you would do %(low_reviews)d reviews in the next year, at %(high)d%% "
            "%(high_reviews)d."
        )
        % {
            "low": options[0]["percent"],
            "low_reviews": options[0]["total_reviews"],
            "high": options[-1]["percent"],
            "high_reviews": options[-1]["total_reviews"],
        },
        **CHART,
    }


def weekly_means(per_day: list[float]) -> list[float]:
    return [sum(week) / len(week) for week in (per_day[start : start + WEEK] for start in range(0, len(per_day), WEEK))]


def line_chart(options: list[dict], series: list[list[float]]) -> dict:
    """One polyline per option, all on the scale of the highest value."""
    width, height = CHART["width"], CHART["height"]
    peak = max((value for values in series for value in values), default=0)
    lines = []
    for option, values in zip(options, series, strict=True):
        step = width / max(len(values) - 1, 1)
        points = " ".join(
            f"{index * step:.1f},{height - ((height - TOP_ROOM) * value / peak if peak else 0):.1f}"
            for index, value in enumerate(values)
        )
        lines.append({"style": option["style"], "points": points, "percent": option["percent"]})
    return {"lines": lines, "peak": round(peak)}

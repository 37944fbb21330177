"""``/settings/``: the learner's scheduler settings (the rules of ``cards.serializers.SchedulerSettingsSerializer``),
fitting the FSRS parameters to their reviews (``cards.optimization``), and the exports."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cards import optimization, selectors, services
from common.errors import ServiceError
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
    return render(request, "portal/settings/settings.html", {"form": form, "config": config}, status=status)


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

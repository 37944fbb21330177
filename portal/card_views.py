"""The card browser: ``/cards/`` (search, filter, pages), ``/cards/<id>/`` (a card and its review history),
``POST /cards/<id>/unsuspend/`` and ``POST /cards/enroll/``. They call ``cards.selectors`` and
``cards.services`` as ``cards.views`` does."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from cards import selectors, services
from cards.models import FsrsState
from common.errors import NotFound, ServiceError
from kb.selectors import concepts_in_scope
from portal.access import personal_page
from portal.study_forms import CardFilterForm, EnrollForm
from portal.study_text import not_found, text_with_maths

PAGE_SIZE = 25
STATES = {
    FsrsState.LEARNING: gettext_lazy("learning"),
    FsrsState.REVIEW: gettext_lazy("review"),
    FsrsState.RELEARNING: gettext_lazy("relearning"),
}


@personal_page
def card_list(request, enroll_form: EnrollForm | None = None):
    """``/cards/``: the learner's cards, searched and filtered, 25 a page; the form to add an area's cards."""
    form = CardFilterForm(request.GET, concepts=selectors.concepts_with_cards(request.user))
    context = {"form": form, "enroll_form": enroll_form or EnrollForm()}
    if not form.is_valid():
        return render(request, "portal/cards/list.html", context, status=400)
    cards = selectors.search_cards(request.user, **form.filters())
    page = Paginator(cards, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in form.cleaned_data.items() if value})
    context.update(
        page=page,
        rows=[_row(card) for card in page],
        query=query,
        filtered=bool(query),
        next=request.get_full_path(),
    )
    status = 400 if enroll_form is not None else 200
    return render(request, "portal/cards/list.html", context, status=status)


@personal_page
def card_detail(request, card_id: int):
    """``/cards/<id>/``: the card, its schedule and every applied review, newest first."""
    try:
        card = selectors.card_of(request.user, card_id)
    except NotFound:
        return not_found(request)
    reviews = [
        {
            "log": log,
            "state_before": _state(log.state_before),
            "state_after": _state(log.state_after),
            "seconds": None if log.duration_ms is None else round(log.duration_ms / 1000, 1),
        }
        for log in selectors.review_history(card)
    ]
    context = {
        "card": card,
        "row": _row(card),
        "front": text_with_maths(card.front),
        "back": text_with_maths(card.back),
        "reviews": reviews,
        "recall": selectors.retrievabilities(request.user, [card])[0] if card.last_review else None,
    }
    return render(request, "portal/cards/detail.html", context)


@require_POST
@personal_page
def unsuspend(request, card_id: int):
    """Bring a suspended card (a leech) back into reviews."""
    return _change(request, card_id, services.unsuspend, _("The card is back in your reviews."))


@require_POST
@personal_page
def suspend(request, card_id: int):
    """Keep a card out of reviews until it is unsuspended."""
    return _change(request, card_id, lambda card: services.set_flags(card, suspended=True), _("The card is suspended."))


@require_POST
@personal_page
def forget(request, card_id: int):
    """Reset a card to new; its review history stays."""
    return _change(request, card_id, services.forget, _("The card is new again; its review history is kept."))


def _change(request, card_id: int, change, message: str):
    try:
        card = selectors.card_of(request.user, card_id)
    except NotFound:
        return not_found(request)
    change(card)
    messages.success(request, message)
    return redirect(_next(request, f"/cards/{card.pk}/"))


@require_POST
@personal_page
def enroll(request):
    """``POST /cards/enroll/``: ``concept``/``concepts`` (a concept page's button) or ``area`` (the card browser);
    back to ``next`` with a message. Bad input shows the card browser with the error at the field."""
    form = EnrollForm(request.POST)
    if form.is_valid():
        data = form.validated
        try:
            concepts = concepts_in_scope(data.get("concepts"), data.get("area"))
            created, existing = services.enroll(request.user, concepts, include_questions=data["include_questions"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _enrolled_message(created, existing))
            return redirect(_next(request, "/cards/"))
    return card_list(request, enroll_form=form)


def _enrolled_message(created: int, existing: int) -> str:
    added = ngettext("%(count)d card added.", "%(count)d cards added.", created) % {"count": created}
    if not existing:
        return added
    there = ngettext("%(count)d was already there.", "%(count)d were already there.", existing) % {"count": existing}
    return f"{added} {there}"


def _next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _state(value: int) -> str:
    return str(STATES.get(value, value))


def _row(card) -> dict:
    return {
        "card": card,
        "state": _("new") if card.last_review is None else _state(card.state),
        "kind": _(card.get_kind_display()),
        "front": card.front if len(card.front) <= 140 else card.front[:139] + "…",
    }

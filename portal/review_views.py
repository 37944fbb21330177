"""``/review/``: Anki-style review of the due cards.

The page renders the session's cards (``cards.selectors.due_cards``, with the interval each rating would give).
With JavaScript, ``review.js`` flips and rates them in place through the API (``POST /api/cards/<id>/review/``,
and ``POST /api/reviews/batch/`` for ratings queued while offline). Without it, the page still works with plain
requests: ``?show=<card>`` flips a card and the rating buttons POST here, to ``cards.services.review``. Undo (key u,
or the button) is ``POST /api/reviews/undo/`` from the script and ``POST /review/undo/`` without it.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from cards import selectors, services
from common.errors import ServiceError
from portal.access import personal_page
from portal.study_forms import RatingForm
from portal.study_text import text_with_maths

SESSION_SIZE = 50  # cards rendered into one review session; "check for more" loads the next ones
RATINGS = (
    (1, "again", gettext_noop("Again")),
    (2, "hard", gettext_noop("Hard")),
    (3, "good", gettext_noop("Good")),
    (4, "easy", gettext_noop("Easy")),
)


@personal_page
def review(request):
    """``GET``: the session; ``POST`` (no JavaScript): apply one rating and come back for the next card."""
    form = None
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            data = form.validated
            rating = services.ReviewRequest(
                card_id=form.cleaned_data["card"], rating=data["rating"], review_id=data["review_id"]
            )
            try:
                card, _applied = services.review(request.user, rating)
            except ServiceError as exc:
                messages.error(request, exc.detail)
            else:
                wait = interval_label((card.due - timezone.now()).total_seconds() / 86400)
                label = _(RATINGS[rating.rating - 1][2])
                messages.success(request, _("Rated %(rating)s: back in %(wait)s.") % {"rating": label, "wait": wait})
            return redirect("portal:review")
    due = selectors.due_cards(request.user, SESSION_SIZE)
    counts = selectors.due_counts(request.user)
    shown = request.GET.get("show", "")
    if shown.isdigit() and any(card.pk == int(shown) for card, _intervals in due):
        due.sort(key=lambda pair: pair[0].pk != int(shown))  # the flipped card first (a stable sort)
    cards = [_card_view(card, intervals) for card, intervals in due]
    context = {
        "cards": cards,
        "flipped": bool(cards) and shown == str(cards[0]["id"]),
        "due_total": counts["new"] + counts["review"],
        "counts": counts,
        "form": form,
    }
    return render(request, "portal/review/review.html", context, status=400 if form is not None else 200)


@personal_page
def undo(request):
    """``POST /review/undo/`` (the Undo button without JavaScript): undo the last rating, back to the session."""
    if request.method != "POST":
        return redirect("portal:review")
    try:
        card = services.undo_last_review(request.user)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Undone: the card is as it was before your last rating."))
        return redirect(f"{reverse('portal:review')}?show={card.pk}")
    return redirect("portal:review")


def _card_view(card, intervals: dict[str, float]) -> dict:
    return {
        "id": card.pk,
        "concept": card.concept,
        "kind": card.kind,
        "new": card.last_review is None,
        "front": text_with_maths(card.front),
        "back": text_with_maths(card.back),
        "review_id": uuid.uuid4(),  # for the form without JavaScript: sending it twice applies it once
        "ratings": [
            {"value": value, "label": _(label), "interval": interval_label(intervals[name])}
            for value, name, label in RATINGS
        ],
    }


def interval_label(days: float) -> str:
    """A short, rounded interval as Anki shows it: 10 min, 5 h, 3 d, 2.5 mo, 1.2 y."""
    minutes = days * 24 * 60
    if minutes < 60:
        count = max(1, round(minutes))
        return ngettext("%(count)d min", "%(count)d min", count) % {"count": count}
    if minutes < 24 * 60:
        count = round(minutes / 60)
        return ngettext("%(count)d h", "%(count)d h", count) % {"count": count}
    if days < 30:
        count = round(days)
        return ngettext("%(count)d d", "%(count)d d", count) % {"count": count}
    if days < 365:
        return _("%(count)s mo") % {"count": f"{days / 30:.1f}".removesuffix(".0")}
    return _("%(count)s y") % {"count": f"{days / 365:.1f}".removesuffix(".0")}

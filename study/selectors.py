"""What a learner should study next: one decision that the portal's Continue button (and later the API) share.

``next_step`` chooses, in this order:

1. ``review``: today's queue (``cards.selectors.todays_queue``, the list ``/review/`` shows) holds cards that
   were studied before: learning steps due now, reviews due today (forgetting is the costliest thing to put off);
2. ``learn``: it holds new cards only (within the learner's ``new_cards_per_day``);
3. ``quiz``: otherwise an adaptive quiz on the weakest area: the studied area with the lowest mastery (cards'
   retrievability and quiz scores, as ``cards.stats`` computes it), or the first area for a learner who has
   studied nothing yet. It is a form to POST, because starting a quiz creates one.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cards import selectors as card_selectors
from cards import stats
from kb.models import Area
from quizzes.models import QuizMode

QUIZ_SIZE = 10
REVIEW_URL = "/review/"
QUIZ_URL = "/quiz/"


def next_step(owner, *, now: datetime | None = None, area_mastery: dict[str, float | None] | None = None) -> dict:
    """The most useful next thing for ``owner``: ``{"kind", "url" or "form", "reason", ...}``.

    ``kind`` is ``review`` or ``learn`` (with ``url`` and ``count``) or ``quiz`` (with ``form``: the ``action``,
    ``method`` and ``fields`` of the POST that creates the quiz, and ``area``). ``reason`` is a sentence for the
    learner in the active language. Pass ``area_mastery`` (``stats()["mastery"]["areas"]``) when you have it.
    """
    now = now or timezone.now()
    queue, _counts = card_selectors.todays_queue(owner, now)
    studied = sum(1 for card in queue if card.last_review is not None)
    if studied:
        reason = ngettext(
            "%(count)d card you studied before is due for review.",
            "%(count)d cards you studied before are due for review.",
            studied,
        ) % {"count": studied}
        return {"kind": "review", "url": REVIEW_URL, "count": studied, "reason": reason}
    if queue:
        reason = ngettext(
            "Nothing to review: learn %(count)d new card.",
            "Nothing to review: learn %(count)d new cards.",
            len(queue),
        ) % {"count": len(queue)}
        return {"kind": "learn", "url": REVIEW_URL, "count": len(queue), "reason": reason}
    if area_mastery is None:
        area_mastery = stats.stats(owner)["mastery"]["areas"]
    area = weakest_area(area_mastery)
    fields = {"area": area, "mode": QuizMode.ADAPTIVE.value, "size": QUIZ_SIZE}
    reason = (
        _("Your cards are done for today: an adaptive quiz on your weakest area, %(area)s.")
        if area_mastery or card_selectors.search_cards(owner).exists()
        else _("Nothing to review yet: start with an adaptive quiz on %(area)s, or add cards from a concept page.")
    ) % {"area": _(Area(area).label)}
    return {
        "kind": "quiz",
        "form": {"action": QUIZ_URL, "method": "post", "fields": fields},
        "area": area,
        "reason": reason,
    }


def weakest_area(area_mastery: dict[str, float | None]) -> str:
    """The studied area with the lowest mastery (ties: teaching order); the first area if none is studied."""
    order = {area: index for index, area in enumerate(Area.values)}
    studied = [(value, order[area], area) for area, value in area_mastery.items() if value is not None]
    return min(studied)[2] if studied else Area.values[0]

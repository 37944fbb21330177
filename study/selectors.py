"""What a learner should study next: one decision that the portal's Continue button and ``GET /api/next/`` share.

``next_step`` chooses, in this order:

1. ``review``: today's queue (``cards.selectors.todays_queue``, the list ``/review/`` shows) holds cards that
   were studied before: learning steps due now, reviews due today (forgetting is the costliest thing to put off);
2. ``learn``: it holds new cards only (within the learner's ``new_cards_per_day``);
3. ``quiz``: an adaptive quiz on the weakest concept whose prerequisites are solid (``study.mastery``), among the
   concepts the learner has begun that are not solid yet and the prerequisites those build on; a prerequisite
   that is not solid comes before the concept that needs it;
4. ``demo``: a demo the learner has not run yet that shows a concept learnt lately (every begun concept is
   solid by now, or step 3 would have found one), the most recently studied first;
5. ``quiz`` again, to begin something new: the first concept in teaching order not yet studied whose
   prerequisites are solid (the first concept of all for a new learner), else the weakest concept.

Each step has a one-line ``reason`` in the active language, the portal page to open (``url``) and the API request
that starts it (``api``: method, url, body).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cards import selectors as card_selectors
from demos.catalog import demos_for_concept
from demos.selectors import runs_of
from quizzes.models import QuizMode
from study import mastery as study_mastery
from study.concepts import ConceptInfo, concept_catalog, localized_area, localized_title

QUIZ_SIZE = 5
REVIEW_URL = "/review/"
QUIZ_URL = "/quiz/"
REVIEW_API = {"method": "GET", "url": "/api/cards/due/", "body": None}


def next_step(owner, *, now: datetime | None = None, mastery: dict | None = None) -> dict:
    """The most useful next thing for ``owner``, as ``{"kind", "reason", "url", "api", "form", "count", "counts",
    "concept", "mastery", "demo"}`` (keys that do not apply are None). Pass ``mastery``
    (``study.mastery.mastery(owner)``) when you have it."""
    now = now or timezone.now()
    queue, counts = card_selectors.todays_queue(owner, now)
    studied = sum(1 for card in queue if card.last_review is not None)
    if studied:
        reason = ngettext(
            "%(count)d card you studied before is due for review.",
            "%(count)d cards you studied before are due for review.",
            studied,
        ) % {"count": studied}
        return _step("review", reason, url=REVIEW_URL, api=REVIEW_API, count=studied, counts=counts)
    if queue:
        reason = ngettext(
            "Nothing to review: learn %(count)d new card.",
            "Nothing to review: learn %(count)d new cards.",
            len(queue),
        ) % {"count": len(queue)}
        return _step("learn", reason, url=REVIEW_URL, api=REVIEW_API, count=len(queue), counts=counts)
    catalog = concept_catalog()
    known = (mastery or study_mastery.mastery(owner, now))["concepts"]
    weakest = weakest_ready_concept(known, catalog)
    if weakest is not None:
        return _weakest_quiz(catalog[weakest], known.get(weakest))
    demo = demo_after_learning(owner, known, catalog)
    if demo is not None:
        return demo
    return _first_quiz(known, catalog)


def weakest_ready_concept(known: dict[str, dict], catalog: dict[str, ConceptInfo]) -> str | None:
    """The weakest concept whose prerequisites are solid, among the begun concepts that are not solid yet and
    the prerequisites they build on (transitively). A concept never studied counts at the prior's mean; ties
    go by teaching order."""
    wanted = [slug for slug, concept in known.items() if concept["label"] not in study_mastery.READY_LABELS]
    candidates: set[str] = set()
    while wanted:
        slug = wanted.pop()
        if slug in candidates or is_ready(known.get(slug)):
            continue
        candidates.add(slug)
        wanted.extend(catalog[slug].prerequisites)
    ready = [slug for slug in candidates if all(is_ready(known.get(p)) for p in catalog[slug].prerequisites)]
    prior_mean = study_mastery.PRIOR[0] / sum(study_mastery.PRIOR)

    def weakness(slug: str) -> tuple:
        value = known[slug]["mastery"] if slug in known else prior_mean
        return value, catalog[slug].order

    return min(ready, key=weakness, default=None)


def is_ready(concept: dict | None) -> bool:
    return concept is not None and concept["label"] in study_mastery.READY_LABELS


def demo_after_learning(owner, known: dict[str, dict], catalog: dict[str, ConceptInfo]) -> dict | None:
    """A demo not yet run by ``owner`` that shows the most recently studied solid concept that has one."""
    already_run = set(runs_of(owner).values_list("demo", flat=True).distinct())
    learnt = sorted(
        (slug for slug, concept in known.items() if is_ready(concept)),
        key=lambda slug: known[slug]["last_studied"],
        reverse=True,
    )
    for slug in learnt:
        for demo in demos_for_concept(slug):
            if demo.name not in already_run:
                reason = _("You know %(concept)s now: see it at work in the demo “%(demo)s”.") % {
                    "concept": localized_title(catalog[slug]),
                    "demo": demo.title,
                }
                return _step(
                    "demo",
                    reason,
                    url=f"/demos/{demo.name}/",
                    api={"method": "POST", "url": "/api/demo-runs/", "body": {"demo": demo.name}},
                    concept=_concept(catalog[slug]),
                    mastery=_estimate(known[slug]),
                    demo={"name": demo.name, "title": demo.title},
                )
    return None


def _weakest_quiz(info: ConceptInfo, concept: dict | None) -> dict:
    if concept is None:
        reason = _("Your cards are done for today: a quiz on %(concept)s, which the concepts you study build on.")
    else:
        reason = _(
            "Your cards are done for today: a quiz on %(concept)s, your weakest concept whose prerequisites "
            "are solid (%(label)s, %(percent)d%%)."
        )
    return _quiz(info, concept, reason)


def _first_quiz(known: dict[str, dict], catalog: dict[str, ConceptInfo]) -> dict:
    fresh = [info for slug, info in catalog.items() if slug not in known]
    ready = [info for info in fresh if all(is_ready(known.get(p)) for p in info.prerequisites)]
    if not known:
        reason = _("Nothing to review yet: start with a quiz on %(concept)s, or add cards from a concept page.")
    elif ready:
        reason = _("What you have studied is solid: begin %(concept)s with a quiz.")
    else:
        reason = _("Everything is solid: a quiz on %(concept)s, your weakest concept, keeps it so.")
    if ready:
        return _quiz(ready[0], None, reason)
    weakest = min(known, key=lambda slug: (known[slug]["mastery"], catalog[slug].order))
    return _quiz(catalog[weakest], known[weakest], reason)


def _quiz(info: ConceptInfo, concept: dict | None, reason: str) -> dict:
    fields = {"concepts": info.slug, "mode": QuizMode.ADAPTIVE.value, "size": QUIZ_SIZE}
    estimate = _estimate(concept)
    text = reason % {
        "concept": localized_title(info),
        "label": estimate["label_display"],
        "percent": round(100 * (estimate["mastery"] or 0)),
    }
    return _step(
        "quiz",
        text,
        url=f"{QUIZ_URL}?concepts={info.slug}",
        api={"method": "POST", "url": "/api/quizzes/", "body": {**fields, "concepts": [info.slug]}},
        form={"action": QUIZ_URL, "method": "post", "fields": fields},
        concept=_concept(info),
        mastery=estimate,
    )


def _concept(info: ConceptInfo) -> dict:
    return {
        "slug": info.slug,
        "title": localized_title(info),
        "area": info.area,
        "area_title": localized_area(info.area),
    }


def _estimate(concept: dict | None) -> dict:
    """A concept's mastery as the step shows it; a concept never studied reads ``new``."""
    if concept is None:
        return study_mastery.estimate(0.0, 0.0)
    return {key: concept[key] for key in ("mastery", "sd", "interval", "label", "label_display")}


def _step(kind: str, reason: str, **details) -> dict:
    fields = ("url", "api", "form", "count", "counts", "concept", "mastery", "demo")
    return {"kind": kind, "reason": reason, **{name: details.get(name) for name in fields}}

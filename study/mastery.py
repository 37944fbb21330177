"""Mastery per concept with its uncertainty: a Beta posterior over "the chance you get this concept right".

Evidence, per concept (a quiz question counts for its primary concept, as the adaptive quiz counts it):

- **Quiz answers.** An answer's score (0-1; partial credit counts as a fraction of a success) is one observation,
  weighted by its age: an answer ``ANSWER_HALF_LIFE_DAYS`` old counts half, so old answers fade.
- **Flashcards.** Each reviewed card adds pseudo-observations at its FSRS retrievability R (R successes and 1-R
  failures per observation): ``CARD_OBSERVATIONS_PER_REVIEW`` per review, at most ``CARD_OBSERVATIONS_CAP`` per
  card, so a card reviewed often says more than a card seen once, but no card outweighs a few answers. R is read
  now, but no earlier than ``RECALL_AFTER_DAYS`` after the card's last review: right after any review, even one
  rated Again, R is 1 and says nothing; a week later it shows how long the memory lasts.

From the weak prior Beta(``PRIOR``), the posterior is Beta(prior + successes, prior + failures). ``mastery`` is its
mean and ``interval`` its central ``INTERVAL`` credible interval ``[low, high]``. The label comes from the interval,
so that it needs evidence, not only a high mean (checked in this order):

- ``new``: no evidence yet;
- ``mastered``: ``low >= MASTERED_LOW`` (one correct answer gives low 0.22; 13 correct answers, or fewer with
  well-retained cards, are needed);
- ``solid``: ``low >= SOLID_LOW`` (five correct answers in a row);
- ``shaky``: ``high < SHAKY_HIGH``: the evidence says the concept is not held yet (mostly wrong answers, or
  forgotten cards): two wrong answers, one right in five, or half wrong over twenty;
- ``learning``: anything else: too little evidence to tell, or in between.

An area's mastery is the mean of the masteries of its studied concepts; its interval comes from the Beta with the
same mean and variance (the concepts' posteriors taken as independent), labelled by the same rules.
Everything is read in one query per table: the learner's reviewed cards, answered quiz items and the concepts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import pgettext_lazy
from scipy.special import betaincinv

from cards.models import Card
from cards.scheduling import retrievability, scheduler_from
from cards.selectors import settings_of
from kb.models import Area
from quizzes.models import QuizItem
from study.concepts import ConceptInfo, concept_catalog, localized_area, localized_title

PRIOR = (1.0, 1.0)  # Beta(1, 1): every mastery equally likely before any evidence
INTERVAL = 0.9
ANSWER_HALF_LIFE_DAYS = 60.0
CARD_OBSERVATIONS_PER_REVIEW = 0.5
CARD_OBSERVATIONS_CAP = 2.0
RECALL_AFTER_DAYS = 7.0
MASTERED_LOW = 0.8
SOLID_LOW = 0.6
SHAKY_HIGH = 0.7
LABELS = ("new", "learning", "shaky", "solid", "mastered")
READY_LABELS = ("solid", "mastered")  # a prerequisite with one of these counts as known


LABEL_NAMES = {
    "new": pgettext_lazy("mastery label", "new"),
    "learning": pgettext_lazy("mastery label", "learning"),
    "shaky": pgettext_lazy("mastery label", "shaky"),
    "solid": pgettext_lazy("mastery label", "solid"),
    "mastered": pgettext_lazy("mastery label", "mastered"),
}


def label_display(label: str) -> str:
    return str(LABEL_NAMES[label])


class CardRow(NamedTuple):
    """The fields of a Card that its retrievability needs (``cards.scheduling.to_fsrs_card``), read without
    building model instances: a thousand cards cost a few milliseconds."""

    pk: int
    concept_id: int
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime
    reps: int


@dataclass
class Evidence:
    successes: float = 0.0
    failures: float = 0.0
    answers: int = 0
    correct: int = 0
    cards: int = 0
    reviews: int = 0
    last_studied: datetime | None = None

    def observe(self, success: float, weight: float, moment: datetime) -> None:
        self.successes += weight * success
        self.failures += weight * (1.0 - success)
        self.last_studied = max(self.last_studied or moment, moment)


def mastery(owner, now: datetime | None = None) -> dict:
    """``{"concepts": {slug: ...}, "areas": {area: ...}}``: each studied concept's estimate (``estimate``) with its
    evidence, and every area in teaching order (``area_estimate``). Titles and labels in the active language."""
    now = now or timezone.now()
    catalog = concept_catalog()
    evidence = gather_evidence(owner, now, catalog)
    concepts = {}
    for slug in sorted(evidence, key=lambda slug: catalog[slug].order):
        info, found = catalog[slug], evidence[slug]
        concepts[slug] = {
            "title": localized_title(info),
            "area": info.area,
            **estimate(found.successes, found.failures),
            "evidence": {
                "answers": found.answers,
                "correct": found.correct,
                "cards": found.cards,
                "reviews": found.reviews,
            },
            "last_studied": found.last_studied,
        }
    return {"concepts": concepts, "areas": area_estimates(concepts, catalog)}


def gather_evidence(owner, now: datetime, catalog: dict[str, ConceptInfo]) -> dict[str, Evidence]:
    slugs = {info.id: slug for slug, info in catalog.items()}
    evidence: dict[str, Evidence] = defaultdict(Evidence)
    answers = QuizItem.objects.filter(quiz__owner=owner, answered_at__isnull=False)
    for concept_id, score, answered_at in answers.values_list("question__concept_id", "score", "answered_at"):
        found = evidence[slugs[concept_id]]
        age_days = max((now - answered_at).total_seconds(), 0.0) / 86400
        found.observe(score, 0.5 ** (age_days / ANSWER_HALF_LIFE_DAYS), answered_at)
        found.answers += 1
        found.correct += score == 1.0
    scheduler = scheduler_from(settings_of(owner), fuzz=False)
    cards = Card.objects.filter(owner=owner, last_review__isnull=False).values_list(*CardRow._fields)
    for card in map(CardRow._make, cards):
        found = evidence[slugs[card.concept_id]]
        weight = min(max(card.reps, 1) * CARD_OBSERVATIONS_PER_REVIEW, CARD_OBSERVATIONS_CAP)
        moment = max(now, card.last_review + timedelta(days=RECALL_AFTER_DAYS))
        found.observe(retrievability(scheduler, card, moment), weight, card.last_review)
        found.cards += 1
        found.reviews += card.reps
    return evidence


def estimate(successes: float, failures: float) -> dict:
    """The posterior from the evidence: ``mastery`` (mean), ``sd``, ``interval`` and the ``label``."""
    alpha, beta = PRIOR[0] + successes, PRIOR[1] + failures
    if successes + failures == 0:
        return _shaped(None, None, None, "new")
    mean = alpha / (alpha + beta)
    sd = math.sqrt(alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1)))
    return _beta_summary(alpha, beta, mean, sd)


def _beta_summary(alpha: float, beta: float, mean: float, sd: float) -> dict:
    tail = (1 - INTERVAL) / 2
    low, high = (float(betaincinv(alpha, beta, q)) for q in (tail, 1 - tail))
    return _shaped(mean, sd, (low, high), label_of(low, high))


def _shaped(mean, sd, interval, label: str) -> dict:
    return {
        "mastery": None if mean is None else round(mean, 4),
        "sd": None if sd is None else round(sd, 4),
        "interval": None if interval is None else [round(bound, 4) for bound in interval],
        "label": label,
        "label_display": label_display(label),
    }


def label_of(low: float, high: float) -> str:
    """The label of a studied concept (or area) from its credible interval; the thresholds are above."""
    if low >= MASTERED_LOW:
        return "mastered"
    if low >= SOLID_LOW:
        return "solid"
    if high < SHAKY_HIGH:
        return "shaky"
    return "learning"


def area_estimates(concepts: dict[str, dict], catalog: dict[str, ConceptInfo]) -> dict[str, dict]:
    """Every area in teaching order: the mean mastery of its studied concepts, how many it has and how many are
    studied, and how many concepts carry each label."""
    totals: dict[str, int] = defaultdict(int)
    for info in catalog.values():
        totals[info.area] += 1
    studied: dict[str, list[dict]] = defaultdict(list)
    for concept in concepts.values():
        studied[concept["area"]].append(concept)
    areas = {}
    for area in sorted(totals, key=Area.values.index):
        members = studied.get(area, [])
        labels = {label: sum(1 for c in members if c["label"] == label) for label in LABELS[1:]}
        areas[area] = {
            "title": localized_area(area),
            **area_estimate(members),
            "concepts": totals[area],
            "studied": len(members),
            "labels": {"new": totals[area] - len(members), **labels},
        }
    return areas


def area_estimate(members: list[dict]) -> dict:
    """The mean of the concepts' masteries, with the Beta of the same mean and variance for its interval."""
    if not members:
        return _shaped(None, None, None, "new")
    mean = sum(c["mastery"] for c in members) / len(members)
    variance = max(sum(c["sd"] ** 2 for c in members) / len(members) ** 2, 1e-9)
    size = mean * (1 - mean) / variance - 1  # alpha + beta; above 1, since every concept's prior adds 2
    return _beta_summary(mean * size, (1 - mean) * size, mean, math.sqrt(variance))

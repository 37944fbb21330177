"""Writes for the question bank and quizzes."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

import numpy as np
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from common.errors import ServiceError
from kb.models import Concept
from kb.selectors import concepts_in_scope
from quizzes import calibration
from quizzes.content import QuestionSource
from quizzes.generators import generate
from quizzes.grading import InvalidResponse, grade_item
from quizzes.models import LearnerAbility, Question, QuestionCalibration, QuestionType, Quiz, QuizItem, QuizMode
from quizzes.priorities import concepts_needing_review
from quizzes.selectors import (
    LatestAnswer,
    abilities_of,
    concept_mastery,
    item_parameters,
    latest_answers,
    question_last_scores,
)


@dataclass
class QuestionChanges:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def apply_questions(questions: list[QuestionSource], concepts: dict) -> QuestionChanges:
    """Make the Question table match the content; call it inside the transaction that loads the concepts.

    A question that left the content is deleted if nobody answered it, else retired (kept for its attempts).
    """
    changes = QuestionChanges()
    existing = {question.id: question for question in Question.objects.select_for_update()}
    now = timezone.now()
    for source in questions:
        question = existing.pop(source.id, None)
        digest = source.content_hash()
        if question is not None and question.content_hash == digest and not question.retired:
            continue
        (changes.created if question is None else changes.updated).append(source.id)
        question = question or Question(id=source.id)
        question.concept = concepts[source.concept]
        question.type, question.prompt, question.spec = source.type, source.prompt, source.spec
        question.explanation, question.content_hash, question.retired = source.explanation, digest, False
        question.zh = source.zh
        question.updated_at = now
        question.save()
        question.also_concepts.set([concepts[slug] for slug in source.also_concepts])
    for question in existing.values():
        if question.retired:
            continue
        changes.retired.append(question.id)
        if question.quiz_items.exists():
            Question.objects.filter(pk=question.pk).update(retired=True, updated_at=now)
        else:
            question.delete()
    return changes


MAX_QUIZ_SIZE = 50
DUE_BOOST = 0.5
# Questions whose information at the learner's ability is within 10% of each other's are equally good picks;
# a random factor decides between them, so two adaptive quizzes differ.
NEAR_EQUAL_INFORMATION = 0.1


def create_quiz(
    owner,
    *,
    concepts: list[str] | None = None,
    area: str | None = None,
    size: int = 10,
    mode: str = QuizMode.RANDOM,
    rng: random.Random | None = None,
) -> Quiz:
    """Draw ``size`` questions from the scope; adaptive mode puts the learner's weakest concepts first,
    interleaves concepts and, within a concept, prefers unseen questions that are most informative at the
    learner's ability in the question's area. Parametric questions get a seeded variant, stored so the attempt
    can be regraded."""
    rng = rng or random.Random()
    scope = concepts_in_scope(concepts, area)
    pool = list(
        Question.objects.filter(retired=False)
        .filter(Q(concept__in=scope) | Q(also_concepts__in=scope))
        .select_related("concept")
        .only("type", "spec", "concept__slug", "concept__area")  # what the draw needs; serving reads the rest again
        .prefetch_related(Prefetch("also_concepts", queryset=Concept.objects.only("slug")))
        .distinct()
    )
    if not pool:
        raise ServiceError("no_questions", "There are no questions for these concepts yet.")
    chosen = (
        _adaptive(owner, pool, {c.slug for c in scope}, size, rng)
        if mode == QuizMode.ADAPTIVE
        else rng.sample(pool, min(size, len(pool)))
    )
    with transaction.atomic():
        quiz = Quiz.objects.create(owner=owner, mode=mode, scope={"concepts": concepts} if concepts else {"area": area})
        QuizItem.objects.bulk_create([_item(quiz, question, position, rng) for position, question in enumerate(chosen)])
    return quiz


def _adaptive(owner, pool: list[Question], scope: set[str], size: int, rng: random.Random) -> list[Question]:
    mastery = concept_mastery(owner)
    last_scores = question_last_scores(owner, [question.id for question in pool])
    informative = _information_at_ability(owner, pool)
    by_concept: dict[str, list[Question]] = {}
    for question in pool:
        slugs = [question.concept.slug, *sorted(c.slug for c in question.also_concepts.all())]
        by_concept.setdefault(next(slug for slug in slugs if slug in scope), []).append(question)
    for questions in by_concept.values():
        # Unseen first, then the ones answered worst; among equals, the most informative at the learner's ability.
        questions.sort(
            key=lambda q: (
                last_scores.get(q.id, -1.0),
                -informative[q.id] * rng.uniform(1 - NEAR_EQUAL_INFORMATION, 1),
            )
        )
    due = concepts_needing_review(owner)
    # Weakest first; a concept with flashcards due counts as weaker by DUE_BOOST, so due material comes early too.
    weakest_first = sorted(
        by_concept, key=lambda slug: (mastery.get(slug, 0.0) - DUE_BOOST * (slug in due), rng.random())
    )
    chosen: list[Question] = []
    while len(chosen) < size and any(by_concept.values()):
        for slug in weakest_first:  # one question per concept per round: interleaving
            if by_concept[slug] and len(chosen) < size:
                chosen.append(by_concept[slug].pop(0))
    return chosen


def _information_at_ability(owner, pool: list[Question]) -> dict[str, float]:
    """Fisher information of each question at the learner's ability in the question's area."""
    abilities = abilities_of(owner)
    difficulty, discrimination = item_parameters([question.id for question in pool])
    ability = np.array([abilities.get(question.concept.area, 0.0) for question in pool])
    information = calibration.information(ability, difficulty, discrimination)
    return {question.id: float(value) for question, value in zip(pool, information, strict=True)}


def _item(quiz: Quiz, question: Question, position: int, rng: random.Random) -> QuizItem:
    item = QuizItem(quiz=quiz, question=question, position=position)
    if question.type == QuestionType.PARAMETRIC:
        item.seed = rng.randrange(2**31)
        item.variant = asdict(generate(question.spec["generator"], item.seed))
    return item


def answer_question(quiz: Quiz, question_id: str, response) -> QuizItem:
    """Grade and store an answer. Answering twice, or a question not in the quiz, changes nothing."""
    with transaction.atomic():
        item = (
            quiz.items.select_for_update().select_related("question__concept").filter(question_id=question_id).first()
        )
        if item is None:
            message = f"Question '{question_id}' is not part of this quiz."
            raise ServiceError("not_in_quiz", message, errors={"question": message})
        if item.answered_at is not None:
            raise ServiceError("already_answered", "This question of the quiz has already been answered.", status=409)
        try:
            result = grade_item(item, response)
        except InvalidResponse as exc:
            message = f"Invalid response for a {item.question.type} question: {exc}."
            raise ServiceError("invalid_response", message, errors={"response": message}) from None
        item.response, item.score, item.answered_at = response, result.score, timezone.now()
        item.save(update_fields=["response", "score", "answered_at"])
        refresh_ability(quiz.owner, item.question.concept.area)
    return item


def refresh_ability(owner, area: str) -> LearnerAbility:
    """Re-estimate the learner's ability in the area from their latest answers there (a one-parameter fit with
    the questions' stored parameters: cheap enough to run after every answer)."""
    answers = latest_answers(quiz__owner=owner, question__concept__area=area)
    difficulty, discrimination = item_parameters([answer.question for answer in answers])
    ability, error = calibration.estimate_ability([answer.score for answer in answers], difficulty, discrimination)
    values = {"ability": ability, "standard_error": error, "answer_count": len(answers), "updated_at": timezone.now()}
    return LearnerAbility.objects.update_or_create(owner=owner, area=area, defaults=values)[0]


MIN_ANSWERS_TO_CALIBRATE = 20  # difficulty's standard error about 0.5 logits: finer than the bank's spread
MIN_ANSWERS_FOR_DISCRIMINATION = 100  # below that a slope estimate is mostly noise; keep a = 1 (Rasch)


@dataclass
class CalibrationSummary:
    questions: int
    calibrated: int
    answers: int
    abilities: int


def calibrate_questions() -> CalibrationSummary:
    """Fit every question's parameters and every learner's ability per area from all latest answers, and store
    them in one transaction. Deterministic in the answers, so a second run stores the same values."""
    with transaction.atomic():
        answers = latest_answers()
        question_ids = list(Question.objects.order_by("id").values_list("id", flat=True))
        persons = sorted({(answer.owner, answer.area) for answer in answers})
        data = _as_arrays(answers, question_ids, persons)
        counts = np.bincount(data.item, minlength=len(question_ids))
        fitted = calibration.fit(
            data,
            len(persons),
            np.full(len(question_ids), calibration.PRIOR_DIFFICULTY),
            fit_difficulty=counts >= MIN_ANSWERS_TO_CALIBRATE,
            fit_discrimination=counts >= MIN_ANSWERS_FOR_DISCRIMINATION,
        )
        _store_calibrations(question_ids, counts, np.bincount(data.item, data.score, len(question_ids)), fitted)
        _store_abilities(persons, np.bincount(data.person, minlength=len(persons)), fitted)
    calibrated = int((counts >= MIN_ANSWERS_TO_CALIBRATE).sum())
    return CalibrationSummary(len(question_ids), calibrated, len(answers), len(persons))


def _as_arrays(
    answers: list[LatestAnswer], question_ids: list[str], persons: list[tuple[int, str]]
) -> calibration.Answers:
    """The answers as indices: a person is a learner in an area (abilities are per area), an item a question."""
    items = {question_id: index for index, question_id in enumerate(question_ids)}
    person_index = {person: index for index, person in enumerate(persons)}
    return calibration.Answers(
        person=np.array([person_index[answer.owner, answer.area] for answer in answers], dtype=int),
        item=np.array([items[answer.question] for answer in answers], dtype=int),
        score=np.array([answer.score for answer in answers], dtype=float),
    )


def _store_calibrations(question_ids: list[str], counts, score_sums, fitted: calibration.Fit) -> None:
    now = timezone.now()
    rows = [
        QuestionCalibration(
            question_id=question_id,
            difficulty=float(fitted.difficulty[index]),
            discrimination=float(fitted.discrimination[index]),
            answer_count=int(counts[index]),
            facility=float(score_sums[index] / counts[index]) if counts[index] else None,
            calibrated=bool(counts[index] >= MIN_ANSWERS_TO_CALIBRATE),
            fitted_at=now,
        )
        for index, question_id in enumerate(question_ids)
    ]
    fields = ["difficulty", "discrimination", "answer_count", "facility", "calibrated", "fitted_at"]
    QuestionCalibration.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["question"], update_fields=fields
    )


def _store_abilities(persons: list[tuple[int, str]], counts, fitted: calibration.Fit) -> None:
    now = timezone.now()
    rows = [
        LearnerAbility(
            owner_id=owner,
            area=area,
            ability=float(fitted.ability[index]),
            standard_error=float(fitted.ability_se[index]),
            answer_count=int(counts[index]),
            updated_at=now,
        )
        for index, (owner, area) in enumerate(persons)
    ]
    fields = ["ability", "standard_error", "answer_count", "updated_at"]
    LearnerAbility.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["owner", "area"], update_fields=fields, batch_size=500
    )

"""Writes for the question bank and quizzes."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.errors import ServiceError
from kb.selectors import concepts_in_scope
from quizzes.content import QuestionSource
from quizzes.generators import generate
from quizzes.grading import InvalidResponse, grade_item
from quizzes.models import Question, QuestionType, Quiz, QuizItem, QuizMode
from quizzes.priorities import concepts_needing_review
from quizzes.selectors import concept_mastery, question_last_scores


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


def create_quiz(
    owner,
    *,
    concepts: list[str] | None = None,
    area: str | None = None,
    size: int = 10,
    mode: str = QuizMode.RANDOM,
    rng: random.Random | None = None,
) -> Quiz:
    """Draw ``size`` questions from the scope; adaptive mode puts the learner's weakest concepts first and
    interleaves concepts. Parametric questions get a seeded variant, stored so the attempt can be regraded."""
    rng = rng or random.Random()
    scope = concepts_in_scope(concepts, area)
    pool = list(
        Question.objects.filter(retired=False)
        .filter(Q(concept__in=scope) | Q(also_concepts__in=scope))
        .select_related("concept")
        .prefetch_related("also_concepts")
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
    by_concept: dict[str, list[Question]] = {}
    for question in pool:
        slugs = [question.concept.slug, *sorted(c.slug for c in question.also_concepts.all())]
        by_concept.setdefault(next(slug for slug in slugs if slug in scope), []).append(question)
    for questions in by_concept.values():
        rng.shuffle(questions)
        questions.sort(key=lambda q: last_scores.get(q.id, -1.0))  # unseen first, then the ones answered worst
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


def _item(quiz: Quiz, question: Question, position: int, rng: random.Random) -> QuizItem:
    item = QuizItem(quiz=quiz, question=question, position=position)
    if question.type == QuestionType.PARAMETRIC:
        item.seed = rng.randrange(2**31)
        item.variant = asdict(generate(question.spec["generator"], item.seed))
    return item


def answer_question(quiz: Quiz, question_id: str, response) -> QuizItem:
    """Grade and store an answer. Answering twice, or a question not in the quiz, changes nothing."""
    with transaction.atomic():
        item = quiz.items.select_for_update().select_related("question").filter(question_id=question_id).first()
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
    return item

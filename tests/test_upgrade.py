"""An install created before the cards app existed keeps every row when it migrates to today's schema.

The database is taken back to the schema of that release (flashcards inside quizzes), filled through the
historical models, and migrated forward again; every card, review, setting, quiz and demo run must be intact.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_CARDS_APP = [
    ("kb", "0001_initial"),
    ("quizzes", "0002_card_reviewlog_schedulersettings_card_card_due_idx_and_more"),
    ("demos", "0001_initial"),
    ("cards", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([target for target in targets if target[1]]).apps


def _fill_old_schema(apps) -> dict:
    now = timezone.now()
    user = apps.get_model("auth", "User").objects.create(username="veteran", password="!")
    concept = apps.get_model("kb", "Concept").objects.get(slug="relu")
    question = apps.get_model("quizzes", "Question").objects.filter(concept=concept).first()
    card = apps.get_model("quizzes", "Card").objects.create(
        owner=user,
        concept=concept,
        key="concept:relu:definition",
        kind="definition",
        front="f",
        back="b",
        state=2,
        step=None,
        stability=3.5,
        difficulty=5.2,
        due=now + timedelta(days=3),
        last_review=now,
        reps=4,
    )
    review_id = uuid.uuid4()
    apps.get_model("quizzes", "ReviewLog").objects.create(
        owner=user,
        card=card,
        review_id=review_id,
        rating=3,
        reviewed_at=now,
        duration_ms=1200,
        state_before=1,
        state_after=2,
        due_before=now,
        due_after=now + timedelta(days=3),
        stability_after=3.5,
        difficulty_after=5.2,
    )
    apps.get_model("quizzes", "SchedulerSettings").objects.create(
        owner=user, desired_retention=0.85, learning_steps=[2, 15], parameters=[0.1] * 21
    )
    quiz = apps.get_model("quizzes", "Quiz").objects.create(owner=user, mode="random", scope={"area": "activations"})
    apps.get_model("quizzes", "QuizItem").objects.create(
        quiz=quiz, question=question, position=0, response="a", score=1.0, answered_at=now
    )
    run = apps.get_model("demos", "DemoRun").objects.create(
        owner=user,
        demo="optimizers",
        params={"steps": 10},
        code_version="abc",
        cache_key="k" * 64,
        queue="cpu",
        status="succeeded",
        metrics={"final_loss": 0.5},
        series={"x": [1, 2]},
        summary="done",
    )
    return {"card": card.pk, "review_id": review_id, "quiz": quiz.pk, "question": question.pk, "run": run.pk}


@pytest.mark.django_db(transaction=True)
def test_upgrade_from_the_schema_before_the_cards_app_keeps_every_row():
    old = _fill_old_schema(_migrate(BEFORE_CARDS_APP))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from cards.models import Card, ReviewLog, SchedulerSettings
    from demos.models import DemoRun
    from quizzes.models import Quiz

    card = Card.objects.select_related("owner", "concept").get(pk=old["card"])
    assert (card.owner.username, card.concept.slug, card.key, card.state, card.reps) == (
        "veteran",
        "relu",
        "concept:relu:definition",
        2,
        4,
    )
    assert card.stability == pytest.approx(3.5)
    review = ReviewLog.objects.get(review_id=old["review_id"])
    assert (review.card_id, review.rating, review.duration_ms) == (old["card"], 3, 1200)
    config = SchedulerSettings.objects.get(owner=card.owner)
    assert (config.desired_retention, config.learning_steps, len(config.parameters)) == (0.85, [2, 15], 21)
    quiz = Quiz.objects.get(pk=old["quiz"])
    assert [(item.question_id, item.score) for item in quiz.items.all()] == [(old["question"], 1.0)]
    run = DemoRun.objects.get(pk=old["run"])
    assert (run.demo, run.status, run.metrics) == ("optimizers", "succeeded", {"final_loss": 0.5})
    # The tables now carry the cards app's names, and the old ones are gone.
    tables = set(connection.introspection.table_names())
    assert {"cards_card", "cards_reviewlog", "cards_schedulersettings"} <= tables
    assert not {"quizzes_card", "quizzes_reviewlog", "quizzes_schedulersettings"} & tables

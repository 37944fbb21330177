"""Item-response calibration on simulated learners with known abilities, through the real services and database.

The simulation (true question parameters, learners answering with the 2PL probability, quizzes taken through
create_quiz) is bench/irt_simulation.py's; the bench runs it at a larger scale and prints the README's figures.
"""

import numpy as np
import pytest
from django.conf import settings
from django.db.models import Q
from django.test import Client
from rest_framework.test import APIClient

from bench.irt_simulation import (
    AREA,
    answer_population,
    compare_modes,
    rank_correlation,
    simulated_bank,
)
from quizzes import services, tasks
from quizzes.calibration import PRIOR_DIFFICULTY
from quizzes.models import LearnerAbility, Question, QuestionCalibration, Quiz, QuizMode
from tests.quizzes.test_quiz_api import answer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def population():
    """150 learners, abilities ~ N(0, 1), each answered a random 80 % of the area's pool: about 120 answers per
    question, enough to fit discriminations (MIN_ANSWERS_FOR_DISCRIMINATION)."""
    rng = np.random.default_rng(2026)
    bank = simulated_bank(AREA, rng)
    abilities = rng.normal(0, 1, 150)
    answer_population(bank, abilities, rng, coverage=0.8)
    return bank, abilities, rng


def test_the_fit_recovers_the_bank_and_adaptive_quizzes_need_fewer_questions(population):
    bank, abilities, rng = population
    summary = services.calibrate_questions()
    assert summary.calibrated == len(bank.ids) and summary.abilities >= len(abilities)  # and linked areas
    # With ~120 answers a difficulty's standard error is about 0.2 logits against a spread of 1.2, so the expected
    # rank correlation is about 0.97 (0.974 here); 0.9 leaves room, and chance (0 +- 0.13 for 61 questions) is far.
    assert rank_correlation(bank, "difficulty") > 0.9
    fitted = QuestionCalibration.objects.filter(question_id__in=bank.ids)
    assert all(row.discrimination != 1.0 and row.answer_count >= services.MIN_ANSWERS_TO_CALIBRATE for row in fitted)
    estimates = dict(LearnerAbility.objects.filter(area=AREA).values_list("owner__username", "ability"))
    estimated = [estimates[f"population-{index}"] for index in range(len(abilities))]
    assert np.corrcoef(estimated, abilities)[0, 1] > 0.85  # about 40 answers each: the reliability is about 0.9

    results = compare_modes(bank, rng.normal(0, 1, 10), total=15, rng=rng, every=5)
    adaptive, randomly = results[QuizMode.ADAPTIVE], results[QuizMode.RANDOM]
    after = np.array([5, 10, 15]) - 1
    assert (adaptive.standard_error[after] < randomly.standard_error[after]).all(), (adaptive, randomly)
    # Fewer questions: ten adaptive ones estimate the ability as precisely as fifteen random ones.
    assert adaptive.standard_error[9] <= randomly.standard_error[14], (adaptive, randomly)
    # The standard errors are honest: the actual error of the estimates is of their size.
    assert adaptive.rmse[14] < 2 * adaptive.standard_error[14], adaptive


def test_adaptive_picks_the_question_most_informative_at_the_learners_ability(learner):
    pool = Question.objects.filter(Q(concept__slug="dropout") | Q(also_concepts__slug="dropout"), retired=False)
    questions = list(pool.select_related("concept").distinct().order_by("id"))
    difficulties = np.linspace(-3, 3, len(questions))
    for question, difficulty in zip(questions, difficulties, strict=True):
        QuestionCalibration.objects.create(
            question=question, difficulty=difficulty, discrimination=1.0, answer_count=50, calibrated=True,
            facility=0.5, fitted_at="2026-01-01T00:00Z",
        )  # fmt: skip
    for target in (0, len(questions) // 2, len(questions) - 1):
        for area in {question.concept.area for question in questions}:
            LearnerAbility.objects.update_or_create(
                owner=learner, area=area,
                defaults={"ability": difficulties[target], "standard_error": 0.3, "answer_count": 30,
                          "updated_at": "2026-01-01T00:00Z"},
            )  # fmt: skip
        quiz = services.create_quiz(learner, concepts=["dropout"], size=1, mode=QuizMode.ADAPTIVE)
        assert quiz.items.get().question == questions[target]


def test_uncalibrated_questions_are_drawn_at_random(learner):
    quizzes = [services.create_quiz(learner, area="cnn", size=5, mode="adaptive") for _ in range(3)]
    assert len({tuple(item.question_id for item in quiz.items.all()) for quiz in quizzes}) > 1


def test_answering_updates_the_ability_of_the_area(api, learner):
    quiz_id = api.post("/api/quizzes/", {"concepts": ["dropout"], "size": 3}, format="json").json()["id"]
    for item in Quiz.objects.get(pk=quiz_id).items.select_related("question"):
        answer = {"question": item.question_id, "response": answer_for(item)}
        assert api.post(f"/api/quizzes/{quiz_id}/answers/", answer, format="json").status_code == 200
    items = Quiz.objects.get(pk=quiz_id).items.filter(question__concept__area="regularization")
    ability = LearnerAbility.objects.get(owner=learner, area="regularization")
    assert ability.answer_count == items.count() >= 2  # a linked question of another area counts there
    assert ability.ability > 0.4 and ability.standard_error < 0.9  # the prior: 0 +- 1


def test_the_task_runs_the_service_and_a_second_run_changes_nothing():
    rng = np.random.default_rng(7)
    bank = simulated_bank(AREA, rng)
    answer_population(bank, rng.normal(0, 1, 30), rng)  # about 21 answers a question: some below the minimum

    def stored():
        columns = ("question_id", "difficulty", "discrimination", "answer_count", "facility", "calibrated")
        abilities = LearnerAbility.objects.order_by("owner", "area").values_list("owner", "area", "ability")
        return list(QuestionCalibration.objects.order_by("pk").values_list(*columns)), list(abilities)

    first = tasks.calibrate_questions.apply().get()
    once = stored()
    assert tasks.calibrate_questions.apply().get() == first
    assert stored() == once
    assert first["questions"] == Question.objects.count() == QuestionCalibration.objects.count()
    few = QuestionCalibration.objects.filter(answer_count__lt=services.MIN_ANSWERS_TO_CALIBRATE)
    assert few.exists() and all(not row.calibrated and row.difficulty == PRIOR_DIFFICULTY for row in few)
    assert QuestionCalibration.objects.filter(calibrated=True).exists()
    assert settings.CELERY_TASK_ROUTES["quizzes.tasks.calibrate_questions"] == {"queue": "maintenance"}
    assert any(entry["task"] == "quizzes.tasks.calibrate_questions" for entry in settings.CELERY_BEAT_SCHEDULE.values())


def test_staff_see_the_calibration_and_learners_do_not(api, django_user_model):
    assert api.get("/api/questions/calibration/").json() == {
        "status": 403,
        "code": "permission_denied",
        "detail": "Only staff may see the calibration of the question bank; sign in with a staff account.",
    }
    assert APIClient().get("/api/questions/calibration/").status_code == 401
    rng = np.random.default_rng(1)
    answer_population(simulated_bank(AREA, rng), rng.normal(0, 1, 30), rng)
    services.calibrate_questions()
    staff_user = django_user_model.objects.create_user("staff", is_staff=True, is_superuser=True)
    staff = APIClient()
    staff.force_authenticate(staff_user)
    body = staff.get("/api/questions/calibration/", {"area": "cnn", "ordering": "-difficulty", "page_size": 100})
    assert body.status_code == 200, body.json()
    rows = body.json()["results"]
    assert body.json()["count"] == len(rows) == Question.objects.filter(concept__area="cnn").count()
    assert set(rows[0]) == {
        "id", "concept", "area", "type", "retired", "answer_count", "facility", "difficulty", "discrimination",
        "calibrated", "fitted_at",
    }  # fmt: skip
    assert [row["difficulty"] for row in rows] == sorted((row["difficulty"] for row in rows), reverse=True)
    assert {row["area"] for row in rows} == {"cnn"}
    one = staff.get("/api/questions/calibration/", {"concept": "dropout"}).json()["results"]
    assert {row["concept"] for row in one} == {"dropout"} and all(row["answer_count"] == 0 for row in one)
    bad = staff.get("/api/questions/calibration/", {"ordering": "prompt"})
    assert bad.status_code == 400 and "ordering" in bad.json()["errors"]
    admin = Client()
    admin.force_login(staff_user)
    page = admin.get("/admin/quizzes/question/", {"concept__area__exact": "cnn"})
    assert (
        page.status_code == 200 and b"discrimination" in page.content and b"convolution-1d-wide-length" in page.content
    )

"""The quiz pages: /quiz/ (start), /quiz/<id>/ (one question at a time, graded at once), /quiz/history/."""

import random
import re
import uuid
from html import unescape

import pytest
from django.conf import settings
from django.utils.html import escape

from kb.models import Concept
from quizzes import services
from quizzes.models import Question, QuestionType, Quiz, QuizItem
from tests.portal.helpers import assert_csp_ready, assert_login_redirect, parse

pytestmark = pytest.mark.django_db


def quiz_of(owner, question_ids: list[str]) -> Quiz:
    """A quiz with exactly these questions, in this order (drawn variants for parametric ones)."""
    quiz = Quiz.objects.create(owner=owner, mode="random", scope={"concepts": ["adam"]})
    rng = random.Random(7)
    for position, question_id in enumerate(question_ids):
        services._item(quiz, Question.objects.get(pk=question_id), position, rng).save()
    return quiz


def first_of_type(kind: str, *, zh: bool = False, unit: bool = False) -> Question:
    questions = Question.objects.filter(type=kind, retired=False).order_by("id")
    if unit:
        questions = [q for q in questions if q.spec.get("unit")]
    if zh:
        questions = [q for q in questions if q.zh.get("prompt")]
    return questions[0]


def right_post(item: QuizItem) -> dict:
    """The form fields of a fully right answer."""
    question, spec = item.question, item.question.spec
    if question.type == QuestionType.SINGLE:
        return {"response": next(c["key"] for c in spec["choices"] if c.get("correct"))}
    if question.type == QuestionType.MULTIPLE:
        return {"response": [c["key"] for c in spec["choices"] if c.get("correct")]}
    if question.type == QuestionType.TRUE_FALSE:
        return {"response": "true" if spec["answer"] else "false"}
    if question.type == QuestionType.CLOZE:
        return {"blank": [accepted[0] for accepted in spec["blanks"]]}
    answer = item.variant["answer"] if item.variant else spec["answer"]
    return {"response": repr(answer)}


def answer(client, quiz, item, fields):
    return client.post(f"/quiz/{quiz.pk}/", {"question": item.question_id, **fields})


@pytest.mark.parametrize("path", ["/quiz/", "/quiz/history/", f"/quiz/{uuid.uuid4()}/"])
def test_quiz_pages_need_a_login(client, path):
    assert_login_redirect(client.get(path), path)


def test_the_start_form_is_prefilled_from_a_concept_page(learner_client):
    response = learner_client.get("/quiz/?concepts=batch-normalization")
    assert response.status_code == 200
    assert_csp_ready(response)
    html = response.content.decode()
    assert re.search(r'<option value="batch-normalization" selected>Batch Normalization', html)
    assert '<optgroup label="Normalization">' in html
    labels = {attrs.get("for") for tag, attrs in parse(response).elements if tag == "label"}
    assert {"id_area", "id_concepts", "id_size", "id_mode_0", "id_mode_1"} <= labels
    assert 'max="50"' in html  # the service's bound, given to the browser as well


def test_starting_a_quiz_creates_it_and_opens_its_first_question(learner_client, learner):
    response = learner_client.post("/quiz/", {"concepts": ["adam", "momentum"], "size": 3, "mode": "random"})
    quiz = Quiz.objects.get(owner=learner)
    assert response.status_code == 302 and response["Location"] == f"/quiz/{quiz.pk}/"
    assert quiz.scope == {"concepts": ["adam", "momentum"]} and quiz.items.count() == 3
    page = learner_client.get(response["Location"])
    assert page.status_code == 200
    assert "<h1>Question 1 of 3</h1>" in page.content.decode()
    assert_csp_ready(page)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"size": 3, "mode": "random"}, "area", "give concepts or area"),
        ({"area": "cnn", "size": 0, "mode": "random"}, "size", "greater than or equal to 1"),
        ({"area": "cnn", "size": 51, "mode": "random"}, "size", "less than or equal to 50"),
        ({"area": "cnn", "size": 5, "mode": "smart"}, "mode", "not one of the available choices"),
        ({"area": "astrology", "size": 5, "mode": "random"}, "area", "not one of the available choices"),
        ({"concepts": ["adam"], "area": "cnn", "size": 5, "mode": "random"}, "concepts", "give concepts or area"),
    ],
)
def test_a_bad_start_names_the_field_and_creates_nothing(learner_client, fields, field, message):
    response = learner_client.post("/quiz/", fields)
    assert response.status_code == 400
    html = response.content.decode()
    errors = html.split(f'id="id_{field}_error"', 1)
    assert len(errors) == 2, f"no error at {field}"
    assert message in errors[1].split("</ul>", 1)[0]
    assert not Quiz.objects.exists()


@pytest.mark.parametrize("kind", [t.value for t in QuestionType])
def test_each_question_type_gets_its_input_and_is_graded(learner_client, learner, kind):
    question = first_of_type(kind, unit=kind == "numeric")
    quiz = quiz_of(learner, [question.id])
    item = quiz.items.get()
    page = learner_client.get(f"/quiz/{quiz.pk}/")
    assert page.status_code == 200
    assert_csp_ready(page)
    inputs = [attrs for tag, attrs in parse(page).elements if tag == "input" and attrs.get("type") != "hidden"]
    expected = {
        "single": ("radio", len(question.spec.get("choices", []))),
        "multiple": ("checkbox", len(question.spec.get("choices", []))),
        "true_false": ("radio", 2),
        "numeric": ("number", 1),
        "parametric": ("number", 1),
        "cloze": ("text", len(question.spec.get("blanks", []))),
    }[kind]
    assert {attrs["type"] for attrs in inputs} == {expected[0]} and len(inputs) == expected[1]
    ids = {attrs.get("id") for attrs in inputs if attrs.get("id")}
    labelled = {attrs.get("for") for tag, attrs in parse(page).elements if tag == "label"}
    assert ids <= labelled  # every text or number input has its label; radios and boxes sit inside theirs
    if kind == "numeric":
        unit = f'<span id="answer-unit" class="number-unit__unit">{question.spec["unit"]}</span>'
        assert unit in page.content.decode()

    response = answer(learner_client, quiz, item, right_post(item))
    assert response.status_code == 302 and response["Location"] == f"/quiz/{quiz.pk}/?answered={question.id}"
    item.refresh_from_db()
    assert item.score == 1.0
    result = learner_client.get(response["Location"]).content.decode()
    assert "Right." in result
    explanation = (item.variant or {}).get("explanation") or question.explanation
    assert explanation.split("$")[0].strip()[:40] in unescape(result)
    assert "See your score" in result


def test_a_wrong_choice_shows_its_feedback_and_the_right_answer(learner_client, learner):
    question = next(
        q
        for q in Question.objects.filter(type="single").order_by("id")
        if any(c.get("feedback") for c in q.spec["choices"])
    )
    wrong = next(c for c in question.spec["choices"] if c.get("feedback"))
    quiz = quiz_of(learner, [question.id, first_of_type("true_false").id])
    response = answer(learner_client, quiz, quiz.items.first(), {"response": wrong["key"]})
    html = learner_client.get(response["Location"]).content.decode()
    assert "Not quite." in html
    assert escape(wrong["feedback"]) in html
    graded = html.split('<ul class="choices choices--graded">', 1)[1].split("</ul>", 1)[0]
    assert graded.count("right answer") == 1 and graded.count("your choice") == 1
    assert "Next question" in html
    assert "<h1>Question 2 of 2</h1>" in learner_client.get(f"/quiz/{quiz.pk}/").content.decode()


@pytest.mark.parametrize("kind", ["single", "true_false", "numeric", "parametric"])
def test_an_invalid_answer_is_shown_at_the_field_and_changes_nothing(learner_client, learner, kind):
    quiz = quiz_of(learner, [first_of_type(kind).id])
    item = quiz.items.get()
    fields = {"response": "many"} if kind in ("numeric", "parametric") else {}
    response = answer(learner_client, quiz, item, fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="errorlist" id="answer-error" role="alert"' in html
    assert 'aria-invalid="true"' in html
    item.refresh_from_db()
    assert item.answered_at is None and item.score is None


def test_answering_twice_keeps_the_first_answer(learner_client, learner):
    question = first_of_type("true_false")
    quiz = quiz_of(learner, [question.id])
    item = quiz.items.get()
    answer(learner_client, quiz, item, right_post(item))
    wrong = {"response": "false" if question.spec["answer"] else "true"}
    again = answer(learner_client, quiz, item, wrong)
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.score == 1.0
    assert "your first answer counts" in learner_client.get(again["Location"]).content.decode()


def test_the_end_shows_the_score_and_the_concepts_to_revisit(learner_client, learner):
    right, wrong = first_of_type("true_false"), first_of_type("single")
    quiz = quiz_of(learner, [right.id, wrong.id])
    first, second = quiz.items.all()
    answer(learner_client, quiz, first, right_post(first))
    bad_key = next(c["key"] for c in wrong.spec["choices"] if not c.get("correct"))
    answer(learner_client, quiz, second, {"response": bad_key})
    html = learner_client.get(f"/quiz/{quiz.pk}/").content.decode()
    assert "<h1>Quiz results</h1>" in html
    assert re.search(r"1 of 2\s*<span class=\"score__percent\">50%</span>", html)
    revisit = html.split('id="revisit-title"', 1)[1].split("</section>", 1)[0]
    assert f'href="/concepts/{wrong.concept.slug}/"' in revisit
    assert f'href="/concepts/{right.concept.slug}/"' not in revisit or right.concept == wrong.concept
    assert f"/quiz/?concepts={wrong.concept.slug}" in revisit


def test_another_learners_quiz_is_a_404_and_cannot_be_answered(learner_client, other_learner):
    quiz = quiz_of(other_learner, [first_of_type("true_false").id])
    item = quiz.items.get()
    assert learner_client.get(f"/quiz/{quiz.pk}/").status_code == 404
    assert answer(learner_client, quiz, item, right_post(item)).status_code == 404
    item.refresh_from_db()
    assert item.answered_at is None
    assert learner_client.get(f"/quiz/{uuid.uuid4()}/").status_code == 404


def test_chinese_pages_show_the_chinese_question(learner_client, learner):
    question = first_of_type("single", zh=True)
    quiz = quiz_of(learner, [question.id])
    learner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = learner_client.get(f"/quiz/{quiz.pk}/").content.decode()
    assert escape(question.zh["prompt"]) in html
    key = question.spec["choices"][0]["key"]
    assert escape(question.zh["choices"][key]["text"]) in html
    assert 'lang="zh-Hans"' in html and "检查答案" in html
    wrong = next(c for c in question.spec["choices"] if c.get("feedback"))
    response = answer(learner_client, quiz, quiz.items.get(), {"response": wrong["key"]})
    result = learner_client.get(response["Location"]).content.decode()
    assert escape(question.zh["choices"][wrong["key"]]["feedback"]) in result
    assert question.zh["explanation"].split("$")[0][:30] in unescape(result)
    assert "不太对。" in result and "关于你的选择" in result
    learner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = learner_client.get(f"/quiz/{quiz.pk}/?answered={question.id}").content.decode()
    assert escape(question.prompt) in english and 'lang="en"' in english


def test_history_lists_the_learners_quizzes_newest_first(learner_client, learner, other_learner):
    older = services.create_quiz(learner, area="cnn", size=2)
    newer = services.create_quiz(learner, concepts=["adam"], size=1, mode="adaptive")
    services.create_quiz(other_learner, area="rnn", size=1)
    response = learner_client.get("/quiz/history/")
    assert response.status_code == 200
    assert_csp_ready(response)
    html = response.content.decode()
    links = re.findall(r'class="quiz-history__link" href="/quiz/([0-9a-f-]+)/"', html)
    assert links == [str(newer.pk), str(older.pk)]
    assert "Convolutional networks" in html and Concept.objects.get(slug="adam").title in html
    assert "0 of 2 answered, unfinished" in html

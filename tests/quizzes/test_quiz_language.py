"""Quizzes in the reader's language: prompts, choices, feedback and explanations in Chinese with ?lang=zh or
Accept-Language, and Chinese answers to cloze blanks count in either language."""

import pytest

from quizzes.models import Question


@pytest.fixture
def question_quiz(api):
    def make(question: Question, lang: str = ""):
        suffix = f"?lang={lang}" if lang else ""
        body = api.post(f"/api/quizzes/{suffix}", {"concepts": [question.concept.slug], "size": 50}, format="json")
        assert body.status_code == 201, body.json()
        return body.json()

    return make


@pytest.mark.django_db
def test_single_choice_question_in_chinese_with_feedback(api, question_quiz):
    question = next(
        q
        for q in Question.objects.filter(type="single", retired=False)
        if any(c.get("feedback") for c in q.spec["choices"])
    )
    quiz = question_quiz(question, "zh")
    shown = next(item["question"] for item in quiz["items"] if item["question"]["id"] == question.id)
    assert (shown["prompt"], shown["language"]) == (question.zh["prompt"], "zh")
    assert [c["text"] for c in shown["choices"]] == [
        question.zh["choices"][c["key"]]["text"] for c in question.spec["choices"]
    ]
    wrong = next(c for c in question.spec["choices"] if not c["correct"] and c.get("feedback"))
    result = api.post(
        f"/api/quizzes/{quiz['id']}/answers/",
        {"question": question.id, "response": wrong["key"]},
        format="json",
        headers={"Accept-Language": "zh-Hans"},
    ).json()
    assert result["feedback"] == [question.zh["choices"][wrong["key"]]["feedback"]]
    assert result["explanation"] == question.zh["explanation"]
    english = api.get(f"/api/quizzes/{quiz['id']}/").json()
    item = next(item for item in english["items"] if item["question"]["id"] == question.id)
    assert (item["question"]["prompt"], item["result"]["explanation"]) == (question.prompt, question.explanation)


@pytest.mark.django_db
def test_chinese_answer_to_a_cloze_blank_counts(api, question_quiz):
    question = next(
        q
        for q in Question.objects.filter(type="cloze", retired=False)
        if all(q.zh.get("blanks") or [[]]) and len(q.spec["blanks"]) == 1 and q.zh.get("blanks")
    )
    quiz = question_quiz(question)
    answer = [question.zh["blanks"][0][0]]
    result = api.post(
        f"/api/quizzes/{quiz['id']}/answers/", {"question": question.id, "response": answer}, format="json"
    ).json()
    assert result["score"] == 1.0

"""The quiz pages: ``/quiz/`` (start one), ``/quiz/<id>/`` (one question at a time, graded at once) and
``/quiz/history/``. They call ``quizzes.services`` and ``quizzes.selectors``, as ``quizzes.views`` does."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.errors import NotFound, ServiceError
from kb.models import Area
from kb.selectors import concept_queryset
from portal.access import personal_page
from portal.study_forms import QuizStartForm
from portal.study_text import in_chinese, not_found, text_with_maths
from quizzes import selectors, services
from quizzes.models import QuestionType, QuizItem

CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)
NUMBER_TYPES = (QuestionType.NUMERIC, QuestionType.PARAMETRIC)


@personal_page
def start(request):
    """``GET /quiz/[?concepts=<slug>[,<slug>]]``: the form; ``POST``: create the quiz and go to its first question
    (the dashboard's Continue button posts here too)."""
    choices = _concept_choices()
    if request.method == "POST":
        form = QuizStartForm(request.POST, concepts=choices)
        if form.is_valid():
            try:
                quiz = services.create_quiz(request.user, **form.validated)
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                return redirect("portal:quiz", quiz_id=quiz.pk)
        return render(request, "portal/quiz/start.html", {"form": form}, status=400)
    slugs = [slug for value in request.GET.getlist("concepts") for slug in value.split(",") if slug]
    initial = {"concepts": slugs} if slugs else {"area": request.GET.get("area", "")}
    return render(request, "portal/quiz/start.html", {"form": QuizStartForm(initial=initial, concepts=choices)})


@personal_page
def take(request, quiz_id):
    """``/quiz/<id>/``: the next unanswered question; ``POST`` grades an answer and shows its result
    (``?answered=<question>``); when every question is answered, the score and the concepts to revisit."""
    try:
        quiz = selectors.quiz_of(request.user, quiz_id)
    except NotFound:
        return not_found(request)
    items = list(quiz.items.all())
    context = {"quiz": quiz, "progress": selectors.quiz_progress(quiz)}
    if request.method == "POST":
        question_id = request.POST.get("question", "")
        item = next((item for item in items if item.question_id == question_id), None)
        try:
            services.answer_question(quiz, question_id, _response(item, request.POST))
        except ServiceError as exc:
            if exc.code != "already_answered":
                current = item if item is not None else _first_unanswered(items)
                context.update(question=_present(current), error=_answer_error(exc, current), posted=request.POST)
                return render(request, "portal/quiz/take.html", context, status=exc.status)
            messages.info(request, _("You had answered this question already; your first answer counts."))
        return redirect(f"{request.path}?answered={quote(question_id)}")
    answered = next((i for i in items if i.question_id == request.GET.get("answered") and i.answered_at), None)
    if answered is not None:
        context.update(question=_present(answered), result=_result(answered))
    elif (current := _first_unanswered(items)) is not None:
        context["question"] = _present(current)
    else:
        context.update(summary=[_summary_row(item) for item in items], revisit=_to_revisit(items))
    return render(request, "portal/quiz/take.html", context)


@personal_page
def history(request):
    """``/quiz/history/``: the learner's quizzes, newest first, with their scores."""
    page = Paginator(selectors.quizzes_of(request.user).prefetch_related("items"), 20).get_page(request.GET.get("page"))
    slugs = {slug for quiz in page for slug in quiz.scope.get("concepts", [])}
    titles = dict(concept_queryset().filter(slug__in=slugs).values_list("slug", "title"))
    rows = [
        {
            "quiz": quiz,
            "progress": selectors.quiz_progress(quiz),
            "scope": _scope_label(quiz.scope, titles),
            "adaptive": quiz.mode == "adaptive",
        }
        for quiz in page
    ]
    return render(request, "portal/quiz/history.html", {"page": page, "rows": rows})


# --- helpers -----------------------------------------------------------------------------------------------


def _concept_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Concepts grouped by area (translated), in teaching order, for the concepts list."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for slug, title, title_zh, area in (
        concept_queryset().order_by("title").values_list("slug", "title", "title_zh", "area")
    ):
        groups[area].append((slug, f"{title} · {title_zh}"))
    return [(_(label), groups[value]) for value, label in Area.choices if groups[value]]


def _first_unanswered(items: list[QuizItem]) -> QuizItem | None:
    return next((item for item in items if item.answered_at is None), None)


def _response(item: QuizItem | None, post):
    """The answer in the shape the grader takes (as ``POST /api/quizzes/<id>/answers/`` sends it)."""
    if item is None:
        return None
    kind = item.question.type
    if kind == QuestionType.MULTIPLE:
        return post.getlist("response")
    if kind == QuestionType.CLOZE:
        return post.getlist("blank")
    if kind == QuestionType.TRUE_FALSE:
        return {"true": True, "false": False}.get(post.get("response"))
    if kind in NUMBER_TYPES:
        text = post.get("response", "").strip()
        try:
            return float(text)
        except ValueError:
            return text  # the grader reads "1,000" and rejects the rest
    return post.get("response")


def _answer_error(exc: ServiceError, item: QuizItem | None) -> str:
    """A service's complaint about an answer, in the page's language where the kind of complaint is known."""
    if exc.code != "invalid_response" or item is None:
        return exc.detail
    kind = item.question.type
    if kind == QuestionType.MULTIPLE:
        return _("Choose the answers you think are right.")
    if kind in NUMBER_TYPES:
        return _("Enter a number, e.g. 0.25 or 1e-3.")
    if kind == QuestionType.CLOZE:
        return _("Fill in every blank.")
    return _("Choose an answer.")


def _present(item: QuizItem) -> dict:
    """One question as the page shows it: in Chinese where the page is and the question has a Chinese text."""
    question, variant = item.question, item.variant or {}
    zh = question.zh if in_chinese() and question.zh.get("prompt") and not variant else {}
    prompt = variant.get("prompt") or zh.get("prompt") or question.prompt
    view = {
        "id": question.id,
        "type": question.type,
        "number": item.position + 1,
        "lang": "zh-Hans" if zh else "en",
        "concept": question.concept,
        "prompt": text_with_maths(prompt),
        "unit": variant.get("unit") or zh.get("unit") or question.spec.get("unit", ""),
    }
    if question.type in CHOICE_TYPES:
        zh_choices = zh.get("choices", {})
        view["choices"] = [
            {
                "key": choice["key"],
                "text": text_with_maths(zh_choices.get(choice["key"], {}).get("text") or choice["text"]),
                "feedback": zh_choices.get(choice["key"], {}).get("feedback") or choice.get("feedback", ""),
                "correct": choice.get("correct", False),
            }
            for choice in question.spec["choices"]
        ]
    if question.type == QuestionType.CLOZE:
        pieces = prompt.split("___")
        view["cloze"] = [
            {"text": text_with_maths(piece), "blank": index + 1 if index < len(pieces) - 1 else None}
            for index, piece in enumerate(pieces)
        ]
    if zh.get("explanation"):
        view["explanation_zh"] = zh["explanation"]
    return view


def _result(item: QuizItem) -> dict:
    """The grade of an answered item (``quizzes.selectors.answer_result``), shaped for the page."""
    result = selectors.answer_result(item)
    question = _present(item)
    given = result["response"]
    chosen = set(given if isinstance(given, list) else [given]) if question["type"] in CHOICE_TYPES else set()
    choices = [{**choice, "chosen": choice["key"] in chosen} for choice in question.get("choices", [])]
    if question["lang"] == "zh-Hans":  # the feedback of the chosen wrong options, in the question's language
        feedback = [c["feedback"] for c in choices if c["chosen"] and not c["correct"] and c["feedback"]]
    else:
        feedback = result["feedback"]
    return {
        **result,
        "partial": 0 < result["score"] < 1,
        "percent": round(100 * result["score"]),
        "choices": choices,
        "chose_any": any(choice["chosen"] for choice in choices),
        "feedback": feedback,
        "explanation": text_with_maths(question.get("explanation_zh") or result["explanation"]),
        "expected_text": _expected_text(question, result["expected"]),
        "given_text": _given_text(question, given),
    }


def _expected_text(question: dict, expected) -> str:
    if question["type"] in CHOICE_TYPES:
        return ""  # the choices are listed with the right ones marked
    if question["type"] == QuestionType.TRUE_FALSE:
        return _("True") if expected else _("False")
    if question["type"] == QuestionType.CLOZE:
        return " · ".join(str(answer) for answer in expected)
    return f"{expected:g} {question['unit']}".strip() if isinstance(expected, int | float) else str(expected)


def _given_text(question: dict, given) -> str:
    if question["type"] in CHOICE_TYPES:
        return ""
    if question["type"] == QuestionType.TRUE_FALSE:
        return _("True") if given else _("False")
    if question["type"] == QuestionType.CLOZE:
        return " · ".join(str(answer) or "—" for answer in given)
    return f"{given} {question['unit']}".strip()


def _summary_row(item: QuizItem) -> dict:
    return {"number": item.position + 1, "concept": item.question.concept, "score": item.score}


def _to_revisit(items: list[QuizItem]) -> list:
    """The concepts of the questions not fully right, in quiz order, each once."""
    seen, concepts = set(), []
    for item in items:
        concept = item.question.concept
        if item.score is not None and item.score < 1 and concept.slug not in seen:
            seen.add(concept.slug)
            concepts.append(concept)
    return concepts


def _scope_label(scope: dict, titles: dict[str, str]) -> str:
    if scope.get("area"):
        return _(Area(scope["area"]).label)
    return ", ".join(titles.get(slug, slug) for slug in scope.get("concepts", []))

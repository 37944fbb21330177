"""Grading answers to bank questions. Pure functions: no database.

Responses by type: single -> a choice key; multiple -> a list of choice keys; true_false -> true/false;
numeric and parametric -> a number (or numeric text); cloze -> a list of texts, one per blank.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from quizzes.generators import Variant
from quizzes.translation import localized


class InvalidResponse(ValueError):
    """The response does not have the shape the question type needs."""


@dataclass(frozen=True)
class Grade:
    score: float  # 0..1; partial credit for multiple choice and multi-blank cloze
    expected: Any  # the correct answer, in the response's shape
    feedback: list[str]  # why the chosen wrong choices are wrong


def grade(kind: str, spec: dict, response: Any, variant: Variant | None = None) -> Grade:
    return GRADERS[kind](spec, response, variant)


def grade_item(item, response: Any, language: str = "en") -> Grade:
    """Grade a response to a quiz item (a QuizItem), with the variant it was served for parametric questions.
    Feedback comes in ``language``; a cloze blank accepts its Chinese answers in either language."""
    variant = Variant(**item.variant) if item.variant else None
    return grade(item.question.type, localized(item.question, language)["spec"], response, variant)


def _single(spec, response, _variant) -> Grade:
    keys = {choice["key"]: choice for choice in spec["choices"]}
    if not isinstance(response, str) or response not in keys:
        raise InvalidResponse(f"choose one of {', '.join(keys)}")
    right = next(key for key, choice in keys.items() if choice["correct"])
    feedback = [keys[response]["feedback"]] if response != right and keys[response].get("feedback") else []
    return Grade(float(response == right), right, feedback)


def _multiple(spec, response, _variant) -> Grade:
    keys = {choice["key"]: choice for choice in spec["choices"]}
    if not isinstance(response, list) or not all(isinstance(key, str) and key in keys for key in response):
        raise InvalidResponse(f"give a list of choice keys from {', '.join(keys)}")
    if len(set(response)) != len(response):
        raise InvalidResponse("a choice key is listed twice")
    right = [key for key, choice in keys.items() if choice["correct"]]
    hits = sum(key in right for key in response)
    misses = len(response) - hits
    feedback = [keys[key]["feedback"] for key in response if key not in right and keys[key].get("feedback")]
    return Grade(max(0.0, (hits - misses) / len(right)), right, feedback)


def _true_false(spec, response, _variant) -> Grade:
    if not isinstance(response, bool):
        raise InvalidResponse("answer true or false")
    return Grade(float(response == spec["answer"]), spec["answer"], [])


def _number(response) -> float:
    if isinstance(response, bool):
        raise InvalidResponse("give a number")
    try:
        value = float(str(response).strip().replace(",", "")) if isinstance(response, str) else float(response)
    except (TypeError, ValueError):
        raise InvalidResponse("give a number") from None
    if not math.isfinite(value):
        raise InvalidResponse("give a finite number")
    return value


def _numeric(spec, response, _variant) -> Grade:
    answer, tolerance = spec["answer"], spec.get("tolerance", 0)
    return Grade(float(abs(_number(response) - answer) <= tolerance + 1e-12), answer, [])


def _parametric(spec, response, variant: Variant | None) -> Grade:
    if variant is None:
        raise ValueError("a parametric question is graded against its drawn variant")
    return Grade(float(abs(_number(response) - variant.answer) <= variant.tolerance + 1e-12), variant.answer, [])


def normalise_text(text: str) -> str:
    return " ".join(str(text).lower().split()).removesuffix(".").replace(" ", "")


def _cloze(spec, response, _variant) -> Grade:
    blanks = spec["blanks"]
    if not isinstance(response, list) or len(response) != len(blanks) or not all(isinstance(r, str) for r in response):
        raise InvalidResponse(f"give a list of {len(blanks)} text answer(s), one per blank")
    right = sum(
        normalise_text(given) in {normalise_text(a) for a in accepted}
        for given, accepted in zip(response, blanks, strict=True)
    )
    return Grade(right / len(blanks), [accepted[0] for accepted in blanks], [])


GRADERS = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "numeric": _numeric,
    "parametric": _parametric,
    "cloze": _cloze,
}

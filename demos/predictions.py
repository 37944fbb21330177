"""Grading a learner's prediction against a run's own metrics."""

from __future__ import annotations

from demos.catalog import get_demo


def grade_prediction(demo_name: str, prediction: str, metrics: dict) -> dict | None:
    if not prediction:
        return None
    question = get_demo(demo_name).prediction
    answer = question.answer(metrics)
    return {
        "question": question.question,
        "prediction": prediction,
        "answer": answer,
        "answer_label": question.choices[answer],
        "correct": prediction == answer,
        "explanation": question.explain(metrics),
    }

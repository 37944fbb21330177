"""Celery tasks of the quizzes app: each calls a service. Safe to run twice."""

from dataclasses import asdict

from celery import shared_task

from quizzes import services


@shared_task(ignore_result=True)
def calibrate_questions() -> dict:
    return asdict(services.calibrate_questions())

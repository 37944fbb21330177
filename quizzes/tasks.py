"""Celery tasks of the quizzes app: each looks up an id and calls a service."""

from celery import shared_task
from django.contrib.auth import get_user_model

from quizzes import card_services


@shared_task(ignore_result=True)
def optimize_scheduler(user_id: int) -> None:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        card_services.optimize_parameters(user)

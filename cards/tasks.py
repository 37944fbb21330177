"""Celery tasks of the cards app: each looks up an id and calls a service."""

from celery import shared_task
from django.contrib.auth import get_user_model

from cards import optimization


@shared_task(ignore_result=True)
def optimize_scheduler(user_id: int) -> None:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        optimization.optimize_parameters(user)

from django.apps import AppConfig


class StudyConfig(AppConfig):
    """Decisions about what a learner should study next, across cards, quizzes and demos (no models)."""

    name = "study"
    verbose_name = "Study plan"

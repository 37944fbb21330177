"""Flashcards: a learner's cards, their review log and their FSRS settings."""

from django.conf import settings
from django.db import models

from kb.models import Concept
from quizzes.models import Question


class CardKind(models.TextChoices):
    DEFINITION = "definition", "Definition"
    FORMULA = "formula", "Formula"
    PROS_CONS = "pros_cons", "Pros and cons"
    CLOZE = "cloze", "Cloze"
    QUESTION = "question", "Quiz question"


class FsrsState(models.IntegerChoices):
    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class Card(models.Model):
    """A flashcard of one learner, scheduled by FSRS. ``key`` makes enrolling twice add nothing."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cards")
    concept = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="cards")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.PROTECT, related_name="cards")
    key = models.CharField(max_length=200, help_text="concept:<slug>:<kind>[:<n>] or question:<id>")
    kind = models.CharField(max_length=12, choices=CardKind.choices)
    front = models.TextField()
    back = models.TextField()
    state = models.PositiveSmallIntegerField(choices=FsrsState.choices, default=FsrsState.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True, default=0)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    leech = models.BooleanField(default=False)
    suspended = models.BooleanField(default=False)
    buried_until = models.DateField(
        null=True, blank=True, help_text="Buried by hand: hidden from the queue before this study day."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    previews = models.JSONField(
        null=True, blank=True, editable=False, help_text="The interval each rating gives, stored when it is scheduled."
    )

    class Meta:
        ordering = ("due", "id")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="one_card_per_key_and_owner")]
        indexes = [
            models.Index(fields=["owner", "suspended", "due"], name="card_due_idx"),
            # today's queue: each part (learning, review, new) is one state, in due order
            models.Index(fields=["owner", "suspended", "state", "due"], name="card_queue_idx"),
            models.Index(fields=["owner", "leech"], name="card_leech_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}:{self.key}"


class ReviewLog(models.Model):
    """One applied review. ``review_id`` is the client's UUID: the same id twice applies once."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    # No index of its own: (card, reviewed_at) below serves every lookup by card, and it is one B-tree less to write
    # per review.
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews", db_index=False)
    review_id = models.UUIDField()
    rating = models.PositiveSmallIntegerField()
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    state_before = models.PositiveSmallIntegerField(choices=FsrsState.choices)
    state_after = models.PositiveSmallIntegerField(choices=FsrsState.choices)
    due_before = models.DateTimeField()
    due_after = models.DateTimeField()
    stability_after = models.FloatField()
    difficulty_after = models.FloatField()
    # The card as it was before the review, so that the review can be undone. Older logs lack it (undoable False).
    undoable = models.BooleanField(default=False)
    stability_before = models.FloatField(null=True, blank=True)
    difficulty_before = models.FloatField(null=True, blank=True)
    step_before = models.PositiveSmallIntegerField(null=True, blank=True)
    last_review_before = models.DateTimeField(null=True, blank=True)
    reps_before = models.PositiveIntegerField(null=True, blank=True)
    lapses_before = models.PositiveIntegerField(null=True, blank=True)
    leech_before = models.BooleanField(null=True, blank=True)
    suspended_before = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ("reviewed_at", "id")
        constraints = [models.UniqueConstraint(fields=["owner", "review_id"], name="one_review_per_client_id")]
        indexes = [
            models.Index(fields=["owner", "reviewed_at"], name="review_owner_time_idx"),
            models.Index(fields=["card", "reviewed_at"], name="review_card_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} rated {self.rating} at {self.reviewed_at:%Y-%m-%d %H:%M}"


def default_learning_steps() -> list[float]:
    return [1, 10]


def default_relearning_steps() -> list[float]:
    return [10]


class SchedulerSettings(models.Model):
    """A learner's FSRS settings; ``parameters`` are fitted from their own reviews once there are enough."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduler")
    desired_retention = models.FloatField(default=0.9)
    maximum_interval = models.PositiveIntegerField(default=36500, help_text="Days.")
    learning_steps = models.JSONField(default=default_learning_steps, help_text="Minutes between learning reviews.")
    relearning_steps = models.JSONField(default=default_relearning_steps, help_text="Minutes, after a lapse.")
    enable_fuzzing = models.BooleanField(default=True)
    new_cards_per_day = models.PositiveIntegerField(default=20)
    max_reviews_per_day = models.PositiveIntegerField(default=200)
    day_starts_at_hour = models.PositiveSmallIntegerField(default=4, help_text="Local hour the study day starts.")
    time_zone = models.CharField(max_length=64, default="UTC", help_text="IANA name, e.g. Asia/Shanghai.")
    bury_siblings = models.BooleanField(default=True, help_text="A reviewed card's siblings wait until tomorrow.")
    load_balancing = models.BooleanField(default=True, help_text="Fuzz towards the days with fewer reviews due.")
    easy_days = models.JSONField(default=list, blank=True, help_text="Weekdays (0 Monday - 6 Sunday) kept light.")
    parameters = models.JSONField(null=True, blank=True, help_text="Fitted FSRS weights; null: the defaults.")
    optimized_at = models.DateTimeField(null=True, blank=True)
    optimized_on_reviews = models.PositiveIntegerField(null=True, blank=True)
    optimization_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"scheduler settings of {self.owner_id}"

import uuid

from django.conf import settings
from django.db import models

from kb.models import Area, Concept


class QuestionType(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    TRUE_FALSE = "true_false", "True or false"
    NUMERIC = "numeric", "Numeric"
    CLOZE = "cloze", "Fill the blank"
    PARAMETRIC = "parametric", "Numeric, drawn from a generator"


class Question(models.Model):
    """A question of the bank, loaded from quizzes/content with the knowledge base.

    A question removed from the content is retired, not deleted, so attempts that refer to it keep their meaning.
    """

    id = models.CharField(max_length=120, primary_key=True)
    concept = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="questions")
    also_concepts = models.ManyToManyField(Concept, blank=True, related_name="also_questions")
    type = models.CharField(max_length=12, choices=QuestionType.choices)
    prompt = models.TextField(blank=True, help_text="Empty for parametric questions: the generator writes it.")
    spec = models.JSONField(help_text="Choices, answer, tolerance, unit, blanks or generator, by type.")
    explanation = models.TextField(blank=True)
    zh = models.JSONField(default=dict, blank=True, help_text="The text in Chinese: prompt, explanation, choices ...")
    content_hash = models.CharField(max_length=64)
    retired = models.BooleanField(default=False)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("concept__slug", "id")

    def __str__(self) -> str:
        return self.id


class QuizMode(models.TextChoices):
    RANDOM = "random", "Random"
    ADAPTIVE = "adaptive", "Adaptive: weakest concepts first, interleaved, questions most informative at your level"


class Quiz(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quizzes")
    mode = models.CharField(max_length=10, choices=QuizMode.choices)
    scope = models.JSONField(help_text='{"concepts": [...]} or {"area": ...}, as requested.')
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.mode} quiz {self.id}"


class QuizItem(models.Model):
    """One question served in a quiz, with its drawn variant (parametric) and the learner's graded answer."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="quiz_items")
    position = models.PositiveIntegerField()
    seed = models.BigIntegerField(null=True, blank=True, help_text="Parametric questions: the generator's seed.")
    variant = models.JSONField(null=True, blank=True, help_text="Parametric: prompt, answer, tolerance, params.")
    response = models.JSONField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("position",)
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="one_question_once_per_quiz")]
        indexes = [models.Index(fields=["question", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.quiz_id} #{self.position}: {self.question_id}"


class QuestionCalibration(models.Model):
    """A question's item-response parameters, fitted from every learner's answers by the calibration task.

    Each learner's latest answer to the question counts once. With too few answers the question keeps the prior
    difficulty and discrimination 1, and ``calibrated`` is false.
    """

    question = models.OneToOneField(Question, on_delete=models.CASCADE, primary_key=True, related_name="calibration")
    difficulty = models.FloatField(help_text="The ability (in logits) at which the expected score is one half.")
    discrimination = models.FloatField(help_text="How sharply the expected score rises around the difficulty.")
    answer_count = models.PositiveIntegerField(help_text="Learners who answered it.")
    facility = models.FloatField(null=True, blank=True, help_text="Mean score of those answers, 0 to 1.")
    calibrated = models.BooleanField(help_text="False: too few answers yet; the difficulty is the prior.")
    fitted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.question_id}: b={self.difficulty:.2f}, a={self.discrimination:.2f}"


class LearnerAbility(models.Model):
    """A learner's ability in an area on the difficulty scale of the questions, with its standard error."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="abilities")
    area = models.CharField(max_length=20, choices=Area.choices)
    ability = models.FloatField()
    standard_error = models.FloatField()
    answer_count = models.PositiveIntegerField(help_text="Questions of the area the estimate rests on.")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "area"], name="one_ability_per_owner_and_area")]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.area}: {self.ability:.2f} ± {self.standard_error:.2f}"

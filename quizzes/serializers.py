from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kb.models import Area
from quizzes.models import QuestionType, Quiz, QuizItem, QuizMode
from quizzes.selectors import CALIBRATION_ORDERINGS, answer_result, quiz_progress
from quizzes.services import MAX_QUIZ_SIZE
from quizzes.translation import localized


class QuizCreateSerializer(serializers.Serializer):
    concepts = serializers.ListField(child=serializers.SlugField(), required=False, allow_empty=False, max_length=100)
    area = serializers.ChoiceField(choices=Area.choices, required=False)
    size = serializers.IntegerField(min_value=1, max_value=MAX_QUIZ_SIZE, default=10)
    mode = serializers.ChoiceField(choices=QuizMode.choices, default=QuizMode.RANDOM)


class AnswerSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=120)
    response = serializers.JSONField(
        help_text="single: a choice key; multiple: a list of keys; true_false: true/false; numeric and "
        "parametric: a number; cloze: a list of texts, one per blank."
    )


class QuizItemSerializer(serializers.ModelSerializer):
    """A served question without its answer; once answered, with the grade, answer and explanation."""

    question = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = QuizItem
        fields = ("position", "question", "result")

    @extend_schema_field(serializers.DictField())
    def get_question(self, item):
        question, variant = item.question, item.variant or {}
        language = self.context.get("language", "en")
        shown = localized(question, language)
        body = {
            "id": question.id,
            "type": question.type,
            "prompt": variant.get("prompt") or shown["prompt"],
            "concept": question.concept.slug,
            "also_concepts": sorted(c.slug for c in question.also_concepts.all()),
        }
        if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            body["choices"] = [{"key": c["key"], "text": c["text"]} for c in shown["spec"]["choices"]]
        if question.type == QuestionType.CLOZE:
            body["blanks"] = len(question.spec["blanks"])
        unit = variant.get("unit") or shown["spec"].get("unit")
        if unit:
            body["unit"] = unit
        body["language"] = "en" if variant else shown["language"]
        return body

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_result(self, item):
        return answer_result(item, self.context.get("language", "en")) if item.answered_at else None


class QuizSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    items = QuizItemSerializer(many=True)

    class Meta:
        model = Quiz
        fields = ("id", "mode", "scope", "created_at", "progress", "items")

    @extend_schema_field(serializers.DictField())
    def get_progress(self, quiz):
        return quiz_progress(quiz)


class QuizSummarySerializer(serializers.ModelSerializer):
    """A quiz in the list: its score and progress, without the questions."""

    progress = serializers.SerializerMethodField()

    class Meta:
        model = Quiz
        fields = ("id", "mode", "scope", "created_at", "progress")

    @extend_schema_field(serializers.DictField())
    def get_progress(self, quiz):
        return quiz_progress(quiz)


class CalibrationQuerySerializer(serializers.Serializer):
    concept = serializers.SlugField(required=False, max_length=100, help_text="Only questions of this concept.")
    area = serializers.ChoiceField(choices=Area.choices, required=False, help_text="Only questions of this area.")
    ordering = serializers.ChoiceField(
        choices=[*CALIBRATION_ORDERINGS, *(f"-{field}" for field in CALIBRATION_ORDERINGS)],
        default="id",
        help_text="Sort by this field; prefix with - for descending (never-fitted values last).",
    )


class QuestionCalibrationSerializer(serializers.Serializer):
    """A question's fitted item-response parameters, for staff."""

    id = serializers.CharField()
    concept = serializers.CharField(source="concept.slug")
    area = serializers.CharField(source="concept.area")
    type = serializers.ChoiceField(choices=QuestionType.choices)
    retired = serializers.BooleanField()
    answer_count = serializers.IntegerField(help_text="Learners who answered it (each learner's latest answer).")
    facility = serializers.FloatField(allow_null=True, help_text="Mean score of those answers, 0 to 1.")
    difficulty = serializers.FloatField(help_text="Ability (logits) at which the expected score is one half.")
    discrimination = serializers.FloatField(help_text="Slope of the expected score at the difficulty; 1 if not fitted.")
    calibrated = serializers.BooleanField(help_text="False: too few answers; the difficulty is the prior.")
    fitted_at = serializers.DateTimeField(allow_null=True, help_text="When the calibration task last ran.")

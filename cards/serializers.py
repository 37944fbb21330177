from rest_framework import serializers

from cards.models import Card, SchedulerSettings
from kb.models import Area


class EnrollSerializer(serializers.Serializer):
    concepts = serializers.ListField(child=serializers.SlugField(), required=False, allow_empty=False, max_length=100)
    area = serializers.ChoiceField(choices=Area.choices, required=False)
    include_questions = serializers.BooleanField(default=False, help_text="Also study quiz questions as cards.")

    def validate(self, data):
        if bool(data.get("concepts")) == bool(data.get("area")):
            raise serializers.ValidationError(
                "Give either concepts (a list of slugs) or an area.", code="invalid_scope"
            )
        return data


class CardSerializer(serializers.ModelSerializer):
    concept = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    state = serializers.CharField(source="get_state_display")

    class Meta:
        model = Card
        fields = (
            "id",
            "concept",
            "kind",
            "front",
            "back",
            "state",
            "step",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "reps",
            "lapses",
            "leech",
            "suspended",
        )
        read_only_fields = fields


class ReviewSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=4, help_text="1 Again, 2 Hard, 3 Good, 4 Easy.")
    review_id = serializers.UUIDField(help_text="A UUID the client makes; sending it again applies nothing more.")
    reviewed_at = serializers.DateTimeField(required=False, help_text="When it happened (UTC); default now.")
    duration_ms = serializers.IntegerField(required=False, min_value=0, max_value=3_600_000)


class BatchReviewSerializer(ReviewSerializer):
    card = serializers.IntegerField(min_value=1)


class BatchSerializer(serializers.Serializer):
    reviews = BatchReviewSerializer(many=True, allow_empty=False, max_length=1000)


class SchedulerSettingsSerializer(serializers.ModelSerializer):
    desired_retention = serializers.FloatField(min_value=0.7, max_value=0.99)
    maximum_interval = serializers.IntegerField(min_value=1, max_value=36500)
    learning_steps = serializers.ListField(
        child=serializers.FloatField(min_value=0.1, max_value=1440), max_length=10, help_text="Minutes."
    )
    relearning_steps = serializers.ListField(
        child=serializers.FloatField(min_value=0.1, max_value=1440), max_length=10, help_text="Minutes."
    )

    class Meta:
        model = SchedulerSettings
        fields = (
            "desired_retention",
            "maximum_interval",
            "learning_steps",
            "relearning_steps",
            "enable_fuzzing",
            "parameters",
            "optimized_at",
            "optimized_on_reviews",
            "optimization_error",
        )
        read_only_fields = ("parameters", "optimized_at", "optimized_on_reviews", "optimization_error")

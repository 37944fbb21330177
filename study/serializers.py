"""The shapes of ``GET /api/stats/`` and ``GET /api/next/``, declared so the OpenAPI schema documents them."""

from rest_framework import serializers

from study.mastery import LABELS


class MasteryEstimateSerializer(serializers.Serializer):
    mastery = serializers.FloatField(allow_null=True, help_text="Posterior mean, 0-1; null with no evidence.")
    sd = serializers.FloatField(allow_null=True, help_text="Posterior standard deviation.")
    interval = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True, help_text="90% credible interval."
    )
    label = serializers.ChoiceField(choices=LABELS, help_text="Stable code; thresholds in the README.")
    label_display = serializers.CharField(help_text="The label in the request's language.")


class MasteryEvidenceSerializer(serializers.Serializer):
    answers = serializers.IntegerField(help_text="Quiz answers on the concept.")
    correct = serializers.IntegerField(help_text="Of them, fully correct.")
    cards = serializers.IntegerField(help_text="Flashcards of the concept reviewed at least once.")
    reviews = serializers.IntegerField(help_text="Reviews of those cards.")


class ConceptMasterySerializer(MasteryEstimateSerializer):
    title = serializers.CharField()
    area = serializers.CharField()
    evidence = MasteryEvidenceSerializer()
    last_studied = serializers.DateTimeField(help_text="The latest answer or review.")


class AreaLabelsSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    learning = serializers.IntegerField()
    shaky = serializers.IntegerField()
    solid = serializers.IntegerField()
    mastered = serializers.IntegerField()


class AreaMasterySerializer(MasteryEstimateSerializer):
    title = serializers.CharField()
    concepts = serializers.IntegerField(help_text="Concepts in the area.")
    studied = serializers.IntegerField(help_text="Of them, with evidence; the mastery is their mean.")
    labels = AreaLabelsSerializer(help_text="How many concepts carry each label.")


class MasterySerializer(serializers.Serializer):
    concepts = serializers.DictField(child=ConceptMasterySerializer(), help_text="Studied concepts by slug.")
    areas = serializers.DictField(child=AreaMasterySerializer(), help_text="Every area, in teaching order.")


class DayReviewsSerializer(serializers.Serializer):
    date = serializers.DateField()
    reviews = serializers.IntegerField()


class DayDueSerializer(serializers.Serializer):
    date = serializers.DateField()
    due = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    reviews_per_day = DayReviewsSerializer(many=True)
    true_retention = serializers.FloatField(allow_null=True, help_text="Share of mature reviews not rated Again.")
    mature_reviews = serializers.IntegerField()
    due_forecast = DayDueSerializer(many=True, help_text="The next 30 days; overdue cards count today.")
    streak_days = serializers.IntegerField()
    mastery = MasterySerializer()


class NextStepRequestSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["GET", "POST"])
    url = serializers.CharField()
    body = serializers.JSONField(allow_null=True, help_text="The JSON body to send (POST), else null.")


class NextStepFormSerializer(serializers.Serializer):
    action = serializers.CharField()
    method = serializers.CharField()
    fields = serializers.DictField(help_text="Form fields to post (the portal's Continue button).")


class TodayCountsSerializer(serializers.Serializer):
    learning = serializers.IntegerField()
    review = serializers.IntegerField()
    new = serializers.IntegerField()


class StepConceptSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    area = serializers.CharField()
    area_title = serializers.CharField()


NEXT_STEP_KINDS = ("review", "learn", "quiz", "demo")


class StepDemoSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()


class NextStepSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NEXT_STEP_KINDS, help_text="What to do next.")
    reason = serializers.CharField(help_text="One line for the learner, in the request's language.")
    url = serializers.CharField(help_text="The portal page for this step.")
    api = NextStepRequestSerializer(help_text="The API request that starts this step.")
    form = NextStepFormSerializer(allow_null=True, help_text="quiz: the portal form that starts it.")
    count = serializers.IntegerField(allow_null=True, help_text="review, learn: cards to study now.")
    counts = TodayCountsSerializer(allow_null=True, help_text="review, learn: today's queue by kind.")
    concept = StepConceptSerializer(allow_null=True, help_text="quiz, demo: the concept.")
    mastery = MasteryEstimateSerializer(allow_null=True, help_text="quiz, demo: the concept's mastery now.")
    demo = StepDemoSerializer(
        allow_null=True, help_text="demo: the demo to run (its prediction: GET /api/demos/<name>/)."
    )

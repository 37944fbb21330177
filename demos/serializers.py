from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from demos.models import DemoRun, RunStatus
from kb.models import Concept


class DemoSerializer(serializers.Serializer):
    """A catalog entry, built from a ``demos.trainings.base.Demo``."""

    name = serializers.CharField()
    title = serializers.CharField()
    shows = serializers.CharField(help_text="What the result makes visible.")
    concepts = serializers.SerializerMethodField()
    params_schema = serializers.SerializerMethodField(help_text="JSON Schema of the parameters.")
    prediction = serializers.SerializerMethodField(help_text="The question to answer before running.")

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_concepts(self, demo):
        titles = self.context.get("concept_titles")
        if titles is None:
            titles = dict(Concept.objects.filter(slug__in=demo.concepts).values_list("slug", "title"))
        return [{"slug": slug, "title": titles.get(slug, slug)} for slug in demo.concepts]

    @extend_schema_field(serializers.DictField())
    def get_params_schema(self, demo):
        return demo.json_schema()

    @extend_schema_field(serializers.DictField())
    def get_prediction(self, demo):
        return {"question": demo.prediction.question, "choices": demo.prediction.choices}


class DemoRunCreateSerializer(serializers.Serializer):
    demo = serializers.CharField(max_length=60)
    params = serializers.DictField(required=False, default=dict, help_text="Parameters; defaults fill the rest.")
    device = serializers.ChoiceField(choices=["auto", "cpu", "cuda"], default="auto")
    fresh = serializers.BooleanField(default=False, help_text="Run again even if an identical run succeeded.")
    prediction = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=40,
        help_text="Your answer to the demo's prediction question (a choice key).",
    )


class DemoRunSerializer(serializers.ModelSerializer):
    duration = serializers.FloatField(read_only=True, allow_null=True)
    cached = serializers.SerializerMethodField()
    plot_url = serializers.SerializerMethodField()

    class Meta:
        model = DemoRun
        fields = (
            "id",
            "demo",
            "params",
            "status",
            "progress",
            "message",
            "metrics",
            "series",
            "summary",
            "error",
            "device",
            "queue",
            "code_version",
            "prediction",
            "prediction_result",
            "cached",
            "cancel_requested",
            "queued_at",
            "started_at",
            "finished_at",
            "duration",
            "plot_url",
        )
        read_only_fields = fields

    def get_cached(self, run) -> bool:
        return run.cached_from_id is not None

    def get_plot_url(self, run) -> str | None:
        if run.status != RunStatus.SUCCEEDED:
            return None
        return reverse("demo-run-plot", args=[run.pk], request=self.context.get("request"))


class DemoRunListSerializer(DemoRunSerializer):
    class Meta(DemoRunSerializer.Meta):
        fields = tuple(f for f in DemoRunSerializer.Meta.fields if f != "series")
        read_only_fields = fields

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kb.content import SOURCES
from kb.extensions import demos_for_concept
from kb.models import Concept


class ConceptLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Concept
        fields = ("slug", "title", "title_zh", "area")


class FormulaSerializer(serializers.Serializer):
    latex = serializers.CharField()
    caption = serializers.CharField()
    mathml = serializers.CharField(help_text="The formula as MathML, converted from the LaTeX by latex2mathml.")


class SourceSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()


class DemoLinkSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    shows = serializers.CharField()


class ConceptListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="concept-detail", lookup_field="slug")

    class Meta:
        model = Concept
        fields = ("slug", "title", "title_zh", "area", "summary", "version", "updated_at", "url")


class ConceptDetailSerializer(serializers.ModelSerializer):
    formulas = FormulaSerializer(many=True)
    related = ConceptLinkSerializer(many=True)
    prerequisites = ConceptLinkSerializer(many=True)
    dependents = ConceptLinkSerializer(many=True, help_text="Concepts that list this one as a prerequisite.")
    sources = serializers.SerializerMethodField()
    demos = serializers.SerializerMethodField(help_text="Demo trainings that make this concept visible.")

    class Meta:
        model = Concept
        fields = (
            "slug",
            "title",
            "title_zh",
            "area",
            "summary",
            "body",
            "formulas",
            "pros",
            "cons",
            "corrections",
            "related",
            "prerequisites",
            "dependents",
            "sources",
            "demos",
            "version",
            "updated_at",
        )

    @extend_schema_field(DemoLinkSerializer(many=True))
    def get_demos(self, concept):
        return demos_for_concept(concept.slug)

    @extend_schema_field(SourceSerializer(many=True))
    def get_sources(self, concept):
        return [{"id": source, "title": SOURCES[source]} for source in concept.sources]


class AreaSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    concept_count = serializers.IntegerField()


class PathStepSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    title_zh = serializers.CharField()
    area = serializers.CharField()
    level = serializers.IntegerField(help_text="Longest prerequisite chain below this concept; 0 needs nothing.")
    prerequisites = serializers.ListField(child=serializers.CharField())


class LearningPathSerializer(serializers.Serializer):
    concept = serializers.CharField()
    path = PathStepSerializer(many=True, help_text="Transitive prerequisites first, the concept itself last.")
    unlocks = serializers.ListField(child=serializers.CharField(), help_text="Concepts that directly need this one.")

from django.templatetags.static import static
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kb.content import SOURCES
from kb.extensions import demos_for_concept
from kb.models import Concept
from kb.translation import concept_prose


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


class FigureSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Absolute URL of the SVG file (a static file).")
    alt = serializers.CharField(help_text="What the figure shows, in English.")
    alt_zh = serializers.CharField(help_text="What the figure shows, in Chinese.")


class DemoLinkSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    shows = serializers.CharField()


class LocalizedConceptSerializer(serializers.ModelSerializer):
    """Puts the prose in the language of ``context["language"]`` and says which fields fell back to English."""

    prose_fields: tuple[str, ...] = ()
    language = serializers.SerializerMethodField(help_text="The language of the prose: en or zh.")
    untranslated = serializers.SerializerMethodField(help_text="Prose fields shown in English: no Chinese yet.")

    def _prose(self, concept) -> dict:
        return concept_prose(concept, self.context.get("language", "en"), self.prose_fields)

    def get_language(self, concept) -> str:
        return self.context.get("language", "en")

    def get_untranslated(self, concept) -> list[str]:
        return self._prose(concept)["untranslated"]

    def to_representation(self, concept):
        data = super().to_representation(concept)
        if data["language"] == "zh":
            prose = self._prose(concept)
            for field in self.prose_fields:
                if field == "formulas":
                    for formula, caption in zip(data["formulas"], prose["formulas"], strict=True):
                        formula["caption"] = caption
                else:
                    data[field] = prose[field]
        return data


class ConceptListSerializer(LocalizedConceptSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="concept-detail", lookup_field="slug")
    matched = serializers.ListField(
        child=serializers.CharField(),
        source="search_matched_words",
        required=False,  # rather than read_only, which the schema would mark required: it comes only with ?search=
        help_text="Only with ?search=: the words of the query this concept matched (all of them, unless no "
        "concept matches every word and the results are partial matches).",
    )

    class Meta:
        model = Concept
        fields = ("slug", "title", "title_zh", "area", "summary", "version", "updated_at", "url", "language")
        fields += ("untranslated", "matched")

    prose_fields = ("summary",)


class PytorchSnippetSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A few lines of PyTorch that run on the CPU in well under a second.")
    output = serializers.CharField(help_text="Exactly what the code prints; the test suite checks it.")


class ConceptDetailSerializer(LocalizedConceptSerializer):
    pytorch = PytorchSnippetSerializer(required=False, help_text="The 'In PyTorch' part, where code makes it concrete.")
    aliases = serializers.ListField(child=serializers.CharField(), help_text="Other names and abbreviations.")
    formulas = FormulaSerializer(many=True)
    related = ConceptLinkSerializer(many=True)
    prerequisites = ConceptLinkSerializer(many=True)
    dependents = ConceptLinkSerializer(many=True, help_text="Concepts that list this one as a prerequisite.")
    sources = serializers.SerializerMethodField()
    demos = serializers.SerializerMethodField(help_text="Demo trainings that make this concept visible.")
    figures = serializers.SerializerMethodField(help_text="SVG figures drawn by kb/figures/draw.py, with alt text.")

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
            "figures",
            "pytorch",
            "aliases",
            "version",
            "updated_at",
            "language",
            "untranslated",
        )

    prose_fields = ("summary", "body", "formulas", "pros", "cons", "corrections")

    @extend_schema_field(DemoLinkSerializer(many=True))
    def get_demos(self, concept):
        return demos_for_concept(concept.slug)

    @extend_schema_field(FigureSerializer(many=True))
    def get_figures(self, concept):
        request = self.context.get("request")
        figures = []
        for figure in concept.figures:
            url = static(f"kb/figures/{figure['file']}")
            url = request.build_absolute_uri(url) if request else url
            figures.append({"url": url, "alt": figure["alt"], "alt_zh": figure["alt_zh"]})
        return figures

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

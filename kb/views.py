from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from common.language import content_language
from common.schema import ERROR_RESPONSES
from kb import selectors
from kb.filters import ConceptFilter
from kb.serializers import AreaSerializer, ConceptDetailSerializer, ConceptListSerializer, LearningPathSerializer


@extend_schema(
    tags=["knowledge base"],
    parameters=[
        OpenApiParameter(
            "lang", str, enum=["en", "zh"], description="Language of the prose (default: Accept-Language, else en)."
        )
    ],
)
class ConceptViewSet(viewsets.ReadOnlyModelViewSet):
    """The deep-learning concepts of the knowledge base."""

    lookup_field = "slug"
    filter_backends = [DjangoFilterBackend]
    filterset_class = ConceptFilter

    def get_queryset(self):
        return selectors.concept_queryset()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "language": content_language(self.request)}

    def get_serializer_class(self):
        return ConceptListSerializer if self.action == "list" else ConceptDetailSerializer

    def get_object(self):
        return selectors.concept_detail(self.kwargs["slug"])

    @extend_schema(responses={200: LearningPathSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["get"])
    def graph(self, request, slug=None):
        """What to learn first: the concept's transitive prerequisites in learning order."""
        return Response(selectors.learning_path(self.get_object()))


@extend_schema(tags=["knowledge base"], responses={200: AreaSerializer(many=True)})
class AreaListView(APIView):
    """The areas of the syllabus with how many concepts each has."""

    def get(self, request):
        return Response(selectors.areas_with_counts())

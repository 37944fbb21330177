"""The study API: statistics with mastery (``GET /api/stats/``) and what to study now (``GET /api/next/``)."""

from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from cards import stats
from common.language import content_language
from common.schema import PERSONAL_ERRORS
from study import mastery
from study.selectors import next_step
from study.serializers import NextStepSerializer, StatsSerializer

LANG = OpenApiParameter(
    "lang", str, enum=["en", "zh"], description="Language of titles, labels and reasons (default: Accept-Language)."
)
DJANGO_LANGUAGE = {"en": "en", "zh": "zh-hans"}


class StatsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["study"], parameters=[LANG], responses={200: StatsSerializer, **PERSONAL_ERRORS})
    def get(self, request):
        """Reviews per day, true retention, the due forecast for 30 days, streak, and mastery per concept and per
        area with its 90% credible interval, label and evidence."""
        with translation.override(DJANGO_LANGUAGE[content_language(request)]):
            body = {**stats.stats(request.user), "mastery": mastery.mastery(request.user)}
            return Response(StatsSerializer(body).data)


class NextStepView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["study"], parameters=[LANG], responses={200: NextStepSerializer, **PERSONAL_ERRORS})
    def get(self, request):
        """What to study now: due reviews, else new cards within today's limit, else an adaptive quiz on the
        weakest concept whose prerequisites are solid, else a demo of a concept just learnt; with a reason."""
        with translation.override(DJANGO_LANGUAGE[content_language(request)]):
            return Response(NextStepSerializer(next_step(request.user)).data)

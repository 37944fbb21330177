from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.language import content_language
from common.schema import ERROR_RESPONSES, PERSONAL_ERRORS, ErrorSerializer
from quizzes import selectors, services
from quizzes.models import Quiz
from quizzes.serializers import (
    AnswerSerializer,
    CalibrationQuerySerializer,
    QuestionCalibrationSerializer,
    QuizCreateSerializer,
    QuizSerializer,
    QuizSummarySerializer,
)


@extend_schema(tags=["quizzes"], responses={200: QuizSerializer, **PERSONAL_ERRORS})
class QuizViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quizzes graded on the server. Questions come without answers; each answer returns its grade."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = QuizSerializer
    queryset = Quiz.objects.none()  # for the schema generator; requests use get_object
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_object(self):
        return selectors.quiz_of(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "language": content_language(self.request)}

    @extend_schema(responses={200: QuizSummarySerializer(many=True), **PERSONAL_ERRORS})
    def list(self, request):
        """Your quizzes, newest first, each with its score and progress (without the questions); paginated."""
        page = self.paginate_queryset(selectors.quizzes_with_items(request.user))
        return self.get_paginated_response(QuizSummarySerializer(page, many=True).data)

    @extend_schema(request=QuizCreateSerializer, responses={201: QuizSerializer, **PERSONAL_ERRORS})
    def create(self, request):
        """A new quiz over some concepts or one area; mode random, or adaptive (weakest concepts first,
        interleaved, and within each concept the unseen questions most informative at your ability)."""
        form = QuizCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        quiz = services.create_quiz(request.user, **form.validated_data)
        body = QuizSerializer(selectors.quiz_of(request.user, quiz.pk), context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AnswerSerializer, responses={200: OpenApiResponse(description="The grade"), **PERSONAL_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """Answer one question of the quiz; graded at once, with the expected answer and the explanation."""
        form = AnswerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = services.answer_question(
            self.get_object(), form.validated_data["question"], form.validated_data["response"]
        )
        return Response(selectors.answer_result(item, content_language(request)))


class IsStaff(permissions.IsAdminUser):
    message = "Only staff may see the calibration of the question bank; sign in with a staff account."


@extend_schema(
    tags=["quizzes"],
    parameters=[CalibrationQuerySerializer],
    responses={
        200: QuestionCalibrationSerializer(many=True),
        **ERROR_RESPONSES,
        401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
        403: OpenApiResponse(ErrorSerializer, description="Not staff."),
    },
)
class QuestionCalibrationList(generics.ListAPIView):
    """Staff only: each question's answer count, facility, discrimination and fitted difficulty; paginated."""

    permission_classes = [IsStaff]
    serializer_class = QuestionCalibrationSerializer
    filter_backends = []

    def get_queryset(self):
        query = CalibrationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.question_calibrations(**query.validated_data)

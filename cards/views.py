"""The flashcards API: thin views that validate input, call one service or selector and shape the output."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from cards import exports, optimization, selectors, services, workload
from cards.models import Card
from cards.serializers import (
    BatchSerializer,
    CardFilterSerializer,
    CardPatchSerializer,
    CardSerializer,
    DueCardSerializer,
    EnrollSerializer,
    ReviewLogSerializer,
    ReviewSerializer,
    SchedulerSettingsSerializer,
    WorkloadQuerySerializer,
    WorkloadSerializer,
    card_data,
)
from common.errors import QueryParamError
from common.language import content_language
from common.schema import PERSONAL_ERRORS
from kb.selectors import concepts_in_scope


def _review_request(card_id: int, data: dict) -> services.ReviewRequest:
    return services.ReviewRequest(
        card_id=card_id,
        rating=data["rating"],
        review_id=data["review_id"],
        reviewed_at=data.get("reviewed_at"),
        duration_ms=data.get("duration_ms"),
    )


def _with_retrievability(owner, results: list[tuple[Card, dict]]) -> list[dict]:
    recall = selectors.retrievabilities(owner, [card for card, _ in results])
    return [
        {**CardSerializer(card).data, "retrievability": chance, **extra}
        for (card, extra), chance in zip(results, recall, strict=True)
    ]


@extend_schema(tags=["flashcards"], responses={200: CardSerializer, **PERSONAL_ERRORS})
class CardViewSet(viewsets.GenericViewSet):
    """Your flashcards, scheduled by FSRS."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CardSerializer
    queryset = Card.objects.none()  # for the schema generator

    @extend_schema(parameters=[CardFilterSerializer], responses={200: CardSerializer(many=True), **PERSONAL_ERRORS})
    def list(self, request):
        """Your cards, soonest due first, filtered; paginated (``?page=``, ``?page_size=``)."""
        form = CardFilterSerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        cards = selectors.search_cards(
            request.user,
            text=data.get("q", ""),
            concept=data.get("concept", ""),
            area=data.get("area", ""),
            kind=data.get("kind", ""),
            state=data.get("state", ""),
            suspended=data["suspended"],
            buried_now=data["buried"],
            due_before=data.get("due_before"),
        )
        page = self.paginate_queryset(cards)
        return self.get_paginated_response(CardSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        """One of your cards with its review history, newest first."""
        card = selectors.card_of(request.user, _card_id(pk))
        history = ReviewLogSerializer(selectors.review_history(card), many=True).data
        return Response({**_with_retrievability(request.user, [(card, {})])[0], "reviews": history})

    @extend_schema(request=CardPatchSerializer)
    def partial_update(self, request, pk=None):
        """Suspend or unsuspend (``{"suspended": bool}``), bury until the next study day or unbury
        (``{"buried": bool}``)."""
        card = selectors.card_of(request.user, _card_id(pk))
        form = CardPatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(CardSerializer(services.set_flags(card, **form.validated_data)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def forget(self, request, pk=None):
        """Reset the card to new; its review history is kept."""
        return Response(CardSerializer(services.forget(selectors.card_of(request.user, _card_id(pk)))).data)

    @extend_schema(
        request=EnrollSerializer,
        responses={
            200: inline_serializer(
                "EnrollResult", {"created": serializers.IntegerField(), "already_enrolled": serializers.IntegerField()}
            ),
            **PERSONAL_ERRORS,
        },
    )
    @action(detail=False, methods=["post"])
    def enroll(self, request):
        """Add the cards of some concepts or a whole area; enrolling again adds nothing."""
        form = EnrollSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        concepts = concepts_in_scope(form.validated_data.get("concepts"), form.validated_data.get("area"))
        created, existing = services.enroll(
            request.user, concepts, include_questions=form.validated_data["include_questions"]
        )
        return Response({"created": created, "already_enrolled": existing})

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="At most this many (1-200, default 20).")],
        responses={200: DueCardSerializer(many=True), **PERSONAL_ERRORS},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def due(self, request):
        """Today's queue in Anki's order (learning steps due, then reviews within today's limit, then new cards
        within today's limit, prerequisites first), with the interval in days each rating would give. The
        headers X-Learning-Left, X-Review-Left and X-New-Left say how many of each are left today."""
        raw = request.query_params.get("limit", "20")
        if not raw.isdigit() or not 1 <= int(raw) <= 200:
            raise QueryParamError("limit", "limit must be a whole number from 1 to 200.", "invalid_number")
        due, counts = selectors.due_queue(request.user, int(raw))
        headers = {f"X-{kind.capitalize()}-Left": str(count) for kind, count in counts.items()}
        zone = timezone.get_current_timezone()
        return Response([{**card_data(card, zone), "intervals": i} for card, i in due], headers=headers)

    @extend_schema(request=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Rate a card (1-4). The same review_id twice applies once and answers the same."""
        form = ReviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        card, _ = services.review(request.user, _review_request(_card_id(pk), form.validated_data))
        return Response({**card_data(card), "retrievability": card.retrievability})

    @extend_schema(responses={200: CardSerializer(many=True), **PERSONAL_ERRORS})
    @action(detail=False, methods=["get"], pagination_class=None)
    def leeches(self, request):
        """Cards forgotten 8 times: flagged and suspended until you rewrite or unsuspend them."""
        return Response(CardSerializer(selectors.leeches(request.user), many=True).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def unsuspend(self, request, pk=None):
        return Response(CardSerializer(services.unsuspend(selectors.card_of(request.user, _card_id(pk)))).data)


def _card_id(raw) -> int:
    if not str(raw).isdigit():
        raise QueryParamError("card", "Card ids are whole numbers.", "invalid")
    return int(raw)


class BatchReviewView(APIView):
    """Upload a queue of offline reviews; applied in time order, all or nothing."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["flashcards"], request=BatchSerializer, responses={200: CardSerializer(many=True), **PERSONAL_ERRORS}
    )
    def post(self, request):
        form = BatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        requests = [_review_request(item["card"], item) for item in form.validated_data["reviews"]]
        results = services.review_batch(request.user, requests)
        zone = timezone.get_current_timezone()
        data = [{**card_data(card, zone), "retrievability": card.retrievability, "applied": ok} for card, ok in results]
        return Response(data)


class UndoReviewView(APIView):
    """Undo your last applied review: the card returns to its state before it; again undoes the one before."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["flashcards"], request=None, responses={200: CardSerializer, **PERSONAL_ERRORS})
    def post(self, request):
        return Response(CardSerializer(services.undo_last_review(request.user)).data)


class SchedulerSettingsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["flashcards"], responses={200: SchedulerSettingsSerializer})
    def get(self, request):
        return Response(SchedulerSettingsSerializer(selectors.settings_of(request.user)).data)

    @extend_schema(
        tags=["flashcards"],
        request=SchedulerSettingsSerializer,
        responses={200: SchedulerSettingsSerializer, **PERSONAL_ERRORS},
    )
    def patch(self, request):
        form = SchedulerSettingsSerializer(selectors.settings_of(request.user), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        return Response(SchedulerSettingsSerializer(services.update_settings(request.user, form.validated_data)).data)


class OptimizeView(APIView):
    """Fit the FSRS parameters to your own review history (on a worker); needs enough reviews."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["flashcards"],
        request=None,
        responses={
            202: inline_serializer(
                "OptimizationQueued", {"status": serializers.CharField(), "reviews": serializers.IntegerField()}
            ),
            **PERSONAL_ERRORS,
        },
    )
    def post(self, request):
        count = optimization.request_optimization(request.user)
        return Response({"status": "queued", "reviews": count}, status=202)


class WorkloadView(APIView):
    """What a desired retention costs: your next 365 days simulated with your FSRS parameters, deck and limits."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["flashcards"],
        parameters=[
            WorkloadQuerySerializer,
            OpenApiParameter("lang", str, enum=["en", "zh"], description="Language of the assumptions."),
        ],
        responses={200: WorkloadSerializer, **PERSONAL_ERRORS},
    )
    def get(self, request):
        """Reviews, new cards and memorised cards per day for each retention (default: yours and its neighbours
        0.05 below and above), with totals and what the simulation assumes."""
        form = WorkloadQuerySerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        retentions, language = form.validated_data.get("retention"), content_language(request)
        return Response(WorkloadSerializer(workload.workload(request.user, retentions, language)).data)


class AnkiExportView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["flashcards"], responses={(200, "application/octet-stream"): bytes})
    def get(self, request):
        """Your cards as an Anki package; importing it again updates the notes instead of duplicating them."""
        response = HttpResponse(exports.anki_package(request.user), content_type="application/octet-stream")
        response["Content-Disposition"] = 'attachment; filename="deeprecall.apkg"'
        return response


class ReviewsCsvView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["flashcards"], responses={(200, "text/csv"): OpenApiResponse(description="CSV file")})
    def get(self, request):
        """Your review log: a header line and one line per applied review."""
        response = HttpResponse(exports.reviews_csv(request.user), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="reviews.csv"'
        return response

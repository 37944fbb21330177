from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.errors import ServiceError
from common.schema import ERROR_RESPONSES, ErrorSerializer
from demos import selectors, submission
from demos.catalog import CATALOG
from demos.filters import DemoRunFilter
from demos.models import DemoRun, RunStatus
from demos.plots import render_svg
from demos.serializers import DemoRunCreateSerializer, DemoRunListSerializer, DemoRunSerializer, DemoSerializer
from demos.throttles import DemoSubmitThrottle


@extend_schema(tags=["demos"])
class DemoViewSet(viewsets.ViewSet):
    """The catalog of demo trainings, with parameter schemas, linked concepts and prediction questions."""

    lookup_field = "name"
    lookup_value_regex = "[a-z0-9-]+"

    @extend_schema(responses=DemoSerializer(many=True))
    def list(self, request):
        context = {"concept_titles": selectors.catalog_concept_titles()}
        return Response(DemoSerializer(CATALOG.values(), many=True, context=context).data)

    @extend_schema(responses={200: DemoSerializer, **ERROR_RESPONSES})
    def retrieve(self, request, name=None):
        return Response(DemoSerializer(selectors.demo_named(name)).data)


RUN_ERRORS = {
    **ERROR_RESPONSES,
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    409: OpenApiResponse(ErrorSerializer, description="The run is not in a state that allows this."),
    429: OpenApiResponse(ErrorSerializer, description="Too many submissions or active runs."),
}


@extend_schema(tags=["demos"], responses={200: DemoRunSerializer, **RUN_ERRORS})
@extend_schema_view(list=extend_schema(responses={200: DemoRunListSerializer(many=True), **RUN_ERRORS}))
class DemoRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your demo runs. The stored row is the truth about each job: poll it for progress and results."""

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = DemoRunFilter
    lookup_value_regex = "[0-9a-f-]{36}"

    queryset = DemoRun.objects.none()  # for the schema generator; requests use get_queryset

    def get_queryset(self):
        return selectors.runs_of(self.request.user)

    def get_object(self):
        return selectors.run_of(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return DemoRunListSerializer if self.action == "list" else DemoRunSerializer

    def get_throttles(self):
        return [DemoSubmitThrottle()] if self.action == "create" else super().get_throttles()

    @extend_schema(
        request=DemoRunCreateSerializer,
        responses={202: DemoRunSerializer, 200: OpenApiResponse(DemoRunSerializer, "Cached result"), **RUN_ERRORS},
    )
    def create(self, request):
        """Validate and queue a run (202). An identical earlier success is returned at once (200, cached)."""
        form = DemoRunCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        run, cached = submission.submit_run(
            request.user,
            form.validated_data["demo"],
            form.validated_data["params"],
            device=form.validated_data["device"],
            fresh=form.validated_data["fresh"],
            prediction=form.validated_data["prediction"],
        )
        body = DemoRunSerializer(run, context={"request": request}).data
        return Response(body, status=status.HTTP_200_OK if cached else status.HTTP_202_ACCEPTED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a queued run at once, or ask a running one to stop at its next progress report."""
        run = submission.cancel_run(self.get_object())
        return Response(DemoRunSerializer(run, context={"request": request}).data)

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiResponse(description="SVG chart"), **RUN_ERRORS})
    @csp_update({"style-src": [UNSAFE_INLINE]})  # matplotlib's SVG styles itself inline; opened alone it is the page
    def plot(self, request, pk=None):
        """The run's curves as an SVG chart, once it has succeeded."""
        run = self.get_object()
        if run.status != RunStatus.SUCCEEDED or not run.series:  # a running run's series are partial
            raise ServiceError(
                "no_result_yet", f"The run is {run.status}; a chart exists once it has succeeded.", status=409
            )
        return HttpResponse(render_svg(selectors.demo_named(run.demo).title, run.series), content_type="image/svg+xml")

"""The project's URL map plus ``/bench/trivial/``: a DRF endpoint with no authentication and no database, the
baseline the load bench divides by (the framework's own cost on the same server)."""

from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.response import Response

from config.urls import urlpatterns as project_urls


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def trivial(request):
    return Response({"ok": True})


urlpatterns = [path("bench/trivial/", trivial), *project_urls]

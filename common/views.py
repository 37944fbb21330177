from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.health import check_broker, check_database

_check = inline_serializer(
    "HealthCheck", {"ok": serializers.BooleanField(), "error": serializers.CharField(required=False)}
)


class HealthView(APIView):
    """Whether the database and the task broker are reachable: 200 when both are, 503 otherwise."""

    @extend_schema(
        tags=["service"],
        responses={
            (200, "application/json"): inline_serializer(
                "Health", {"status": serializers.CharField(), "database": _check, "broker": _check}
            ),
            (503, "application/json"): inline_serializer(
                "HealthDown", {"status": serializers.CharField(), "database": _check, "broker": _check}
            ),
        },
    )
    def get(self, request):
        database, broker = check_database(), check_broker()
        healthy = database["ok"] and broker["ok"]
        body = {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker}
        return Response(body, status=200 if healthy else 503)

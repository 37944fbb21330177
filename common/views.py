from django.contrib.auth import login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common import accounts
from common.health import check_broker, check_database
from common.schema import ERROR_RESPONSES

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


class RegisterSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128)
    email = serializers.EmailField(required=False, default="")


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, max_length=128)


_token = inline_serializer("Token", {"username": serializers.CharField(), "token": serializers.CharField()})


class RegisterView(APIView):
    """Create an account; the response carries the API token (send it as `Authorization: Token <key>`)."""

    throttle_scope = "auth"

    @extend_schema(tags=["accounts"], request=RegisterSerializer, responses={201: _token, **ERROR_RESPONSES})
    def post(self, request):
        form = RegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user, token = accounts.register(**form.validated_data)
        return Response({"username": user.username, "token": token.key}, status=201)


class TokenView(APIView):
    """Exchange a username and password for the account's API token."""

    throttle_scope = "auth"

    @extend_schema(tags=["accounts"], request=CredentialsSerializer, responses={200: _token, **ERROR_RESPONSES})
    def post(self, request):
        form = CredentialsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token = accounts.token_for(**form.validated_data)
        return Response({"username": token.user.username, "token": token.key})


class SessionLoginView(APIView):
    """Log in with a session cookie (for the web portal); API clients use tokens instead."""

    throttle_scope = "auth"
    authentication_classes = []  # a login needs no CSRF token; every later unsafe request does

    @extend_schema(tags=["accounts"], request=CredentialsSerializer, responses={200: _token, **ERROR_RESPONSES})
    def post(self, request):
        form = CredentialsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = accounts.check_credentials(**form.validated_data, request=request)
        login(request, user)
        get_token(request)  # sets the csrftoken cookie: send it back as X-CSRFToken on unsafe requests
        return Response({"username": user.username})


class SessionLogoutView(APIView):
    @extend_schema(tags=["accounts"], request=None, responses={204: None})
    def post(self, request):
        logout(request)
        return Response(status=204)

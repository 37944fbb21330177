"""The API's OpenAPI schema: the error format and the error statuses every operation documents.

Views declare their success bodies and the errors their services raise (409, 403 for staff, ...). The statuses
that come from the framework rather than from a view (an invalid input, a token that is not valid, a CSRF
failure, an id that matches nothing, a body too large or not JSON, a throttle, a database that is down or a
full disk) are added by ``AutoSchema`` from what the operation has, so the schema lists every status a client
can get (tests/test_api_fuzz.py holds the API to it)."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.throttling import ScopedRateThrottle


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="Stable machine-readable error code.")
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    errors = serializers.DictField(
        child=FieldErrorSerializer(many=True), required=False, help_text="Per-field problems, when there are any."
    )


ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; see errors."),
    404: OpenApiResponse(ErrorSerializer, description="Not found."),
}

# Endpoints that need a login: also 401, and 409 where the request conflicts with what is stored.
PERSONAL_ERRORS = {
    **ERROR_RESPONSES,
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    409: OpenApiResponse(ErrorSerializer, description="Conflicts with what is stored; detail says what to do."),
}

IMPLIED_ERRORS = {
    400: "Invalid input; see errors.",
    401: "Not authenticated, or the token is not valid.",
    403: "A session login without its CSRF token (send the csrftoken cookie's value as X-CSRFToken).",
    404: "Nothing you may see has this id, or no such page.",
    413: "The body is larger than the server accepts; detail says the limit.",
    415: "The body is not JSON (send Content-Type: application/json).",
    429: "Too many requests; retry after the seconds in Retry-After.",
    503: "The database is restarting or busy; retry after the seconds in Retry-After.",
    507: "The server's disk is full; nothing was stored.",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error responses the framework gives for this operation, where the view
    declares none for that status."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        error_body = {"application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}}
        for status in self._implied_error_statuses(operation):
            operation["responses"].setdefault(
                str(status), {"content": error_body, "description": IMPLIED_ERRORS[status]}
            )
        return operation

    def _implied_error_statuses(self, operation: dict) -> list[int]:
        parameters = operation.get("parameters", [])
        in_path = any(parameter["in"] == "path" for parameter in parameters)
        paginated = any(parameter["in"] == "query" and parameter["name"] == "page" for parameter in parameters)
        has_body = "requestBody" in operation
        authenticators = self.view.get_authenticators()
        csrf = self.method in UNSAFE_METHODS and any(isinstance(a, SessionAuthentication) for a in authenticators)
        conditions = {
            400: bool(parameters) or has_body,
            401: bool(authenticators),
            403: csrf,
            404: in_path or paginated,  # a page past the last is a 404
            413: has_body,
            415: has_body,
            429: any(self._throttles(throttle) for throttle in self.view.get_throttles()),
            503: True,  # common.errors.storage_failure
            507: self.method in UNSAFE_METHODS,
        }
        return [status for status, applies in conditions.items() if applies]

    def _throttles(self, throttle) -> bool:
        """A ScopedRateThrottle limits only views with a ``throttle_scope``; other throttles always apply."""
        return not isinstance(throttle, ScopedRateThrottle) or getattr(self.view, "throttle_scope", None) is not None

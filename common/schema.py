from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


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
    409: OpenApiResponse(ErrorSerializer, description="Already answered."),
}

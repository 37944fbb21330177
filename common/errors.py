"""One error format for the whole API.

Every error response is ``{"status": <int>, "code": <stable machine code>, "detail": <sentence for a person>}``
plus ``"errors": {field: [{"code", "message"}]}`` when specific fields are at fault.
"""

import errno
import logging
import sqlite3
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

logger = logging.getLogger(__name__)

DEFAULT_DETAIL = {
    400: "The request is invalid; see errors for what to fix.",
    404: "Not found.",
    500: "Internal server error; the problem has been logged.",
}

RETRY_AFTER_SECONDS = 5
# SQLite errors that mean the file cannot be used right now (others, like "no such table", are bugs: 500).
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk I/O error")


def error_body(status: int, code: str, detail: str, errors: dict | None = None) -> dict:
    body = {"status": status, "code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def _field_errors(details) -> dict:
    """Flatten DRF's nested full details into ``{"field" or "parent.child": [{"code", "message"}]}``."""
    flat: dict[str, list] = {}

    def walk(value, path: str) -> None:
        if isinstance(value, dict) and not {"message", "code"} <= value.keys():
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                is_leaf = isinstance(child, dict) and {"message", "code"} <= child.keys()
                walk(child, path if is_leaf else f"{path}.{index}")
        else:
            flat.setdefault(path or "non_field_errors", []).append(value)

    walk(details, "")
    return flat


class ServiceError(Exception):
    """A business rule said no. Services raise it; the API turns it into the error format, pages into a message."""

    def __init__(self, code: str, detail: str, *, status: int = 400, errors: dict[str, str] | None = None):
        super().__init__(detail)
        self.code, self.detail, self.status, self.errors = code, detail, status, errors or {}


class NotFound(ServiceError):
    """Nothing the requester may see has this id: a missing object and somebody else's look the same."""

    def __init__(self, detail: str):
        super().__init__("not_found", detail, status=404)


def too_large_body() -> dict:
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return error_body(413, "too_large", f"The request body is larger than the {megabytes:g} MB this server accepts.")


def _invalid_path_value(exc: DjangoValidationError, context) -> Response | None:
    """A value from the URL that the database field cannot hold (a 36-character id that is not a UUID): nothing
    has that id, so 404, as for an id that is well formed but unknown."""
    kwargs = {str(value) for value in (context.get("kwargs") or {}).values()}
    value = getattr(exc, "params", None) and exc.params.get("value")
    if value is None or str(value) not in kwargs:
        return None
    set_rollback()
    return Response(error_body(404, "not_found", f"No object has the id {str(value)[:100]!r}."), status=404)


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return Response(too_large_body(), status=413)
    if isinstance(exc, DjangoValidationError):
        return _invalid_path_value(exc, context)
    if isinstance(exc, ServiceError):
        errors = {field: [{"code": exc.code, "message": message}] for field, message in exc.errors.items()}
        set_rollback()
        return Response(error_body(exc.status, exc.code, exc.detail, errors), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # Unexpected exception: Django's handler500 answers (in this format, see json_server_error).
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.get_full_details())
        codes = {item["code"] for items in errors.values() for item in items}
        code = codes.pop() if len(codes) == 1 else "invalid"
        only_general = set(errors) == {"non_field_errors"}
        detail = errors["non_field_errors"][0]["message"] if only_general else DEFAULT_DETAIL[400]
        body = error_body(response.status_code, code, detail, None if only_general else errors)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        detail = exc.detail if isinstance(exc.detail, str) else DEFAULT_DETAIL.get(response.status_code, str(exc))
        body = error_body(response.status_code, code, str(detail))
    set_rollback()
    return Response(body, status=response.status_code, headers=_passthrough_headers(response))


def _passthrough_headers(response) -> dict:
    return {key: response[key] for key in ("Retry-After", "WWW-Authenticate", "Allow") if key in response}


class QueryParamError(serializers.ValidationError):
    """A bad query parameter: 400 with the parameter named in ``errors``."""

    def __init__(self, param: str, message: str, code: str = "invalid"):
        super().__init__({param: [serializers.ErrorDetail(message, code=code)]})


def json_bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):  # Django answers it as a bad request; it is a body too large
        return JsonResponse(too_large_body(), status=413)
    return JsonResponse(error_body(400, "bad_request", "The request could not be understood."), status=400)


def json_permission_denied(request, exception=None):
    return JsonResponse(error_body(403, "permission_denied", "You may not do this."), status=403)


def json_not_found(request, exception=None):
    return JsonResponse(error_body(404, "not_found", f"No API endpoint at {request.path}."), status=404)


def json_server_error(request):
    """Django's handler500 for the API, called while the exception is being handled."""
    failure = server_failure()
    body = error_body(failure.status, failure.code, failure.detail)
    return with_retry_after(JsonResponse(body, status=failure.status))


def server_failure() -> ServiceError:
    """The exception being handled, as the server's answer: a database that is down, busy or out of disk is the
    server's state, not a bug, and gets its own status and advice (see storage_failure); anything else is a 500."""
    return storage_failure(sys.exc_info()[1]) or ServiceError("server_error", DEFAULT_DETAIL[500], status=500)


def with_retry_after(response):
    """A 503 says when to come back."""
    if response.status_code == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether an error says the disk is full: the OS's ENOSPC (or a quota), SQLite's SQLITE_FULL, PostgreSQL's
    disk_full (SQLSTATE 53100)."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if not isinstance(exc, OperationalError):
        return False
    return getattr(exc.__cause__, "sqlstate", None) == "53100" or "database or disk is full" in str(exc)


def storage_failure(exc: BaseException | None) -> ServiceError | None:
    """The error to answer for a database that is unreachable, restarting or busy (503, retry shortly) or whose
    disk is full (507); None for any other exception."""
    if is_disk_full(exc):
        detail = (
            "The server's disk is full, so nothing can be saved right now (reading still works). "
            "Try again once the server's administrators have freed space."
        )
        return ServiceError("disk_full", detail, status=507)
    if isinstance(exc, InterfaceError) or (
        isinstance(exc, OperationalError)
        and (not isinstance(exc.__cause__, sqlite3.Error) or any(sign in str(exc) for sign in SQLITE_UNAVAILABLE))
    ):
        detail = (
            "The database is unavailable for a moment (restarting, unreachable or busy). "
            f"Retry in {RETRY_AFTER_SECONDS} seconds."
        )
        return ServiceError("database_unavailable", detail, status=503)
    return None

"""Error pages: the API keeps its JSON error format, every other path gets a page a person can read."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static

from common.errors import RETRY_AFTER_SECONDS, json_not_found, json_server_error, server_failure, with_retry_after


def not_found(request, exception=None):
    if _is_api(request):
        return json_not_found(request, exception)
    return render(request, "portal/404.html", status=404)


def server_error(request):
    """Django's handler500. The page renders without the request's context (no session, no user), since the
    database may be what failed."""
    if _is_api(request):
        return json_server_error(request)
    failure = server_failure()
    context = {"status": failure.status, "retry_after": RETRY_AFTER_SECONDS, "stylesheet": _asset("portal/portal.css")}
    page = loader.render_to_string("portal/500.html", context)
    return with_retry_after(HttpResponse(page, status=failure.status))


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _asset(path: str) -> str | None:
    """A static file's URL; None where the static files were not collected, which must not break an error page."""
    try:
        return static(path)
    except ValueError:
        return None

"""Error pages: the API keeps its JSON error format, every other path gets a page a person can read."""

from django.shortcuts import render

from common.errors import json_not_found


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return render(request, "portal/404.html", status=404)

"""Personal pages: an anonymous visitor is sent to the login page and comes back afterwards.

Use ``@personal_page`` on a function view or ``PersonalPageMixin`` first in a class view's bases::

    @personal_page
    def review(request): ...

    class CardListView(PersonalPageMixin, ListView): ...

A plain request is redirected to ``LOGIN_URL?next=<this page>``. An htmx request (a fragment of a page whose
session has expired) gets an ``HX-Redirect`` header instead, with ``next`` set to the page the fragment belongs
to, so htmx loads the login page as a whole page rather than swapping it into the fragment.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme


def login_redirect(request: HttpRequest) -> HttpResponse:
    """The response that sends an anonymous visitor of this request to the login page and back."""
    if request.headers.get("HX-Request") == "true":
        current = request.headers.get("HX-Current-URL", "")
        allowed = url_has_allowed_host_and_scheme(current, {request.get_host()}, request.is_secure())
        parts = urlsplit(current)
        page = (parts.path + (f"?{parts.query}" if parts.query else "")) if current and allowed else "/"
        response = HttpResponse(status=200)
        response["HX-Redirect"] = redirect_to_login(page)["Location"]
        return response
    return redirect_to_login(request.get_full_path())


def personal_page(view):
    """Decorator for function views that only a logged-in learner may see."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper


class PersonalPageMixin:
    """Mixin for class views that only a logged-in learner may see; put it first in the bases."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return super().dispatch(request, *args, **kwargs)

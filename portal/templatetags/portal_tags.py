"""Template helpers shared by every portal page: ``{% load portal_tags %}``."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from kb.models import Area

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, href: str, label: str) -> str:
    """A navigation link, marked ``aria-current="page"`` on its own page and below it (``/`` only on itself)."""
    path = context["request"].path
    current = path == href if href == "/" else path.startswith(href)
    if current:
        return format_html('<a href="{}" aria-current="page">{}</a>', href, label)
    return format_html('<a href="{}">{}</a>', href, label)


@register.filter
def area_label(value: str) -> str:
    """The translated title of an area slug (``concept.area|area_label``)."""
    try:
        return gettext(Area(value).label)
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def auth_next(context) -> str:
    """Where logging in or signing up from this page should lead back to: this page, or on the login and
    signup pages themselves the ``next`` they already carry."""
    request = context["request"]
    match = request.resolver_match
    if match and match.namespace == "portal" and match.url_name in {"login", "signup"}:
        return request.GET.get("next", "")
    return request.get_full_path()

"""Short texts of the study pages (quiz questions, card faces) as safe HTML, and the shared 404 page."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape, unescape

from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from portal.rendering import LONG_INLINE_MATH, latex_to_mathml, sanitize

_MATHS = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


@lru_cache(maxsize=2048)
def text_with_maths(text: str) -> SafeString:
    """Plain text with ``$...$`` (inline) and ``$$...$$`` (display) maths as MathML; line breaks kept.

    Questions and cards are short plain text, not Markdown: ``*`` and ``_`` in them mean what they say."""
    parts, end = [], 0
    for match in _MATHS.finditer(text):
        parts.append(_plain(text[end : match.start()]))
        display, inline = match.groups()
        latex = (display if display is not None else inline).strip()
        mathml = latex_to_mathml(latex, display=display is not None)
        if display is not None:
            css = "math block scroll-x"
        else:  # as on the concept pages: a long inline formula scrolls in its own box on a narrow screen
            css = "math inline scroll-x" if len(unescape(_TAGS.sub("", mathml))) > LONG_INLINE_MATH else "math inline"
        parts.append(f'<span class="{css}">{mathml}</span>')
        end = match.end()
    parts.append(_plain(text[end:]))
    return mark_safe(sanitize("".join(parts)))  # escaped text and MathML, through nh3's allow-list


def _plain(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def in_chinese() -> bool:
    return (get_language() or "").startswith("zh")


def not_found(request) -> object:
    """The portal's 404 page: a missing object and somebody else's look the same."""
    return render(request, "portal/404.html", {}, status=404)

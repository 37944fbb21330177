"""Which language a reader wants content in: ``?lang=en|zh`` first, else the request's language."""

from common.errors import QueryParamError

CHOICES = {"en": "en", "zh": "zh", "zh-hans": "zh", "zh-cn": "zh"}


def language_of(code: str | None) -> str:
    """Our content language for a language code or tag: "zh" for any Chinese (zh, zh-hans, zh-CN), else "en"."""
    return "zh" if (code or "").lower().startswith("zh") else "en"


def content_language(request) -> str:
    """ "en" or "zh". LocaleMiddleware has already read Accept-Language (or the language cookie) into
    ``request.LANGUAGE_CODE``; ``?lang=`` overrides it, and anything else there is a 400."""
    raw = request.GET.get("lang")
    if raw is not None:
        if raw.lower() not in CHOICES:
            raise QueryParamError("lang", f"lang must be one of en, zh (got '{raw[:20]}').", "invalid_choice")
        return CHOICES[raw.lower()]
    return language_of(getattr(request, "LANGUAGE_CODE", "en"))

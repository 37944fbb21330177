"""The pages. Each view checks its input, calls the selectors or services the API uses, and renders."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import RedirectURLMixin
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import FormView

from common.errors import ServiceError
from common.language import language_of
from demos.catalog import demos_for_concept
from kb import selectors
from kb.content import SOURCES
from kb.models import Area, Concept
from kb.translation import concept_prose
from portal import dashboard_views
from portal.forms import ConceptSearchForm, LoginForm, SignupForm
from portal.rendering import render_formula, render_markdown


def home(request):
    """``/``: the landing page for visitors, the dashboard for learners."""
    if request.user.is_authenticated:
        return dashboard(request)
    return render(request, "portal/landing.html", {"areas": _areas(), "search_form": ConceptSearchForm()})


def dashboard(request):
    """The learner's dashboard: ``portal.dashboard_views``."""
    return dashboard_views.dashboard(request)


def concept_list(request):
    """``/concepts/``: every concept by area, or the matches of ``?q=`` (English or Chinese) and ``?area=``."""
    form = ConceptSearchForm(request.GET)
    context = {"form": form, "areas": _areas()}
    if not form.is_valid():
        return render(request, "portal/concepts/list.html", context, status=400)
    query, area = form.cleaned_data["q"].strip(), form.cleaned_data["area"]
    concepts = selectors.concept_queryset().only("slug", "title", "title_zh", "area", "summary", "zh")
    if area:
        concepts = concepts.filter(area=area)
    if query:
        results = [_with_summary(concept, searched=True) for concept in selectors.search_concepts(concepts, query)]
        context.update(query=query, area=area, results=results)
    else:
        by_area: dict[str, list[Concept]] = defaultdict(list)
        for concept in concepts.order_by("title"):
            by_area[concept.area].append(_with_summary(concept))
        groups = [{"area": item, "concepts": by_area[item["slug"]]} for item in context["areas"]]
        context.update(area=area, groups=[group for group in groups if group["concepts"]])
    return render(request, "portal/concepts/list.html", context)


def concept_detail(request, slug: str):
    """``/concepts/<slug>/``: the whole entry, rendered on the server (reads without JavaScript). In Chinese,
    the prose comes from the entry's Chinese version where it has one."""
    try:
        concept = selectors.concept_detail(slug)
    except (Concept.DoesNotExist, ServiceError):
        return render(request, "portal/404.html", {"missing": slug}, status=404)
    prose = _prose(concept)
    captions = prose["formulas"]
    context = {
        "concept": concept,
        "area_title": _(Area(concept.area).label),
        "prose": prose,
        "body": render_markdown(prose["body"]),
        "formulas": [
            {"mathml": render_formula(formula["latex"]), "caption": caption}
            for formula, caption in zip(concept.formulas, captions, strict=True)
        ],
        "path": selectors.learning_path(concept)["path"],
        "demos": demos_for_concept(concept.slug),
        "sources": [{"id": source, "title": SOURCES.get(source, "")} for source in concept.sources],
        "figures": _figures(concept),
    }
    return render(request, "portal/concepts/detail.html", context)


def _with_summary(concept: Concept, searched: bool = False) -> Concept:
    """Set ``page_summary`` and ``page_lang`` (the summary in the page's language where the entry has it) and,
    for a search result, ``page_matched``: the words of the query it matched."""
    concept.page_matched = concept.search_matched_words if searched else []
    prose = concept_prose(concept, language_of(get_language()), ("summary",))
    concept.page_summary = prose["summary"]
    concept.page_lang = "zh-Hans" if prose["language"] == "zh" and not prose["untranslated"] else "en"
    return concept


def _prose(concept: Concept) -> dict:
    """The entry's text in the page's language: its Chinese version on Chinese pages where it has one."""
    prose = concept_prose(concept, language_of(get_language()))
    return {**prose, "lang": "zh-Hans" if prose["language"] == "zh" and "body" not in prose["untranslated"] else "en"}


def _figures(concept: Concept) -> list[dict]:
    """The entry's figures with the alt text in the page's language (``lang`` for the ``alt`` attribute)."""
    chinese = language_of(get_language()) == "zh"
    return [
        {
            "url": static(f"kb/figures/{figure['file']}"),
            "alt": figure["alt_zh"] if chinese else figure["alt"],
            "lang": "zh-Hans" if chinese else "en",
        }
        for figure in concept.figures
    ]


class SignupView(RedirectURLMixin, FormView):
    """``/accounts/signup/``: create an account (``common.accounts.register``), log in, go to ``next`` or ``/``."""

    form_class = SignupForm
    template_name = "portal/accounts/signup.html"
    next_page = "portal:home"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.save()
        if user is None:
            return self.form_invalid(form)
        login(self.request, user)
        messages.success(self.request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.username})
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, next=self.get_redirect_url())


class LoginView(auth_views.LoginView):
    """``/accounts/login/``: Django's login view and form, back to ``next`` or ``/``."""

    template_name = "portal/accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    next_page = "portal:home"


class LogoutView(auth_views.LogoutView):
    """``/accounts/logout/``: POST only (Django answers 405 to a GET), then back to ``/``."""

    next_page = "portal:home"


def _areas() -> list[dict]:
    """The ten areas in teaching order with their concept counts and translated titles."""
    return [{**area, "title": _(area["title"])} for area in selectors.areas_with_counts()]

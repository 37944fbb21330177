"""Reads for demos and runs, shared by the API and pages."""

from django.core.exceptions import ValidationError

from common.errors import NotFound
from demos.catalog import CATALOG, UnknownDemo, get_demo
from demos.models import DemoRun
from demos.trainings.base import Demo
from kb.models import Concept


def catalog_concept_titles() -> dict[str, str]:
    slugs = {slug for demo in CATALOG.values() for slug in demo.concepts}
    return dict(Concept.objects.filter(slug__in=slugs).values_list("slug", "title"))


def demo_named(name: str) -> Demo:
    try:
        return get_demo(name)
    except UnknownDemo as exc:
        raise NotFound(exc.message) from None


def runs_of(owner):
    return DemoRun.objects.filter(owner=owner)


def run_of(owner, run_id) -> DemoRun:
    """The owner's run; anybody else's run is a NotFound, exactly like a run that does not exist."""
    try:
        return runs_of(owner).get(pk=run_id)
    except (DemoRun.DoesNotExist, ValueError, ValidationError):
        raise NotFound(f"No demo run {run_id} of yours.") from None


def catalog_concepts() -> dict[str, dict[str, str]]:
    """The concepts the demos show: ``{slug: {"title", "title_zh"}}``, for the portal's catalog."""
    slugs = {slug for demo in CATALOG.values() for slug in demo.concepts}
    rows = Concept.objects.filter(slug__in=slugs).values("slug", "title", "title_zh")
    return {row["slug"]: {"title": row["title"], "title_zh": row["title_zh"]} for row in rows}


def runs_of_demo(owner, demo_name: str):
    """The owner's runs of one demo (newest first, the model's ordering)."""
    return runs_of(owner).filter(demo=demo_name)

"""Reads for demos and runs, shared by the API and pages."""

from django.http import Http404

from demos.catalog import CATALOG
from demos.models import DemoRun
from kb.models import Concept


def catalog_concept_titles() -> dict[str, str]:
    slugs = {slug for demo in CATALOG.values() for slug in demo.concepts}
    return dict(Concept.objects.filter(slug__in=slugs).values_list("slug", "title"))


def runs_of(owner):
    return DemoRun.objects.filter(owner=owner)


def run_of(owner, run_id) -> DemoRun:
    """The owner's run; anybody else's run is a 404, exactly like a run that does not exist."""
    try:
        return runs_of(owner).get(pk=run_id)
    except (DemoRun.DoesNotExist, ValueError):
        raise Http404(f"No demo run {run_id} of yours.") from None

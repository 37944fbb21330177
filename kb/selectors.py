"""Reads from the knowledge base, shared by the API and the portal."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Prefetch, QuerySet

from kb.models import Area, Concept


def concept_queryset() -> QuerySet[Concept]:
    return Concept.objects.all()


def concept_detail(slug: str) -> Concept:
    """The concept with its links loaded; raises Concept.DoesNotExist."""
    links = Concept.objects.only("slug", "title", "title_zh", "area").order_by("title")
    return Concept.objects.prefetch_related(
        Prefetch("related", queryset=links),
        Prefetch("prerequisites", queryset=links),
        Prefetch("dependents", queryset=links),
    ).get(slug=slug)


def areas_with_counts() -> list[dict]:
    counts = dict(Concept.objects.values_list("area").annotate(n=Count("id")).values_list("area", "n"))
    return [{"slug": area.value, "title": area.label, "concept_count": counts.get(area.value, 0)} for area in Area]


def learning_path(concept: Concept) -> dict:
    """Every concept ``concept`` depends on, transitively, in an order that puts prerequisites first.

    ``level`` is the length of the longest prerequisite chain below a concept, so level 0 needs nothing else.
    """
    edges = Concept.prerequisites.through.objects.values_list("from_concept__slug", "to_concept__slug")
    needs: dict[str, list[str]] = defaultdict(list)
    for dependent, prerequisite in edges:
        needs[dependent].append(prerequisite)

    level: dict[str, int] = {}

    def visit(slug: str) -> int:
        if slug not in level:
            level[slug] = 1 + max((visit(p) for p in needs[slug]), default=-1)
        return level[slug]

    visit(concept.slug)
    info = {c.slug: c for c in Concept.objects.filter(slug__in=level).only("slug", "title", "title_zh", "area")}
    ordered = sorted(level, key=lambda slug: (level[slug], info[slug].title))
    return {
        "concept": concept.slug,
        "path": [
            {
                "slug": slug,
                "title": info[slug].title,
                "title_zh": info[slug].title_zh,
                "area": info[slug].area,
                "level": level[slug],
                "prerequisites": sorted(needs[slug]),
            }
            for slug in ordered
        ],
        "unlocks": sorted(concept.dependents.values_list("slug", flat=True)),
    }

"""Reads from the knowledge base, shared by the API and the portal."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from common.errors import NotFound, ServiceError
from kb.models import Area, Concept


def concept_queryset() -> QuerySet[Concept]:
    return Concept.objects.all()


SEARCH_FIELDS = ("title", "title_zh", "summary", "body")


def search_concepts(queryset: QuerySet[Concept], text: str) -> QuerySet[Concept]:
    """Concepts whose title, Chinese title, summary or body contain every word of ``text`` (English or Chinese,
    case-insensitive); title matches first, then by area and title. Blank text changes nothing."""
    terms = text.split()
    if not terms:
        return queryset
    in_title = Q()
    for term in terms:
        any_field = Q()
        for field in SEARCH_FIELDS:
            any_field |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(any_field)
        in_title |= Q(title__icontains=term) | Q(title_zh__icontains=term)
    rank = Case(When(in_title, then=Value(0)), default=Value(1), output_field=IntegerField())
    return queryset.annotate(search_rank=rank).order_by("search_rank", "area", "title")


def concept_detail(slug: str) -> Concept:
    """The concept with its links loaded; NotFound for an unknown slug."""
    links = Concept.objects.only("slug", "title", "title_zh", "area").order_by("title")
    concept = (
        Concept.objects.prefetch_related(
            Prefetch("related", queryset=links),
            Prefetch("prerequisites", queryset=links),
            Prefetch("dependents", queryset=links),
        )
        .filter(slug=slug)
        .first()
    )
    if concept is None:
        raise NotFound(f"No concept with slug '{slug}'.")
    return concept


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


def concepts_in_scope(concepts: list[str] | None, area: str | None) -> list[Concept]:
    """The concepts a learner asked for: a list of slugs or one area (not both); unknown ones are an error."""
    if bool(concepts) == bool(area):
        raise ServiceError(
            "invalid_scope",
            "Give either concepts (a list of slugs) or an area, not both.",
            errors={"concepts": "give concepts or area", "area": "give concepts or area"},
        )
    if area:
        if area not in Area.values:
            message = f"'{area}' is not one of {', '.join(Area.values)}."
            raise ServiceError("unknown_area", message, errors={"area": message})
        return list(Concept.objects.filter(area=area))
    found = list(Concept.objects.filter(slug__in=concepts))
    unknown = sorted(set(concepts) - {concept.slug for concept in found})
    if unknown:
        message = f"Unknown concept(s): {', '.join(unknown)}."
        raise ServiceError("unknown_concept", message, errors={"concepts": message})
    return found

"""The knowledge base as the study plan needs it: every concept with its prerequisites and its place in the
teaching order, read in two queries, and names in the active language."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import get_language

from common.language import language_of
from kb.models import AREA_NAMES_ZH, Area, Concept


@dataclass(frozen=True)
class ConceptInfo:
    id: int
    slug: str
    area: str
    title: str
    title_zh: str
    prerequisites: tuple[str, ...]
    order: tuple  # teaching order: the area's place, the prerequisite level, most built upon first, the title


def concept_catalog() -> dict[str, ConceptInfo]:
    """Every concept by slug, in teaching order: areas as taught, within an area prerequisites first and, among
    concepts of one level, those that more concepts build on."""
    needs: dict[str, list[str]] = defaultdict(list)
    dependents: dict[str, int] = defaultdict(int)
    for dependent, prerequisite in Concept.prerequisites.through.objects.values_list(
        "from_concept__slug", "to_concept__slug"
    ):
        needs[dependent].append(prerequisite)
        dependents[prerequisite] += 1
    level: dict[str, int] = {}

    def level_of(slug: str) -> int:
        if slug not in level:
            level[slug] = 1 + max((level_of(p) for p in needs[slug]), default=-1)
        return level[slug]

    area_index = {area: index for index, area in enumerate(Area.values)}
    rows = Concept.objects.values_list("id", "slug", "area", "title", "title_zh")
    infos = [
        ConceptInfo(
            id=pk,
            slug=slug,
            area=area,
            title=title,
            title_zh=title_zh,
            prerequisites=tuple(sorted(needs[slug])),
            order=(area_index[area], level_of(slug), -dependents[slug], title),
        )
        for pk, slug, area, title, title_zh in rows
    ]
    return {info.slug: info for info in sorted(infos, key=lambda info: info.order)}


def in_chinese() -> bool:
    return language_of(get_language()) == "zh"


def localized_title(info: ConceptInfo) -> str:
    return info.title_zh if in_chinese() and info.title_zh else info.title


def localized_area(area: str) -> str:
    return AREA_NAMES_ZH[Area(area)][0] if in_chinese() else Area(area).label

"""Reads from the knowledge base, shared by the API and the portal."""

from __future__ import annotations

import re
from collections import defaultdict

from django.db.models import (
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from common.errors import NotFound, ServiceError
from kb.models import AREA_NAMES_EN, AREA_NAMES_ZH, SEARCH_SEPARATOR, Area, Concept, search_key


def concept_queryset() -> QuerySet[Concept]:
    return Concept.objects.all()


# Search (``GET /api/concepts/?search=`` and the portal's ``/concepts/?q=``) runs in the database on two columns
# that ``Concept.save`` writes at load time: ``search_names`` (slug, titles and aliases through ``search_key``:
# lower case, full-width folded, no spaces, hyphens or punctuation, each name between ``|``) and ``search_text``
# (the English and Chinese summary and body through ``search_prose``). Each query word gets a tier per concept:
SEARCH_TIERS = (
    ("exact", 8),  # the word is a whole name: a title, the Chinese title, an alias or the slug
    ("name", 4),  # the word is part of a name
    ("text", 1),  # the word is in the summary or the body, English or Chinese
)
AREA_WEIGHT = 2  # added when the word names the concept's area (AREA_NAMES_ZH, AREA_NAMES_EN, label, slug)
SEARCH_MAX_WORDS = 10
MATCHED_SEPARATOR = "\x1f"
CJK_RE = re.compile(r"[\u3400-\u9fff]")
# Question words and particles between the terms of a Chinese query (批归一化是什么, 卷积和池化的区别)
CHINESE_FILLER_RE = re.compile("什么是|为什么|是什么|什么|怎么样|怎么|如何|哪些|区别|的|和|与|是|吗|呢")


def _area_keys() -> dict[str, set[str]]:
    """Each search key that names an area, with the areas it names."""
    keys: dict[str, set[str]] = defaultdict(set)
    for area in Area:
        for name in (area.value, area.label, *AREA_NAMES_ZH.get(area, ()), *AREA_NAMES_EN.get(area, ())):
            keys[search_key(name)].add(area.value)
    return keys


AREA_KEYS = _area_keys()


def search_words(text: str) -> list[tuple[str, str]]:
    """The words of a query as ``(shown, key)``: split at spaces, each through ``search_key``. A word with Chinese
    in it that is not part of any concept name or area name is split into the known terms it contains (the
    longest substring of a name at each position, two characters at least); question words and particles
    (``CHINESE_FILLER_RE``: 什么是, 的, 和 ...) and other characters between them are left out: ``卷积池化``
    searches ``卷积`` and ``池化``. A word with no known term at all stays whole (it can still match prose).
    This is a dictionary segmentation on the knowledge base's own names rather than character bigrams: a bigram
    search would also match the bigrams that straddle two terms (积池) and could not rank whole names first."""
    words: list[tuple[str, str]] = []
    vocabulary = None
    for shown in text.split():
        key = search_key(shown)
        if not key:
            continue
        if not CJK_RE.search(key):
            words.append((shown, key))
            continue
        if vocabulary is None:
            names = Concept.objects.values_list("search_names", flat=True)
            vocabulary = SEARCH_SEPARATOR.join([*names, *AREA_KEYS])
        if key in vocabulary:
            words.append((shown, key))
            continue
        terms = [term for piece in CHINESE_FILLER_RE.split(key) for term in _known_terms(piece, vocabulary)]
        words.extend([(term, term) for term in terms] or [(shown, key)])
    unique: dict[str, str] = {}
    for shown, key in words:
        unique.setdefault(key, shown)
    return [(shown, key) for key, shown in unique.items()][:SEARCH_MAX_WORDS]


def _known_terms(key: str, vocabulary: str) -> list[str]:
    terms, start = [], 0
    while start < len(key):
        end = next((end for end in range(len(key), start + 1, -1) if key[start:end] in vocabulary), None)
        if end is None:
            start += 1
        else:
            terms.append(key[start:end])
            start = end
    return terms


def _word_conditions(key: str) -> dict[str, Q]:
    conditions = {
        "exact": Q(search_names__contains=f"{SEARCH_SEPARATOR}{key}{SEARCH_SEPARATOR}"),
        "name": Q(search_names__contains=key),
        "text": Q(search_text__contains=key),
    }
    if key in AREA_KEYS:
        conditions["area"] = Q(area__in=sorted(AREA_KEYS[key]))
    return conditions


def _tier(conditions: dict[str, Q]):
    tier = Case(
        *(When(conditions[tier], then=Value(weight)) for tier, weight in SEARCH_TIERS),
        default=Value(0),
        output_field=IntegerField(),
    )
    if "area" not in conditions:
        return tier
    return tier + Case(When(conditions["area"], then=Value(AREA_WEIGHT)), default=Value(0))


def _dependents_count() -> Coalesce:
    """How many concepts list the concept as a prerequisite: among equal matches the one others build on
    comes first (``优化器`` starts with mini-batch gradient descent)."""
    links = Concept.prerequisites.through.objects.filter(to_concept=OuterRef("pk"))
    count = links.order_by().values("to_concept").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def search_concepts(queryset: QuerySet[Concept], text: str) -> QuerySet[Concept]:
    """The concepts of ``queryset`` that match ``text`` (English or Chinese, as a learner types it), best first.

    Case, full-width forms, hyphens, underscores and spaces inside names do not matter (``BatchNorm``,
    ``batch-normalization`` and ``批归一化`` find Batch Normalization); an area's name finds the area's concepts
    (``优化器``, ``正则化``). Each word scores by ``SEARCH_TIERS`` (a whole name, part of a name, the prose), plus
    ``AREA_WEIGHT`` where it names the concept's area; the words run together score once more as one name
    (``batch norm`` as ``batchnorm``); concepts come by score, then those other concepts build on first, then by
    area and title. When some concepts match every word, only they are returned; when
    none does, the concepts that match some of the words are, those matching most first. Each concept carries
    ``search_matched``: the words it matched, joined by ``MATCHED_SEPARATOR`` (``Concept.search_matched_words``
    lists them). Blank text changes nothing; text with no letter or digit matches nothing."""
    if not text.split():
        return queryset
    words = search_words(text)
    if not words:
        return queryset.none()
    tiers = [_tier(_word_conditions(key)) for _, key in words]
    annotations = {f"search_word_{index}": tier for index, tier in enumerate(tiers)}
    queryset = queryset.annotate(**annotations)
    columns = [F(name) for name in annotations]
    hits = [Case(When(**{f"{name}__gt": 0}, then=Value(1)), default=Value(0)) for name in annotations]
    score = sum(columns[1:], columns[0])
    if len(words) > 1:
        phrase = search_key("".join(key for _, key in words))
        conditions = _word_conditions(phrase)
        bonus = Case(
            When(conditions["exact"], then=Value(8)), When(conditions["name"], then=Value(4)), default=Value(0)
        )
        score = score + bonus
    matched = [
        Case(When(**{f"{name}__gt": 0}, then=Value(shown + MATCHED_SEPARATOR)), default=Value(""))
        for name, (shown, _) in zip(annotations, words, strict=True)
    ]
    queryset = queryset.annotate(
        search_hits=ExpressionWrapper(sum(hits[1:], hits[0]), output_field=IntegerField()),
        search_rank=ExpressionWrapper(score, output_field=IntegerField()),
        search_matched=Concat(*matched, Value(""), output_field=CharField()),
        search_dependents=_dependents_count(),
    )
    if queryset.filter(search_hits=len(words)).exists():
        queryset = queryset.filter(search_hits=len(words))
    else:
        queryset = queryset.filter(search_hits__gt=0)
    return queryset.order_by("-search_hits", "-search_rank", "-search_dependents", "area", "title")


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

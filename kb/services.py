"""Writes to the knowledge base: make the Concept table match the content files."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from kb.content import ConceptSource
from kb.models import Concept

CONTENT_FIELDS = (
    "title",
    "title_zh",
    "area",
    "summary",
    "body",
    "formulas",
    "pros",
    "cons",
    "sources",
    "corrections",
    "zh",
    "aliases",
    "pytorch",
    "figures",
)


@dataclass
class ConceptChanges:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # in the database, no longer in the files
    concepts: dict[str, Concept] = field(default_factory=dict)  # every concept by slug, the removed ones too


def apply_concepts(entries: list[ConceptSource]) -> ConceptChanges:
    """Create and update concepts from the files (a changed file bumps ``version``) and link them.

    Call it inside a transaction. Concepts whose files are gone are only reported; ``remove_concepts`` deletes
    them once their dependents (e.g. questions) have been dealt with.
    """
    changes = ConceptChanges(concepts={concept.slug: concept for concept in Concept.objects.select_for_update()})
    now = timezone.now()
    changed: list[ConceptSource] = []
    for entry in entries:
        concept = changes.concepts.get(entry.slug)
        digest = entry.content_hash()
        if concept is not None and concept.content_hash == digest:
            changes.unchanged.append(entry.slug)
            continue
        if concept is None:
            concept = Concept(slug=entry.slug, version=1)
            changes.created.append(entry.slug)
        else:
            concept.version += 1
            changes.updated.append(entry.slug)
        for name in CONTENT_FIELDS:
            setattr(concept, name, getattr(entry, name))
        concept.content_hash, concept.updated_at = digest, now
        concept.save()
        changes.concepts[entry.slug] = concept
        changed.append(entry)

    changes.removed = sorted(set(changes.concepts) - {entry.slug for entry in entries})
    for entry in changed:
        concept = changes.concepts[entry.slug]
        concept.related.set([changes.concepts[target] for target in entry.related])
        concept.prerequisites.set([changes.concepts[target] for target in entry.prerequisites])
    return changes


def remove_concepts(slugs: list[str]) -> None:
    Concept.objects.filter(slug__in=slugs).delete()

"""Writes to the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kb.content import ConceptSource, read_content
from kb.models import Concept


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


def load_kb(content_dir: Path | None = None, *, dry_run: bool = False) -> LoadReport:
    """Make the database match the content files: create, update and remove concepts in one transaction.

    Invalid content raises ``kb.content.ContentError`` before anything is written; running it twice on the
    same files changes nothing the second time.
    """
    entries = read_content(Path(content_dir or settings.KB_CONTENT_DIR))
    report = LoadReport()
    try:
        with transaction.atomic():
            _apply(entries, report)
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return report


def _apply(entries: list[ConceptSource], report: LoadReport) -> None:
    existing = {concept.slug: concept for concept in Concept.objects.select_for_update()}
    now = timezone.now()
    changed: dict[str, ConceptSource] = {}
    for entry in entries:
        concept = existing.get(entry.slug)
        digest = entry.content_hash()
        if concept is not None and concept.content_hash == digest:
            report.unchanged.append(entry.slug)
            continue
        if concept is None:
            concept = Concept(slug=entry.slug, version=1)
            report.created.append(entry.slug)
        else:
            concept.version += 1
            report.updated.append(entry.slug)
        for name in (
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
        ):
            setattr(concept, name, getattr(entry, name))
        concept.content_hash = digest
        concept.updated_at = now
        concept.save()
        existing[entry.slug] = concept
        changed[entry.slug] = entry

    wanted = {entry.slug for entry in entries}
    report.removed = sorted(set(existing) - wanted)
    Concept.objects.filter(slug__in=report.removed).delete()

    for slug, entry in changed.items():
        concept = existing[slug]
        concept.related.set([existing[target] for target in entry.related])
        concept.prerequisites.set([existing[target] for target in entry.prerequisites])

"""Writes to the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kb.content import ConceptSource, ContentError, Problem, read_content
from kb.models import Concept
from quizzes.content import read_questions
from quizzes.models import Question
from quizzes.services import apply_questions


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    questions_created: list[str] = field(default_factory=list)
    questions_updated: list[str] = field(default_factory=list)
    questions_retired: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.created,
                self.updated,
                self.removed,
                self.questions_created,
                self.questions_updated,
                self.questions_retired,
            )
        )


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


def load_kb(content_dir: Path | None = None, *, questions_dir: Path | None = None, dry_run: bool = False) -> LoadReport:
    """Make the database match the content files, concepts and their questions, in one transaction.

    Invalid content raises ``kb.content.ContentError`` before anything is written; running it twice on the
    same files changes nothing the second time.
    """
    entries = read_content(Path(content_dir or settings.KB_CONTENT_DIR))
    questions = read_questions(Path(questions_dir or settings.QUIZ_CONTENT_DIR), {entry.slug for entry in entries})
    report = LoadReport()
    try:
        with transaction.atomic():
            concepts = _apply(entries, report)
            apply_questions(questions, concepts, report)
            _remove_concepts(report)
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return report


def _apply(entries: list[ConceptSource], report: LoadReport) -> dict[str, Concept]:
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

    report.removed = sorted(set(existing) - {entry.slug for entry in entries})
    for slug, entry in changed.items():
        concept = existing[slug]
        concept.related.set([existing[target] for target in entry.related])
        concept.prerequisites.set([existing[target] for target in entry.prerequisites])
    return existing


def _remove_concepts(report: LoadReport) -> None:
    """Delete concepts whose files are gone, unless learners' attempts still refer to their questions."""
    kept = sorted(
        set(Question.objects.filter(concept__slug__in=report.removed).values_list("concept__slug", flat=True))
    )
    if kept:
        raise ContentError(
            [
                Problem(
                    "kb/content",
                    slug,
                    "cannot be removed: learners answered its questions; "
                    "keep the file (its questions stay retired otherwise)",
                )
                for slug in kept
            ]
        )
    Concept.objects.filter(slug__in=report.removed).delete()

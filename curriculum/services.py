"""Load the knowledge base and its question bank in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from kb.content import ContentError, Problem, read_content
from kb.services import apply_concepts, remove_concepts
from quizzes.content import read_questions
from quizzes.selectors import concepts_with_questions
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


def load_curriculum(
    content_dir: Path | None = None, *, questions_dir: Path | None = None, dry_run: bool = False
) -> LoadReport:
    """Make the database match the content files, concepts and their questions, in one transaction.

    Invalid content raises ``kb.content.ContentError`` before anything is written; running it twice on the
    same files changes nothing the second time.
    """
    entries = read_content(Path(content_dir or settings.KB_CONTENT_DIR))
    questions = read_questions(Path(questions_dir or settings.QUIZ_CONTENT_DIR), {entry.slug for entry in entries})
    report = LoadReport()
    try:
        with transaction.atomic():
            concepts = apply_concepts(entries)
            asked = apply_questions(questions, concepts.concepts)
            _remove_unused(concepts.removed)
            report = LoadReport(
                created=concepts.created,
                updated=concepts.updated,
                removed=concepts.removed,
                unchanged=concepts.unchanged,
                questions_created=asked.created,
                questions_updated=asked.updated,
                questions_retired=asked.retired,
            )
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return report


def _remove_unused(slugs: list[str]) -> None:
    """Delete concepts whose files are gone, unless learners' attempts still refer to their questions."""
    kept = concepts_with_questions(slugs)
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
    remove_concepts(slugs)

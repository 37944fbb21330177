from django.core.management.base import BaseCommand, CommandError

from curriculum.services import load_curriculum
from kb.content import ContentError


class Command(BaseCommand):
    help = "Load the knowledge base and question bank into the database (one transaction; safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--path", help="Content folder (default: settings.KB_CONTENT_DIR).")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report, write nothing.")

    def handle(self, *args, path=None, dry_run=False, verbosity=1, **options):
        try:
            report = load_curriculum(path, dry_run=dry_run)
        except ContentError as exc:
            count = len(exc.problems)
            raise CommandError(
                f"{count} problem{'s' * (count != 1)} in the content; nothing was loaded:\n{exc}"
            ) from exc
        prefix = "[dry run] " if dry_run else ""
        changes = (
            ("created", report.created),
            ("updated", report.updated),
            ("removed", report.removed),
            ("question created", report.questions_created),
            ("question updated", report.questions_updated),
            ("question retired", report.questions_retired),
        )
        if verbosity == 0:
            return
        for label, names in changes:
            for name in names:
                self.stdout.write(f"{prefix}{label}: {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.removed)} removed, {len(report.unchanged)} unchanged; questions: "
                f"{len(report.questions_created)} created, {len(report.questions_updated)} updated, "
                f"{len(report.questions_retired)} retired."
            )
        )

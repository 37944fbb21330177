"""The migrations in the repository match the models (a model change without its migration fails here)."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations(capsys):
    call_command("makemigrations", "--check", "--dry-run")
    assert "No changes detected" in capsys.readouterr().out

"""Which database errors are the server's state, answered with advice (503 retry shortly, 507 disk full), and which
are bugs that stay 500s. The outages themselves are provoked for real in the other tests here."""

import errno

import pytest
from django.db import DatabaseError, OperationalError, connection

from common.errors import storage_failure

pytestmark = pytest.mark.django_db


def test_a_missing_table_is_a_bug_not_an_outage():
    with pytest.raises(DatabaseError) as error, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    assert storage_failure(error.value) is None


def test_a_full_disk_says_so_whatever_reports_it():
    for exc in (OSError(errno.ENOSPC, "No space left on device"), OperationalError("database or disk is full")):
        failure = storage_failure(exc)
        assert (failure.status, failure.code) == (507, "disk_full")

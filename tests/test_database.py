"""The test databases as tests/database.py sets them up."""

import pytest
from django.db import connection


@pytest.mark.postgres("the setting is Postgres'")
def test_a_commit_of_the_tests_does_not_wait_for_the_disk(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("off",)

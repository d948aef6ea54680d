"""Indexes on the review items are built without blocking the forum's writes on PostgreSQL."""
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

INDEXES = ("review_item_api_order", "review_queue_undecided_reasons", "review_item_rejections")


def _sql(migration: str) -> str:
    out = io.StringIO()
    call_command("sqlmigrate", "moderation", migration, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_review_item_indexes_are_created_concurrently_outside_a_transaction():
    assert connection.vendor == "postgresql"
    sql = _sql("0009") + _sql("0010")
    assert sql.count("CREATE INDEX CONCURRENTLY") == 3
    assert "BEGIN" not in sql


def _valid_indexes() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE i.indisvalid AND c.relname = ANY(%s)", [list(INDEXES)])
        return {r[0] for r in cur.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_migrating_down_and_up_again_drops_and_rebuilds_them_as_valid_indexes():
    executor = MigrationExecutor(connection)
    head = executor.loader.graph.leaf_nodes("moderation")
    assert _valid_indexes() == set(INDEXES)
    executor.migrate([("moderation", "0008_site_threshold")])
    assert _valid_indexes() == set()
    executor = MigrationExecutor(connection)
    executor.migrate(head)
    assert _valid_indexes() == set(INDEXES)

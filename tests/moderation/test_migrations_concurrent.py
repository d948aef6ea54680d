"""Indexes on the review items are built without blocking the forum's writes on PostgreSQL, and an
interrupted build can be migrated again."""
import io

import pytest
from django.core.management import call_command
from django.db import NotSupportedError, connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState

from moderation.migration_operations import AddIndexConcurrently

INDEXES = ("review_item_api_order", "review_queue_undecided_reasons", "review_item_rejections")


def _sql(migration: str, *args) -> str:
    out = io.StringIO()
    call_command("sqlmigrate", "moderation", migration, *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_review_item_indexes_are_created_concurrently_outside_a_transaction():
    assert connection.vendor == "postgresql"
    sql = _sql("0009") + _sql("0010")
    assert sql.count("CREATE INDEX CONCURRENTLY") == 3
    assert "BEGIN" not in sql
    assert _sql("0010", "--backwards").count("DROP INDEX CONCURRENTLY") == 2


@pytest.mark.django_db
def test_the_operation_refuses_a_migration_that_runs_in_a_transaction():
    from django.apps import apps

    operation = AddIndexConcurrently("reviewitem", models.Index(fields=["status"], name="x_status"))
    state = ProjectState.from_apps(apps)
    with connection.schema_editor(collect_sql=True, atomic=True) as editor:  # sqlmigrate of an atomic migration
        with pytest.raises(NotSupportedError, match="atomic = False"):
            operation.database_forwards("moderation", editor, state, state)


def _indexes() -> dict[str, bool]:
    """name -> valid, for the three indexes."""
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE c.relname = ANY(%s)", [list(INDEXES)])
        return dict(cur.fetchall())


def _migrate(target):
    MigrationExecutor(connection).migrate(target)


@pytest.fixture
def at_head():
    """The test may migrate the database back; it is left at the latest migration whatever happens."""
    head = MigrationExecutor(connection).loader.graph.leaf_nodes("moderation")
    yield
    _migrate(head)


@pytest.mark.django_db(transaction=True)
def test_migrating_down_and_up_again_drops_and_rebuilds_them_as_valid_indexes(at_head):
    head = MigrationExecutor(connection).loader.graph.leaf_nodes("moderation")
    assert _indexes() == dict.fromkeys(INDEXES, True)
    _migrate([("moderation", "0008_site_threshold")])
    assert _indexes() == {}
    _migrate(head)
    assert _indexes() == dict.fromkeys(INDEXES, True)


@pytest.mark.django_db(transaction=True)
def test_a_rerun_after_an_interrupted_build_keeps_the_built_index_and_rebuilds_the_invalid_one(at_head):
    """0010 builds two indexes outside a transaction: interrupted during the second, the first is there and
    the second is INVALID, and the migration is not recorded. Migrating again completes it."""
    head = MigrationExecutor(connection).loader.graph.leaf_nodes("moderation")
    _migrate([("moderation", "0009_review_item_api_order")])
    with connection.cursor() as cur:
        cur.execute('CREATE INDEX review_queue_undecided_reasons ON moderation_reviewitem (status, reasons) '
                    "WHERE status IN ('open', 'claimed', 'snoozed')")
        cur.execute("CREATE INDEX review_item_rejections ON moderation_reviewitem (submission_id)")
        cur.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'review_item_rejections'::regclass")
    assert _indexes()["review_item_rejections"] is False

    _migrate(head)

    assert _indexes() == dict.fromkeys(INDEXES, True)
    with connection.cursor() as cur:  # the rebuilt index is the migration's (partial), not the stand-in above
        cur.execute("SELECT pg_get_indexdef('review_item_rejections'::regclass)")
        assert "WHERE" in cur.fetchone()[0]


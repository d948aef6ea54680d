"""Schema operations the plugin's migrations use on a live forum's tables."""
from django.db import NotSupportedError
from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(AddIndex):
    """``AddIndex`` that, on PostgreSQL, builds the index with ``CREATE INDEX CONCURRENTLY``: a forum that
    upgrades keeps taking posts and moderator actions while the index on its review items is built, instead
    of waiting on a write lock for the whole build. Elsewhere (the embedded SQLite default) a plain
    ``CREATE INDEX``. The migration must set ``atomic = False``.

    A rerun after an interrupted ``migrate`` picks up where it stopped: an index that is already there and
    valid is kept, and the INVALID one that an interrupted concurrent build leaves behind is dropped and
    built again (docs/deploy.md, "Release")."""

    def _concurrently(self, schema_editor) -> bool:
        if schema_editor.connection.vendor != "postgresql":
            return False
        in_transaction = (schema_editor.atomic_migration if schema_editor.collect_sql
                          else schema_editor.connection.in_atomic_block)
        if in_transaction:
            raise NotSupportedError(f"{self.describe()}: set atomic = False on the migration "
                                    "(CREATE INDEX CONCURRENTLY cannot run inside a transaction)")
        return True

    def _existing(self, schema_editor) -> bool | None:
        """Whether the index exists and is valid (``None``: it does not exist)."""
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                           "WHERE c.relname = %s AND pg_catalog.pg_table_is_visible(c.oid)", [self.index.name])
            row = cursor.fetchone()
        return None if row is None else row[0]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not self._concurrently(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if not schema_editor.collect_sql:
            valid = self._existing(schema_editor)
            if valid:
                return
            if valid is False:
                schema_editor.remove_index(model, self.index, concurrently=True)
        schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not self._concurrently(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)

    def describe(self):
        return f"Create index {self.index.name} on {self.model_name} (concurrently on PostgreSQL)"

"""Schema operations the plugin's migrations use on a live forum's tables."""
from django.db import NotSupportedError
from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(AddIndex):
    """``AddIndex`` that, on PostgreSQL, builds the index with ``CREATE INDEX CONCURRENTLY``: a forum that
    upgrades keeps taking posts and moderator actions while the index on its review items is built, instead
    of waiting on a write lock for the whole build. Elsewhere (the embedded SQLite default) a plain
    ``CREATE INDEX``. The migration must set ``atomic = False``; if a concurrent build fails, PostgreSQL
    leaves an INVALID index behind: drop it and migrate again (docs/operations.md)."""

    def _concurrently(self, schema_editor) -> bool:
        if schema_editor.connection.vendor != "postgresql":
            return False
        if schema_editor.connection.in_atomic_block and not schema_editor.collect_sql:
            raise NotSupportedError(f"{self.describe()}: set atomic = False on the migration "
                                    "(CREATE INDEX CONCURRENTLY cannot run inside a transaction)")
        return True

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not self._concurrently(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not self._concurrently(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)

    def describe(self):
        return f"Create index {self.index.name} on {self.model_name} (concurrently on PostgreSQL)"

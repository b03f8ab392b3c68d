"""Indexes only PostgreSQL can make (covering, operator classes, GIN), made by migrations.

A covering index carries extra columns (`INCLUDE`) so that a query reads the index alone (an
index-only scan) instead of visiting a table row per match: what keeps the dashboard's figures
fast at a million orders. SQLite has no `INCLUDE`, and Django's `Index(include=...)` warns on
every command there, so these indexes are made on PostgreSQL only, by this operation, as
orders migration 0005 began with `order_placed_metrics`. The models do not list them: the
migration that makes each one says what it serves, and `bench/dashboard.py --explain` shows
the plans that use them.

The search's indexes (orders migration 0009) are made the same way: b-trees with
`text_pattern_ops` (a `LIKE 'prefix%'` range in any collation) and pg_trgm GIN indexes, which
SQLite has neither of.
"""

from django.db.migrations.operations.base import Operation


class PostgresIndex(Operation):
    """Create index `name` on PostgreSQL (drop it when reversed); nothing elsewhere.
    `columns`, `include` and `where` are SQL; `using` an index method other than b-tree
    (`gin` for the search's trigram indexes)."""

    reversible = True

    def __init__(
        self,
        name: str,
        table: str,
        columns: str,
        *,
        include: str = "",
        where: str = "",
        using: str = "",
    ):
        self.name, self.table, self.columns = name, table, columns
        self.include, self.where, self.using = include, where, using

    def state_forwards(self, app_label, state):
        """The model state does not track these indexes."""

    def sql(self) -> str:
        method = f" USING {self.using}" if self.using else ""
        statement = (
            f"CREATE INDEX IF NOT EXISTS {self.name} ON {self.table}{method} ({self.columns})"
        )
        if self.include:
            statement += f" INCLUDE ({self.include})"
        if self.where:
            statement += f" WHERE {self.where}"
        return statement

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(self.sql())

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {self.name}")

    def describe(self) -> str:
        return f"Create index {self.name} on {self.table} (PostgreSQL only)"

    @property
    def migration_name_fragment(self) -> str:
        return self.name

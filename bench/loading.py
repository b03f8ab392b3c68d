"""What the benchmarks share: scratch databases, COPY loading, signed-in clients, timing.

Importing this module needs no Django; the helpers that use Django import it when called
(a script calls them after `django.setup()`).
"""

import json
import statistics
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


# --- scratch databases ------------------------------------------------------------------------


def database_url(server_url: str, name: str) -> str:
    """`server_url` (any database on the server) pointed at database `name`."""
    parts = urlsplit(server_url or DEFAULT_SERVER)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _maintenance(server_url: str) -> psycopg.Connection:
    return psycopg.connect(database_url(server_url, "postgres"), autocommit=True)


def database_exists(server_url: str, name: str) -> bool:
    with _maintenance(server_url) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def create_database(server_url: str, name: str) -> None:
    with _maintenance(server_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(server_url: str, name: str) -> None:
    with _maintenance(server_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def database_size(server_url: str, name: str) -> int:
    with _maintenance(server_url) as conn:
        return conn.execute("SELECT pg_database_size(%s)", [name]).fetchone()[0]


# --- COPY -------------------------------------------------------------------------------------


class Table:
    """Rows for one model's table, written with COPY.

    The caller gives values for `columns` (attribute names, e.g. `order_id`, as a list or one
    space-separated string) in that order; every other
    column gets the model field's default (`created_at`/`updated_at`: `now`), so a new
    field with a default needs no change here. A NOT NULL column without a default must be
    given.
    """

    def __init__(self, model, columns: str | Iterable[str], *, now: datetime | None = None):
        now = now or datetime.now(UTC)
        fields = {field.attname: field for field in model._meta.concrete_fields}
        columns = columns.split() if isinstance(columns, str) else list(columns)
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model._meta.label} has no {sorted(unknown)}")
        defaults = []
        for name, field in fields.items():
            if name in columns:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            if value is None and not field.null:
                raise ValueError(f"{model._meta.label}.{name} needs a value")
            if isinstance(value, dict | list):
                value = json.dumps(value)
            defaults.append((field.column, value))
        self.model = model
        self.name = model._meta.db_table
        self.columns = [fields[name].column for name in columns] + [c for c, _ in defaults]
        self.defaults = tuple(value for _, value in defaults)
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, *values) -> None:
        self.rows.append(values + self.defaults)

    def flush(self, cursor: psycopg.Cursor) -> None:
        if not self.rows:
            return
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.name), sql.SQL(", ").join(map(sql.Identifier, self.columns))
        )
        with cursor.copy(statement) as copy:
            for row in self.rows:
                copy.write_row(row)
        self.written += len(self.rows)
        self.rows.clear()


class IndexesDeferred:
    """Drop the secondary indexes of `tables` (those no constraint owns) and build them again
    on leaving: building an index over loaded rows is much faster than growing it row by row.
    """

    def __init__(self, cursor: psycopg.Cursor, tables: Iterable[str]):
        self.cursor, self.tables = cursor, list(tables)
        self.definitions: list[str] = []
        self.build_seconds = 0.0

    def __enter__(self):
        rows = self.cursor.execute(
            """
            SELECT index_class.relname, pg_get_indexdef(pg_index.indexrelid)
            FROM pg_index
            JOIN pg_class table_class ON table_class.oid = pg_index.indrelid
            JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid
            WHERE table_class.relname = ANY(%s)
              AND table_class.relnamespace = 'public'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = pg_index.indexrelid)
            """,
            [self.tables],
        ).fetchall()
        for name, definition in rows:
            self.cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
            self.definitions.append(definition)
        self.cursor.connection.commit()
        return self

    def __exit__(self, *exc_info):
        if exc_info[0] is not None:
            return
        started = time.perf_counter()
        self.cursor.execute("SET maintenance_work_mem = '256MB'")
        for definition in self.definitions:
            self.cursor.execute(definition)
            self.cursor.connection.commit()
        self.build_seconds = time.perf_counter() - started


def next_id(cursor: psycopg.Cursor, model) -> int:
    table = sql.Identifier(model._meta.db_table)
    query = sql.SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM {}").format(table)
    return cursor.execute(query).fetchone()[0]


def reset_sequence(cursor: psycopg.Cursor, model) -> None:
    """After rows were copied in with their ids: the next id Django inserts follows them."""
    table = model._meta.db_table
    cursor.execute(
        sql.SQL(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 0) + 1, false) "
            "FROM {}"
        ).format(sql.Identifier(table)),
        [table],
    )


# --- signed-in requests and timing ------------------------------------------------------------


def staff_client(username: str, role: str):
    """A test client signed in as a staff user holding `role` (a group name)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    client = Client()
    client.force_login(user)
    return client


def timed(run, repeat: int, *, warmup: int = 0) -> dict:
    """Run `run()` (which returns a status or None) `warmup` times untimed, then `repeat`
    times: median and worst wall milliseconds, and the SQL queries of the last run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        run()
    durations, queries, status = [], 0, None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            status = run()
            durations.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    figures = {
        "queries": queries,
        "median_ms": round(statistics.median(durations), 1),
        "max_ms": round(max(durations), 1),
    }
    return figures if status is None else {"status": status, **figures}


def timed_request(client, label: str, path: str, params: dict, repeat: int, **kwargs) -> dict:
    """`timed` for one GET through the whole Django stack (routing, view, template)."""
    return {
        "request": label,
        **timed(lambda: client.get(path, params).status_code, repeat, **kwargs),
    }

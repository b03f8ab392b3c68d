"""Inserting and reading model rows without compiling the statement each time.

`Model.objects.bulk_create` builds its INSERT from scratch on every call: a few hundred
microseconds of CPU per statement, whatever the row count. On the capture path (address,
order, lines, holds, timeline, ledger, allocations) that was about a third of the service's
CPU. `insert_rows` keeps the SQL per table, column list and row count, and only prepares the
values (`pre_save`, so `auto_now` fields are filled as the ORM fills them, then
`get_db_prep_save`), so the rows stored are the ones `bulk_create` would store; on PostgreSQL
the statement text repeats, so psycopg prepares it server-side as well.

Only plain rows: no signals (bulk_create sends none either), no multi-table inheritance.
A backend that cannot return ids from a multi-row insert uses `bulk_create`.

`select_models` is the reading half, for hot queries written once as SQL: it builds model
instances from the rows with the converters a queryset applies (reading the catalog for a
capture fell from 0.84 to 0.25 ms of CPU).
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model

MAX_PARAMETERS = 65_535
# Statements for up to this many rows are kept (the hot paths insert a handful at a time).
CACHED_ROWS = 50


def insert_rows(objs: Iterable[Model], *, returning: bool = True) -> list[Model]:
    """INSERT `objs` (all of one model; all with their primary key set, or none) and give them
    their ids; returns them as a list, like `bulk_create`. With `returning=False` rows without
    an id are not told theirs: nothing is read back, so inside `pipelined()` the statement
    does not wait for the database."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if not connection.features.can_return_rows_from_bulk_insert:
        return model._default_manager.using(alias).bulk_create(objs)
    with_pk = objs[0].pk is not None
    if any((obj.pk is not None) != with_pk or type(obj) is not model for obj in objs):
        raise ValueError("insert_rows takes rows of one model, all with or all without an id.")
    fields = _fields(model, with_pk)
    batch = rows_per_insert(connection, fields, len(objs))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params = []
            for obj in chunk:
                params.extend(_values(obj, fields, connection))
            sql = (_cached_sql if len(chunk) <= CACHED_ROWS else _sql)(
                alias, model, with_pk, len(chunk)
            )
            if not (with_pk or returning):
                sql = sql[: sql.index(" RETURNING ")]
            cursor.execute(sql, params)
            ids = cursor.fetchall() if not with_pk and returning else None
            for index, obj in enumerate(chunk):
                if ids is not None:
                    obj.pk = ids[index][0]
                obj._state.adding = False
                obj._state.db = alias
    return objs


def insert_row_unless_taken(obj: Model, *, unique: tuple[str, ...]) -> bool:
    """INSERT one row (without its id) unless a row with the same `unique` columns is there
    (`ON CONFLICT … DO NOTHING`: no savepoint, no error to recover from); True, with the id
    set, when it was inserted. A row another transaction is inserting is waited for."""
    model = type(obj)
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = _fields(model, with_pk=False)
    with connection.cursor() as cursor:
        cursor.execute(
            _unless_taken_sql(alias, model, unique), list(_values(obj, fields, connection))
        )
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    obj.pk = inserted[0]
    obj._state.adding, obj._state.db = False, alias
    return True


def _values(obj: Model, fields, connection):
    """The row's values as the database takes them, `auto_now` fields filled as save() does."""
    obj._prepare_related_fields_for_save(operation_name="insert_rows")
    return (field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields)


@lru_cache(maxsize=16)
def _unless_taken_sql(alias: str, model: type[Model], unique: tuple[str, ...]) -> str:
    quote = connections[alias].ops.quote_name
    insert = _sql(alias, model, False, 1)
    conflict = ", ".join(quote(model._meta.get_field(name).column) for name in unique)
    returning = insert.index(" RETURNING ")
    return f"{insert[:returning]} ON CONFLICT ({conflict}) DO NOTHING{insert[returning:]}"


@contextmanager
def pipelined() -> Iterator[None]:
    """Send the statements run inside without waiting for each answer (psycopg's pipeline
    mode): the database's answers are read when a result is fetched or the block ends, so a
    run of inserts and one read costs one round trip instead of one each. Errors keep the
    ORM's classes (an IntegrityError is still an IntegrityError), though one may surface at the
    next fetch or at the end of the block rather than at its own statement. Elsewhere than on
    PostgreSQL with psycopg 3 it changes nothing."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or not _pipeline_supported():
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


@lru_cache(maxsize=1)
def _pipeline_supported() -> bool:
    import psycopg

    return psycopg.Pipeline.is_supported()


def rows_per_insert(connection, fields, rows: int) -> int:
    """How many rows of `fields` one INSERT takes: the backend's limit, and PostgreSQL's of
    65,535 parameters per statement."""
    batch = connection.ops.bulk_batch_size(fields, [None] * rows) or rows
    return max(1, min(batch, MAX_PARAMETERS // len(fields)))


def _fields(model: type[Model], with_pk: bool) -> tuple:
    pk = model._meta.pk
    return tuple(field for field in model._meta.concrete_fields if with_pk or field is not pk)


def _sql(alias: str, model: type[Model], with_pk: bool, rows: int) -> str:
    quote = connections[alias].ops.quote_name
    fields = _fields(model, with_pk)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * rows)}"
    )
    if not with_pk:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql


_cached_sql = lru_cache(maxsize=512)(_sql)


# --- reading ------------------------------------------------------------------------------


def columns(model: type[Model], alias: str) -> str:
    """The select list `select_models` expects for `model` read as `alias`."""
    return ", ".join(f"{alias}.{_quote(field.column)}" for field in model._meta.concrete_fields)


class Pending:
    """A query sent whose rows are read when first asked for (`result()`). Sent inside
    `pipelined()`, several queries go to the database before any answer is awaited: their
    answers come back together once one is asked for or the block ends."""

    def __init__(self, sql: str, params, build: Callable[[list], Any] = list, *, model=None):
        self._connection = connections[router.db_for_read(model) if model else DEFAULT_DB_ALIAS]
        self._cursor = self._connection.cursor()
        self._cursor.execute(sql, params)
        self._build = build
        self._done, self._value = False, None

    def then(self, build: Callable[[Any], Any]) -> "Pending":
        """This query, its result passed on through `build` (asked before the result is)."""
        first = self._build
        self._build = lambda rows: build(first(rows))
        return self

    def result(self):
        if not self._done:
            with self._connection.wrap_database_errors:
                rows = self._cursor.fetchall()
            self._cursor.close()
            self._value, self._done = self._build(rows), True
        return self._value


def select_models(sql: str, params, *models: type[Model]) -> list[tuple[Model, ...]]:
    """Run `sql`, whose select list is `columns(model, alias)` for each of `models` in turn,
    and build one instance of each per row, the way a queryset would (the backend's and the
    fields' converters applied, so the values are those the ORM reads). A model whose columns
    are all NULL in a row (an outer join that found nothing) is None there."""
    return send_models(sql, params, *models).result()


def send_models(sql: str, params, *models: type[Model]) -> Pending:
    """`select_models`, sent now and read when its `result()` is asked for."""
    alias = router.db_for_read(models[0])
    layout = [(model, *_converters(alias, model)) for model in models]
    return Pending(sql, params, partial(_instances, connections[alias], layout), model=models[0])


def _instances(connection, layout, rows) -> list[tuple[Model, ...]]:
    found = []
    for row in rows:
        start, instances = 0, []
        for model, names, converters in layout:
            values = list(row[start : start + len(names)])
            start += len(names)
            if all(value is None for value in values):
                instances.append(None)
                continue
            for index, column, converter in converters:
                for convert in converter:
                    values[index] = convert(values[index], column, connection)
            instances.append(model.from_db(connection.alias, names, values))
        found.append(tuple(instances))
    return found


def select_related_models(
    model: type[Model], related: tuple[str, ...], where: str, params
) -> list[Model]:
    """`model.objects.select_related(*related).filter(<where>)` for a query asked so often
    that compiling it each time shows: `where` is SQL over the alias `t0`. A path follows
    forward foreign keys and one-to-one fields in either direction ("user",
    "channel_link__channel"); each is an outer join, and a missing row is cached as None, as
    `select_related` caches it."""
    sql, joins = _related_sql(model, related, where)
    found = []
    for row in select_models(sql, params, model, *(join.model for join in joins)):
        for join in joins:
            parent = row[join.parent]
            if parent is not None:
                join.set_cached(parent, row[join.index])
        found.append(row[0])
    return found


@dataclass(frozen=True)
class _Join:
    """A joined model: its place in the row, its parent's, and how the parent caches it."""

    index: int
    parent: int
    model: type[Model]
    set_cached: Callable


@lru_cache(maxsize=64)
def _related_sql(model: type[Model], related: tuple[str, ...], where: str):
    joins: list[_Join] = []
    by_path: dict[tuple[str, ...], int] = {(): 0}
    tables = [model]
    sql_joins = []
    for path in related:
        names = tuple(path.split("__"))
        for depth in range(1, len(names) + 1):
            if names[:depth] in by_path:
                continue
            parent = by_path[names[: depth - 1]]
            field = tables[parent]._meta.get_field(names[depth - 1])
            index = len(tables)
            if field.concrete and (field.many_to_one or field.one_to_one):
                theirs, ours = field.target_field.column, field.column
            elif field.one_to_one:  # the reverse side of a one-to-one field
                theirs, ours = field.field.column, field.field.target_field.column
            else:
                raise ValueError(f"select_related_models cannot follow {path!r}.")
            on = f"t{index}.{_quote(theirs)} = t{parent}.{_quote(ours)}"
            tables.append(field.related_model)
            by_path[names[:depth]] = index
            joins.append(_Join(index, parent, field.related_model, field.set_cached_value))
            sql_joins.append(
                f" LEFT JOIN {_quote(field.related_model._meta.db_table)} t{index} ON {on}"
            )
    select = ", ".join(columns(table, f"t{index}") for index, table in enumerate(tables))
    sql = (
        f"SELECT {select} FROM {_quote(model._meta.db_table)} t0{''.join(sql_joins)} WHERE {where}"
    )
    return sql, tuple(joins)


@lru_cache(maxsize=128)
def _converters(alias: str, model: type[Model]) -> tuple[list[str], list]:
    """The field names of `model`'s columns and, by position, the converters each needs."""
    connection = connections[alias]
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((index, column, tuple(found)))
    return [field.attname for field in fields], converters


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'

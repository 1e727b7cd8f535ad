"""Inserting thousands of rows: ``insert`` writes what ``QuerySet.bulk_create`` writes, faster.

A roster import of 10,000 people writes 10,000 people, their memberships and an audit entry each.
Django's ``bulk_create`` spends most of that time building the statement, not running it: for each
of ~250,000 values it walks ``field.get_db_prep_save`` → ``get_prep_value`` → ``to_python`` and
compiles a placeholder, which for a ``str`` into a ``CharField`` or an ``int`` into a foreign key
changes nothing. ``insert`` passes such values straight through and sends everything else (dates,
JSON, IP addresses, decimals) through the field as Django would. The statement is one multi-row
``INSERT … VALUES … RETURNING pk`` per batch, as large as the database takes (SQLite's own limit
on parameters, not Django's conservative 999; on PostgreSQL, COPY), so a 10,000-row import is a
handful of statements.

What ``bulk_create`` does and ``insert`` does not: no signals (bulk_create sends none either), no
``ignore_conflicts``/``update_conflicts``, no multi-table inheritance, and no parent links.
``auto_now``/``auto_now_add`` fields and defaults are filled as ``Model.save`` would fill them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router

__all__ = ["insert", "insert_rows", "long_lived_frozen"]

# Field classes whose get_db_prep_save returns a value of these types unchanged (exact classes:
# a subclass may convert).
_PLAIN_FIELDS = {
    models.CharField: str,
    models.TextField: str,
    models.SlugField: str,
    models.EmailField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.ForeignKey: int,
    models.OneToOneField: int,
}
_MAX_ROWS = 2000  # rows per statement: keeps one statement's text to a few hundred kilobytes


def _max_params(connection) -> int:
    """Parameters one INSERT may carry (PostgreSQL never gets here: its rows go by COPY)."""
    if connection.vendor == "sqlite":
        import sqlite3

        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.ops.bulk_batch_size(["x"], [None] * 1000) or 999


def _converter(field, connection):
    plain = _PLAIN_FIELDS.get(type(field))
    if type(field) is models.DateField:
        adapt = connection.ops.adapt_datefield_value

        def convert_date(value):
            # What DateField.get_db_prep_save does with a date, without the walk to get there.
            return adapt(value) if type(value) is dt.date else field.get_db_prep_save(value, connection)

        return convert_date

    def convert(value):
        if value is None or (plain is not None and isinstance(value, plain)):
            return value
        return field.get_db_prep_save(value, connection)

    return convert


def insert_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence],
    *,
    returning: bool = False,
    using: str | None = None,
) -> list | None:
    """INSERT ``rows`` — tuples of values for the fields ``names`` (attnames: ``unit_id``) — into
    ``model``'s table; with ``returning``, the primary keys of the new rows in the rows' order.
    Fields not named take their database default (give every non-null field without one)."""
    using = using or router.db_for_write(model)
    connection = connections[using]
    meta = model._meta
    fields: list[Any] = [meta.get_field(name) for name in names]
    converters = [_converter(f, connection) for f in fields]
    if returning and not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError("insert_rows(returning=True) needs INSERT … RETURNING (SQLite 3.35+, PostgreSQL)")
    quote = connection.ops.quote_name
    table, columns = quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    if connection.vendor == "postgresql":
        return _copy(connection, meta, table, columns, converters, rows, returning)
    head = f"INSERT INTO {table} ({columns}) VALUES "
    pk: Any = meta.pk
    tail = f" RETURNING {quote(pk.column)}" if returning else ""
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(_MAX_ROWS, _max_params(connection) // len(fields)))
    keys: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = [convert(value) for values in batch for convert, value in zip(converters, values)]
            cursor.execute(head + ", ".join([row] * len(batch)) + tail, params)
            if returning:
                keys.extend(value for (value,) in cursor.fetchall())
    return keys if returning else None


def _copy(connection, meta, table: str, columns: str, converters, rows, returning: bool) -> list | None:
    """PostgreSQL: the rows through COPY, five times faster than a multi-row INSERT here (psycopg
    formats the rows in C; an INSERT's parameters are quoted into the statement by Django's
    client-side binding). COPY returns nothing, so the new primary keys are drawn from the
    table's sequence first and written with the rows."""
    keys = None
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            keys = [key for (key,) in cursor.fetchall()]
            columns = f"{connection.ops.quote_name(meta.pk.column)}, {columns}"
        sql = f"COPY {table} ({columns}) FROM STDIN"
        started = time.monotonic()
        with cursor.cursor.copy(sql) as copy:  # the psycopg cursor under Django's wrapper
            for i, values in enumerate(rows):
                converted = [convert(value) for convert, value in zip(converters, values)]
                copy.write_row([keys[i], *converted] if keys is not None else converted)
        if connection.queries_logged:  # counted like any statement (tests assert query counts)
            connection.queries_log.append({"sql": f"{sql} -- {len(rows)} rows", "time": f"{time.monotonic() - started:.3f}"})
    return keys


def insert(model: type[models.Model], objs: Sequence[models.Model], *, using: str | None = None) -> None:
    """INSERT ``objs`` (unsaved instances of ``model``, primary keys unset) and set their primary keys."""
    if not objs:
        return
    using = using or router.db_for_write(model)
    pk = model._meta.pk
    fields = [f for f in model._meta.local_concrete_fields if f is not pk]
    auto_now = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:
        for field in auto_now:
            field.pre_save(obj, add=True)  # sets the attribute, as save() would
    names = [f.attname for f in fields]
    rows = [[getattr(obj, name) for name in names] for obj in objs]
    keys = insert_rows(model, names, rows, returning=True, using=using)
    assert keys is not None
    for obj, key in zip(objs, keys):
        setattr(obj, pk.attname, key)
        obj._state.adding = False
        obj._state.db = using


@contextlib.contextmanager
def long_lived_frozen():
    """Keep the garbage collector off the objects that live as long as the process.

    Work on thousands of rows allocates hundreds of thousands of objects, which sets off the
    collector's full passes; each pass walks every object in the process — Django's models,
    URLs, templates, all of it — to find the few cycles among the new ones. ``gc.freeze()``
    moves what exists now out of the collector's sight for the duration (a fifth of a roster
    import's time), ``gc.unfreeze()`` hands it back. Objects are still freed as usual; the
    frozen ones only wait for a later pass. Process-wide: harmless if two overlap."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()

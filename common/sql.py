"""Hand-written SQL for hot paths, in the dialect SQLite and PostgreSQL share: run a statement with named
parameters, turn its rows into model instances, and update or insert a row, without the ORM's query building
(which costs several times a simple statement's execution)."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


@cache
def columns(model: type[models.Model], alias: str) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def _compiled(sql: str) -> tuple[str, tuple[str, ...]]:
    return PLACEHOLDER.sub("%s", sql), tuple(PLACEHOLDER.findall(sql))


def positional(sql: str, params: dict) -> tuple[str, list]:
    """The statement with ``%(name)s`` placeholders turned into ``%s`` and the values in their order (the one
    placeholder style both backends accept, also inside an ORM ``RawSQL``)."""
    statement, names = _compiled(sql)
    return statement, [params[name] for name in names]


def rows(sql: str, params: dict | None = None) -> list[tuple]:
    with _cursor() as run:
        return run(sql, params or {}).fetchall()


@contextmanager
def _cursor():
    """A function that runs a statement with ``%(name)s`` placeholders and returns its cursor.

    Where Django records statements (DEBUG, ``CaptureQueriesContext``, ``assertNumQueries``) or an execute wrapper
    is installed, through Django's cursor. Otherwise straight on the driver's cursor of the same connection, inside
    Django's error wrapping: Django's cursor wrapper costs more than these statements take to run (on SQLite, the
    regular expression that rewrites placeholders alone takes 60-90 µs on the due list's longer statements).

    On PostgreSQL the cursor sends the values apart from the statement (Django binds them into its text), so that
    psycopg can prepare the statement and PostgreSQL keep its plan: planning the due list's statements took longer
    than running them. See ``DATABASE_PREPARED_STATEMENTS`` in the settings."""
    database = connections[DEFAULT_DB_ALIAS]  # the proxy ``connection`` looks it up on each attribute
    if database.queries_logged or database.execute_wrappers:
        with database.cursor() as cursor:
            if database.vendor == "postgresql":
                cursor.cursor = _server_binding_cursor(cursor.cursor.connection)

            def run(sql: str, params: dict):
                cursor.execute(*positional(sql, params))
                return cursor

            yield run
        return
    database.close_if_health_check_failed()
    database.ensure_connection()
    with database.wrap_database_errors:
        if database.vendor == "postgresql":
            cursor = _server_binding_cursor(database.connection)
        else:
            cursor = database.connection.cursor()
        try:
            yield lambda sql, params: cursor.execute(_native(sql, database.vendor), params)
        finally:
            cursor.close()


def _server_binding_cursor(driver_connection):
    """A psycopg cursor that binds values on the server. Timestamps load with psycopg's own (compiled) loader:
    Django's replaces each one's time zone in Python, which took half the time of reading 20 cards."""
    import psycopg
    from psycopg.types.datetime import TimestamptzLoader

    cursor = psycopg.Cursor(driver_connection)
    cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
    return cursor


@cache
def _native(sql: str, vendor: str) -> str:
    """The statement in the driver's own placeholder style: SQLite's ``:name``; psycopg takes ``%(name)s``."""
    return PLACEHOLDER.sub(r":\1", sql) if vendor == "sqlite" else sql


def moment(value) -> datetime | None:
    """A datetime column's value as an aware UTC datetime (SQLite hands back text or naive datetimes)."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def _boolean(value):
    return None if value is None else bool(value)


@cache
def _fields(model: type[models.Model]) -> tuple[tuple[str, ...], tuple]:
    """The attribute names of the model's columns, in ``columns`` order, and each one's converter (or None)."""

    def converter(field):
        if isinstance(field, models.JSONField):
            return _json
        if isinstance(field, models.DateTimeField):
            return moment
        if isinstance(field, models.DateField):
            return _day
        if isinstance(field, models.BooleanField):
            return _boolean
        return None

    fields = model._meta.concrete_fields
    return tuple(field.attname for field in fields), tuple(converter(field) for field in fields)


def instance(model: type[models.Model], values) -> models.Model:
    """A model instance from a row of ``columns(model, ...)``, as ``Model.from_db`` makes it but without
    ``__init__``'s per-field work (the model's ``__init__`` and its init signals are not run; none of the models
    read here has either)."""
    names, converters = _fields(model)
    loaded = model.__new__(model)
    loaded.__dict__.update(
        zip(
            names,
            [value if convert is None else convert(value) for convert, value in zip(converters, values, strict=True)],
            strict=True,
        )
    )
    loaded._state = models.base.ModelState()
    loaded._state.adding, loaded._state.db = False, DEFAULT_DB_ALIAS
    return loaded


def update(instance: models.Model, names: tuple[str, ...]) -> None:
    """``instance.save(update_fields=names)`` without the ORM's query building."""
    statement, fields = _update_statement(type(instance), names)
    values = {field.attname: field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields}
    with _cursor() as run:
        run(statement, {**values, "pk": instance.pk})


@cache
def _update_statement(model: type[models.Model], names: tuple[str, ...]) -> tuple[str, tuple[models.Field, ...]]:
    fields = tuple(model._meta.get_field(name) for name in names)
    sets = ", ".join(f'"{field.column}" = %({field.attname})s' for field in fields)
    return f'UPDATE "{model._meta.db_table}" SET {sets} WHERE id = %(pk)s', fields


def insert(instance: models.Model, *, unless_exists: tuple[str, ...] = ()) -> bool:
    """``instance.save()`` of a new row without the ORM's query building; the id stays unset. With
    ``unless_exists`` (the columns of a unique constraint) a row that would break the constraint is not written.
    Returns whether the row was written."""
    fields = _written_fields(type(instance))
    values = {field.attname: field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields}
    with _cursor() as run:
        return run(_insert_statement(type(instance), unless_exists), values).rowcount == 1


@cache
def _written_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(field for field in model._meta.concrete_fields if not field.primary_key)


@cache
def _insert_statement(model: type[models.Model], unless_exists: tuple[str, ...]) -> str:
    fields = _written_fields(model)
    columns = ", ".join(f'"{field.column}"' for field in fields)
    placeholders = ", ".join(f"%({field.attname})s" for field in fields)
    conflict = f" ON CONFLICT ({', '.join(unless_exists)}) DO NOTHING" if unless_exists else ""
    return f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({placeholders}){conflict}'

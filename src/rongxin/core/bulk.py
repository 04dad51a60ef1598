"""Raw bulk writes for the set-based paths (synthetic data, imports, the ledger's bulk append).

Rows are tuples in the order of a :class:`TableSpec`'s columns. ``executemany`` on SQLite and
``COPY`` on PostgreSQL: the fastest raw method of each engine, on Django's own connection (so
inside Django's transaction). Table and column names come from the models' ``_meta``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.core.management.color import no_style
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class TableSpec:
    table: str
    columns: tuple[str, ...]

    @classmethod
    def of(cls, model: type[models.Model], fields: Iterable[str]) -> TableSpec:
        meta = model._meta
        return cls(meta.db_table, tuple(str(cast(models.Field, meta.get_field(name)).column) for name in fields))


class BulkWriter:
    """Raw bulk inserts on one connection: ``executemany`` or PostgreSQL ``COPY``.

    Rows are tuples in the order of the spec's columns, already in a form both engines accept
    (datetimes as text, see :attr:`CountyPlan.datetime_suffix`).
    """

    def __init__(self, conn: BaseDatabaseWrapper, *, method: str = "auto"):
        if method == "auto":
            method = "copy" if conn.vendor == "postgresql" else "executemany"
        if method not in ("copy", "executemany"):
            raise ValueError(f"unknown write method {method!r}")
        if method == "copy" and conn.vendor != "postgresql":
            raise ValueError("COPY needs PostgreSQL")
        self.connection = conn
        self.method = method
        self.cursor = conn.cursor()
        self._sql: dict[TableSpec, str] = {}

    def _statement(self, spec: TableSpec) -> str:
        sql = self._sql.get(spec)
        if sql is None:
            qn = self.connection.ops.quote_name
            cols = ", ".join(qn(c) for c in spec.columns)
            if self.method == "copy":
                sql = f"COPY {qn(spec.table)} ({cols}) FROM STDIN"
            else:
                # Table and column names come from the models' _meta, quoted; values are parameters.
                sql = f"INSERT INTO {qn(spec.table)} ({cols}) VALUES ({', '.join(['%s'] * len(spec.columns))})"  # noqa: S608
            self._sql[spec] = sql
        return sql

    def write(self, spec: TableSpec, rows: list[tuple]) -> int:
        if not rows:
            return 0
        sql = self._statement(spec)
        if self.method == "copy":
            with self.cursor.cursor.copy(sql) as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
        else:
            self.cursor.executemany(sql, rows)
        return len(rows)

    def reset_sequences(self, model_list: Iterable[type[models.Model]]) -> None:
        """After explicit ids: move PostgreSQL's sequences past them (a no-op on SQLite)."""
        for sql in self.connection.ops.sequence_reset_sql(no_style(), list(model_list)):
            self.cursor.execute(sql)

    def close(self) -> None:
        self.cursor.close()


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    # Exactly what Django's SQLite backend writes for an aware datetime with USE_TZ: naive UTC
    # text (``str()`` of the naive value), so text comparisons in SQL stay correct.
    if value is None:
        return None
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _same(value: dt.datetime | None) -> dt.datetime | None:
    return value


def datetime_adapter(conn: BaseDatabaseWrapper) -> Callable[[dt.datetime | None], Any]:
    """A fast function that turns an aware datetime into what the engine stores (SQLite: text;
    PostgreSQL: the datetime itself)."""
    return _sqlite_datetime if conn.vendor == "sqlite" else _same


def adapt_datetime(conn: BaseDatabaseWrapper, value: dt.datetime | None) -> Any:
    return datetime_adapter(conn)(value)


class TempIds:
    """A temporary one-column table of ids to join against (instead of huge IN lists)."""

    def __init__(self, conn: BaseDatabaseWrapper, name: str, ids: Iterable[int]):
        self.connection = conn
        self.name = name
        qn = conn.ops.quote_name
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {qn(name)}")
            cur.execute(f"CREATE TEMPORARY TABLE {qn(name)} (id BIGINT PRIMARY KEY)")
            rows = [(i,) for i in sorted(set(ids))]
            if conn.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {qn(name)} (id) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cur.executemany(f"INSERT INTO {qn(name)} (id) VALUES (%s)", rows)  # noqa: S608 - name is ours

    def drop(self) -> None:
        with self.connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {self.connection.ops.quote_name(self.name)}")

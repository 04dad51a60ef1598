"""Rate-limit counters in the project's database, each step one atomic statement.

django-ratelimit counts with ``cache.add(key, 1, timeout)`` and, when the key exists,
``cache.incr(key)``. Django's ``DatabaseCache`` does neither atomically (``incr`` is a read and a
write, so concurrent requests lose counts) and spends about seven statements on the pair (a
``COUNT(*)`` of the whole table for culling before every write). This backend keeps counters in
``core_ratecounter``: ``add`` is one ``INSERT ... ON CONFLICT`` that takes the key only when it is
absent or expired, ``incr`` one ``UPDATE ... RETURNING``; expired rows are deleted by the worker
(``core.purge_rate_counters``). Both engines support the statements (SQLite 3.35+, PostgreSQL).
It serves counters only: values are integers.

    CACHES = {"ratelimit": {"BACKEND": "rongxin.core.counters.CounterCache"}}
    RATELIMIT_USE_CACHE = "ratelimit"
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connections, router

from rongxin.core.models import RateCounter

FOREVER = 1e18


class CounterCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]):
        super().__init__(params)

    # --- plumbing -------------------------------------------------------------------------
    def _connection(self, write: bool) -> Any:
        alias = (router.db_for_write if write else router.db_for_read)(RateCounter)
        return connections[alias]

    def _key(self, key: Any, version: int | None) -> str:
        key = self.make_key(key, version)
        self.validate_key(key)
        return str(key)

    def _expires(self, timeout: Any) -> float:
        expires = self.get_backend_timeout(timeout)  # BaseCache gives the time it ends (epoch)
        return FOREVER if expires is None else float(expires)

    @staticmethod
    def _integer(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"the rate-limit counter store keeps integers, not {type(value).__name__}")
        return value

    def _table(self, conn: Any) -> str:
        # The only name put into the SQL text: the model's table, quoted; values are parameters.
        return str(conn.ops.quote_name(RateCounter._meta.db_table))

    # --- the cache API --------------------------------------------------------------------
    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        """Set ``key`` to ``value`` only if it is absent or expired; True if it was set."""
        conn = self._connection(write=True)
        table = self._table(conn)
        now = time.time()
        with conn.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} (name, value, expires) VALUES (%s, %s, %s) "  # noqa: S608
                f"ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires = excluded.expires "
                f"WHERE {table}.expires <= %s RETURNING value",
                [self._key(key, version), self._integer(value), self._expires(timeout), now],
            )
            return cur.fetchone() is not None

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        """Add ``delta`` and return the new value; ValueError if the key is absent or expired."""
        conn = self._connection(write=True)
        with conn.cursor() as cur:
            cur.execute(
                f"UPDATE {self._table(conn)} SET value = value + %s WHERE name = %s AND expires > %s RETURNING value",  # noqa: S608
                [self._integer(delta), self._key(key, version), time.time()],
            )
            row = cur.fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return int(row[0])

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        conn = self._connection(write=False)
        with conn.cursor() as cur:
            cur.execute(
                f"SELECT value FROM {self._table(conn)} WHERE name = %s AND expires > %s",  # noqa: S608
                [self._key(key, version), time.time()],
            )
            row = cur.fetchone()
        return default if row is None else int(row[0])

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        conn = self._connection(write=True)
        with conn.cursor() as cur:
            cur.execute(
                f"INSERT INTO {self._table(conn)} (name, value, expires) VALUES (%s, %s, %s) "  # noqa: S608
                f"ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires = excluded.expires",
                [self._key(key, version), self._integer(value), self._expires(timeout)],
            )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        conn = self._connection(write=True)
        with conn.cursor() as cur:
            cur.execute(
                f"UPDATE {self._table(conn)} SET expires = %s WHERE name = %s AND expires > %s",  # noqa: S608
                [self._expires(timeout), self._key(key, version), time.time()],
            )
            return bool(cur.rowcount)

    def delete(self, key: Any, version: int | None = None) -> bool:
        conn = self._connection(write=True)
        with conn.cursor() as cur:
            cur.execute(f"DELETE FROM {self._table(conn)} WHERE name = %s", [self._key(key, version)])  # noqa: S608
            return bool(cur.rowcount)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self.get(key, version=version) is not None

    def clear(self) -> None:
        conn = self._connection(write=True)
        with conn.cursor() as cur:
            cur.execute(f"DELETE FROM {self._table(conn)}")  # noqa: S608


def purge_expired(now: float | None = None) -> int:
    """Delete the counters whose window has passed; the number deleted."""
    deleted, _ = RateCounter.objects.filter(expires__lte=time.time() if now is None else now).delete()
    return deleted

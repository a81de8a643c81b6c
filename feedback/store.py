"""The database: one engine per process, short sessions per unit of work.

SQLite (the embedded default, a file under the data directory) and PostgreSQL (a DSN) share
one code path. On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` so that
concurrent writers queue instead of failing half-way; on PostgreSQL rows are locked with
``SELECT … FOR UPDATE`` where order matters.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from sqlalchemy import Insert, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from feedback import models  # noqa: F401  (registers the tables)
from feedback.migrate import upgrade


class Store:
    """Owns the engine; hands out sessions."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._writer = threading.RLock()
        if self.is_sqlite:
            self.engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30}
            )
            _serialise_sqlite_writes(self.engine)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        if migrate:
            upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self._writer_slot(), Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @property
    def write_lanes(self) -> int:
        """How many write transactions of this process are worth running at once."""
        return 1 if self.is_sqlite else 4

    def _writer_slot(self) -> AbstractContextManager:
        """SQLite has one writer at a time. Threads of this process queue on a lock for it
        rather than on SQLite's busy handler, which sleeps in steps of up to 100 ms and so
        makes a waiting writer miss the moment the database frees up. (Other processes
        still meet the busy handler; PostgreSQL locks rows, not the database.)"""
        return self._writer if self.is_sqlite else nullcontext()

    def insert_ignoring_duplicates(self, model: type[SQLModel]) -> Insert:
        """``INSERT`` that skips a row clashing with a unique constraint (no error raised;
        it returns the new row's id, or no row when it was a duplicate)."""
        return insert_ignoring_duplicates(self.engine.dialect.name, model)

    def dispose(self) -> None:
        self.engine.dispose()


@functools.cache
def insert_ignoring_duplicates(dialect: str, model: type[SQLModel]) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id`` for ``dialect`` (sqlite, postgresql):
    a row back means the row was new (``rowcount`` is no guide: drivers differ)."""
    table = model.__table__  # type: ignore[attr-defined]
    dialect_insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    return dialect_insert(table).on_conflict_do_nothing().returning(table.c.id)


def _serialise_sqlite_writes(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

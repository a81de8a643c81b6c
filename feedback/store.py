"""The database: one engine per process, short sessions per unit of work.

SQLite (the embedded default, a file under the data directory) and PostgreSQL (a DSN) share
one code path. On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` so that
concurrent writers queue instead of failing half-way; on PostgreSQL rows are locked with
``SELECT … FOR UPDATE`` where order matters.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Executable, Insert, event, make_url
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from feedback import models  # noqa: F401  (registers the tables)
from feedback.migrate import upgrade
from feedback.models import table_of


class Store:
    """Owns the engine; hands out sessions."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # SQLite's one writer at a time (see SqliteWriterSlot); PostgreSQL locks rows, not
        # the database, so there nothing is held.
        self._writer: AbstractContextManager = nullcontext()
        if self.is_sqlite:
            create_private_file(make_url(url).database)
            self._writer = SqliteWriterSlot(make_url(url).database)
            self.engine: Engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": 30},
                hide_parameters=True,  # errors never log a citizen's words or numbers
            )
            _serialise_sqlite_writes(self.engine)
        else:
            self.engine = create_engine(
                url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
            )
        if migrate:
            upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self._writer, Session(self.engine, expire_on_commit=False) as session:
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

    def insert_ignoring_duplicates(self, model: type[SQLModel]) -> Insert:
        """``INSERT`` that skips a row clashing with a unique constraint (no error raised;
        it returns the new row's id, or no row when it was a duplicate)."""
        return insert_ignoring_duplicates(self.engine.dialect.name, model)

    def dispose(self) -> None:
        self.engine.dispose()
        if isinstance(self._writer, SqliteWriterSlot):
            self._writer.close()


class DeferredWrites:
    """Writes that may wait for the end of their transaction, gathered so that each statement
    runs once with all its rows (one ``executemany``) rather than once a row.

    For rows nothing in the transaction reads back: a batch of turns logs its messages,
    queues its replies and settles its inbound messages this way.
    """

    def __init__(self) -> None:
        self._rows: dict[int, tuple[Executable, list[dict]]] = {}

    def add(self, statement: Executable, row: dict) -> None:
        """Run ``statement`` with ``row`` when :meth:`run` is called."""
        self._rows.setdefault(id(statement), (statement, []))[1].append(row)

    def run(self, session: Session) -> None:
        """Execute everything gathered, statement by statement, in the order first added."""
        connection = session.connection()
        for statement, rows in self._rows.values():
            connection.execute(statement, rows)
        self._rows.clear()


WRITER_TIMEOUT = 30.0  # seconds a writer waits for another process's write to end


class SqliteWriterSlot:
    """The right to write to one SQLite database, queued for across threads and processes.

    SQLite has one writer at a time, and a writer that finds it busy waits in SQLite's busy
    handler, which sleeps in steps of up to 100 ms and so misses the moment the database
    frees up. Writers queue here instead, on a thread lock and then on an ``flock`` on a
    file beside the database (server workers are separate processes), looked at every few
    milliseconds. Re-entrant within a thread.
    """

    def __init__(self, database: str | None) -> None:
        self._threads = threading.RLock()
        self._depth = 0
        self._file: int | None = None
        if database and database != ":memory:":
            self._file = os.open(f"{database}.writer", os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> None:
        self._threads.acquire()
        self._depth += 1
        if self._depth == 1 and self._file is not None:
            try:
                self._lock_file()
            except BaseException:
                self._depth -= 1
                self._threads.release()
                raise

    def _lock_file(self) -> None:
        """Take the file lock, checking every few milliseconds; give up after
        ``WRITER_TIMEOUT`` seconds, as SQLite's own busy timeout would."""
        assert self._file is not None
        deadline = time.monotonic() + WRITER_TIMEOUT
        pause = 0.0005
        while True:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"the SQLite writer was busy for {WRITER_TIMEOUT:.0f} s"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.005)

    def close(self) -> None:
        """Give back the lock file (the store is done with)."""
        with self._threads:
            if self._file is not None:
                os.close(self._file)
                self._file = None

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()


def create_private_file(database: str | None) -> None:
    """Create the SQLite file readable by its owner only (0600), whatever the umask; SQLite
    gives its -wal and -shm files the database file's permissions."""
    if not database or database == ":memory:" or os.path.exists(database):
        return
    with contextlib.suppress(FileExistsError):  # another worker made it first
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@functools.cache
def insert_ignoring_duplicates(dialect: str, model: type[SQLModel]) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id`` for ``dialect`` (sqlite, postgresql):
    a row back means the row was new (``rowcount`` is no guide: drivers differ)."""
    table = table_of(model)
    dialect_insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    return dialect_insert(table).on_conflict_do_nothing().returning(table.c.id)


def _serialise_sqlite_writes(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

"""A local journal of replies a platform has accepted, written the instant the send returns.

Between a platform accepting a reply and the outbox row's "sent" mark committing there is a
window: the mark waits for the database's writer and commits together with others. A server
killed inside that window would, once restarted, send those replies again. The journal
closes most of it. An append to a file outlives the process that wrote it (the kernel holds
the data), and a starting server marks what dead servers journalled as sent before it claims
anything. Each server holds an ``flock`` on its own journal for as long as it lives, so a
journal whose lock can be taken belongs to a process that is gone.

What stays open: every send the platform had taken in and not yet answered when the process
died. The server dies not knowing, and the send goes out again after the restart. No client
can close that without an idempotency key, and none of the three platforms offers one for
sends; not resending could lose a reply instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

ROTATE_AFTER = 100_000  # records a file (about 1 MB)


class SentJournal:
    """This process's journal: :meth:`record` after a send, :meth:`settled` after the mark."""

    def __init__(
        self, directory: Path, database: str = "", rotate_after: int = ROTATE_AFTER
    ) -> None:
        """Journal in ``directory`` for the outbox of ``database`` (its URL): row ids mean
        something only there, so journals of another database are never read as this one's."""
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # files in it are 0600
        self.directory = directory
        self.label = database_label(database)
        self.rotate_after = rotate_after
        self._lock = threading.Lock()
        self._unsettled: dict[Path, int] = {}
        self._records = 0
        self._path, self._fd = _open_locked(directory, self.label)

    def record(self, row_id: int) -> Path:
        """Note that outbox row ``row_id`` was accepted by its platform; returns the file to
        hand back to :meth:`settled` once the row's "sent" mark has committed."""
        with self._lock:
            os.write(self._fd, b"%d\n" % row_id)
            path = self._path
            self._unsettled[path] = self._unsettled.get(path, 0) + 1
            self._records += 1
            if self._records >= self.rotate_after:
                self._rotate()
            return path

    def settled(self, paths: Iterable[Path]) -> None:
        """These records' rows are marked sent in the database: their files may go."""
        with self._lock:
            for path in paths:
                self._unsettled[path] -= 1
                if path != self._path and self._unsettled[path] == 0:
                    del self._unsettled[path]
                    path.unlink(missing_ok=True)

    def _rotate(self) -> None:
        old_path, old_fd = self._path, self._fd
        self._path, self._fd = _open_locked(self.directory, self.label)
        self._records = 0
        os.close(old_fd)  # records not yet settled stay on disk until they are
        if self._unsettled.get(old_path, 0) == 0:
            self._unsettled.pop(old_path, None)
            old_path.unlink(missing_ok=True)

    def anywhere(self, row_id: int) -> bool:
        """Whether any journal of this database here, living servers' included, records
        ``row_id`` as sent.

        For a row whose lease ran out: the server holding it may have sent it and still be
        waiting for its "sent" mark to commit (a slow writer); it must not go out twice.
        Only complete lines count (a record being appended this instant is not half-read).
        """
        return _journalled(self.directory, self.label, row_id)

    def close(self) -> None:
        """Stop journalling (the server is stopping); files with unsettled records stay."""
        with self._lock:
            os.close(self._fd)
            if self._unsettled.get(self._path, 0) == 0:
                self._path.unlink(missing_ok=True)


def database_label(database: str) -> str:
    """A short name for a database URL, part of its journals' file names."""
    return hashlib.sha256(database.encode("utf-8")).hexdigest()[:12]


def _open_locked(directory: Path, label: str) -> tuple[Path, int]:
    """A new journal file, locked before it takes a name a replayer would look at."""
    name = f"sent-{label}-{uuid.uuid4().hex}"
    staging = directory / f"{name}.new"
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    path = directory / f"{name}.log"
    os.rename(staging, path)
    return path, fd


def orphaned_records(
    directory: Path, database: str = ""
) -> tuple[set[int], list[tuple[Path, int]]]:
    """Row ids in journals of ``database`` whose writers are gone, and those journals (each
    still locked by the caller: pass them to :func:`discard` once the ids are marked sent)."""
    ids: set[int] = set()
    taken: list[tuple[Path, int]] = []
    for path in sorted(directory.glob(f"sent-{database_label(database)}-*.log")):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:  # another starting server took it first
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # its server is alive
            os.close(fd)
            continue
        with open(fd, "rb", closefd=False) as journal:
            ids.update(int(line) for line in journal.read().split() if line.isdigit())
        taken.append((path, fd))
    return ids, taken


def _journalled(directory: Path, label: str, row_id: int) -> bool:
    wanted = b"%d" % row_id
    for path in directory.glob(f"sent-{label}-*.log"):
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # settled and removed meanwhile
            continue
        if wanted in data.split(b"\n")[:-1]:
            return True
    return False


def discard(taken: list[tuple[Path, int]]) -> None:
    """Remove journals returned by :func:`orphaned_records` and drop their locks."""
    for path, fd in taken:
        path.unlink(missing_ok=True)
        os.close(fd)


def release(taken: list[tuple[Path, int]]) -> None:
    """Drop the locks on journals returned by :func:`orphaned_records`, keeping the files
    (their ids could not be marked: the next attempt reads them again)."""
    for _, fd in taken:
        os.close(fd)

"""The journal of accepted sends: what a killed server sent is marked sent, not sent again."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.contract.messages import Reply
from bot.delivery.outbox import enqueue, mark_journalled_sent
from bot.delivery.sent_journal import SentJournal, discard, orphaned_records
from feedback.models import OutboxMessage
from feedback.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _journalling_process(directory, database: str, ids: list[int]) -> subprocess.Popen:
    """A process that journals ``ids`` of ``database`` as sent and then waits to be killed."""
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from bot.delivery.sent_journal import SentJournal
        journal = SentJournal(Path({str(directory)!r}), {database!r})
        for row_id in {ids!r}:
            journal.record(row_id)
        print("journalled", flush=True)
        time.sleep(60)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "journalled"
    return process


def test_a_killed_servers_sends_are_marked_sent_and_a_live_ones_are_left(tmp_path, store):
    directory = tmp_path / "journal"
    with store.session() as session:
        enqueue(session, "zalo", "u1", [Reply("một"), Reply("hai"), Reply("ba")])
    with store.session() as session:
        ids = [row.id for row in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))]

    alive = _journalling_process(directory, store.url, ids[:1])
    killed = _journalling_process(directory, store.url, ids[1:])
    elsewhere = _journalling_process(directory, "sqlite:///another.db", ids)
    elsewhere.send_signal(signal.SIGKILL)  # a dead server of another database
    elsewhere.wait()
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    try:
        assert mark_journalled_sent(store, directory) == 2
        with store.session() as session:
            status = {row.id: row.status for row in session.exec(select(OutboxMessage))}
        assert status == {ids[0]: "pending", ids[1]: "sent", ids[2]: "sent"}
        # The dead server's journal is gone; the living one's and the other database's stay.
        assert len(list(directory.glob("sent-*.log"))) == 2
        assert orphaned_records(directory, store.url)[0] == set()
    finally:
        alive.kill()
        alive.wait()
    assert mark_journalled_sent(store, directory) == 1
    assert len(list(directory.glob("sent-*"))) == 1  # another database's rows aren't ours


def test_journal_files_go_once_their_records_are_settled(tmp_path):
    directory = tmp_path / "journal"
    journal = SentJournal(directory, rotate_after=2)
    first = [journal.record(1), journal.record(2)]  # fills the first file; a new one opens
    latest = journal.record(3)
    assert first[0] == first[1] != latest
    assert sorted(directory.glob("sent-*.log")) == sorted({first[0], latest})
    journal.settled(first)
    assert list(directory.glob("sent-*.log")) == [latest]
    journal.settled([latest])
    journal.close()
    assert not list(directory.glob("sent-*"))


def test_a_stopping_server_keeps_records_whose_marks_never_committed(tmp_path):
    directory = tmp_path / "journal"
    journal = SentJournal(directory)
    journal.record(41)
    journal.close()  # stopped before the "sent" mark of row 41 committed
    ids, taken = orphaned_records(directory)
    assert ids == {41}
    discard(taken)
    assert not list(directory.glob("sent-*"))


def test_journals_stay_for_the_next_attempt_when_the_database_fails(tmp_path):
    directory = tmp_path / "journal"
    unready = Store(f"sqlite:///{tmp_path / 'empty.db'}", migrate=False)  # no tables yet
    journal = SentJournal(directory, unready.url)
    journal.record(5)
    journal.close()  # its server stopped before the mark of row 5 committed
    with pytest.raises(OperationalError):
        mark_journalled_sent(unready, directory)
    unready.dispose()
    # Nothing was lost and nothing stays locked: the next attempt finds the record again.
    ids, taken = orphaned_records(directory, unready.url)
    discard(taken)
    assert ids == {5}

"""The store on SQLite and PostgreSQL: migrations, personal data in logs, retention."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from feedback.conversations import (
    SAVE_CONVERSATION,
    _conversations_of,
    lock_conversation,
    lock_conversations,
    log_message,
    saved_values,
)
from feedback.escalations import open_case
from feedback.models import (
    Conversation,
    FeedbackItem,
    InboundMessage,
    Message,
    OutboxMessage,
    utcnow,
)
from feedback.privacy import MaskingFilter, mask_pii, purge_old_conversations
from feedback.queues import claim_heads_of
from feedback.store import Store
from feedback.tickets import create_feedback, find_ticket_code
from feedback.users import add_user, authenticate


def test_migrations_record_the_schema_version(store):
    with store.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == "0008"  # the newest migration (0008_dossier_events)


def test_phone_and_id_numbers_are_masked():
    assert mask_pii("gọi em 0912 345 678 nhé") == "gọi em 09******78 nhé"
    assert mask_pii("sđt +84912345678") == "sđt 84*******78"
    assert mask_pii("CCCD 001203004567 ạ") == "CCCD 00********67 ạ"
    assert mask_pii("mã thủ tục 1.001193, năm 2026") == "mã thủ tục 1.001193, năm 2026"


def test_logs_never_carry_phone_numbers(caplog):
    logger = logging.getLogger("motcua.test")
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="motcua.test"):
        logger.info("citizen left phone %s and id %s", "0987654321", "012345678901")
    assert "0987654321" not in caplog.text and "012345678901" not in caplog.text
    assert "09******21" in caplog.text


def test_passwords_are_hashed_and_checked(store):
    with store.session() as session:
        user = add_user(session, "Lan.Nguyen", "một mật khẩu dài", "staff")
        assert user.password_hash.startswith("$argon2")
    with store.session() as session:
        assert authenticate(session, "lan.nguyen", "một mật khẩu dài") is not None
        assert authenticate(session, "lan.nguyen", "sai") is None
        assert authenticate(session, "nobody", "một mật khẩu dài") is None


def test_a_batch_of_turns_locks_its_citizens_conversations_at_once(store):
    with store.session() as session:
        first = {user: lock_conversation(session, "zalo", user).id for user in ("an", "binh")}
    with store.session() as session:
        found = lock_conversations(
            session, [("zalo", "an"), ("zalo", "binh"), ("zalo", "chi"), ("zalo", "an")]
        )
        # the known citizens keep their conversations; "chi" is new and gets one
        assert sorted(found) == [("zalo", "an"), ("zalo", "binh"), ("zalo", "chi")]
        assert {user: found[("zalo", user)].id for user in first} == first
        assert found[("zalo", "chi")].id not in first.values()
        assert all(c.user_id == user and c.mode == "bot" for (_, user), c in found.items())
        if store.is_sqlite:  # each citizen is a seek in the unique index, not a scan
            query = _conversations_of().params(channel="zalo", users=["an", "binh"])
            sql = query.compile(
                store.engine, compile_kwargs={"literal_binds": True, "render_postcompile": True}
            )
            plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
            assert "(channel=? AND user_id=?)" in " ".join(row[-1] for row in plan)
        else:  # SQLite's write transaction excludes everyone anyway
            with store.engine.connect() as other:
                other.execute(text("SET lock_timeout = '200ms'"))
                with pytest.raises(OperationalError):
                    other.execute(
                        text("SELECT id FROM conversation WHERE user_id = 'binh' FOR UPDATE")
                    )


def test_retention_purges_old_conversations_but_keeps_open_work(store):
    old = utcnow() - timedelta(days=400)
    with store.session() as session:
        stale = lock_conversation(session, "zalo", "old-quiet")
        log_message(session, stale, "in", "đăng ký khai sinh", "citizen")
        pending = lock_conversation(session, "zalo", "old-with-feedback")
        item = create_feedback(
            session,
            channel="zalo",
            user_id="old-with-feedback",
            category="complaint",
            content="chưa được giải quyết",
            conversation_id=pending.id,
        )
        waiting = lock_conversation(session, "messenger", "old-escalated")
        open_case(session, waiting, "requested")
        lock_conversation(session, "web", "recent")
        for conversation in (stale, pending, waiting):
            conversation.updated_at = old
            session.connection().execute(SAVE_CONVERSATION, saved_values(conversation))
        ticket = item.ticket
    assert purge_old_conversations(store, retention_days=365) == 1
    with store.session() as session:
        users = {c.user_id for c in session.exec(select(Conversation)).all()}
        assert users == {"old-with-feedback", "old-escalated", "recent"}
        assert session.exec(select(Message)).all() == []
        kept = session.exec(select(FeedbackItem)).one()
    assert find_ticket_code(kept.ticket) == ticket


@pytest.mark.parametrize("model", [InboundMessage, OutboxMessage])
def test_claiming_one_citizens_next_row_seeks_the_queue_index(tmp_path, model):
    """A turn or a settlement claims its citizens' next rows: with thousands of replies
    pending behind a platform outage, that must stay a seek, not a read of the queue."""
    store = Store(f"sqlite:///{tmp_path / 'plan.db'}")
    statements: list[tuple[str, tuple]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    with store.session() as session:
        citizens = [("zalo", "an"), ("zalo", "binh")]
        claim_heads_of(session.connection(), model, citizens, timedelta(seconds=60), 5)
    event.remove(store.engine, "before_cursor_execute", record)
    ((statement, parameters),) = statements
    with store.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    store.dispose()
    first_step = plan[0][-1]
    assert "_queue (status=? AND channel=? AND user_id=?)" in first_step, plan

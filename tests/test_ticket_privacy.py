"""A ticket's status is told to the conversation that filed it, or to someone who also gives
the last 4 digits of the phone number left with it; guessing those digits soon stops working."""

from __future__ import annotations

from sqlmodel import select

from feedback.models import FeedbackEvent, FeedbackItem
from feedback.tickets import STATUS_REFUSALS_PER_DAY, find_ticket_code, may_see_status
from tests.conftest import Chat

STATUS_WORDS = "đã tiếp nhận"


def _file(chat: Chat, phone: str | None) -> str:
    chat.say("phản ánh")
    chat.say("Bộ phận một cửa xã hẹn trả kết quả nhưng quá hạn 5 ngày chưa có")
    chat.say("Lê Văn Cường")
    chat.say(phone) if phone else chat.press("fb:skip")
    chat.press("fb:send")
    ticket = find_ticket_code(chat.text)
    assert ticket
    return ticket


def test_only_the_filing_conversation_or_the_phone_digits_see_the_status(engine):
    ticket = _file(Chat(engine, "zalo", "z-owner"), "0912 345 678")
    owner_elsewhere = Chat(engine, "zalo", "z-owner")  # the same conversation, later
    owner_elsewhere.say(ticket)
    assert STATUS_WORDS in owner_elsewhere.text
    stranger = Chat(engine, "messenger", "m-stranger")
    stranger.say(ticket)
    assert STATUS_WORDS not in stranger.text and "4 số cuối" in stranger.text
    stranger.say(f"{ticket} 1234")
    assert STATUS_WORDS not in stranger.text
    stranger.say(f"tra cứu {ticket} số cuối 5678")
    assert STATUS_WORDS in stranger.text
    same_user_other_channel = Chat(engine, "telegram", "z-owner")
    same_user_other_channel.say(ticket)
    assert STATUS_WORDS not in same_user_other_channel.text


def test_a_ticket_without_a_phone_is_seen_only_where_it_was_filed(engine):
    ticket = _file(Chat(engine, "web", "a" * 32), None)
    other = Chat(engine, "web", "b" * 32)
    other.say(f"{ticket} 0000")
    assert STATUS_WORDS not in other.text and "chỉ xem được" in other.text


def test_guessing_the_digits_stops_working_after_a_few_tries(engine):
    ticket = _file(Chat(engine, "zalo", "z-guessed"), "0987654321")
    guesser = Chat(engine, "web", "c" * 32)
    for guess in range(STATUS_REFUSALS_PER_DAY):
        guesser.say(f"{ticket} {1000 + guess}")
        assert STATUS_WORDS not in guesser.text
    guesser.say(f"{ticket} 4321")  # right, but too late
    assert STATUS_WORDS not in guesser.text
    with engine.store.session() as session:
        refusals = session.exec(
            select(FeedbackEvent).where(FeedbackEvent.action == "status_refused")
        ).all()
    assert len(refusals) == STATUS_REFUSALS_PER_DAY + 1
    owner = Chat(engine, "zalo", "z-guessed")
    owner.say(ticket)
    assert STATUS_WORDS in owner.text


def test_the_ticket_code_itself_is_not_taken_for_phone_digits(store):
    with store.session() as session:
        item = FeedbackItem(
            ticket="GY-2345AB",
            channel="zalo",
            user_id="z-code",
            category="complaint",
            content="Trả kết quả chậm",
            phone="0912342345",
        )
        session.add(item)
        session.flush()
        assert not may_see_status(session, item, "web", "d" * 32, "GY-2345AB")
        assert not may_see_status(session, item, "web", "d" * 32, "gy 2345ab")
        assert may_see_status(session, item, "web", "d" * 32, "GY-2345AB 2345")

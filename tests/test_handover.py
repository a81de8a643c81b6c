"""The hand-over tells the truth (issue 16, items 1-5), as transcripts on SQLite and
PostgreSQL: when staff will answer, who is speaking, no case opened by keyboard mashing,
ticket codes found anywhere in a message, and feedback kinds with the staff answer kept."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.conversation.engine import Engine
from bot.conversation.office_hours import OfficeHours
from bot.delivery.staff import StaffDesk
from bot.shell.config import Settings
from feedback.models import (
    EscalationCase,
    FeedbackEvent,
    FeedbackItem,
    OutboxMessage,
    UnansweredQuestion,
)
from feedback.tickets import create_feedback, find_ticket_code
from feedback.users import add_user
from tests.conftest import Chat
from tests.test_staff_web import Browser, make_user

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SATURDAY = datetime(2026, 11, 28, 10, 0, tzinfo=HANOI)
MONDAY_MORNING = datetime(2026, 11, 30, 9, 0, tzinfo=HANOI)


class Clock:
    """The engine's clock, set by the test."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(SATURDAY)


@pytest.fixture
def engine(hybrid_retriever, store, clock) -> Engine:
    return Engine(hybrid_retriever, store, clock=clock)


def _cases(engine: Engine) -> list[EscalationCase]:
    with engine.store.session() as session:
        return list(session.exec(select(EscalationCase)).all())


def _outbox(engine: Engine) -> list[str]:
    with engine.store.session() as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [json.loads(row.body)["text"] for row in rows]


# --- 1. office hours -----------------------------------------------------------------------


def test_next_opening_in_words():
    hours = OfficeHours(holidays=(date(2026, 12, 1),))  # a Tuesday made a holiday
    friday_evening = datetime(2026, 11, 27, 17, 5, tzinfo=HANOI)
    assert hours.when_words(friday_evening, "vi") == "sáng thứ Hai 7:30"
    assert hours.when_words(friday_evening, "en") == "Monday 7:30"
    lunch = datetime(2026, 11, 30, 12, 0, tzinfo=HANOI)
    assert not hours.is_open(lunch)
    assert hours.when_words(lunch, "vi") == "chiều nay 13:30"
    monday_evening = datetime(2026, 11, 30, 18, 0, tzinfo=HANOI)
    assert hours.when_words(monday_evening, "vi") == "sáng thứ Tư 7:30"  # Tuesday is off
    assert hours.is_open(MONDAY_MORNING)


def test_office_hours_are_configured_from_the_environment():
    settings = Settings.from_env(
        {
            "MOTCUA_OFFICE_DAYS": "1-6",
            "MOTCUA_OFFICE_HOURS": "8:00-12:00",
            "MOTCUA_HOLIDAYS": "2026-11-30, 2026-12-01",
        }
    )
    hours = settings.office_hours
    assert hours.when_words(SATURDAY, "vi") == "sáng thứ Tư 8:00"  # Saturday 10:00 is open
    assert hours.is_open(SATURDAY)
    assert Settings.from_env({}).office_hours == OfficeHours()
    with pytest.raises(ValueError, match="7:30-11:30"):
        Settings.from_env({"MOTCUA_OFFICE_HOURS": "sáng"})
    with pytest.raises(ValueError, match="2026-09-02"):
        Settings.from_env({"MOTCUA_HOLIDAYS": "2/9"})


def test_escalating_on_a_weekend_says_when_staff_will_reply(chat):
    chat.say("gặp nhân viên")
    assert "sáng thứ Hai 7:30" in chat.text
    assert "ngay" not in chat.text.split()


def test_escalating_in_office_hours_promises_no_instant_reply(chat, clock):
    clock.at = MONDAY_MORNING
    chat.say("I want to talk to a human")
    assert "a few minutes" in chat.text and "Monday 7:30" not in chat.text


def test_while_waiting_the_citizen_gets_a_note_now_and_then_and_answers_to_procedures(
    chat, engine, clock
):
    chat.say("gặp nhân viên")
    chat.say("alo có ai không")
    assert "đã chuyển tin nhắn cho cán bộ" in chat.text and "sáng thứ Hai 7:30" in chat.text
    assert chat.say("sao lâu vậy") == []  # at most one note per few minutes
    clock.at += timedelta(minutes=6)
    chat.say("còn ai ở đó không")
    assert "đã chuyển tin nhắn cho cán bộ" in chat.text
    chat.say("đăng ký kết hôn cần giấy tờ gì")
    assert "kết hôn" in chat.text.lower() and "Giấy tờ cần chuẩn bị" in chat.text
    (case,) = _cases(engine)
    assert case.status == "open"  # still with staff, who see the answer in the transcript


# --- 2. who is speaking --------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["telegram", "web"])
def test_staff_speak_under_their_name_and_joining_and_closing_are_told(engine, channel):
    with engine.store.session() as session:
        add_user(session, "lan", "mat-khau-dai-1234", display_name="Trần Thị Lan")
    chat = Chat(engine, channel=channel)
    chat.say("gặp nhân viên")
    (case,) = _cases(engine)
    desk = StaffDesk(engine.store)
    desk.take(case.id, "lan")
    desk.reply(case.id, "lan", "Chào anh, em xem giúp anh nhé.")
    desk.close(case.id, "lan")
    joined, said, closed = _outbox(engine)
    assert "Cán bộ Trần Thị Lan đã tham gia" in joined
    assert said == "Cán bộ Trần Thị Lan: Chào anh, em xem giúp anh nhé."
    assert "Cán bộ Trần Thị Lan đã đóng yêu cầu hỗ trợ" in closed and "nhắn tiếp" in closed


def test_an_english_citizen_is_told_in_english_when_staff_hand_back(engine):
    chat = Chat(engine)
    chat.say("I want to talk to a human")
    (case,) = _cases(engine)
    desk = StaffDesk(engine.store)
    desk.reply(case.id, "minh", "Hello, how can I help?")
    desk.hand_back(case.id, "minh")
    joined, said, back = _outbox(engine)
    assert "Staff member minh has joined" in joined
    assert said.startswith("Staff member minh: Hello")
    assert "Staff member minh has finished" in back


# --- 3. no accidental escalation -----------------------------------------------------------


def test_keyboard_mashing_opens_no_case_and_keeps_the_language(chat, engine):
    chat.say("xin chào")
    for mash in ("asdkfj qwpoeiru zxmcnv", "jjjjj kkkkk llll"):
        chat.say(mash)
        assert "Xin lỗi, mình chưa tìm được" in chat.text  # still in Vietnamese
    chat.say("con mèo nhà tôi bị lạc")  # real words the bot did not understand: one miss
    assert _cases(engine) == []
    chat.say("xe đạp điện của hàng xóm kêu to quá")  # a second one: staff are called in
    (case,) = _cases(engine)
    assert case.reason == "unanswered"


def test_gibberish_never_flips_an_english_conversation(chat, engine):
    chat.say("How do I get a criminal record certificate?")
    assert "Documents to prepare" in chat.text
    chat.say("sdkfj wpeoir")
    assert chat.text and "Xin lỗi" not in chat.text and "Mình" not in chat.text
    chat.say("thủ tục đăng ký kết hôn")
    assert "Giấy tờ cần chuẩn bị" in chat.text  # a real Vietnamese sentence switches


# --- 4. ticket codes anywhere --------------------------------------------------------------


def test_a_ticket_code_anywhere_in_a_message_is_looked_up_and_is_never_a_miss(chat, engine):
    with engine.store.session() as session:
        item = create_feedback(
            session, channel="zalo", user_id="citizen-1", category="complaint", content="chờ lâu"
        )
        ticket = item.ticket
    chat.say("con mèo nhà tôi bị lạc")  # one miss
    chat.say(f"mã {ticket} sao rồi")
    assert ticket in chat.text and "đã tiếp nhận" in chat.text
    code = ticket.removeprefix("GY-").lower()
    chat.say(f"ma gy {code} toi gui hom qua")
    assert ticket in chat.text and "đã tiếp nhận" in chat.text
    chat.say("xe đạp điện của hàng xóm kêu to quá")  # a second miss, after the lookups
    with engine.store.session() as session:
        assert len(session.exec(select(UnansweredQuestion)).all()) == 2
    assert _cases(engine) == []
    stranger = Chat(engine, user="citizen-2")
    stranger.say(f"mã {ticket} sao rồi")
    assert "cuộc trò chuyện" in stranger.text and "đã tiếp nhận" not in stranger.text


# --- 5. feedback kinds and the staff answer ------------------------------------------------


def _file(chat: Chat, first: str) -> str:
    chat.say(first)
    assert {"fb:cat:feedback", "fb:cat:complaint", "fb:cat:recommendation"} <= set(chat.payloads())
    chat.press("fb:cat:complaint")
    assert "họ tên" in chat.text  # the first message was already the content
    chat.press("fb:skip")
    chat.say("0912345678")
    assert "Phản ánh" in chat.text and "2 tiếng" in chat.text
    chat.press("fb:send")
    ticket = find_ticket_code(chat.text)
    assert ticket is not None
    return ticket


def test_the_citizen_picks_the_kind_and_the_staff_answer_is_kept_and_repeated(chat, engine):
    ticket = _file(chat, "tôi muốn góp ý: tôi phải chờ 2 tiếng mới được nộp hồ sơ")
    with engine.store.session() as session:
        assert session.exec(select(FeedbackItem)).one().category == "complaint"
    desk = StaffDesk(engine.store)
    answer = "Trung tâm đã bố trí thêm một quầy tiếp nhận buổi sáng."
    desk.update_feedback(ticket, "lan", status="resolved", reply_to_citizen=answer)
    with engine.store.session() as session:
        events = session.exec(select(FeedbackEvent).where(FeedbackEvent.action == "answer")).all()
    assert [(e.actor, e.detail) for e in events] == [("lan", answer)]
    chat.say(f"mã {ticket} sao rồi")
    assert "đã giải quyết" in chat.text and answer in chat.text


async def test_the_feedback_csv_has_the_answer_and_who_resolved_it_when(rig):
    make_user(rig, "admin", "admin")
    with rig.runtime.store.session() as session:
        ticket = create_feedback(
            session, channel="zalo", user_id="z-1", category="complaint", content="chờ 2 tiếng"
        ).ticket
    rig.runtime.desk.update_feedback(
        ticket, "admin", status="resolved", reply_to_citizen="Đã thêm quầy."
    )
    browser = Browser(rig)
    await browser.login("admin")
    status, body, _ = await browser.get("/staff/feedback.csv")
    await browser.close()
    assert status == 200
    (row,) = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert row["Trả lời người dân"] == "Đã thêm quầy."  # staff read Vietnamese headers
    assert row["Người giải quyết"] == "Admin"
    assert row["Ngày giải quyết"][:10] == datetime.now(HANOI).strftime("%d/%m/%Y")

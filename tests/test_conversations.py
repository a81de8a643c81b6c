"""Conversations as transcripts, turn by turn, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import select

from bot.conversation.engine import Engine
from bot.conversation.state import ConversationState
from bot.delivery.staff import StaffDesk
from feedback.models import (
    Conversation,
    EscalationCase,
    FeedbackItem,
    Message,
    OutboxMessage,
    Rating,
    UnansweredQuestion,
)
from feedback.tickets import find_ticket_code
from knowledge.retriever import Retriever
from knowledge.schema import Catalogue, Procedure
from tests.conftest import Chat


def test_greeting_offers_the_menu(chat):
    chat.say("xin chào")
    assert "trợ lý một cửa" in chat.text
    assert {"menu:feedback", "human"} <= set(chat.payloads())


def test_question_without_diacritics_then_follow_ups_without_repeating_it(chat):
    chat.say("lam giay khai sinh cho con can giay to gi")
    # The plain procedure first, the special cases after it; the citizen picks.
    assert "1. Thủ tục đăng ký khai sinh\n" in chat.text
    chat.say("1")
    assert "đăng ký khai sinh" in chat.text.lower()
    assert "Giấy chứng sinh" in chat.text
    assert "Giấy tờ cần chuẩn bị" in chat.text  # answered in Vietnamese, not English
    chat.say("mất bao lâu?")
    assert "Thời gian giải quyết" in chat.text and "Giấy tờ cần chuẩn bị" not in chat.text
    chat.say("lệ phí?")
    assert "Miễn phí" in chat.text
    chat.say("nộp online được không")
    assert "dichvucong.gov.vn" in chat.text


def test_place_question_asks_for_the_commune_and_names_its_centre(chat):
    chat.say("đăng ký kết hôn ở đâu")
    assert "xã, phường nào" in chat.text
    chat.say("Từ Sơn")
    assert "Phường Từ Sơn" in chat.text


def test_english_question_gets_an_english_card(chat):
    chat.say("How do I get a criminal record certificate?")
    assert "Documents to prepare" in chat.text
    assert "Lý lịch tư pháp" in chat.text  # the official name stays as published


def test_an_english_question_with_an_accented_word_is_answered_in_english(chat):
    # "fiancée" made the whole message Vietnamese, and the reply with it.
    chat.say("My fiancée and I want to register our marriage, what papers do we need?")
    assert "Documents to prepare" in chat.text or "Which procedure do you mean?" in chat.text


def test_a_commune_named_in_reply_keeps_the_conversation_in_english(chat):
    # Found trying the product: "Tu Son", the answer to "which commune?", is two
    # Vietnamese-shaped syllables and switched the card that followed to Vietnamese.
    chat.say("My fiancée is Vietnamese and I am British. Where do we register our marriage?")
    chat.press("pick:2.000806")
    assert "Which commune or ward do you live in?" in chat.text
    chat.say("Tu Son")
    assert "Where to file" in chat.text and "Phường Từ Sơn" in chat.text
    chat.say("con tôi sinh tháng trước, làm giấy khai sinh ở đâu")  # Vietnamese still switches
    assert "Nơi nộp" in chat.text or "Bạn đang hỏi thủ tục nào?" in chat.text


def test_choice_by_number_and_by_button(chat, engine):
    chat.say("báo mất hộ chiếu")
    assert "1." in chat.text and "2." in chat.text
    chat.say("2")
    assert "mã 1." in chat.text and "Trình báo mất hộ chiếu" in chat.text
    other = Chat(engine, user="citizen-2")
    other.say("báo mất hộ chiếu")
    pick = next(p for p in other.payloads() if p.startswith("pick:"))
    other.press(pick)
    assert pick.removeprefix("pick:") in other.text


def test_low_confidence_is_honest_and_repeated_failure_calls_staff(chat, engine):
    chat.say("con mèo nhà tôi bị lạc")
    assert "chưa tìm được thủ tục" in chat.text
    assert "human" in chat.payloads()
    chat.say("xe đạp điện của hàng xóm kêu to quá")
    assert "cán bộ" in chat.text
    with engine.store.session() as session:
        assert len(session.exec(select(UnansweredQuestion)).all()) == 2
        (case,) = session.exec(select(EscalationCase)).all()
        assert case.reason == "unanswered" and case.status == "open"


def test_out_of_scope_topic_is_referred(chat):
    chat.say("tuyen sinh lop 1 cho con")
    assert "Nhà trường" in chat.text


def test_a_question_about_a_subject_no_procedure_covers_gets_no_list_of_procedures(chat):
    """Worded without any phrase of the out-of-scope list: the subject is recognised by
    meaning, and the citizen is told where to go rather than offered unrelated procedures."""
    chat.say("bé nhà em 5 tuổi, muốn xin vào trường tiểu học gần nhà thì làm sao")
    assert "Nhà trường" in chat.text
    assert "Bạn đang hỏi thủ tục nào" not in chat.text


def test_escalation_quiets_the_bot_until_staff_hand_back(chat, engine):
    chat.say("gặp nhân viên")
    assert "0204.3531.111" in chat.text
    chat.say("alo, có ai không?")
    assert "đã chuyển tin nhắn cho cán bộ" in chat.text  # a note, not an answer
    assert chat.say("alo, có ai không?") == []
    with engine.store.session() as session:
        case = session.exec(select(EscalationCase)).one()
    desk = StaffDesk(engine.store)
    desk.reply(case.id, "staff-lan", "Chào anh, em là Lan ở tổng đài.")
    desk.hand_back(case.id, "staff-lan")
    with engine.store.session() as session:
        outbox = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        case = session.get(EscalationCase, case.id)
    assert [(o.channel, o.user_id) for o in outbox] == [("zalo", "citizen-1")] * 3
    assert "đã tham gia" in outbox[0].body
    assert "Chào anh" in outbox[1].body and "Trợ lý tự động" in outbox[2].body
    assert (case.status, case.assignee) == ("closed", "staff-lan")
    chat.say("đăng ký tạm trú")
    assert "Đăng ký tạm trú" in chat.text
    with engine.store.session() as session:
        authors = [m.author for m in session.exec(select(Message).order_by(Message.id)).all()]
    assert "staff" in authors


def test_feedback_flow_gives_a_ticket_the_citizen_can_track(chat, engine):
    chat.say("phản ánh")
    assert "nội dung phản ánh" in chat.text
    chat.say("ngắn")
    assert "hơi ngắn" in chat.text
    chat.say("Bộ phận một cửa xã hẹn trả kết quả nhưng quá hạn 5 ngày chưa có")
    chat.press("fb:skip")
    chat.say("0912.345.678")
    assert "0912345678" in chat.text
    chat.press("fb:send")
    ticket = find_ticket_code(chat.text)
    assert ticket is not None
    chat.say(f"tra cứu {ticket.lower()}")
    assert ticket in chat.text and "đã tiếp nhận" in chat.text
    with engine.store.session() as session:
        item = session.exec(select(FeedbackItem)).one()
    assert (item.category, item.phone, item.contact_name) == ("complaint", "0912345678", None)


def test_feedback_survives_a_restart_in_the_middle(chat, engine, hybrid_retriever):
    chat.say("góp ý")
    chat.say("Nên có thêm chỗ để xe máy cho người dân đến làm thủ tục")
    restarted = Chat(Engine(hybrid_retriever, engine.store))  # a new process on the same store
    restarted.say("Trần Thị B")
    assert "Số điện thoại" in restarted.text
    restarted.press("fb:skip")
    assert "chỗ để xe máy" in restarted.text
    restarted.press("fb:send")
    assert find_ticket_code(restarted.text)


def test_cancel_interrupts_any_flow(chat, engine):
    chat.say("kiến nghị")
    chat.say("hủy")
    assert "Đã hủy" in chat.text
    chat.say("đổi cccd hết hạn")
    assert "căn cước" in chat.text.lower()
    with engine.store.session() as session:
        assert session.exec(select(FeedbackItem)).all() == []


def test_a_long_complaint_is_taken_as_its_content(chat):
    chat.say("Tôi muốn phản ánh: cán bộ tiếp nhận hồ sơ đất đai yêu cầu nộp thêm giấy tờ")
    assert "họ tên" in chat.text


def test_rating_is_recorded_and_a_thumbs_down_offers_staff(chat, engine):
    chat.say("đăng ký thành lập hộ kinh doanh")
    up = next(p for p in chat.payloads() if p.startswith("rate:up:"))
    chat.press(up)
    assert "Cảm ơn" in chat.text
    chat.say("👎")
    assert "human" in chat.payloads()
    with engine.store.session() as session:
        ratings = session.exec(select(Rating).order_by(Rating.id)).all()
    assert [r.helpful for r in ratings] == [True, False]
    assert ratings[0].procedure_code == up.rsplit(":", 1)[1]


def test_a_redelivered_message_gets_no_second_reply(chat):
    assert chat.say("đăng ký khai tử", message_id="mid-42")
    assert chat.say("đăng ký khai tử", message_id="mid-42") == []


def test_full_document_list_button(chat):
    chat.say("đăng ký thường trú cần giấy tờ gì")
    docs = next(p for p in chat.payloads() if p.startswith("docs:"))
    chat.press(docs)
    assert chat.text.count("•") > 5  # every row of the record, not the card's first few


def test_two_citizens_do_not_share_state(engine):
    first, second = Chat(engine, user="a"), Chat(engine, user="b")
    first.say("đăng ký kết hôn")
    second.say("mất bao lâu?")
    assert "kết hôn" not in second.text.lower()


def test_one_citizens_messages_are_handled_one_at_a_time(engine):
    """Messages arriving together (several workers, or a burst) are handled in turn."""
    import threading

    questions = ["đăng ký khai tử", "mất bao lâu", "lệ phí", "nộp online được không"] * 2
    # A separate engine per thread, as separate worker processes would have: only the
    # database lock on the conversation keeps the turns apart.
    workers = [Engine(engine.retriever, engine.store) for _ in questions]
    threads = [
        threading.Thread(target=Chat(worker, user="burst").say, args=(q,))
        for worker, q in zip(workers, questions, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.store.session() as session:
        incoming = session.exec(select(Message).where(Message.direction == "in")).all()
        conversation = session.exec(select(Conversation)).one()
    assert len(incoming) == len(questions)
    # Had two turns run at once, both would have read the same state and one update would
    # be lost.
    assert ConversationState.from_json(conversation.state).turns == len(questions)


def test_console_channel_drives_the_same_engine(engine):
    import io

    from bot.shell.console import run

    out = io.StringIO()
    run(engine, user_id="tty", stdin=io.StringIO("xin chao\n/3\n"), stdout=out)
    text = out.getvalue()
    assert "trợ lý một cửa" in text
    assert "0204.3531.111" in text  # "/3" pressed the "talk to staff" button


def test_a_flood_from_one_sender_is_slowed_without_slowing_others(hybrid_retriever, store):
    engine = Engine(hybrid_retriever, store, flood_limit=5)
    flooder, neighbour = Chat(engine, user="flood"), Chat(engine, user="calm")
    answered = [bool(flooder.say("đăng ký khai tử")) for _ in range(5)]
    assert all(answered)
    notice = flooder.say("đăng ký khai tử")
    assert "nhiều tin quá nhanh" in notice[0].text
    assert flooder.say("đăng ký khai tử") == []  # stored, not answered
    neighbour.say("đăng ký khai tử")
    assert "khai tử" in neighbour.text.lower()
    with engine.store.session() as session:
        stored = session.exec(select(Message).where(Message.direction == "in")).all()
    assert len(stored) == 8  # every message kept, for staff to read


def test_a_choice_shows_the_case_of_a_long_name_the_citizen_asked_about(store):
    cases = [
        "chuyển đổi quyền sử dụng đất nông nghiệp giữa hai hộ gia đình cùng xã",
        "cho thuê lại quyền sử dụng đất trong khu công nghiệp, cụm công nghiệp",
        "góp vốn bằng quyền sử dụng đất vào doanh nghiệp",
        "tặng cho quyền sử dụng đất cho con",
    ]
    listing = Procedure(
        "9.000001", "Đăng ký biến động đất đai; " + "; ".join(cases), ("province",), "Đất đai"
    )
    state = Procedure(
        "9.000002", "Tặng cho quyền sử dụng đất cho Nhà nước", ("commune",), "Đất đai"
    )
    engine = Engine(Retriever(Catalogue([listing, state]), encoder=None), store)
    chat = Chat(engine, user="land-gift")
    chat.say("tặng cho quyền sử dụng đất cho con")
    assert "pick:9.000001" in chat.payloads()  # the citizen chooses…
    assert "tặng cho quyền sử dụng đất cho con" in chat.text  # …seeing the case they asked
    assert "khu công nghiệp" not in chat.text

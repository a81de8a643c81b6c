"""Every event kind each platform documents, from recorded payloads, through the adapter's own
parser (no server): what it reads, and what it deliberately leaves unanswered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.messenger.inbound import parse_events
from channels.telegram.adapter import incoming, parse_update
from channels.zalo.inbound import parse_event
from tests.platform_payloads import PAYLOADS, payload

PSID = "7341985526610042"
ZALO_USER = "7712345678901234567"
TELEGRAM_CHAT = "6123456789"


def kinds(platform: str) -> set[str]:
    """The event files of one platform (requests and responses are tested with the senders)."""
    names = {p.name for p in (PAYLOADS / platform).glob("*.json")}
    sent = ("send_", "cs_", "oauth_", "error_", "sendMessage", "answerCallback", "setWebhook")
    return {name for name in names if not name.startswith(sent)}


# --- Messenger ------------------------------------------------------------------------------

MESSENGER = {
    # file: (text, payload) of the one message read, or None when nothing is answered
    "messages_text.json": ("Cho tôi hỏi thủ tục đăng ký thường trú cần những gì?", None),
    "messages_quick_reply.json": ("Thường trú", "TOPIC_THUONG_TRU"),
    "messages_reply_to.json": (..., None),  # the text; the quoted message is not looked up
    "messaging_postbacks.json": ("Đăng ký khai sinh", "PROC_1.001193"),
    # Attachments carry no text: kept (tests/test_attachments.py) and acknowledged.
    "messages_image_attachment.json": ("", None),
    "messages_file_attachment.json": ("", None),
    "messages_sticker.json": ("", None),
    # Our own messages echoed, delivery and read receipts: nothing to answer.
    "message_echoes.json": None,
    "message_deliveries.json": None,
    "message_reads.json": None,
}


def test_every_messenger_event_kind_is_covered():
    assert kinds("messenger") == set(MESSENGER)


@pytest.mark.parametrize("name", sorted(MESSENGER))
def test_messenger_event(name):
    data = payload(f"messenger/{name}")
    messages = parse_events(data)
    expected = MESSENGER[name]
    if expected is None:
        assert messages == []
        return
    (message,) = messages
    event = data["entry"][0]["messaging"][0]
    text, button = expected
    assert message.channel == "messenger" and message.user_id == PSID
    assert message.text == (event["message"]["text"] if text is ... else text)
    assert message.payload == button
    assert message.message_id == (event.get("message") or event.get("postback"))["mid"]
    assert message.sent_at == datetime.fromtimestamp(event["timestamp"] / 1000, UTC)


def test_messenger_batch_reads_every_event_of_every_entry():
    batch = payload("messenger/messages_text.json")
    second = payload("messenger/messaging_postbacks.json")["entry"][0]
    echo = payload("messenger/message_echoes.json")["entry"][0]
    batch["entry"][0]["messaging"] += echo["messaging"]
    batch["entry"].append(second)
    assert [m.payload for m in parse_events(batch)] == [None, "PROC_1.001193"]


# --- Zalo -----------------------------------------------------------------------------------

ZALO = {
    "user_send_text.json": "Cho tôi hỏi làm giấy khai sinh cần những giấy tờ gì?",
    # Images (with their caption), stickers, locations, files, voice: kept and acknowledged
    # (tests/test_attachments.py); a shared link is its URL as text.
    "user_send_image.json": "Ảnh CCCD mặt trước",
    "user_send_sticker.json": "",
    "user_send_link.json": "https://dichvucong.example.gov.vn/thu-tuc/1.001193",
    "user_send_location.json": "",
    "user_send_file.json": "",
    "user_send_audio.json": "",
    # Following, our own messages echoed, receipts, the "chat now" tap: nothing to answer.
    "follow.json": None,
    "unfollow.json": None,
    "oa_send_text.json": None,
    "user_received_message.json": None,
    "user_seen_message.json": None,
    "user_click_chatnow.json": None,
}


def test_every_zalo_event_kind_is_covered():
    assert kinds("zalo") == set(ZALO)


@pytest.mark.parametrize("name", sorted(ZALO))
def test_zalo_event(name):
    data = payload(f"zalo/{name}")
    messages = parse_event(data)
    if ZALO[name] is None:
        assert messages == []
        return
    (message,) = messages
    assert message.channel == "zalo" and message.user_id == ZALO_USER
    assert message.text == ZALO[name] and message.payload is None
    assert message.message_id == data["message"]["msg_id"]
    # Zalo's timestamp is a string of epoch milliseconds.
    assert message.sent_at == datetime.fromtimestamp(int(data["timestamp"]) / 1000, UTC)


def test_zalo_button_press_comes_back_as_its_payload():
    data = payload("zalo/user_send_text.json")
    data["message"]["text"] = "#pick:1.001193"
    (message,) = parse_event(data)
    assert message.text == "" and message.payload == "pick:1.001193"


# --- Telegram -------------------------------------------------------------------------------

TELEGRAM = {
    "update_message_text.json": (
        "Cho tôi hỏi làm căn cước cho trẻ em dưới 14 tuổi cần giấy tờ gì?",
        None,
    ),
    "update_message_command_start.json": ("/start", None),
    "update_callback_query.json": ("", "topic:thuong_tru"),
    # Media, places and contacts: kept with their caption and acknowledged
    # (tests/test_attachments.py).
    "update_message_photo.json": ("Giấy chứng sinh của bé", None),
    "update_message_document.json": ("", None),
    "update_message_sticker.json": ("", None),
    "update_message_location.json": ("", None),
    "update_message_voice.json": ("", None),
    "update_message_contact.json": ("", None),
    # An edit of a message already answered, and the bot blocked or unblocked: acknowledged
    # to Telegram, not answered.
    "update_edited_message.json": None,
    "update_my_chat_member_blocked.json": None,
    "update_my_chat_member_unblocked.json": None,
}


def test_every_telegram_update_kind_is_covered():
    assert kinds("telegram") == set(TELEGRAM)


@pytest.mark.parametrize("name", sorted(TELEGRAM))
def test_telegram_update(name):
    data = payload(f"telegram/{name}")
    update = parse_update(data)
    assert update.update_id == data["update_id"]
    message = incoming(update)
    if TELEGRAM[name] is None:
        assert message is None
        return
    assert message is not None
    text, button = TELEGRAM[name]
    assert message.channel == "telegram" and message.user_id == TELEGRAM_CHAT
    assert (message.text, message.payload) == (text, button)
    if button is None:
        assert message.message_id == f"m{TELEGRAM_CHAT}:{data['message']['message_id']}"
    else:
        assert message.message_id == f"cb{data['callback_query']['id']}"

"""The bot's answer to a picture, file, sticker, location or voice message: it can't read
them, says so in the citizen's language, and offers staff (who see the attachment in the case
transcript)."""

from __future__ import annotations

from bot.contract.messages import Attachment, Button, Reply
from bot.conversation.phrases import say

_WHAT = {
    "vi": {
        "image": "ảnh",
        "sticker": "nhãn dán",
        "file": "tệp",
        "audio": "tin nhắn thoại",
        "video": "video",
        "location": "vị trí",
        "contact": "danh bạ",
    },
    "en": {
        "image": "picture",
        "sticker": "sticker",
        "file": "file",
        "audio": "voice message",
        "video": "video",
        "location": "location",
        "contact": "contact",
    },
}
_SAY = {
    "vi": (
        "Mình đã nhận {what} bạn gửi nhưng chưa xem được nội dung. Bạn cứ gõ câu hỏi bằng chữ "
        "nhé; nếu cần cán bộ xem {what} này, bấm «{human}»."
    ),
    "en": (
        "I received your {what} but can't look at it myself. Please type your question; if a "
        "staff member should see the {what}, press “{human}”."
    ),
}


def attachment_reply(attachments: tuple[Attachment, ...], lang: str) -> Reply:
    """Acknowledge ``attachments`` (named by the first one's kind) in ``lang``, with the
    button that hands the conversation to staff."""
    words = _WHAT.get(lang, _WHAT["vi"])
    template = _SAY.get(lang, _SAY["vi"])
    kind = attachments[0].kind if attachments else "file"
    what = words.get(kind, words["file"])
    human = say(lang, "ask_human")
    return Reply(template.format(what=what, human=human), (Button(human, "human"),))

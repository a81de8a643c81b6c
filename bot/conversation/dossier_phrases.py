"""What the bot says about dossiers (hồ sơ), in Vietnamese and English."""

from __future__ import annotations

from bot.contract.dossiers import PORTAL, status_words
from bot.conversation.phrases import say_from

__all__ = ["PORTAL", "say", "status_words"]  # the words the chat and the staff web share

_TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "ask_code": (
            "Bạn gửi mã hồ sơ in trên phiếu hẹn trả kết quả (ví dụ 000.00.24.H03-261130-0001) "
            "để mình tra cứu nhé."
        ),
        "ask_digits": (
            "Để bảo vệ thông tin của bạn, mời bạn nhập 4 số cuối của số điện thoại (hoặc số "
            "CCCD) ghi trên hồ sơ {code}."
        ),
        "no_match": (
            "Không tìm thấy hồ sơ khớp với thông tin bạn nhập. Bạn kiểm tra lại mã hồ sơ và 4 "
            "số cuối giúp mình nhé (còn {left} lần thử hôm nay)."
        ),
        "too_many": (
            "Bạn đã nhập sai quá nhiều lần hôm nay, nên mình chuyển bạn tới cán bộ để được hỗ "
            "trợ tra cứu."
        ),
        "down": (
            "Hệ thống thông tin giải quyết thủ tục hành chính đang không trả lời, nên mình chưa "
            "tra cứu được hồ sơ {code}. Bạn thử lại sau ít phút, hoặc gặp cán bộ."
        ),
        "card_head": "Hồ sơ {code}: {procedure}\nNgười nộp: {applicant}\nTình trạng: {status}",
        "due": "Ngày hẹn trả: {due}",
        "days_left": "Còn {days} ngày đến hạn.",
        "due_today": "Hạn trả là hôm nay.",
        "days_late": "Đã quá hạn {days} ngày.",
        "current": "Đang ở: {department} ({step}), từ {since}.",
        "missing": "Bạn cần mang bổ sung:",
        "fees": "Phí, lệ phí cần nộp: {amount} đồng (chưa nộp).",
        "receive": "Nhận kết quả: {how}.",
        "portal": "Tra cứu chi tiết trên Cổng Dịch vụ công: {url}",
        "watch_button": "Báo khi có thay đổi",
        "watching": (
            "Mình sẽ nhắn bạn ngay tại đây khi hồ sơ {code} đổi tình trạng. Nhắn "
            '"dừng theo dõi" để thôi nhận tin.'
        ),
        "watch_first": "Bạn tra cứu hồ sơ trước (gửi mã hồ sơ), rồi mình mới theo dõi được nhé.",
        "watch_closed": "Hồ sơ {code} đã kết thúc, không còn thay đổi để báo.",
        "unwatched": "Đã dừng theo dõi hồ sơ. Bạn sẽ không nhận thêm tin báo.",
        "not_watching": "Bạn chưa theo dõi hồ sơ nào.",
        "changed": "Hồ sơ {code} vừa đổi tình trạng: {status}.",
        "stop_hint": 'Nhắn "dừng theo dõi" để thôi nhận tin báo.',
    },
    "en": {
        "ask_code": (
            "Please send the dossier code printed on your receipt (for example "
            "000.00.24.H03-261130-0001) and I'll look it up."
        ),
        "ask_digits": (
            "To protect your information, please enter the last 4 digits of the phone number "
            "(or ID number) on dossier {code}."
        ),
        "no_match": (
            "No dossier matches what you entered. Please check the dossier code and the 4 "
            "digits ({left} tries left today)."
        ),
        "too_many": (
            "Too many wrong entries today, so I'm passing you to a staff member who can help "
            "with the lookup."
        ),
        "down": (
            "The province's dossier system is not answering, so I can't look up {code} right "
            "now. Please try again in a few minutes, or talk to a staff member."
        ),
        "card_head": "Dossier {code}: {procedure}\nApplicant: {applicant}\nStatus: {status}",
        "due": "Due date: {due}",
        "days_left": "{days} days left.",
        "due_today": "It is due today.",
        "days_late": "{days} days overdue.",
        "current": "Now at: {department} ({step}), since {since}.",
        "missing": "Please bring:",
        "fees": "Fees to pay: {amount} VND (not paid yet).",
        "receive": "How to get the result: {how}.",
        "portal": "Details on the Public Service Portal: {url}",
        "watch_button": "Tell me when it changes",
        "watching": (
            "I'll message you here when dossier {code} changes status. Send "
            '"stop tracking" to stop.'
        ),
        "watch_first": "Please look up your dossier first (send its code), then I can track it.",
        "watch_closed": "Dossier {code} is closed; there will be no more changes to report.",
        "unwatched": "Tracking stopped. You won't get more updates.",
        "not_watching": "You are not tracking any dossier.",
        "changed": "Dossier {code} has a new status: {status}.",
        "stop_hint": 'Send "stop tracking" to stop these updates.',
    },
}


def say(lang: str, key: str, **values: str) -> str:
    """The dossier phrase ``key`` in ``lang`` (Vietnamese when the language is unknown)."""
    return say_from(_TEXTS, lang, key, **values)

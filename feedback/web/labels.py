"""The Vietnamese words staff read for the store's codes: case and feedback states, history
actions, CSV headers, waiting times and pressed buttons."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from feedback.tickets import CATEGORIES

CASE_STATES = {"open": "Chờ nhận", "taken": "Đang xử lý", "closed": "Đã đóng"}
CASE_REASONS = {"requested": "Người dân yêu cầu"}
CASE_REASON_OTHER = "Trợ lý chưa trả lời được"
FEEDBACK_LABELS = {
    "feedback": "Góp ý",
    "complaint": "Phản ánh",
    "recommendation": "Kiến nghị",
    "new": "Mới",
    "assigned": "Đã phân công",
    "in_progress": "Đang xử lý",
    "resolved": "Đã giải quyết",
    "rejected": "Từ chối",
}
# The kinds of feedback, in the words the list of feedback uses.
CATEGORY_NAMES = {category: FEEDBACK_LABELS[category] for category in CATEGORIES}
ACTORS = {"citizen": "Người dân", "system": "Hệ thống"}
ROLES = {"staff": "Cán bộ", "admin": "Quản trị"}
CHANNELS = {
    "zalo": "Zalo",
    "messenger": "Messenger",
    "telegram": "Telegram",
    "web": "Web",
    "hotline": "Đường dây nóng",
    "counter": "Quầy tiếp nhận",
}
# Channels as the province's report and the contact log name them (the report's wording).
REPORT_CHANNELS = {
    "zalo": "Zalo",
    "messenger": "Messenger",
    "telegram": "Telegram",
    "web": "Trò chuyện trên trang web",
    "hotline": "Tổng đài",
    "counter": "Quầy tiếp dân",
}
# A history line: the words before its detail.
HISTORY = {
    "created": "đã gửi",
    "note": "đã ghi chú",
    "notified": "đã báo kết quả cho người dân qua",
    "status_refused": "tra cứu trạng thái bị từ chối (sai số điện thoại)",
}
CSV_HEADERS = {
    "ticket": "Mã",
    "created": "Ngày gửi",
    "channel": "Kênh",
    "category": "Loại",
    "status": "Trạng thái",
    "assignee": "Người xử lý",
    "due": "Hạn xử lý",
    "name": "Họ tên",
    "phone": "Điện thoại",
    "content": "Nội dung",
    "day": "Ngày",
    "conversations": "Số hội thoại",
    "helped": "Được hướng dẫn thủ tục",
    "code": "Mã thủ tục",
    "answers": "Số lần trả lời",
    "at": "Lúc",
    "question": "Câu hỏi",
    "best_code": "Thủ tục gần nhất",
    "confidence": "Độ tin cậy",
    "topic": "Chủ đề",
    "helpful": "Hữu ích",
    "not_helpful": "Chưa hữu ích",
    "answer": "Trả lời người dân",
    "resolved_at": "Ngày giải quyết",
    "resolved at": "Ngày giải quyết",
    "resolved_by": "Người giải quyết",
    "resolved by": "Người giải quyết",
}
TOPICS = {
    "chit_chat": "Trò chuyện, ngoài chủ đề",
    "commerce": "Thương mại, điện nước",
    "defence": "Nghĩa vụ quân sự",
    "education": "Giáo dục, tuyển sinh",
    "employment": "Việc làm, thất nghiệp",
    "foreign": "Thị thực nước ngoài",
    "health": "Y tế, khám chữa bệnh",
    "ip": "Sở hữu trí tuệ, nhãn hiệu",
    "labour": "Lao động, tiền lương",
    "portal": "Tài khoản Cổng Dịch vụ công",
    "health_insurance": "Bảo hiểm y tế",
    "social_insurance": "Bảo hiểm xã hội",
    "social_welfare": "Trợ cấp, bảo trợ xã hội",
}


def history_line(action: str, detail: str, names: dict[str, str]) -> str:
    """One event of a feedback item's history in Vietnamese, usernames as display names."""
    if action == "assigned":
        if not detail or detail == "(unassigned)":
            return "đã bỏ giao việc"
        return f"đã giao cho {names.get(detail, detail)}"
    if action == "status":
        return f"đã chuyển sang {FEEDBACK_LABELS.get(detail, detail)}"
    if action in ("due_date", "due"):
        with contextlib.suppress(ValueError):
            detail = datetime.strptime(detail, "%Y-%m-%d").strftime("%d/%m/%Y")
        return f"đã đặt hạn xử lý {detail}"
    if action == "notified":
        return f"{HISTORY[action]} {CHANNELS.get(detail, detail)}"
    if action == "status_refused":
        return HISTORY[action]
    words = HISTORY.get(action, action)
    return f"{words}: {detail}" if detail else words


def waited(since: datetime | None, now: datetime | None = None) -> tuple[int, str]:
    """Seconds since ``since`` and the same in words ("12 phút", "2 giờ 5 phút", "3 ngày")."""
    if since is None:
        return 0, ""
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    seconds = max(0, int(((now or datetime.now(UTC)) - since).total_seconds()))
    minutes = seconds // 60
    if minutes < 1:
        return seconds, "dưới 1 phút"
    if minutes < 60:
        return seconds, f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return seconds, f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    return seconds, f"{hours // 24} ngày"


def button_titles(bodies: Iterable[str]) -> dict[str, str]:
    """Payload → the button's title, from stored replies (outbox bodies), later ones winning."""
    titles: dict[str, str] = {}
    for body in bodies:
        try:
            for title, payload in json.loads(body).get("buttons", ()):
                titles[str(payload)] = str(title)
        except (ValueError, TypeError, AttributeError):
            continue
    return titles


def pressed(payload: str, titles: dict[str, str]) -> str:
    """What a citizen's button press shows in the transcript."""
    return f"[Bấm nút] {titles.get(payload, payload)}"

"""Everything the bot says, in Vietnamese and English. Short enough for a phone screen."""

from __future__ import annotations

HOTLINE = "0204.3531.111"

_TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "greeting": (
            "Xin chào! Mình là trợ lý một cửa của Trung tâm Phục vụ hành chính công tỉnh Bắc "
            'Ninh. Bạn cần làm thủ tục gì? Ví dụ: "làm giấy khai sinh cho con", "đổi căn '
            'cước", "xin lý lịch tư pháp".'
        ),
        "help": (
            "Mình có thể:\n"
            "1. Hướng dẫn thủ tục: giấy tờ, lệ phí, thời gian, nơi nộp, nộp trực tuyến\n"
            "2. Ghi nhận góp ý, phản ánh, kiến nghị và cho mã để tra cứu\n"
            "3. Chuyển bạn tới cán bộ tổng đài\n"
            "Bạn cứ gõ câu hỏi, có dấu hay không dấu đều được."
        ),
        "thanks": "Rất vui được giúp bạn! Cần gì thêm bạn cứ nhắn nhé.",
        "cancelled": "Đã hủy. Bạn muốn hỏi thủ tục nào?",
        "choose": "Bạn đang hỏi thủ tục nào? Chọn số hoặc bấm nút:",
        "choice_none": "Không phải các thủ tục trên",
        "choice_invalid": "Mình chưa có lựa chọn số {n}. Bạn chọn lại giúp mình nhé.",
        "not_found": (
            "Xin lỗi, mình chưa tìm được thủ tục phù hợp với câu hỏi này. Bạn thử nói rõ hơn "
            'việc cần làm (ví dụ: "đăng ký tạm trú cho người thuê trọ"), hoặc gặp cán bộ.'
        ),
        "referral": "Việc này không thuộc thủ tục tại bộ phận một cửa. Bạn liên hệ: {where}.",
        "escalated": (
            "Mình đã chuyển cuộc trò chuyện cho cán bộ tổng đài. {when} Giờ làm việc: {hours}. "
            "Cần gấp, bạn gọi đường dây nóng {hotline}."
        ),
        "staff_soon": "Cán bộ sẽ trả lời bạn tại đây, bạn vui lòng chờ ít phút.",
        "staff_at": "Bây giờ là ngoài giờ làm việc; cán bộ sẽ trả lời bạn tại đây vào {when}.",
        "waiting_ack": (
            "Mình đã chuyển tin nhắn cho cán bộ. {when} Trong lúc chờ, bạn vẫn có thể hỏi mình "
            "về thủ tục."
        ),
        "staff_joined": "{staff} đã tham gia cuộc trò chuyện và sẽ trả lời bạn.",
        "staff_label": "Cán bộ {name}",
        "status_answer": "Trả lời của cán bộ: {answer}",
        "auto_escalated": "Mình chưa giúp được bạn, nên đã mời cán bộ hỗ trợ.",
        "handed_back": "{staff} đã kết thúc hỗ trợ. Trợ lý tự động tiếp tục giúp bạn nhé.",
        "case_closed": (
            "{staff} đã đóng yêu cầu hỗ trợ này. Khi cần, bạn cứ nhắn tiếp: trợ lý tự động trả"
            " lời ngay, và bạn có thể yêu cầu gặp cán bộ bất cứ lúc nào."
        ),
        "ask_human": "Gặp cán bộ",
        "rate_question": "Thông tin này có hữu ích không?",
        "rated_up": "Cảm ơn bạn đã đánh giá!",
        "rated_down": "Cảm ơn bạn! Mình sẽ cải thiện. Bạn có muốn gặp cán bộ không?",
        "full_documents": "Xem đủ giấy tờ",
        "documents_of": "Giấy tờ cho thủ tục {name}:",
        "ask_commune": "Bạn ở xã, phường nào? Mình chỉ đúng nơi nộp hồ sơ cho bạn.",
        "place_renamed": "{old} (tên trước ngày 1/7/2025) nay thuộc {new}.",
        "place_which": (
            "{place} (tên trước ngày 1/7/2025) nay thuộc nhiều xã, phường. Bạn ở xã, phường "
            "nào? Chọn số hoặc bấm nút:"
        ),
        "place_which_now": "Có nhiều nơi tên {place}. Bạn ở xã, phường nào? Chọn số hoặc bấm nút:",
        "place_noted": "Mình ghi nhận bạn ở {commune}.",
        "place_noted_topic": "Mình ghi nhận bạn ở {commune}. Bạn cần làm thủ tục gì?",
        "no_topic": "Bạn đang hỏi về thủ tục nào? Bạn cho mình biết tên việc cần làm nhé.",
        "feedback_category": (
            "Bạn chọn loại nội dung giúp mình:\n• Góp ý: đề xuất để phục vụ tốt hơn\n"
            "• Phản ánh: việc chưa đúng, chậm trễ, thái độ phục vụ\n"
            "• Kiến nghị: đề nghị cơ quan xem xét, giải quyết một việc"
        ),
        "cat_feedback": "Góp ý",
        "cat_complaint": "Phản ánh",
        "cat_recommendation": "Kiến nghị",
        "feedback_content": "Mời bạn nhập nội dung {category_lower} (càng cụ thể càng tốt):",
        "feedback_short": "Nội dung hơi ngắn, bạn viết rõ hơn giúp mình (ít nhất vài từ) nhé.",
        "feedback_name": 'Bạn cho biết họ tên (hoặc bấm "Bỏ qua"):',
        "feedback_phone": 'Số điện thoại để cán bộ liên hệ (hoặc bấm "Bỏ qua"):',
        "feedback_phone_invalid": "Số điện thoại chưa đúng (ví dụ 0912345678). Bạn nhập lại nhé.",
        "skip": "Bỏ qua",
        "feedback_confirm": (
            "Bạn kiểm tra lại:\n• Loại: {category}\n• Nội dung: {content}\n• Họ tên: {name}\n"
            "• Điện thoại: {phone}\nGửi nội dung này?"
        ),
        "send": "Gửi",
        "edit": "Sửa nội dung",
        "cancel": "Hủy",
        "none": "(không có)",
        "feedback_saved": (
            "Đã ghi nhận {category_lower} của bạn. Mã tra cứu: {ticket}. Bạn nhắn mã này bất cứ "
            "lúc nào để xem tình trạng xử lý."
        ),
        "status": "Mã {ticket} ({category}): {status}. Gửi lúc {created}.",
        "status_unknown": "Mình không tìm thấy mã {ticket}. Bạn kiểm tra lại mã giúp mình nhé.",
        "status_private": (
            "Mã {ticket} được gửi từ một cuộc trò chuyện khác. Để xem tình trạng, bạn nhắn mã "
            "kèm 4 số cuối của số điện thoại đã để lại, ví dụ: {ticket} 1234."
        ),
        "status_private_no_phone": (
            "Tình trạng của mã {ticket} chỉ xem được từ cuộc trò chuyện đã gửi nội dung này."
        ),
        "status_ask": "Bạn nhắn mã tra cứu (dạng GY-XXXXXX) để mình kiểm tra nhé.",
        "status_new": "đã tiếp nhận, đang chờ phân công",
        "status_assigned": "đã phân công cán bộ xử lý",
        "status_in_progress": "đang xử lý",
        "status_resolved": "đã giải quyết",
        "status_rejected": "không được tiếp nhận xử lý",
        "resolved_notice": "Nội dung {ticket} của bạn đã được xử lý: {status}.{note}",
        "slow_down": (
            "Bạn gửi nhiều tin quá nhanh, mình xin phép trả lời chậm lại. Bạn đợi một phút rồi "
            "hỏi tiếp nhé."
        ),
        "menu_ask": "Hỏi thủ tục",
        "menu_feedback": "Góp ý, phản ánh",
        "menu_human": "Gặp cán bộ",
        "menu_status": "Tra cứu góp ý",
    },
    "en": {
        "greeting": (
            "Hello! I'm the one-stop desk assistant of Bắc Ninh's Public Administration Service "
            'Centre. Which procedure do you need? For example: "register a birth", "renew my '
            'ID card", "criminal record certificate".'
        ),
        "help": (
            "I can:\n"
            "1. Explain a procedure: documents, fees, time, where to file, online filing\n"
            "2. Take your feedback or complaint and give you a code to track it\n"
            "3. Connect you with a staff member\n"
            "Just type your question, in English or Vietnamese."
        ),
        "thanks": "Happy to help! Message me any time.",
        "cancelled": "Cancelled. Which procedure would you like to ask about?",
        "choose": "Which procedure do you mean? Pick a number or a button:",
        "choice_none": "None of these",
        "choice_invalid": "There is no option {n}. Please pick again.",
        "not_found": (
            "Sorry, I couldn't find a procedure for that. Try describing what you need to do "
            '(e.g. "register temporary residence"), or talk to a staff member.'
        ),
        "referral": "This isn't handled at the one-stop desk. Please contact: {where}.",
        "escalated": (
            "I've passed this conversation to our hotline staff. {when} Office hours: {hours}. "
            "For urgent matters call {hotline}."
        ),
        "staff_soon": "A staff member will reply here; please allow a few minutes.",
        "staff_at": "It is outside office hours now; a staff member will reply here from {when}.",
        "waiting_ack": (
            "I've passed your message to the staff. {when} Meanwhile you can still ask me about "
            "procedures."
        ),
        "staff_joined": "{staff} has joined the conversation and will reply to you.",
        "staff_label": "Staff member {name}",
        "status_answer": "Staff answer: {answer}",
        "auto_escalated": "I couldn't help, so I've asked a staff member to step in.",
        "handed_back": "{staff} has finished. The assistant is back to help you.",
        "case_closed": (
            "{staff} has closed this support request. You can write again any time: the"
            " assistant answers straight away, and you can ask for staff again whenever you need."
        ),
        "ask_human": "Talk to staff",
        "rate_question": "Was this helpful?",
        "rated_up": "Thanks for your rating!",
        "rated_down": "Thanks, I'll improve. Would you like to talk to a staff member?",
        "full_documents": "All documents",
        "documents_of": "Documents for {name}:",
        "ask_commune": "Which commune or ward do you live in? I'll tell you exactly where to file.",
        "place_renamed": "{old} (its name before 1 July 2025) is now part of {new}.",
        "place_which": (
            "{place} (a name from before 1 July 2025) is now split between several communes "
            "and wards. Which one do you live in? Reply with a number or press a button:"
        ),
        "place_which_now": (
            "Several places are called {place}. Which commune or ward do you live in? Reply "
            "with a number or press a button:"
        ),
        "place_noted": "Noted: you live in {commune}.",
        "place_noted_topic": "Noted: you live in {commune}. Which procedure can I help with?",
        "no_topic": "Which procedure are you asking about? Tell me what you need to do.",
        "feedback_category": (
            "Which kind is it?\n• Feedback: an idea to serve people better\n"
            "• Complaint: something wrong, a delay, how you were treated\n"
            "• Recommendation: asking the authorities to consider or settle a matter"
        ),
        "cat_feedback": "Feedback",
        "cat_complaint": "Complaint",
        "cat_recommendation": "Recommendation",
        "feedback_content": "Please type your {category_lower} (the more specific, the better):",
        "feedback_short": "That's a little short; please add a few more words.",
        "feedback_name": 'Your name (or press "Skip"):',
        "feedback_phone": 'A phone number staff can call (or press "Skip"):',
        "feedback_phone_invalid": "That phone number doesn't look right (e.g. 0912345678).",
        "skip": "Skip",
        "feedback_confirm": (
            "Please check:\n• Type: {category}\n• Content: {content}\n• Name: {name}\n"
            "• Phone: {phone}\nSend it?"
        ),
        "send": "Send",
        "edit": "Edit",
        "cancel": "Cancel",
        "none": "(none)",
        "feedback_saved": (
            "Your {category_lower} is recorded. Tracking code: {ticket}. Send this code any "
            "time to see its status."
        ),
        "status": "{ticket} ({category}): {status}. Sent {created}.",
        "status_unknown": "I can't find code {ticket}. Please check it.",
        "status_private": (
            "{ticket} was sent from another conversation. To see its status, send the code with "
            "the last 4 digits of the phone number left with it, for example: {ticket} 1234."
        ),
        "status_private_no_phone": (
            "The status of {ticket} can only be seen from the conversation that sent it."
        ),
        "status_ask": "Send your tracking code (like GY-XXXXXX) and I'll check it.",
        "status_new": "received, waiting to be assigned",
        "status_assigned": "assigned to a staff member",
        "status_in_progress": "being handled",
        "status_resolved": "resolved",
        "status_rejected": "not accepted for handling",
        "resolved_notice": "Your item {ticket} has been handled: {status}.{note}",
        "slow_down": "You're sending messages very fast; please wait a minute and ask again.",
        "menu_ask": "Ask a procedure",
        "menu_feedback": "Feedback",
        "menu_human": "Talk to staff",
        "menu_status": "Track feedback",
    },
}


def say_from(texts: dict[str, dict[str, str]], lang: str, key: str, **values: str) -> str:
    """Phrase ``key`` of the book ``texts`` in ``lang`` (Vietnamese when the language is
    unknown), filled in with ``values``."""
    table = texts.get(lang, texts["vi"])
    return table[key].format(**values) if values else table[key]


def say(lang: str, key: str, **values: str) -> str:
    """The phrase ``key`` in ``lang`` (Vietnamese when the language is unknown)."""
    return say_from(_TEXTS, lang, key, **values)

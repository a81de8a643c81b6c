"""Error pages inside the staff layout, in Vietnamese, with the navigation: a wrong address, a
missing case, a stale form or a forbidden page tells staff what happened and where to go."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp_session import get_session

from feedback.web.auth import USER, Handler
from feedback.web.auth import _signed_in as signed_in
from feedback.web.common import page
from feedback.web.context import STAFF

HEADINGS = {
    400: ("Yêu cầu không hợp lệ", "Thông tin gửi lên không đúng. Hãy quay lại và thử lại."),
    401: ("Cần đăng nhập", "Hãy đăng nhập để tiếp tục."),
    403: (
        "Không thực hiện được",
        "Bạn không có quyền làm việc này, hoặc trang đã mở quá lâu: hãy tải lại trang rồi thử lại.",
    ),
    404: ("Không tìm thấy", "Không có trang hay mục nào ở địa chỉ này (có thể đã bị xoá)."),
    405: ("Không thực hiện được", "Trang này không nhận thao tác đó."),
}
DETAILS = {  # what a handler's English reason means, told in Vietnamese
    "this case is closed": "Hội thoại này đã đóng.",
    "empty reply": "Nội dung trả lời đang trống.",
    "admins only": "Trang này chỉ dành cho quản trị viên.",
}


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render 4xx answers of staff pages (not the JSON API) as a page in the layout."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if not 400 <= exc.status < 500 or exc.status == 401 or "/api/" in request.path:
            raise
        heading, explanation = HEADINGS.get(exc.status, ("Có lỗi", "Hãy thử lại sau."))
        reason = exc.text or ""
        # A handler's own words are shown when they are Vietnamese (not aiohttp's "404: Not
        # Found"); known English reasons are translated.
        detail = DETAILS.get(reason) or (reason if not reason.isascii() else "")
        if USER not in request and STAFF in request.app:  # the layout names who is signed in
            session = await get_session(request)
            user = await asyncio.to_thread(
                signed_in, request.app[STAFF].store, session.get("token")
            )
            if user is not None:
                request[USER] = user
        return await page(
            request,
            "error.html",
            exc.status,
            heading=heading,
            explanation=f"{detail} {explanation}" if detail else explanation,
        )

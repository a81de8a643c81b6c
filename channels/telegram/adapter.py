"""Telegram: updates parsed by a plain function and handed to the intake, a webhook (or
python-telegram-bot's polling) that receives them, and a sender using PTB's Bot.

The webhook acknowledges only once the intake has stored the message; should storing fail,
Telegram gets a 503 and delivers the update again.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram.warnings import PTBDeprecationWarning

from bot.contract.messages import Attachment, Incoming, Reply, geo_ref
from bot.contract.sending import Intake
from bot.contract.telemetry import NO_TELEMETRY, Telemetry
from channels.base import Outcome, raise_for, split_reply, text_with_links
from channels.telegram.transport import AiohttpRequest
from channels.webhook import Rejected, guarded, parse_json, same_secret

log = logging.getLogger(__name__)
CHANNEL = "telegram"
TEXT_LIMIT = 4096
CALLBACK_DATA_BYTES = 64
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(token: str, api_base: str, polling: bool = False) -> TelegramApplication:
    """A PTB Application talking to ``api_base`` (Telegram's, or a stand-in's)."""
    builder = (
        Application.builder()
        .token(token)
        .base_url(api_base.rstrip("/") + "/bot")
        .base_file_url(api_base.rstrip("/") + "/file/bot")
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connections=1))
    )
    if not polling:
        builder = builder.updater(None)
    return builder.build()


def parse_update(data: dict[str, Any]) -> Update:
    """A webhook body (or a ``getUpdates`` item) as PTB's :class:`Update`."""
    return Update.de_json(data)


FILE_REF = "tg-file:"  # a Telegram file id, resolved through getFile when staff look


def attachments(message: Message) -> tuple[Attachment, ...]:
    """What a message carries besides text: the largest size of a photo, a document,
    sticker, voice note, audio, video, location or contact."""
    found = []
    if message.photo:
        found.append(Attachment("image", FILE_REF + message.photo[-1].file_id))
    if message.document is not None:
        document = message.document
        found.append(Attachment("file", FILE_REF + document.file_id, document.file_name or ""))
    if message.sticker is not None:
        found.append(Attachment("sticker", FILE_REF + message.sticker.file_id))
    for kind, media in (
        ("audio", message.voice),
        ("audio", message.audio),
        ("video", message.video),
        ("video", message.video_note),
    ):
        if media is not None:
            found.append(Attachment(kind, FILE_REF + media.file_id))
    if message.location is not None:
        place = message.location
        found.append(Attachment("location", geo_ref(place.latitude, place.longitude)))
    if message.contact is not None:
        contact = message.contact
        name = " ".join(filter(None, (contact.first_name, contact.last_name)))
        found.append(Attachment("contact", "", f"{name} {contact.phone_number}".strip()))
    return tuple(found)


def incoming(update: Update) -> Incoming | None:
    """The citizen message an update carries: a text message (commands included), an
    inline-button press, or a photo, document, sticker, voice note, location or contact
    (with its caption). Edits and the bot blocked or unblocked carry none and are
    acknowledged unread."""
    query = update.callback_query
    if query is not None:
        chat = query.message.chat.id if query.message else query.from_user.id
        return Incoming(CHANNEL, str(chat), "", query.data, f"cb{query.id}")
    message = update.message
    if message is None:
        return None
    chat_id = str(message.chat_id)
    message_id = f"m{chat_id}:{message.message_id}"
    if message.text is not None:
        return Incoming(CHANNEL, chat_id, message.text, None, message_id)
    attached = attachments(message)
    if attached:
        caption = message.caption or ""
        return Incoming(CHANNEL, chat_id, caption, None, message_id, attachments=attached)
    return None


async def receive_update(update: Update, intake: Intake, bot: Bot) -> None:
    """Store the update's message; then stop a pressed button's spinner in the citizen's app
    (best effort: the message is stored either way)."""
    message = incoming(update)
    if message is None:
        return
    await intake.submit([message])
    if update.callback_query is not None:
        try:
            await bot.answer_callback_query(update.callback_query.id)
        except TelegramError as exc:
            log.warning("could not answer Telegram callback query: %s", exc)


def register_polling(application: TelegramApplication, intake: Intake) -> None:
    """Polling mode: every update PTB fetches goes through :func:`receive_update`."""

    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await receive_update(update, intake, context.bot)

    application.add_handler(TypeHandler(Update, on_update))


def routes(
    intake: Intake, bot: Bot, secret: str, metrics: Telemetry = NO_TELEMETRY
) -> web.RouteTableDef:
    table = web.RouteTableDef()

    @table.post("/webhooks/telegram")
    @guarded(CHANNEL, metrics)
    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            raise Rejected(401, f"missing {SECRET_HEADER}")
        if not same_secret(given, secret):
            raise Rejected(403, "bad secret token")
        data = parse_json(await request.read())
        if not isinstance(data.get("update_id"), int):
            raise Rejected(400, "update_id missing")
        await receive_update(parse_update(data), intake, bot)
        return web.Response(text="ok")

    return table


# What each error PTB raises means. PTB turns the Bot API's status into the exception
# (400 BadRequest, 401/404 InvalidToken, 403 Forbidden, 429 with retry_after RetryAfter,
# anything else NetworkError); the most specific class listed wins.
ERROR_POLICY: dict[type[TelegramError], Outcome] = {
    RetryAfter: Outcome.RETRY,  # 429 flood control: wait retry_after seconds
    Forbidden: Outcome.WINDOW_CLOSED,  # 403: the citizen blocked the bot
    BadRequest: Outcome.PERMANENT,  # 400: chat not found, text too long, bad button data
    InvalidToken: Outcome.RETRY,  # 401: our token is wrong; keep the reply until it's fixed
    TimedOut: Outcome.RETRY,
    NetworkError: Outcome.RETRY,  # 5xx, a 429 without retry_after, no connection
}


def error_outcome(error: TelegramError) -> Outcome:
    """The policy of the most specific listed class ``error`` is an instance of."""
    for kind in type(error).__mro__:
        if kind in ERROR_POLICY:
            return ERROR_POLICY[kind]
    return Outcome.RETRY


def _retry_after(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type will change
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class TelegramSender:
    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def parts(self, reply: Reply) -> list[Reply]:
        return split_reply(reply, TEXT_LIMIT)

    @staticmethod
    def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
        """One button a row; callback data within Telegram's 64 bytes."""
        rows = []
        for button in reply.buttons:
            data = button.payload.encode()[:CALLBACK_DATA_BYTES].decode(errors="ignore")
            rows.append([InlineKeyboardButton(button.title[:64], callback_data=data)])
        return InlineKeyboardMarkup(rows) if rows else None

    async def send(self, user_id: str, reply: Reply) -> None:
        text = text_with_links(reply)
        try:
            await self.bot.send_message(
                chat_id=int(user_id), text=text[:TEXT_LIMIT], reply_markup=self.keyboard(reply)
            )
        except TelegramError as exc:
            delay = _retry_after(exc) if isinstance(exc, RetryAfter) else None
            raise_for(error_outcome(exc), f"Telegram: {exc}", delay)

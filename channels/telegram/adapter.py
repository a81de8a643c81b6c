"""Telegram through python-telegram-bot: an Application whose handlers hand updates to the
intake, a webhook that feeds updates to it (or polling), and a sender using its Bot.

The webhook acknowledges only once the handlers have stored the message; should storing fail,
Telegram gets a 503 and delivers the update again.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters
from telegram.warnings import PTBDeprecationWarning

from bot.messages import Incoming, Reply
from channels.base import PermanentFailure, RetryLater, split_reply, text_with_links
from channels.intake import Intake
from channels.telegram.transport import AiohttpRequest
from channels.webhook import Rejected, guarded, parse_json, same_secret

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CALLBACK_DATA_BYTES = 64
_STORED = "stored_updates"


def build_application(token: str, api_base: str, polling: bool = False) -> Application:
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


def register_handlers(application: Application, intake: Intake) -> None:
    """Text messages and inline-keyboard presses become :class:`Incoming` messages."""
    stored: dict[int, bool] = application.bot_data.setdefault(_STORED, {})

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat_id = str(message.chat_id)
        incoming = Incoming(
            CHANNEL, chat_id, message.text or "", None, f"m{chat_id}:{message.message_id}"
        )
        stored[update.update_id] = False
        await intake.submit([incoming])
        stored[update.update_id] = True

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        chat = query.message.chat.id if query.message else query.from_user.id
        incoming = Incoming(CHANNEL, str(chat), "", query.data, f"cb{query.id}")
        stored[update.update_id] = False
        await intake.submit([incoming])
        stored[update.update_id] = True
        await query.answer()  # stops the button's spinner in the citizen's app

    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, on_text))


def routes(application: Application, secret: str, metrics=None) -> web.RouteTableDef:
    table = web.RouteTableDef()
    stored: dict[int, bool] = application.bot_data.setdefault(_STORED, {})

    @table.post("/webhooks/telegram")
    @guarded(CHANNEL, metrics)
    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        if given is None:
            raise Rejected(401, "missing X-Telegram-Bot-Api-Secret-Token")
        if not same_secret(given, secret):
            raise Rejected(403, "bad secret token")
        data = parse_json(await request.read())
        if not isinstance(data.get("update_id"), int):
            raise Rejected(400, "update_id missing")
        update = Update.de_json(data, application.bot)
        await application.process_update(update)
        if stored.pop(update.update_id, True) is False:
            raise RuntimeError("the update's message could not be stored")  # → 503
        return web.Response(text="ok")

    return table


class TelegramSender:
    channel = CHANNEL

    def __init__(self, application: Application) -> None:
        self.bot = application.bot

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
        except RetryAfter as exc:
            with warnings.catch_warnings():  # PTB 22 warns that the type will change
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise RetryLater(f"Telegram flood control: {exc}", delay=seconds) from exc
        except (Forbidden, BadRequest) as exc:
            raise PermanentFailure(f"Telegram refused: {exc}") from exc
        except (TimedOut, NetworkError) as exc:
            raise RetryLater(f"Telegram unreachable: {exc}") from exc

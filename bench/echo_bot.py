"""The bare python-telegram-bot a benchmark compares clc-bot with: it answers every message with
its text and every button press with an answer and a new message, each with two buttons (as a
survey question has), nothing else (no database, no pacer), with concurrent updates on, by
polling or behind a bare Starlette webhook.

    python -m bench.echo_bot API_URL TOKEN [--webhook PORT SECRET]
"""

from __future__ import annotations

import asyncio
import signal
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

# bot.channels.telegram's CONNECTIONS and POOL_WAIT, as numbers: the bare bot imports nothing of ours.
CONNECTIONS, POOL_WAIT = 16, 10.0

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


BUTTONS = InlineKeyboardMarkup([[InlineKeyboardButton("1", callback_data="1"),
                                 InlineKeyboardButton("2", callback_data="2")]])


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None:
        await update.message.reply_text(update.message.text or "?", reply_markup=BUTTONS)


async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.answer()
        await query.message.chat.send_message(query.data or "?", reply_markup=BUTTONS)


def build(api_url: str, token: str, *, polling: bool) -> Application:  # type: ignore[type-arg]
    # The bot's own pool size (CONNECTIONS): with the default 256, httpcore's
    # per-request look at every open connection made this bot's rate swing between ~170 and
    # ~500 a second from one run to the next, depending on how many the first burst opened.
    builder = (Application.builder().token(token).base_url(f"{api_url}/bot").concurrent_updates(True)
               .connection_pool_size(CONNECTIONS).pool_timeout(POOL_WAIT))
    if not polling:
        builder = builder.updater(None)
    app = builder.build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


async def serve(api_url: str, token: str, webhook: tuple[int, str] | None) -> None:
    app = build(api_url, token, polling=webhook is None)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with app:
        await app.start()
        if webhook is None:
            assert app.updater is not None
            await app.updater.start_polling(timeout=1)
            await stop.wait()
            await app.updater.stop()
        else:
            port, secret = webhook

            async def receive(request: Request) -> Response:
                if request.headers.get(SECRET_HEADER) != secret:
                    return Response(status_code=403)
                update = Update.de_json(await request.json(), app.bot)
                await app.update_queue.put(update)  # answered at once, as PTB's own webhook server
                return Response()

            routes = [Route("/hook", receive, methods=["POST"])]
            server = uvicorn.Server(uvicorn.Config(Starlette(routes=routes), host="127.0.0.1", port=port,
                                                   log_level="warning"))
            await app.bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token=secret)
            serving = asyncio.create_task(server.serve())
            await stop.wait()
            server.should_exit = True
            await serving
        await app.stop()


def main(argv: list[str]) -> None:
    webhook = None
    if "--webhook" in argv:
        at = argv.index("--webhook")
        webhook = (int(argv[at + 1]), argv[at + 2])
    asyncio.run(serve(argv[0], argv[1], webhook))


if __name__ == "__main__":
    main(sys.argv[1:])

"""One bot process of the rush test: presses «Записаться» for many villagers at once.

Run as ``python -m tests.bot.rush_worker URL SCHEMA ADDRESS...`` (SCHEMA is ``-`` on SQLite).
It builds its own engine and :class:`Dispatcher` (as a second ``clc-bot`` would), prints
``ready``, waits for a line on stdin so that both processes rush together, then sends "1" for
every address concurrently and prints one JSON line per answer: address, contact id, failed,
and the rendered texts.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from bot.clock import system_clock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from bot.render import render_numbered
from flows.events import Inbound
from storage.db import Database
from tests.built import FEATURES


async def press(dispatcher: Dispatcher, catalogs: Catalogs, address: str) -> dict[str, Any]:
    handled = await dispatcher.handle(Inbound("simulator", address, text="1"))
    tr = catalogs.translator(handled.language)
    return {
        "address": address, "contact_id": handled.contact_id, "failed": handled.failed,
        "text": "\n\n".join(render_numbered(reply, tr) for reply in handled.replies),
    }


async def main(url: str, schema: str, addresses: list[str]) -> None:
    options: dict[str, Any] = {}
    if schema != "-":
        options["connect_args"] = {"server_settings": {"search_path": schema}}
    database = Database.from_url(url, **options)
    catalogs = Catalogs.load()
    dispatcher = Dispatcher(database, FEATURES, clock=system_clock)
    try:
        async with database.transaction():
            pass  # connected before the start signal, so both processes rush at the same moment
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        answers = await asyncio.gather(*(press(dispatcher, catalogs, address) for address in addresses))
        for answer in answers:
            print(json.dumps(answer, ensure_ascii=False), flush=True)
    finally:
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3:]))

"""Private answers written in groups: the choices that arrive while one transaction commits share the next.

A transaction costs a WAL fsync (about 2 ms here) and five round trips to aiosqlite's thread,
about 0.4 ms of CPU whatever it holds, behind the store's one write lock; a commit per choice
queued a thousand members choosing at once past Discord's 3 seconds (see BENCHMARKS.md, issue 13).
The first choice after a quiet spell waits `GATHER_SECONDS` for company, so even a steady trickle
shares its commits (at 200 choices a second, 50 ms instead of 20 took a third of the bot's context
switches per answer away). Grouping
keeps the promise made to each member: they are answered only once the transaction holding their
own choice has committed, and a transaction that fails fails every choice in it.
"""

from __future__ import annotations

import asyncio

from bot.store import Choice, Store

GATHER_SECONDS = 0.05  # unnoticeable to a member, and 200 choices a second share a commit by ten


class ChoiceWriter:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: list[tuple[Choice, asyncio.Future[bool]]] = []
        self._writing: asyncio.Task | None = None

    async def write(self, choice: Choice) -> bool:
        """True once `choice` is committed, False if its quiz had closed; raises what the store raised."""
        stored = asyncio.get_running_loop().create_future()
        self._waiting.append((choice, stored))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_waiting())
        return await stored

    async def _write_waiting(self) -> None:
        await asyncio.sleep(GATHER_SECONDS)
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                taken = await self._store.replace_choices([choice for choice, _ in batch])
            except Exception as error:
                for _, stored in batch:
                    if not stored.done():
                        stored.set_exception(error)
                continue
            except BaseException:  # cancelled (the bot is stopping): nobody in the batch is told it was stored
                for _, stored in batch:
                    stored.cancel()
                raise
            for (_, stored), ok in zip(batch, taken, strict=True):
                if not stored.done():  # its member's interaction may have been cancelled meanwhile
                    stored.set_result(ok)

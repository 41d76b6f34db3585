"""Private answers written in groups: the choices that arrive while one transaction commits share the next.

A transaction costs a WAL fsync (about 2 ms here) and five round trips to aiosqlite's thread,
about 0.4 ms of CPU whatever it holds, behind the store's one write lock; a commit per choice
queued a thousand members choosing at once past Discord's 3 seconds (see BENCHMARKS.md, issue 13).
Each transaction waits until its oldest choice has waited `GATHER_SECONDS` for company, so even a
steady trickle shares its commits: after a quiet spell, and after a commit that one or two choices
arrived during, which would otherwise go alone. Under a burst the oldest has waited that long by
the time the previous commit ends. Grouping keeps the promise made to each member: they are
answered only once the transaction holding their own choice has committed, and a transaction that
fails fails every choice in it.
"""

from __future__ import annotations

import asyncio

from bot.store import Choice, Store

GATHER_SECONDS = 0.05  # unnoticeable to a member, and 200 choices a second share a commit by ten


class ChoiceWriter:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: list[tuple[Choice, asyncio.Future[bool]]] = []
        self._oldest_since = 0.0  # the event loop's time when the first of `_waiting` came
        self._writing: asyncio.Task | None = None

    async def write(self, choice: Choice) -> bool:
        """True once `choice` is committed, False if its quiz had closed; raises what the store raised."""
        loop = asyncio.get_running_loop()
        stored = loop.create_future()
        if not self._waiting:
            self._oldest_since = loop.time()
        self._waiting.append((choice, stored))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_waiting())
        return await stored

    async def _write_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            await asyncio.sleep(max(0.0, self._oldest_since + GATHER_SECONDS - loop.time()))
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

"""Private answers committed in groups: each member hears back only once their own choice is committed."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from harness import database_locked
from test_store import open_quiz

from bot import choice_writer
from bot.choice_writer import ChoiceWriter
from bot.store import Choice, Store, StoreError


class CountingStore(Store):
    """The real store, noting how many choices each of its transactions held; `hold`, when set,
    keeps each transaction from committing until it is set again (`writing` says one is waiting)."""

    batches: list[int]
    hold: asyncio.Event | None = None
    writing: asyncio.Event

    async def replace_choices(self, choices: Sequence[Choice]) -> list[bool]:
        self.batches.append(len(choices))
        if self.hold is not None:
            self.writing.set()
            await self.hold.wait()
        return await super().replace_choices(choices)


@pytest.fixture
async def store(tmp_path: Path):
    store = await CountingStore.open(tmp_path / "quiz.sqlite3", busy_timeout_ms=100)
    store.batches = []
    store.writing = asyncio.Event()
    yield store
    await store.close()


async def test_choices_arriving_together_share_transactions_and_each_gets_its_own_answer(store: CountingStore) -> None:
    quiz = await open_quiz(store, message_id=500)  # deadline 160
    writer = ChoiceWriter(store)
    choices = [Choice(quiz.id, user, frozenset({user % 4}), at=120.0) for user in range(50)]
    late = Choice(quiz.id, 99, frozenset({0}), at=200.0)
    taken = await asyncio.gather(*(writer.write(choice) for choice in [*choices, late]))
    assert taken == [True] * 50 + [False]
    assert store.batches == [51]  # one transaction, one commit, for all that came together
    assert await store.selections(quiz.id) == {user: frozenset({user % 4}) for user in range(50)}


async def test_a_failed_transaction_fails_every_choice_in_it_and_the_next_one_works(
    store: CountingStore, tmp_path: Path
) -> None:
    quiz = await open_quiz(store, message_id=501)
    writer = ChoiceWriter(store)
    async with database_locked(tmp_path / "quiz.sqlite3"):
        failed = await asyncio.gather(
            *(writer.write(Choice(quiz.id, user, frozenset({1}), at=120.0)) for user in range(3)),
            return_exceptions=True,
        )
    assert all(isinstance(error, StoreError | sqlite3.OperationalError) for error in failed), failed
    assert await store.selections(quiz.id) == {}
    assert await writer.write(Choice(quiz.id, 0, frozenset({2}), at=121.0))
    assert await store.selections(quiz.id) == {0: frozenset({2})}


async def test_a_choice_made_while_a_transaction_commits_still_waits_for_company(
    store: CountingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(choice_writer, "GATHER_SECONDS", 0.2)  # far longer than the 10 ms between B and C
    quiz = await open_quiz(store, message_id=502)
    writer = ChoiceWriter(store)
    store.hold = asyncio.Event()
    a = asyncio.create_task(writer.write(Choice(quiz.id, 1, frozenset({0}), at=120.0)))
    await store.writing.wait()  # A's transaction is committing
    b = asyncio.create_task(writer.write(Choice(quiz.id, 2, frozenset({1}), at=121.0)))
    await asyncio.sleep(0)
    store.hold.set()  # A commits with B waiting
    await asyncio.sleep(0.01)
    c = asyncio.create_task(writer.write(Choice(quiz.id, 3, frozenset({2}), at=122.0)))
    assert await asyncio.gather(a, b, c) == [True, True, True]
    assert store.batches == [1, 2]  # B did not go alone: it waited, and C joined it

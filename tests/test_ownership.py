"""Each shard run by one process, held by PostgreSQL advisory locks (bot.ownership), in one event loop:
which layouts of processes and shards are refused, and with what line."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
from harness import eventually

from bot.ownership import LockError, hold_shards
from bot.shards import Shards
from bot.store.postgres_engine import HeldConnection


class Holders:
    """Claims of shards as separate processes would make them, each on its own connection; all closed at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lost: list[Shards] = []
        self._held: list[HeldConnection] = []

    async def __call__(self, count: int | None, ids: tuple[int, ...] | None) -> HeldConnection:
        shards = Shards(count, ids)
        held = await hold_shards(self.url, shards, on_lost=lambda: self.lost.append(shards))
        self._held.append(held)
        return held

    async def close_all(self) -> None:
        for held in self._held:
            await held.close()


@pytest.fixture
async def claim(postgres_url: str) -> AsyncIterator[Holders]:
    holders = Holders(postgres_url)
    yield holders
    await holders.close_all()


async def test_processes_on_different_shards_all_start(claim: Holders) -> None:
    await claim(4, (0, 1))
    await claim(4, (2,))
    await claim(4, (3,))


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ((2, (1,)), (2, (1,)), "shard 1 of 2 is already run by another quizbot process; stop it first or give "
                               "this one other discord.shard_ids"),
        ((4, (1, 2, 3)), (4, (0, 1, 3)), "shards 1, 3 of 4 are already run by another quizbot process"),
        ((None, None), (2, (0,)), "another quizbot process runs every shard on this database (it has no "
                                  "discord.shard_ids); stop it first"),
        ((2, (1,)), (None, None), "another quizbot process already runs shards on this database; stop it first"),
        ((2, None), (2, (0,)), "another quizbot process runs every shard"),
    ],
    ids=["the same shard", "two of three shards", "after an unsharded one", "an unsharded one after", "all of a count"],
)  # fmt: skip
async def test_a_process_for_a_shard_another_runs_is_refused_in_one_line_naming_it(
    claim: Holders, first: tuple, second: tuple, message: str
) -> None:
    await claim(*first)
    with pytest.raises(LockError) as refused:
        await claim(*second)
    assert str(refused.value).startswith(message) and "\n" not in str(refused.value)


async def test_a_refused_process_keeps_none_of_the_shards_it_did_get(claim: Holders) -> None:
    await claim(4, (1,))
    with pytest.raises(LockError):
        await claim(4, (0, 1))
    await claim(4, (0,))  # shard 0 was taken by the refused claim, and went with its connection


async def test_shards_are_free_again_once_their_holder_closes(claim: Holders) -> None:
    held = await claim(2, (1,))
    await held.close()
    await claim(2, (1,))
    assert claim.lost == []  # closing on purpose is not losing them


async def test_a_holder_whose_connection_the_server_ends_is_told(claim: Holders) -> None:
    await claim(2, (1,))
    admin = await asyncpg.connect(claim.url)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    await eventually(_now(lambda: claim.lost == [Shards(2, (1,))]), "the holder to hear of it")
    await claim(2, (1,))  # and the shard is free for a replacement


def _now(condition: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return condition()

    return check

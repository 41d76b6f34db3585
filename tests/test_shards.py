"""Which shard a server is on, and what one process of a sharded bot owns."""

from __future__ import annotations

import pytest

from bot.shards import Shards, shard_of

# Ids whose timestamp part (id >> 22) is 0, 1, 2, 3, 7 and 8, with arbitrary low bits.
STAMP = 1 << 22


@pytest.mark.parametrize(
    ("guild_id", "count", "shard"),
    [
        (0, 1, 0),
        (STAMP * 5 + 12345, 1, 0),
        (STAMP * 1, 2, 1),
        (STAMP * 2 + (STAMP - 1), 2, 0),  # the low 22 bits never move a server
        (STAMP * 7, 4, 3),
        (STAMP * 8, 4, 0),
        (81384788765712384, 8, 2),  # 19403645698 % 8
        (175928847299117063, 16, 4),  # the snowflake Discord's documentation takes apart: 41944705796 % 16
    ],
)
def test_shard_of_follows_discords_formula(guild_id: int, count: int, shard: int) -> None:
    assert shard_of(guild_id, count) == shard


@pytest.mark.parametrize(
    ("shards", "owned"),
    [
        (Shards(), {0, 1, 2, 3}),
        (Shards(count=4), {0, 1, 2, 3}),
        (Shards(count=4, ids=(0, 1)), {0, 1}),
        (Shards(count=4, ids=(3,)), {3}),
        (Shards(count=1, ids=(0,)), {0, 1, 2, 3}),
    ],
)
def test_a_process_owns_the_servers_of_its_shards(shards: Shards, owned: set[int]) -> None:
    servers = {shard: STAMP * shard + 99 for shard in range(4)}  # with count 4, server n is on shard n
    assert {shard for shard, guild_id in servers.items() if shards.owns(guild_id)} == owned


@pytest.mark.parametrize(
    ("shards", "syncs"),
    [
        (Shards(), True),
        (Shards(count=8), True),
        (Shards(count=8, ids=(0, 1)), True),
        (Shards(count=8, ids=(4, 5)), False),
    ],
)
def test_only_the_process_with_shard_zero_syncs_commands(shards: Shards, syncs: bool) -> None:
    assert shards.syncs_commands is syncs

"""Which quizzes have seen every event of their shard: link numbers per shard."""

from __future__ import annotations

import pytest

from bot.gateway_links import GatewayLinks

# Each step: ("lost", shard) or ("fresh"/"resumed", shard); then the expected current link of shards 0 and 1.
STEPS = {
    "both connect": ([("fresh", 0), ("fresh", 1)], (1, 1)),
    "a drop and a resume": ([("fresh", 0), ("lost", 0), ("resumed", 0)], (2, None)),
    "a drop and a new session": ([("fresh", 0), ("lost", 0), ("fresh", 0)], (3, None)),
    "shard 1 down, shard 0 untouched": ([("fresh", 0), ("fresh", 1), ("lost", 1)], (1, None)),
    "shard 0 back while 1 is down": ([("fresh", 0), ("fresh", 1), ("lost", 1), ("lost", 0), ("resumed", 0)], (2, None)),
}


def _replay(steps: list[tuple[str, int]]) -> GatewayLinks:
    links = GatewayLinks()
    for step, shard in steps:
        if step == "lost":
            links.lost(shard)
        else:
            links.gained(shard, fresh=step == "fresh")
    return links


@pytest.mark.parametrize(("steps", "current"), STEPS.values(), ids=STEPS.keys())
def test_a_shards_link_moves_only_with_its_own_connection(steps: list, current: tuple) -> None:
    links = _replay(steps)
    assert (links.current(0), links.current(1)) == current


@pytest.mark.parametrize(
    ("steps", "connected"),
    [([], False), ([("fresh", 0)], True), ([("fresh", 0), ("fresh", 1), ("lost", 1)], False)],
    ids=["never connected", "one shard up", "one of two down"],
)
def test_connected_means_every_shard_seen_is_up(steps: list, connected: bool) -> None:
    assert _replay(steps).connected is connected

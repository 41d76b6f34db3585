"""The statistics commands' queries at 1,000,000 result rows (100 guilds): each must stay under 50 ms.

    python bench/stats_queries.py [--runs 5] [--calls 100]

The history comes from `bench/dataset.py`, written through the store's API (it takes a few minutes
once; pass --database to reuse a file). Each run times `--calls` calls of each store method that a
command makes, for random guilds and members, and reports the median per command. Baseline in the
same run: one `SELECT 1` through aiosqlite, the floor of any query from the bot's event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from dataset import DAY, GUILDS, MEMBERS, QUIZZES, START, fill, member  # noqa: E402

from bot.periods import Period, span  # noqa: E402
from bot.store import Store  # noqa: E402

NOW = START + QUIZZES * DAY


async def leaderboard(store: Store, guild: int, user: int, period: Period, season: int | None = None) -> None:
    window = span(period, NOW, await store.season_starts(guild), season)
    await store.leaderboard(guild, 10, window.since, window.until)
    await store.standing(guild, user, window.since, window.until)


async def whole_history(store: Store, guild: int, user: int) -> None:
    """The worst case of a period: one that covers every result of the guild (10,000 rows)."""
    await store.leaderboard(guild, 10, 0.0, None)
    await store.standing(guild, user, 0.0, None)


async def review(store: Store, guild: int, user: int) -> None:
    await store.due_card(guild, user, NOW)
    await store.memory_summary(guild, user, NOW)


COMMANDS = {
    "/leaderboard (all time)": lambda s, g, u: leaderboard(s, g, u, Period.ALL),
    "/leaderboard period:this week": lambda s, g, u: leaderboard(s, g, u, Period.WEEK),
    "/leaderboard period:this season": lambda s, g, u: leaderboard(s, g, u, Period.SEASON),
    "/leaderboard season:1 (30 days)": lambda s, g, u: leaderboard(s, g, u, Period.SEASON, 1),
    "/leaderboard, a season of all 100 days": lambda s, g, u: whole_history(s, g, u),
    "/stats": lambda s, g, u: s.member_stats(g, u),
    "/questionstats": lambda s, g, u: s.question_stats(g),
    "/review (due card, memory summary)": lambda s, g, u: review(s, g, u),
    "baseline: SELECT 1": lambda s, g, u: s.schema_version(),
}


async def one_run(store: Store, calls: int, rng: random.Random) -> dict[str, float]:
    medians = {}
    for name, command in COMMANDS.items():
        times = []
        for _ in range(calls):
            guild = rng.randrange(1, GUILDS + 1)
            started = time.perf_counter()
            await command(store, guild, member(guild, rng.randrange(MEMBERS)))
            times.append(time.perf_counter() - started)
        medians[name] = statistics.median(times)
    return medians


async def plans(store: Store) -> None:
    db = store.engine.connection  # reading the plans of the store's own statements, nothing else
    for label, sql, parameters in [
        (
            "points ranking",
            "SELECT user_id FROM points WHERE guild_id = ? ORDER BY points DESC, user_id LIMIT 10",
            (1,),
        ),
        (
            "period totals",
            "SELECT user_id, SUM(points) FROM results WHERE guild_id = ? AND graded_at >= ? "
            "AND graded_at < ? GROUP BY user_id",
            (1, 0, 1e12),
        ),
        (
            "member history",
            "SELECT exact FROM results WHERE guild_id = ? AND user_id = ? ORDER BY graded_at, quiz_id",
            (1, 1),
        ),
        (
            "due card",
            "SELECT id FROM memory_cards WHERE guild_id = ? AND user_id = ? AND due <= ? ORDER BY due, id LIMIT 1",
            (1, 1, 1e12),
        ),
    ]:
        async with db.execute(f"EXPLAIN QUERY PLAN {sql}", parameters) as cursor:
            print(f"  {label}: " + " / ".join([row[-1] async for row in cursor]))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--database", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.database or Path(tmp) / "stats.sqlite3"
        if not path.exists():
            started = time.perf_counter()
            await fill(path)
            print(f"filled {path} in {time.perf_counter() - started:.0f} s")
        store = await Store.open(path)
        try:
            rng = random.Random(7)
            runs = [await one_run(store, args.calls, rng) for _ in range(args.runs)]
            print(f"{args.runs} runs of {args.calls} calls each; median per command (ms), worst run's median:")
            base = statistics.median(run["baseline: SELECT 1"] for run in runs)
            for name in COMMANDS:
                values = [run[name] for run in runs]
                median = statistics.median(values)
                print(
                    f"  {name:<34} {median * 1000:7.2f} ms  (worst {max(values) * 1000:.2f}; "
                    f"{median / base:5.1f}x the baseline)"
                )
            print("query plans:")
            await plans(store)
        finally:
            await store.close()


if __name__ == "__main__":
    asyncio.run(main())

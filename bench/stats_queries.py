"""The statistics commands' queries at 1,000,000 result rows (100 guilds), on SQLite and PostgreSQL.

    python bench/stats_queries.py [--runs 5] [--calls 100] [--engine sqlite|postgres|both] [--database FILE]

The history comes from `bench/dataset.py`, written through the store's API into a SQLite file (about
a minute once; pass --database to reuse a file); PostgreSQL gets a copy of it (see `bench/engines.py`).
Each run times `--calls` calls of each store method that a command makes, for random guilds and
members, and reports per command the median of the runs' medians and the 99th percentile of all
calls. Baseline in the same run: one `SELECT 1` through the store's engine, the floor of any query
from the bot's event loop.
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
from engines import add_engine_option, chosen, each_engine, p99, plan, postgres_server  # noqa: E402

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
    "baseline: SELECT 1": lambda s, g, u: s.engine.fetchrow("SELECT 1"),
}


async def one_run(store: Store, calls: int, rng: random.Random) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for name, command in COMMANDS.items():
        for _ in range(calls):
            guild = rng.randrange(1, GUILDS + 1)
            started = time.perf_counter()
            await command(store, guild, member(guild, rng.randrange(MEMBERS)))
            times.setdefault(name, []).append(time.perf_counter() - started)
    return times


PLANS = [  # the store's statements behind the commands above, by name, with typical parameters
    ("all-time ranking", "LEADERBOARD", (1, 10)),
    ("period totals", "LEADERBOARD_FOR_PERIOD", (1, START, START + 10 * DAY, 10)),
    ("a member's period rank", "STANDING_FOR_PERIOD", (1, START, START + 10 * DAY, member(1, 1))),
    ("a member's history", "MEMBER_HISTORY", (1, member(1, 1))),
    ("a member's most overdue card", "DUE_CARD", (1, member(1, 1), NOW)),
]


async def measure(target: Path | str, runs: int, calls: int) -> None:
    store = await Store.open(target)
    try:
        rng = random.Random(7)
        results = [await one_run(store, calls, rng) for _ in range(runs)]
        print(f"  {runs} runs of {calls} calls each; per command: median, worst run's median, p99 of all calls (ms)")
        base = statistics.median(statistics.median(r["baseline: SELECT 1"]) for r in results)
        for name in COMMANDS:
            medians = [statistics.median(r[name]) for r in results]
            median = statistics.median(medians)
            print(
                f"    {name:<38} {median * 1000:7.2f}  (worst {max(medians) * 1000:.2f}; "
                f"p99 {p99([t for r in results for t in r[name]]) * 1000:.2f}; {median / base:5.1f}x the baseline)"
            )
        print("  query plans:")
        for label, statement, parameters in PLANS:
            print(f"    {label} ({statement}):")
            for line in await plan(store, statement, *parameters):
                print(f"        {line}")
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--database", type=Path, help="a SQLite file filled by an earlier run, to reuse")
    add_engine_option(parser)
    args = parser.parse_args()
    engines = chosen(args)
    with tempfile.TemporaryDirectory() as tmp, postgres_server(engines) as server:
        path = args.database or Path(tmp) / "stats.sqlite3"
        if not path.exists():
            started = time.perf_counter()
            await fill(path)
            print(f"filled {path} in {time.perf_counter() - started:.0f} s")
        async for engine, target in each_engine(engines, path, server):
            print(f"{engine} (target < 10 ms each):")
            await measure(target, args.runs, args.calls)


if __name__ == "__main__":
    asyncio.run(main())

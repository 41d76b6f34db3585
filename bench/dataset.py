"""A large, realistic quiz history for the query benchmarks, written through the store's own API.

100 guilds of 1,000 members; each guild has run 100 quizzes over 100 days, spread over 10 questions
in 5 topics, with 100 participants each: 10,000 quizzes and 1,000,000 result rows. About 35 % of
answers are exactly right. Each guild started seasons 2, 3 and 4 on days 30, 60 and 90.
"""

from __future__ import annotations

import random
from pathlib import Path

from bot.bank import load_bank
from bot.grading import Result, Scoring
from bot.questions import Question
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
GUILDS, MEMBERS, QUIZZES, PARTICIPANTS = 100, 1_000, 100, 100
START = 1_700_000_000.0
DAY = 86_400.0


def member(guild: int, n: int) -> int:
    return guild * 1_000_000 + n


def questions() -> list[Question]:
    bank = load_bank([ROOT / "questions"])
    chosen = sorted(bank.questions.values(), key=lambda q: q.id)[:10]
    # Five topics of two questions each, whatever the shipped folders are.
    return [Question(**{**q.__dict__, "topic": f"topic-{i // 2}"}) for i, q in enumerate(chosen)]


async def fill(path: Path) -> None:
    store = await Store.open(path)
    rng = random.Random(6)
    pool = questions()
    try:
        for guild in range(1, GUILDS + 1):
            for n in range(QUIZZES):
                question = pool[n % len(pool)]
                started = START + n * DAY
                quiz = await store.create_quiz(
                    guild_id=guild,
                    channel_id=guild,
                    started_by=member(guild, 0),
                    question=question,
                    scoring=Scoring.EXACT,
                    started_at=started,
                    deadline=started + 60,
                )
                quiz = await store.mark_open(await store.add_question_part(quiz, guild * 1_000 + n))
                quiz = await store.freeze_answers(quiz, {}, started + 60)
                results = []
                for user in rng.sample(range(MEMBERS), PARTICIPANTS):
                    if rng.random() < 0.35:
                        results.append(Result(member(guild, user), question.correct, 1.0, True))
                    else:
                        wrong = rng.choice([i for i in range(len(question.options)) if i not in question.correct])
                        results.append(Result(member(guild, user), frozenset({wrong}), 0.0, False))
                await store.record_results(quiz, results, started + 60)
                await store.mark_announced(quiz.id)
            for season in (30, 60, 90):
                await store.start_season(guild, member(guild, 0), START + season * DAY + 1)
    finally:
        await store.close()

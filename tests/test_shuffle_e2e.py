"""Shuffled options end to end: each quiz its own order, graded and counted by the file's option."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from fakediscord import FakeDiscord
from fakediscord.models import Message
from harness import BotRunner, FakeClock, StudyGroup, embed_text, result_messages, start_quiz

from bot.render import letter, option_index

TRAP = "It lowers the training loss, so it must be reducing overfitting."
SHUFFLED = f"""\
# Early stopping

Ines stops training when the validation loss has not improved for five epochs.

**Why does early stopping help against overfitting?**

- [ ] It raises the learning rate whenever the validation loss stops falling.
- [x] It keeps the weights from the epoch before the model began fitting noise.
- [ ] {TRAP}
- [ ] It removes the training examples that the model gets wrong most often.

## Answer

The weights are taken from before the validation loss started to rise.
"""
FIXED = """\
---
shuffle: false
---
# Which regularisers

**Which of these is a regulariser for a linear model?**

- [ ] Standardising the inputs
- [ ] Adding more features
- [x] An L2 penalty on the weights
- [ ] A larger batch size
- [ ] None of the above

## Answer

The L2 penalty shrinks the weights.
"""
SEED = 2  # the two quizzes of SHUFFLED come out in different orders with the trap at different letters


@pytest.fixture
async def shuffling(server: FakeDiscord, tmp_path: Path, clock: FakeClock):
    folder = tmp_path / "questions" / "ml"
    folder.mkdir(parents=True)
    (folder / "early-stopping.md").write_text(SHUFFLED, encoding="utf-8")
    (folder / "regularisers.md").write_text(FIXED, encoding="utf-8")
    runner = BotRunner(
        server, tmp_path / "quiz.sqlite3", clock, questions=tmp_path / "questions", rng=random.Random(SEED),
        shuffle_options=True,
    )  # fmt: skip
    yield runner
    await runner.stop_all()


def posted_options(question: Message) -> list[str]:
    """The option texts in the order the message shows them (the lines that start with a letter)."""
    shown = []
    for line in embed_text([question]).splitlines():
        head, _, text = line.partition(" ")
        if option_index(head, 20) is not None:
            shown.append(text)
    return shown


async def answer(
    server: FakeDiscord, group: StudyGroup, clock: FakeClock, question_id: str, picks: dict, options: int = 4
) -> tuple[list[str], str]:
    """Post the question, let each member react with the letter of the option text picked; the result."""
    _, question = await start_quiz(server, group, options=options, question=question_id, duration=60)
    shown = posted_options(question)
    for member, text in picks.items():
        await group.react(member, question, shown.index(text))
    await group.settle()
    clock.advance(60)
    await server.wait_for(lambda: question.content.startswith("🔒"), description="the question closed")
    return shown, embed_text(result_messages(server, group, question.id))


async def test_two_quizzes_in_different_orders_are_graded_and_counted_by_the_files_option(
    server: FakeDiscord, group: StudyGroup, clock: FakeClock, shuffling: BotRunner
) -> None:
    bot = await shuffling.start()
    file_options = [line[6:] for line in SHUFFLED.splitlines() if line.startswith("- [")]
    right = file_options[1]
    ana, ben, cleo, dev = group.members

    first, first_result = await answer(
        server, group, clock, "ml/early-stopping", {ana: right, ben: TRAP, cleo: TRAP, dev: TRAP}
    )
    second, second_result = await answer(
        server, group, clock, "ml/early-stopping", {ana: right, ben: TRAP, cleo: TRAP, dev: right}
    )
    assert sorted(first) == sorted(second) == sorted(file_options)
    assert first.index(TRAP) != second.index(TRAP)  # the orders differ where it matters

    for shown, result, exact in ((first, first_result, {ana}), (second, second_result, {ana, dev})):
        assert re.findall(r"✅ (\S+)", result) == [letter(shown.index(right))]
        winners = re.search(r"Who got it right\n(.*)\n", result).group(1)
        assert set(re.findall(r"<@(\d+)>", winners)) == {str(m.id) for m in exact}
    assert f"✅ {letter(second.index(right))} {right}\n**2** picks" in second_result
    assert f"❌ {letter(second.index(TRAP))} {TRAP} · **2** picks" in second_result

    stats = await server.invoke(group.moderator, group.channel, "questionstats")
    await server.wait_for(lambda: stats.followups, description="/questionstats")
    assert (
        "38% right · asked 2 times · 8 answers · most-picked wrong: 🇨 (5) It lowers the training loss, so it must be"
        in stats.followups[0].embeds[0]["description"]
    )

    cards = {m: await bot.store.due_card(group.guild.id, m.id, 1e12) for m in (ana, ben)}
    assert (cards[ana].memory.step, cards[ben].memory.step) == (None, 0)  # right twice: learned; wrong twice
    assert cards[ben].question.options[1].text == right  # drilled in the file's order


async def test_a_question_that_opts_out_keeps_the_files_order(
    server: FakeDiscord, group: StudyGroup, clock: FakeClock, shuffling: BotRunner
) -> None:
    await shuffling.start()
    file_options = [line[6:] for line in FIXED.splitlines() if line.startswith("- [")]
    for _ in range(3):
        shown, result = await answer(
            server, group, clock, "ml/regularisers", {group.members[0]: file_options[2]}, options=5
        )
        assert shown == file_options
        assert re.findall(r"✅ (\S+)", result) == [letter(2)]

"""Formulas and figures end to end: the real discord.py client uploads them to the loopback Discord,
which holds the bot to Discord's attachment rules."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import discord
import pytest
from fakediscord import FakeDiscord
from harness import BotRunner, FakeClock, StudyGroup, result_messages, start_quiz
from test_fakediscord import ClientFactory, World, _text_channel, run_client, server, world  # noqa: F401

from bot.cogs.replies import with_files
from bot.outgoing import Attachment, Post
from bot.quiz import _posts_from_json, _posts_to_json

FIGURE = Path(__file__).resolve().parent.parent / "questions" / "figures" / "confusion-matrix.png"

QUESTION = r"""# Temperature and a figure

The logits are $z = (2, 1, 0)$ and

$$p_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}$$

![the confusion matrix](../figures/cm.png)

**What is $p_1$ at $T = 0.5$?**

- [ ] $0.506$
- [x] $0.867$
- [ ] $1/3$

## Answer

The logits double: $\frac{e^4}{e^4 + e^2 + 1} \approx 0.867$. Costs \$5, not $10.
"""


@pytest.fixture
def media_runner(server: FakeDiscord, tmp_path: Path, clock: FakeClock) -> BotRunner:  # noqa: F811
    bank = tmp_path / "bank"
    (bank / "topic").mkdir(parents=True)
    (bank / "figures").mkdir()
    shutil.copy(FIGURE, bank / "figures" / "cm.png")
    (bank / "topic" / "temperature.md").write_text(QUESTION)
    return BotRunner(server, tmp_path / "quiz.sqlite3", clock, questions=bank)


def shown_images(message) -> list[str]:
    return [e["image"]["url"] for e in message.embeds if "image" in e]


async def test_a_question_with_formulas_and_a_figure_is_posted_and_revealed_with_its_files(
    server: FakeDiscord,  # noqa: F811
    media_runner: BotRunner,
    clock: FakeClock,
) -> None:
    group = StudyGroup(server)
    try:
        await media_runner.start()
        _, question = await start_quiz(server, group, options=3, question="topic/temperature")
        files = {a["filename"]: a for a in question.attachments}
        assert set(files) == {"question-figure-1.png", "question-formulas.png"}
        assert files["question-figure-1.png"]["size"] == FIGURE.stat().st_size
        assert 100 < files["question-formulas.png"]["width"] <= 1000 < 100 * files["question-formulas.png"]["height"]
        # Discord shows each upload where an embed named it: the figure, then the formulas under the options.
        assert shown_images(question) == [files["question-figure-1.png"]["url"], files["question-formulas.png"]["url"]]
        options = question.embeds[-1]["description"]
        assert "🇧 `0.867`" in options  # the letters still match the reactions, the TeX stays copyable
        await group.react(group.members[0], question, 1)
        clock.advance(60)
        result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
        [answer] = [a for m in result for a in m.attachments]
        assert answer["filename"] == "answer-formulas.png"
        explanation = next(e for m in result for e in m.embeds if e.get("title") == "Explanation")
        assert explanation["image"]["url"] == answer["url"]
        assert "Costs $5, not $10." in explanation["description"]  # an escaped dollar and currency stay text
    finally:
        await media_runner.stop_all()


def test_stored_result_posts_keep_how_to_remake_their_files() -> None:
    posts = [
        Post(
            "late",
            ({"image": {"url": "attachment://answer-formulas.png"}},),
            (Attachment("answer-formulas.png", rows=(("A", "$x$"),)),),
        ),
        Post(embeds=({"description": "d"},), files=(Attachment("answer-figure-1.png", path="/bank/f.png"),)),
    ]
    assert _posts_from_json(_posts_to_json(posts)) == posts


def test_result_posts_stored_before_files_existed_still_load() -> None:
    assert _posts_from_json('[{"content": "c", "embeds": []}]') == [Post("c")]


def png() -> discord.File:
    return discord.File(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 16), filename="f.png")


@pytest.mark.parametrize(
    ("files", "size", "embed_image", "status", "code"),
    [
        (11, 1, None, 400, 50035),  # Discord's description caps `attachments` at 10
        (1, 10 * 1024 * 1024 + 1, None, 413, 40005),  # over a bot's 10 MB per file
        (1, 1, "attachment://other.png", 400, 50035),
        (0, 1, "attachment://f.png", 400, 50035),
    ],
)
async def test_the_loopback_discord_enforces_attachment_rules(
    server: FakeDiscord,  # noqa: F811
    world: World,  # noqa: F811
    run_client: ClientFactory,  # noqa: F811
    files: int,
    size: int,
    embed_image: str | None,
    status: int,
    code: int,
) -> None:
    channel = _text_channel(await run_client(), world)
    embed = discord.Embed(description="x")
    if embed_image:
        embed.set_image(url=embed_image)
    uploads = [discord.File(io.BytesIO(b"x" * size), filename=f"f{i}.png" if i else "f.png") for i in range(files)]
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send(embed=embed, files=uploads)
    assert (refused.value.status, refused.value.code) == (status, code)
    assert server.messages(world.channel) == []


async def test_an_uploaded_image_is_shown_where_the_embed_names_it(
    server: FakeDiscord,  # noqa: F811
    world: World,  # noqa: F811
    run_client: ClientFactory,  # noqa: F811
) -> None:
    channel = _text_channel(await run_client(), world)
    sent = await channel.send(embed=discord.Embed(description="x").set_image(url="attachment://f.png"), file=png())
    [stored] = server.messages(world.channel)
    assert stored.embeds[0]["image"]["url"] == stored.attachments[0]["url"] == sent.embeds[0].image.url


async def test_a_figure_gone_since_the_bank_loaded_is_left_out_rather_than_refused(tmp_path: Path) -> None:
    kept = tmp_path / "kept.png"
    kept.write_bytes(FIGURE.read_bytes())
    post = Post(
        embeds=(
            {"description": "text", "image": {"url": "attachment://gone.png"}},
            {"image": {"url": "attachment://gone-too.png"}},
            {"image": {"url": "attachment://kept.png"}},
        ),
        files=(
            Attachment("gone.png", path=str(tmp_path / "deleted.png")),
            Attachment("gone-too.png", path=str(tmp_path / "deleted.png")),
            Attachment("kept.png", path=str(kept)),
        ),
    )
    fields = await with_files(post)
    assert [f.filename for f in fields["files"]] == ["kept.png"]
    assert [e.to_dict().get("image", {}).get("url") for e in fields["embeds"]] == [None, "attachment://kept.png"]

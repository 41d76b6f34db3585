"""Questions, results and standings -> message payloads that fit Discord's limits. Pure.

Embeds are plain dicts in Discord's JSON shape so this module needs nothing from discord; the
edge turns them into `discord.Embed`s. Long text is split (never cut) across embeds and, when one
message cannot hold it all, across several messages: `bot.outgoing` holds the limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.figures import without_images
from bot.grading import Result, Scoring, streaks
from bot.math_spans import as_source
from bot.media import Media, media
from bot.outgoing import (
    CONTENT_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TITLE_LIMIT,
    Embed,
    Post,
    attach,
    attachment_url,
    clip,
    fit_lines,
    pack,
    quoted,
    split_text,
)
from bot.questions import Question
from bot.store import MemberStats, QuestionStats, Quiz, Standing

MAX_NAMED_WINNERS = 40  # beyond this a result names a count, not everyone
WRONG_OPTION_PREVIEW = 80

QUESTION_COLOUR = 0x5865F2
RESULT_COLOUR = 0x57F287
LEADERBOARD_COLOUR = 0xFEE75C


def letter(index: int) -> str:
    """The regional-indicator emoji for option `index`: 🇦, 🇧, …"""
    return chr(0x1F1E6 + index)


def option_index(emoji: str, options: int) -> int | None:
    """The option a reaction emoji stands for, or None if it is not one of the question's letters."""
    if len(emoji) != 1:
        return None
    index = ord(emoji) - 0x1F1E6
    return index if 0 <= index < options else None


REACT_FOOTER = "React with the letters of your answer; remove a reaction to take it back."
PRIVATE_FOOTER = "Choose your answer in the menu below; only you see your choice until the result."


def question_posts(question: Question, deadline: int, *, private: bool = False) -> list[Post]:
    """The question as messages; members answer on the last one, which carries the options."""
    intro = _text_embeds(question.body, title=question.title, colour=QUESTION_COLOUR)
    choices = [_option_line(i, option.text) for i, option in enumerate(question.options)]
    prompt = f"**{question.prompt}**" if question.prompt else ""
    option_embeds = _text_embeds("\n\n".join([prompt, *choices]).strip(), colour=QUESTION_COLOUR)
    option_embeds[-1]["footer"] = {"text": PRIVATE_FOOTER if private else REACT_FOOTER}
    stated = question.stated_count
    pick = f" · **Pick {stated}**" if stated else ""
    parts = [("", question.body), ("", question.prompt)]
    parts += [(chr(ord("A") + i), option.text) for i, option in enumerate(question.options)]
    shown = media("question", parts, question.folder, QUESTION_COLOUR)
    _show_formulas(option_embeds, shown)
    posts = pack([*intro, *shown.figures, *option_embeds], f"⏳ Closes <t:{deadline}:R>{pick}")
    return attach(posts, shown.files)


def _show_formulas(embeds: list[Embed], shown: Media) -> None:
    """The typeset formulas as the image of the last embed, under the text they belong to."""
    if shown.formulas is not None:
        embeds[-1]["image"] = {"url": attachment_url(shown.formulas.name)}


def closed_content(closed_at: int) -> str:
    return f"🔒 Closed <t:{closed_at}:R>: the answer is in the reply below."


def started_note(quiz: Quiz, unplaced: Sequence[str]) -> str:
    link = f"https://discord.com/channels/{quiz.guild_id}/{quiz.channel_id}/{quiz.message_id}"
    note = f"Posted {link}; it closes <t:{int(quiz.deadline)}:R>."
    if unplaced:
        note += (
            f" Members' other emoji filled Discord's 20 reactions, so {' '.join(unplaced)} could not be added:"
            " give me Manage Messages in this channel to clear stray emoji."
        )
    return note


def late_note(read_at: int, seconds_late: int) -> str:
    minutes = max(1, round(seconds_late / 60))
    return (
        f"⏰ Graded late: the answers were read at <t:{read_at}:f>, about {minutes} min after the deadline "
        "(the bot was offline), so reactions added in between count."
    )


def cancelled_content(reason: str) -> str:
    return clip(f"🚫 Quiz cancelled: {reason}", CONTENT_LIMIT)


def result_posts(
    question: Question,
    results: Sequence[Result],
    counts: Sequence[int],
    standings: Sequence[Standing],
    scoring: Scoring,
) -> list[Post]:
    """The reveal: correct options, pick counts, who got it right, explanation, reading, standings."""
    lines = []
    for i, option in enumerate(question.options):
        picks = f"**{counts[i]}** pick{'' if counts[i] == 1 else 's'}"
        if option.correct:
            lines.append(f"✅ {_option_line(i, option.text)}\n{picks}")
        else:
            lines.append(f"❌ {letter(i)} {_preview(option.text)} · {picks}")
    header = _text_embeds(
        "\n\n".join(lines), title=clip(f"Answer: {question.title}", EMBED_TITLE_LIMIT), colour=RESULT_COLOUR
    )
    parts = [(chr(ord("A") + i), option.text) for i, option in enumerate(question.options) if option.correct]
    parts += [("", question.explanation), ("", question.reading)]
    shown = media("answer", parts, question.folder, RESULT_COLOUR)
    explained = []
    if question.explanation:
        explained += _text_embeds(question.explanation, title="Explanation", colour=RESULT_COLOUR)
    if question.reading:
        explained += _text_embeds(question.reading, title="Reading", colour=RESULT_COLOUR)
    _show_formulas(explained or header, shown)
    embeds = [*header, _winners_embed(results, scoring), *explained, *shown.figures]
    embeds.append(leaderboard_embed(standings, None))
    return attach(pack(embeds), shown.files)


def leaderboard_embed(standings: Sequence[Standing], me: Standing | None, title: str = "Leaderboard") -> Embed:
    if not standings:
        return {
            "title": title,
            "description": "No points yet: run `/quiz` to start.",
            "color": LEADERBOARD_COLOUR,
        }
    lines = [_standing_line(s) for s in standings]
    if me is not None and all(s.user_id != me.user_id for s in standings):
        lines += ["…", _standing_line(me)]
    return {"title": title, "description": "\n".join(lines), "color": LEADERBOARD_COLOUR}


def reload_summary(
    before: Mapping[str, object],
    after: Mapping[str, object],
    problems: Sequence[object],
    starved: Sequence[tuple[int, str]] = (),
) -> str:
    """What a reload changed, schedules left without questions, and the problems found: as many as fit."""
    added, removed = len(after.keys() - before.keys()), len(before.keys() - after.keys())
    text = f"Reloaded: {len(after)} questions in service ({added} new, {removed} removed)."
    if starved:
        lines = [
            f"Schedule #{schedule_id} asks from topic {quoted(topic)}, which has no questions now: "
            "its slots are skipped."
            for schedule_id, topic in starved
        ]
        room = (CONTENT_LIMIT - len(text)) // (2 if problems else 1) - 1  # half, if problems follow
        text += "\n" + fit_lines(lines, room, lambda n: f"… and {n} more schedules like these: `/quizschedule list`.")
    if not problems:
        return text
    text += f"\n{len(problems)} problem(s); a file with errors keeps its last good version:"
    listing = fit_lines(
        [str(problem) for problem in problems],
        CONTENT_LIMIT - len(text) - 1,
        lambda n: f"… and {n} more: `quizbot validate` lists them all.",
        before="```\n",
        after="\n```",
    )
    return f"{text}\n{listing}"


def member_stats_embed(user_id: int, stats: MemberStats | None) -> Embed:
    if stats is None:
        return {"description": f"<@{user_id}> has not answered a question here yet.", "color": LEADERBOARD_COLOUR}
    current, best = streaks(stats.history)
    lines = [
        f"<@{user_id}> · **{format_points(stats.points)}** pts · {stats.answered} answered · "
        f"{stats.exact / stats.answered:.0%} exactly right",
        f"Streak: **{current}** in a row now, best **{best}**",
    ]
    if stats.topics:
        lines.append("")
        lines += [
            f"{quoted(topic or 'no topic')} · {exact}/{answered} right ({exact / answered:.0%})"
            for topic, answered, exact in stats.topics
        ]
    return {
        "title": "Stats",
        "description": fit_lines(lines, EMBED_DESCRIPTION_LIMIT),
        "color": LEADERBOARD_COLOUR,
    }


def with_charts(embed: Embed, names: Sequence[str]) -> list[Embed]:
    """`embed` showing the first chart, then one embed per further chart (an embed shows one image)."""
    urls = [{"image": {"url": attachment_url(name)}, "color": embed["color"]} for name in names]
    return [{**embed, **urls[0]}, *urls[1:]] if urls else [embed]


HARDEST_SHOWN = 15


def question_stats_embed(stats: Sequence[QuestionStats], limit: int = HARDEST_SHOWN) -> Embed:
    """The questions the group finds hardest, first."""
    if not stats:
        return {
            "title": "Hardest questions",
            "description": "No question has been graded yet.",
            "color": LEADERBOARD_COLOUR,
        }
    lines = []
    for entry in stats[:limit]:
        question = entry.question
        wrong = {i: n for i, n in entry.picks.items() if i < len(question.options) and not question.options[i].correct}
        trap = max(wrong, key=lambda i: (wrong[i], -i)) if wrong else None
        # Named by its text too: with shuffled options its letter (its place in the file) varied per quiz.
        trap_text = (
            f" · most-picked wrong: {letter(trap)} ({wrong[trap]}) {_preview(question.options[trap].text, 50)}"
            if trap is not None
            else ""
        )
        lines.append(
            f"**{clip(question.title, 80)}** {quoted(question.id)}\n"
            f"{entry.share_right:.0%} right · asked {entry.asked} times · {entry.answers} answers{trap_text}"
        )
    text = fit_lines(lines, EMBED_DESCRIPTION_LIMIT, sep="\n\n", left_out=max(0, len(stats) - limit))
    return {"title": "Hardest questions", "description": text, "color": LEADERBOARD_COLOUR}


def format_points(points: float) -> str:
    return f"{points:g}" if points == int(points) else f"{points:.2f}"


def _text_embeds(text: str, *, colour: int, title: str | None = None) -> list[Embed]:
    """`text` as one or more embeds; only the first carries the title."""
    if not text and title is None:
        return []
    text = as_source(without_images(text))
    embeds = [{"description": chunk, "color": colour} for chunk in split_text(text, EMBED_DESCRIPTION_LIMIT)]
    if title is not None:
        embeds[0]["title"] = title
    for embed in embeds:
        if not embed["description"]:
            del embed["description"]
    return embeds


def _option_line(index: int, text: str) -> str:
    # A multi-line option (a code block, say) must start on its own line to render.
    return f"{letter(index)}\n{text}" if "\n" in text or text.startswith("```") else f"{letter(index)} {text}"


def _preview(text: str, limit: int = WRONG_OPTION_PREVIEW) -> str:
    flat = " ".join(as_source(without_images(text)).split())
    if "```" in flat or len(flat) > limit:
        flat = flat.replace("`", "")
    return clip(flat, limit)


def _winners_embed(results: Sequence[Result], scoring: Scoring) -> Embed:
    winners = [r.user_id for r in results if r.exact]
    answered = len(results)
    if not answered:
        text = "Nobody answered this time."
    elif not winners:
        text = f"Nobody got it exactly right ({answered} answered)."
    else:
        named = " ".join(f"<@{user}>" for user in winners[:MAX_NAMED_WINNERS])
        more = len(winners) - MAX_NAMED_WINNERS
        named += f" and {more} more" if more > 0 else ""
        text = f"{named}\n{len(winners)} of {answered} got it exactly right."
    if scoring is Scoring.PARTIAL and answered:
        text += "\nPartial scoring: each correct pick earns a share of the point, each wrong pick takes one back."
    return {"title": "Who got it right", "description": text, "color": RESULT_COLOUR}


def _standing_line(s: Standing) -> str:
    return (
        f"**{s.rank}.** <@{s.user_id}> · {format_points(s.points)} pts · {s.answered} answered · {s.accuracy:.0%} right"
    )

"""The private `/review` drill, pure: what its buttons carry and what its one message shows.

A drill is a single ephemeral message that changes in place: a due card (its question, a menu of
the options and Submit), then the verdict with a Next button. Everything a button needs is in its
custom id (owner, card, how many reviews the card had when shown, the picks), so the buttons keep
working after a restart and a second press of the same Submit is recognised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.memory import Memory, Outcome, outcome
from bot.outgoing import EMBED_DESCRIPTION_LIMIT, EMBED_TITLE_LIMIT, Embed, clip
from bot.questions import Question
from bot.render import letter
from bot.store import MemorySummary

# custom ids (each at most 100 characters: 20-digit snowflakes, a card id, up to 20 letters)
PICK = r"review:pick:(?P<owner>\d+):(?P<card>\d+):(?P<seen>\d+)"
SUBMIT = r"review:submit:(?P<owner>\d+):(?P<card>\d+):(?P<seen>\d+):(?P<picks>[A-Z]*)"
NEXT = r"review:next:(?P<owner>\d+)"

DRILL_COLOUR = 0xEB459E
OPTION_LABEL_LIMIT = 100  # Discord's limit for a select option's label
MESSAGE_BUDGET = 5800  # of the 6,000 characters a message's embeds may hold, with room for titles

VERDICTS = {
    Outcome.EXACT: "✅ Right",
    Outcome.PARTIAL: "🟡 Partly right: some of your picks are correct, but not exactly the set",
    Outcome.WRONG: "❌ Not this time",
}


@dataclass(frozen=True)
class Showing:
    """A card on screen: whose it is, which card, and its review count then."""

    owner: int
    card: int
    seen: int

    def pick_id(self) -> str:
        return f"review:pick:{self.owner}:{self.card}:{self.seen}"

    def submit_id(self, picks: frozenset[int]) -> str:
        return f"review:submit:{self.owner}:{self.card}:{self.seen}:{letters(picks)}"


def next_id(owner: int) -> str:
    return f"review:next:{owner}"


def letters(picks: frozenset[int]) -> str:
    return "".join(chr(ord("A") + i) for i in sorted(picks))


def picks_from(text: str) -> frozenset[int]:
    return frozenset(ord(c) - ord("A") for c in text)


def option_labels(question: Question) -> list[str]:
    """The menu's entries: the letter and the option's first line, within Discord's 100 characters."""
    return [
        clip(f"{chr(ord('A') + i)}. {' '.join(o.text.split()) or '(empty)'}", OPTION_LABEL_LIMIT)
        for i, o in enumerate(question.options)
    ]


def card_embeds(question: Question, due_count: int) -> list[Embed]:
    """The question with its options, in one message: a long body is shortened, never the options."""
    share = max(80, (EMBED_DESCRIPTION_LIMIT - 200) // len(question.options))
    options = "\n".join(clip(f"{letter(i)} {o.text}", share) for i, o in enumerate(question.options))
    prompt = f"**{question.prompt}**\n\n" if question.prompt else ""
    asking = prompt + options
    room = min(EMBED_DESCRIPTION_LIMIT, MESSAGE_BUDGET - len(question.title) - len(asking))
    embeds: list[Embed] = [
        {"title": clip(question.title, EMBED_TITLE_LIMIT), "color": DRILL_COLOUR},
        {"description": clip(asking, EMBED_DESCRIPTION_LIMIT), "color": DRILL_COLOUR},
    ]
    if question.body:
        embeds[0]["description"] = clip(question.body, max(room, 1))
    more = f"{due_count - 1} more due after this one" if due_count > 1 else "the last one due now"
    embeds[-1]["footer"] = {"text": f"Pick every correct option, then Submit · {more}"}
    return embeds


def verdict_embeds(question: Question, picks: frozenset[int], after: Memory) -> list[Embed]:
    """The answer: the verdict, the correct options, the explanation and the reading; when it returns."""
    picked = " ".join(letter(i) for i in sorted(picks))
    correct = "\n".join(f"{letter(i)} {question.options[i].text}" for i in sorted(question.correct))
    returns = f"\n\nThis question comes back <t:{int(after.due)}:R>."
    head = clip(f"You picked {picked}.\n\n**The answer**\n{correct}", 2000) + returns
    title = clip(f"{VERDICTS[outcome(picks, question.correct)]} · {question.title}", EMBED_TITLE_LIMIT)
    parts = [
        (name, text) for name, text in (("Explanation", question.explanation), ("Reading", question.reading)) if text
    ]
    room = min(EMBED_DESCRIPTION_LIMIT, (MESSAGE_BUDGET - len(head) - len(title)) // max(1, len(parts)))
    embeds: list[Embed] = [{"title": title, "description": head, "color": DRILL_COLOUR}]
    embeds += [{"title": name, "description": clip(text, room), "color": DRILL_COLOUR} for name, text in parts]
    embeds[-1]["footer"] = {"text": "This counts for your memory of the question only: leaderboard points stay."}
    return embeds


def nothing_due(summary: MemorySummary) -> str:
    """When no card is due: how many there are, when the next one is, and how well they are held."""
    if not summary.cards:
        return (
            "Nothing to review yet. Answer a quiz question here and it comes back in `/review` just when you "
            "are about to forget it."
        )
    cards = f"{summary.cards} card{'' if summary.cards == 1 else 's'}"
    text = f"🎉 Nothing due right now. You have {cards}"
    text += f"; the next one is due <t:{int(summary.next_due)}:R>." if summary.next_due is not None else "."
    if summary.retention is not None:
        text += f"\nRetention so far: {summary.retention:.0%} of {summary.recalls} reviews answered right."
    return text


def memory_field(summary: MemorySummary) -> Embed:
    """The memory part of `/stats`: what is due, what is learned, and how well reviews go."""
    share = (
        f"{summary.retention:.0%} of {summary.recalls} reviews right"
        if summary.retention is not None
        else "no reviews yet"
    )
    text = f"{summary.due} due now · {summary.learned} of {summary.cards} cards learned · {share}"
    return {"name": "Memory (`/review`)", "value": text}


def expired() -> str:
    return "This drill has expired (the card is gone or the question changed). Run `/review` to start again."


def not_yours() -> str:
    return "These buttons belong to someone else's review. Run `/review` for your own cards."


def already_answered() -> str:
    return "You already answered this card; press Next or run `/review` for the next one."


def valid_picks(picks: frozenset[int], options: Sequence[object]) -> bool:
    return bool(picks) and max(picks) < len(options)

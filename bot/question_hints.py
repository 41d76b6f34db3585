"""Near misses of the question format: what the author probably meant, and the fix. Pure.

The parser asks here when something is missing (no option list) or odd (an option marked `[✓]`),
so that a message names the line of the cause rather than the symptom.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.markdown_blocks import Block

# Marks read as "correct" besides `[x]`: unambiguous, but other markdown viewers show them as text.
CORRECT_VARIANTS = "×✓✔☑☒"  # noqa: RUF001
EMPTY_VARIANTS = ("", "☐")  # `[]` and a ballot box: a wrong option

_MARKED_ITEM = re.compile(r"^(?P<lead>\s*[-*+](?P<gap>\s+))\[(?P<mark>[^\]\n]?)\](?P<space>[ \t]*)(?P<rest>.*)$")
_NESTED_TASK = re.compile(r"^(?:\s|>)*(?:[-*+]|\d+[.)])\s+\[[ xX]\]")


@dataclass(frozen=True)
class Mark:
    correct: bool | None  # None: a mark that cannot be read either way
    indent: int  # columns before the option's text, for its continuation lines
    rest: str  # the text on the item's first line
    advice: str = ""  # a warning when `correct` is read, an error when it is None


def option_mark(line: str) -> Mark | None:
    """The check box of an option's first line; None when it has none."""
    match = _MARKED_ITEM.match(line)
    if not match or match.group("rest").startswith("("):  # `- [a](url)` is a link, not a mark
        return None
    mark, rest, indent = match.group("mark"), match.group("rest"), len(match.group("lead"))
    if mark in ("x", "X", " "):
        correct, advice = mark != " ", ""
    elif mark in EMPTY_VARIANTS:
        correct, advice = False, f"`[{mark}]` is read as wrong; write `[ ]` with a space"
    elif mark in CORRECT_VARIANTS:
        correct, advice = True, f"`[{mark}]` is read as correct; write `[x]`, which every markdown viewer shows"
    else:
        return Mark(None, indent, rest, f"unknown mark `[{mark}]`: write `[x]` for correct or `[ ]` for wrong")
    if rest and not match.group("space"):
        advice = advice or f"no space after `[{mark}]`: write `- [{mark}] {rest[:20]}`"
    return Mark(correct, indent, rest, advice)


def is_option_list(block: Block, lines: Sequence[str]) -> bool:
    """A bullet list whose first item has a check box: the options."""
    if block.kind != "List" or block.ordered or not block.items:
        return False
    first = block.items[0]
    if first.task is not None:
        return True
    mark = option_mark(lines[first.start])
    return mark is not None and mark.correct is not None


def missing_options(region: Sequence[Block], lines: Sequence[str]) -> tuple[int | None, str]:
    """Where the options probably are when there is no option list, and the fix (0-based line)."""
    in_quote = "the options are inside a quote: start each option line with `- [ ]`, without `>`"
    numbered = "the options are a numbered list: write them as bullets, `- [x]` and `- [ ]`"
    in_item = "the options are indented inside another list item: start each `- [ ]` at the line start"
    in_code = "the options are indented 4 spaces, which makes a code block: start each `- [ ]` at the line start"
    for block in region:
        nested = next((i for i in range(block.start, block.end) if _NESTED_TASK.match(lines[i])), None)
        if nested is None:
            continue
        if block.kind == "BlockQuote":
            return nested, in_quote
        if block.kind == "List" and block.ordered:
            return nested, numbered
        if block.kind == "List":
            return nested, in_item
        if block.kind == "CodeBlock" and not lines[block.start].lstrip().startswith(("```", "~~~")):
            return nested, in_code
    plain = [b for b in region if b.kind == "List" and not b.ordered]
    if plain:
        return plain[-1].start, "plain bullets, not options: mark each one `- [x]` (correct) or `- [ ]` (wrong)"
    return None, "no options: write them as a task list, `- [x] correct` and `- [ ] wrong`"


def html_advice(tag: str) -> str:
    """The warning for raw HTML, which Discord shows as text."""
    if tag == "!--":
        return "an HTML comment `<!-- … -->` is shown to members as text: remove it or move it before the title"
    if tag == "br":
        return "raw HTML `<br>` is shown to members as text: end the line with a blank line instead"
    return f"raw HTML `<{tag}>` is shown to members as text, not rendered: write it in markdown"

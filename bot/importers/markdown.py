"""Many questions in one markdown file -> one file each in our format. Pure.

The shape of the large community quiz collections:

    #### Q1. What does `len([1, 2])` return?

    ```python
    print(len([1, 2]))
    ```

    - [ ] 1
    - [x] 2

    **Explanation:** `len` counts the items.

    [Reference](https://docs.python.org/3/library/functions.html#len)

Each heading followed by a task list is a question: the heading (without its `Q1.` or
`Question 1:`) is the prompt, what comes between it and the options is the body (code, images),
and what follows the options is the explanation, except reference lines and bare links, which
become the reading. The author's markdown is kept as written.
"""

from __future__ import annotations

import re

from bot import markdown_blocks, question_hints
from bot.importers.base import Converted, Result, Skipped, title_from

_NUMBERING = re.compile(r"^(?:q(?:uestion)?\s*\.?\s*\d+|\d+)\s*[.:)\-–—]?\s*", re.IGNORECASE)  # noqa: RUF001
_EXPLANATION_LABEL = re.compile(
    r"^\s*(?:\*\*|__)?(?:explanation|answer|why)\s*:?\s*(?:\*\*|__)?\s*:?\s*", re.IGNORECASE
)
_REFERENCE = re.compile(
    r"^\s*(?:\*\*|__)?\[?(?:references?|sources?|read more|see also|docs?)\b|^\s*\[[^\]]*\]\([^)]*\)\s*$",
    re.IGNORECASE,
)


def convert(text: str) -> list[Result]:
    lines = text.split("\n")
    blocks = markdown_blocks.parse(text).blocks
    headings = [i for i, b in enumerate(blocks) if b.kind == "Heading"]
    results: list[Result] = []
    for n, at in enumerate(headings):
        segment = blocks[at + 1 : headings[n + 1] if n + 1 < len(headings) else len(blocks)]
        heading = blocks[at]
        prompt = _NUMBERING.sub("", " ".join(lines[heading.start].strip().lstrip("#").split()), count=1)
        options = next((i for i, b in enumerate(segment) if question_hints.is_option_list(b, lines)), None)
        if options is None:
            if _NUMBERING.match(lines[heading.start].strip().lstrip("#").strip()):
                results.append(Skipped(heading.start + 1, "a numbered question with no `- [x]` / `- [ ]` options"))
            continue  # a heading that only groups questions
        if not prompt:
            results.append(Skipped(heading.start + 1, "a question heading with no text"))
            continue
        results.append(Converted(heading.start + 1, title_from(prompt), _question(prompt, lines, segment, options)))
    return results


def _question(prompt: str, lines: list[str], segment: list, options: int) -> str:
    def text(block_list: list) -> str:
        return "\n\n".join("\n".join(lines[b.start : b.end]).strip("\n") for b in block_list)

    explanation, reading = [], []
    for block in segment[options + 1 :]:
        written = text([block])
        if block.kind == "Paragraph" and _REFERENCE.match(written):
            reading.append(written if written.lstrip().startswith(("-", "*")) else f"- {written}")
        else:
            explanation.append(_EXPLANATION_LABEL.sub("", written, count=1) if not explanation else written)
    bold = "**" not in prompt and not prompt.startswith(("*", "_"))
    parts = [f"# {title_from(prompt)}", text(segment[:options]), f"**{prompt}**" if bold else prompt]
    parts.append(text([segment[options]]))
    if explanation:
        parts.append("## Answer\n\n" + "\n\n".join(explanation))
    if reading:
        parts.append("## Reading\n\n" + "\n".join(reading))
    return "\n\n".join(part for part in parts if part) + "\n"

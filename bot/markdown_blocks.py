"""The top-level block structure of a markdown document, with line spans. Pure.

The CommonMark parsing is pulldown-cmark's (through pyromark), with task lists enabled: it decides
what is a heading, a list, a code block or a paragraph, exactly as a CommonMark renderer would.
This module only folds its event stream into the few facts a question file needs, with 0-based
line spans so callers can slice the author's original text: the top-level blocks, and at any depth
the raw HTML and the code blocks (which Discord shows differently from a markdown renderer).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

import pyromark

_OPTIONS = pyromark.Options.ENABLE_TASKLISTS


@dataclass
class Item:
    start: int  # first line (0-based)
    end: int  # line after the last
    task: bool | None = None  # True `[x]`, False `[ ]`, None: not a task item


@dataclass
class CodeBlock:
    start: int  # the line of the fence (or of the first indented line)
    info: str  # the fence's info string, "" for an indented block
    longest: int = 0  # characters in its longest line
    longest_at: int = 0  # that line (0-based)


@dataclass
class Document:
    blocks: list[Block]
    html: list[tuple[int, str]]  # (line, raw HTML as written) wherever it appears, outside code
    code: list[CodeBlock]


@dataclass
class Block:
    kind: str  # pulldown-cmark's name: Heading, Paragraph, List, CodeBlock, BlockQuote, HtmlBlock, Rule, …
    start: int
    end: int
    level: int = 0  # heading level
    ordered: bool = False  # for lists
    items: list[Item] = field(default_factory=list)
    strong_only: bool = False  # a paragraph that is entirely bold, like `**Which two…?**`


def parse(source: str) -> Document:
    """The top-level blocks of `source` in order, its raw HTML and its code blocks."""
    # pulldown-cmark reports UTF-8 byte offsets; line_starts maps them back to lines.
    line_starts = [0, *accumulate(len(line) + 1 for line in source.encode().split(b"\n"))]

    def line_of(offset: int) -> int:
        return bisect_right(line_starts, offset) - 1

    def span_lines(span: dict) -> tuple[int, int]:
        return line_of(span["start"]), line_of(max(span["end"] - 1, span["start"])) + 1

    found: list[Block] = []
    html: list[tuple[int, str]] = []
    code: list[CodeBlock] = []
    in_code = False
    depth = 0
    item: Item | None = None
    strong_children = other_children = 0
    for event, span in pyromark.events_with_range(source, options=_OPTIONS, merge_text=True):
        if type(event) is not dict:  # SoftBreak, HardBreak, Rule: leaves named by a string
            if depth == 0:
                found.append(Block(event, *span_lines(span)))
            elif depth == 1:
                other_children += 1
        elif "Start" in event:
            start = event["Start"]
            kind = start if type(start) is str else next(iter(start))
            if kind == "CodeBlock":
                fence = start["CodeBlock"]
                code.append(CodeBlock(line_of(span["start"]), fence["Fenced"] if type(fence) is dict else ""))
                in_code = True
            if depth == 0:
                block = Block(kind, *span_lines(span))
                if kind == "Heading":
                    block.level = int(start["Heading"]["level"][1:])
                elif kind == "List":
                    block.ordered = start["List"] is not None
                strong_children = other_children = 0
                item = None
                found.append(block)
            elif depth == 1:
                if kind == "Item" and found[-1].kind == "List":
                    item = Item(*span_lines(span))
                    found[-1].items.append(item)
                strong_children += kind == "Strong"
                other_children += kind != "Strong"
            depth += 1
        elif "End" in event:
            in_code = in_code and event["End"] != "CodeBlock"
            depth -= 1
            if depth == 0:
                last = found[-1]
                last.strong_only = last.kind == "Paragraph" and strong_children == 1 and not other_children
        else:  # a leaf with content: Text, Code, Html, InlineHtml, TaskListMarker, …
            name = next(iter(event))
            if name in ("Html", "InlineHtml"):
                html.append((line_of(span["start"]), event[name]))
            elif in_code and name == "Text":
                block_code = code[-1]
                for n, line in enumerate(event["Text"].split("\n")):
                    if len(line) > block_code.longest:
                        block_code.longest, block_code.longest_at = len(line), line_of(span["start"]) + n
            if depth == 0:
                found.append(Block(name, *span_lines(span)))
            elif depth == 1:
                other_children += 1
            elif name == "TaskListMarker" and item is not None and item.task is None and depth <= 3:
                # Directly in the item (depth 2) or in its first paragraph (depth 3), never a nested list's.
                item.task = event[name]
    return Document(found, html, code)

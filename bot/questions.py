"""One markdown question file -> one `Question`.

Pure: no I/O and nothing from discord. A real CommonMark parser (see `markdown_blocks`) finds
only the *structure* (title, prompt, option list, sections); every part is then sliced out of the
original lines by the parser's line spans, so the markdown the author wrote reaches Discord
unchanged. Every problem is reported with its 1-based line, and parsing
goes on after a problem so that one run names all of them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import yaml

from bot import markdown_blocks
from bot.markdown_blocks import Block

MAX_TITLE = 256  # Discord's embed title limit
MAX_OPTION = 1000  # leaves room for the letter in a 1,024-character embed field
MIN_OPTIONS, MAX_OPTIONS = 2, 20  # Discord allows 20 distinct reactions on a message
MIN_DURATION, MAX_DURATION = 5, 86_400

DIFFICULTIES = ("easy", "medium", "hard")
SCORINGS = ("exact", "partial")
EXPLANATION_HEADINGS = frozenset({"answer", "explanation"})
READING_HEADINGS = frozenset({"reading", "references", "further reading", "recommendations", "resources"})

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_COUNT_IN_PROMPT = re.compile(
    r"\b(?:which|select|choose|pick|mark|tick|identify|name|find)\s+(?:the\s+|any\s+|exactly\s+)?"
    rf"({'|'.join(NUMBER_WORDS)}|\d+)\b",
    re.IGNORECASE,
)
_TASK_ITEM = re.compile(r"^(?P<indent>\s*)[-*+](?P<gap>\s+)\[(?P<mark>[ xX])\](?:[ \t]+|$)(?P<rest>.*)$")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """A mistake in a question file, printed as `path:line: severity: message`."""

    path: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    body: str
    prompt: str
    options: tuple[Option, ...]
    explanation: str = ""
    reading: str = ""
    topic: str | None = None
    tags: tuple[str, ...] = ()
    difficulty: str | None = None
    duration: int | None = None
    scoring: str | None = None
    author: str | None = None

    @property
    def correct(self) -> frozenset[int]:
        """Indexes of the correct options."""
        return frozenset(i for i, option in enumerate(self.options) if option.correct)

    @property
    def stated_count(self) -> int | None:
        """How many answers the prompt says are correct, when it says so."""
        return stated_count(self.prompt)


@dataclass(frozen=True)
class Parsed:
    question: Question | None  # None when the file has an error
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def stated_count(prompt: str) -> int | None:
    """The number in "Which two…", "Select 3…"; None for "Which of the following…"."""
    match = _COUNT_IN_PROMPT.search(prompt)
    if not match:
        return None
    word = match.group(1).lower()
    return NUMBER_WORDS.get(word) or int(word)


def decode(raw: bytes, path: str) -> str | Problem:
    """UTF-8 (BOM optional) with any line ending -> text with LF endings, or the problem."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return Problem(
            path,
            before.count(b"\n") + 1,
            Severity.ERROR,
            f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_question(text: str, *, path: str, qid: str, topic: str | None = None) -> Parsed:
    """Parse one question file's text (LF line endings, see `decode`)."""
    return _Parser(text, path).parse(qid, topic)


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.lines = [line.rstrip() for line in text.split("\n")]
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, Severity.ERROR, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, Severity.WARNING, message))

    def text(self, start: int, end: int) -> str:
        """Source lines [start, end) as written, without surrounding blank lines."""
        return "\n".join(self.lines[start:end]).strip("\n")

    def parse(self, qid: str, topic: str | None) -> Parsed:
        front = self.front_matter()
        if front is None:
            return self.done(None)
        meta, first_line = front
        # Blank out the front matter so the parser's line numbers stay those of the file.
        found = markdown_blocks.blocks("\n" * first_line + "\n".join(self.lines[first_line:]))

        title_at = next((i for i, b in enumerate(found) if b.kind == "Heading" and b.level == 1), None)
        if title_at is None:
            self.error(first_line + 1, "no title: start the question with a level-1 heading `# Title`")
            return self.done(None)
        heading = found[title_at]
        title = self.text(heading.start, heading.end).lstrip("#").strip().rstrip("#").strip()
        if len(title) > MAX_TITLE:
            self.error(heading.start + 1, f"title is {len(title)} characters; Discord allows {MAX_TITLE}")
        if any(b.kind != "HtmlBlock" for b in found[:title_at]):
            self.warn(found[0].start + 1, "text before the title is not shown")

        options_at = next((i for i in range(title_at + 1, len(found)) if _is_task_list(found[i])), None)
        if options_at is None:
            self.error(heading.start + 1, "no options: write them as a task list, `- [x] correct` and `- [ ] wrong`")
            return self.done(None)
        option_list = found[options_at]
        options = self.options(option_list)

        prompt, body_end = self.prompt(found, title_at, options_at)
        body = self.text(heading.end, body_end)
        explanation, reading = self.sections(found[options_at + 1 :])

        self.check_options(options, len(option_list.items), prompt, option_list.start + 1, body_end + 1)
        if any(p.severity is Severity.ERROR for p in self.problems):
            return self.done(None)
        return self.done(
            Question(
                id=qid,
                title=title,
                body=body,
                prompt=prompt,
                options=tuple(options),
                explanation=explanation,
                reading=reading,
                topic=topic,
                tags=tuple(meta.get("tags", ())),
                difficulty=meta.get("difficulty"),
                duration=meta.get("duration"),
                scoring=meta.get("scoring"),
                author=meta.get("author"),
            )
        )

    def done(self, question: Question | None) -> Parsed:
        return Parsed(question, tuple(sorted(self.problems, key=lambda p: p.line)))

    # -- front matter -------------------------------------------------------------------------

    def front_matter(self) -> tuple[dict, int] | None:
        """The YAML block between `---` lines, validated, and the index of the line after it.

        None when the block never closes: the rest of the file cannot be told apart from it.
        """
        if not self.lines or self.lines[0] != "---":
            return {}, 0
        end = next((i for i in range(1, len(self.lines)) if self.lines[i] in ("---", "...")), None)
        if end is None:
            self.error(1, "front matter is not closed: add a `---` line after it")
            return None
        try:
            meta = yaml.load("\n".join(self.lines[1:end]), Loader=_YAML_LOADER)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            reason = getattr(error, "problem", None) or "invalid YAML"
            self.error(line, f"front matter: {reason}")
            return {}, end + 1
        if meta is None:
            return {}, end + 1
        if not isinstance(meta, dict):
            self.error(2, "front matter must be `key: value` lines")
            return {}, end + 1
        return self.checked_meta(meta, end), end + 1

    def checked_meta(self, meta: dict, end: int) -> dict:
        valid = {}
        for key, value in meta.items():
            check = _META_CHECKS.get(key)
            if check is None:
                hint = difflib.get_close_matches(str(key), _META_CHECKS, n=1)
                known = f"did you mean `{hint[0]}`?" if hint else f"known keys: {', '.join(_META_CHECKS)}"
                self.error(self.key_line(str(key), end), f"front matter: unknown key `{key}` ({known})")
                continue
            complaint = check(value)
            if complaint:
                self.error(self.key_line(str(key), end), f"front matter: `{key}` {complaint}")
            else:
                valid[key] = value
        return valid

    def key_line(self, key: str, end: int) -> int:
        pattern = re.compile(rf"^\s*['\"]?{re.escape(key)}['\"]?\s*:")
        return next((i + 1 for i in range(1, end) if pattern.match(self.lines[i])), 2)

    # -- options and prompt -------------------------------------------------------------------

    def options(self, option_list: Block) -> list[Option]:
        options = []
        for item in option_list.items:
            match = _TASK_ITEM.match(self.lines[item.start])
            if item.task is None or not match:
                self.error(item.start + 1, "list item without `[ ]` or `[x]`: every option needs one")
                continue
            indent = len(match.group("indent")) + 1 + len(match.group("gap"))
            continuation = [
                line[indent:] if line[:indent].isspace() else line.lstrip()
                for line in self.lines[item.start + 1 : item.end]
            ]
            text = "\n".join([match.group("rest"), *continuation]).strip("\n")
            if not text.strip():
                self.error(item.start + 1, "empty option")
                continue
            if len(text) > MAX_OPTION:
                self.error(item.start + 1, f"option is {len(text)} characters; the most that fits is {MAX_OPTION}")
            options.append(Option(text, item.task))
        return options

    def prompt(self, found: Sequence[Block], title_at: int, options_at: int) -> tuple[str, int]:
        """The bold paragraph right before the options, and the line where the body ends."""
        before = found[options_at - 1]
        if options_at - 1 > title_at and before.strong_only:
            return self.text(before.start, before.end)[2:-2].strip(), before.start
        line = found[options_at].start
        self.warn(line + 1, "no bold prompt before the options, e.g. `**Which two of these are correct?**`")
        return "", line

    def check_options(self, options: list[Option], items: int, prompt: str, line: int, prompt_line: int) -> None:
        if not MIN_OPTIONS <= items <= MAX_OPTIONS:
            self.error(line, f"{items} options; a question needs {MIN_OPTIONS} to {MAX_OPTIONS}")
        correct = sum(option.correct for option in options)
        if options and not correct:
            self.error(line, "no option is marked correct with `[x]`")
        stated = stated_count(prompt)
        if stated is not None and correct and stated != correct:
            self.error(prompt_line, f"the prompt says {stated} correct, but {correct} options are marked `[x]`")

    # -- sections after the options -----------------------------------------------------------

    def sections(self, after: Sequence[Block]) -> tuple[str, str]:
        """The `## Answer` and `## Reading` sections (or their synonyms) after the options."""
        found: dict[str, str] = {}
        headings = [i for i, b in enumerate(after) if b.kind == "Heading" and b.level <= 2]
        if after[: headings[0] if headings else len(after)]:
            self.warn(after[0].start + 1, "text after the options, outside any section, is not shown")
        for n, i in enumerate(headings):
            heading = after[i]
            name = self.text(heading.start, heading.end).strip("#").strip().rstrip(":").strip()
            end = after[headings[n + 1]].start if n + 1 < len(headings) else len(self.lines)
            kind = _section_kind(name)
            line = heading.start + 1
            if kind is None:
                self.warn(line, f"section `{name}` is not shown (known: ## Answer, ## Reading)")
            elif kind in found:
                self.warn(line, f"second {kind} section `{name}` is not shown")
            else:
                found[kind] = self.text(heading.end, end)
        if "explanation" not in found:
            last_line = len("\n".join(self.lines).rstrip("\n").split("\n"))
            self.warn(last_line, "no `## Answer` section: the reveal will show only the correct options")
        return found.get("explanation", ""), found.get("reading", "")


def _is_task_list(block: Block) -> bool:
    """A bullet list whose first item is a task item: the options."""
    return block.kind == "List" and not block.ordered and bool(block.items) and block.items[0].task is not None


def _section_kind(name: str) -> str | None:
    lowered = " ".join(name.lower().split())
    if lowered in EXPLANATION_HEADINGS:
        return "explanation"
    if lowered in READING_HEADINGS:
        return "reading"
    return None


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _duration_complaint(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number of seconds"
    if not MIN_DURATION <= value <= MAX_DURATION:
        return f"must be between {MIN_DURATION} and {MAX_DURATION} seconds"
    return None


_META_CHECKS = {
    "tags": lambda v: None if _is_str_list(v) else "must be a list of words, e.g. `[metrics, recall]`",
    "difficulty": lambda v: None if v in DIFFICULTIES else f"must be one of {', '.join(DIFFICULTIES)}",
    "duration": _duration_complaint,
    "scoring": lambda v: None if v in SCORINGS else f"must be one of {', '.join(SCORINGS)}",
    "author": lambda v: None if isinstance(v, str) and v.strip() else "must be text",
}
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
